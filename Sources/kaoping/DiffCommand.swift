import ArgumentParser
import Kaoping

/// Formats of `kaoping diff`.
enum DiffFormat: String, ExpressibleByArgument, CaseIterable {
  case text
  case markdown
  case json
}

/// `kaoping diff`: whose results a rule change moves.
struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Evaluate two versions of a rule file on the same inputs and report whose results move.",
    discussion: """
      Lists, per scope, each subject whose total, rank, grade or outcomes differ (subjects that \
      do not move are left out), then a summary. --format markdown is ready to post as a \
      pull-request comment. Exit status: 0; 3 when --fail-on names a kind of change that \
      occurs; 1 when OLD or NEW does not check (its diagnostics are printed) or a per-subject \
      expression fails; 2 when an input cannot be read or is malformed; 64 on a usage error.
      """
  )

  @Argument(help: "The rule file before the change.")
  var old: String

  @Argument(help: "The rule file after the change.")
  var new: String

  @OptionGroup var input: InputOptions

  @Option(help: "Which scopes to compare: all (default), annual, or a period id.")
  var scope: String = "all"

  @Option(help: "Output format: text, markdown (a pull-request comment) or json.")
  var format: DiffFormat = .text

  @Option(help: ArgumentHelp(
    "Exit 3 when a change of one of these kinds exists (comma-separated).", valueName: "total,rank,grade,outcome"))
  var failOn: String?

  /// The kinds `--fail-on` names.
  private func failKinds() throws -> Set<ChangeKind> {
    guard let failOn else { return [] }
    var kinds: Set<ChangeKind> = []
    for word in failOn.split(separator: ",", omittingEmptySubsequences: false) {
      let trimmed = word.trimmingSpaces
      guard let kind = ChangeKind(option: trimmed) else {
        throw ValidationError("--fail-on takes a comma-separated list of total, rank, grade and outcome, not '\(trimmed)'")
      }
      kinds.insert(kind)
    }
    return kinds
  }

  func validate() throws {
    _ = try failKinds()
  }

  func run() throws {
    let kinds = try failKinds()
    // NEW first: when the change breaks the rules, that is what the author must see.
    let newRules = try loadRulesOrExit(new, files: [old] + input.inputPaths)
    let oldRules = try loadRulesOrExit(old, files: input.inputPaths)
    try checkScope(scope, of: [newRules, oldRules], command: "diff")
    func evaluate(_ rules: LoadedRules) throws -> EvaluationResult {
      let progress = input.progressLine("scoring \(rules.path)…")
      let outcome = Evaluation.run(input.request(rules, progress: progress))
      progress.finish()
      switch outcome {
      case .failure(let problem): throw failure(for: problem, rules: rules, input: input)
      case .success(let result):
        guard let selected = result.selectingScope(scope) else {
          throw usageError(
            "unknown scope '\(scope)'; the scopes are all, \(result.scopes.map(\.scope).joined(separator: ", "))", command: "diff")
        }
        return selected
      }
    }
    let after = try evaluate(newRules)
    let before = try evaluate(oldRules)
    let diff = ResultDiff(
      old: before, new: after, oldLabel: old, newLabel: new,
      outcomeOrder: (newRules.rules?.outcomes ?? []).map(\.id) + (oldRules.rules?.outcomes ?? []).map(\.id))
    switch format {
    case .text: try Output.result(diff.text)
    case .markdown: try Output.result(diff.markdown)
    case .json: try Output.result(diff.json)
    }
    if diff.contains(any: kinds) { throw ExitCode(3) }
  }
}

extension Substring {
  /// Without leading and trailing spaces.
  fileprivate var trimmingSpaces: String {
    String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
  }
}
