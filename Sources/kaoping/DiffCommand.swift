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
      Exit status: 0, or 3 when --fail-on names a kind of change that occurs; 1 when NEW does not check; \
      2 when an input cannot be read.
      """
  )

  @Argument(help: "The rule file before the change.")
  var old: String

  @Argument(help: "The rule file after the change.")
  var new: String

  @OptionGroup var input: InputOptions

  @Option(help: "Which scopes to compare: all (default), annual, or a period id.")
  var scope: String = "all"

  @Option(help: "Output format: text, markdown or json.")
  var format: DiffFormat = .text

  @Option(help: "Exit 3 when a change of one of these kinds exists: total,rank,grade,outcome.")
  var failOn: String?

  func run() throws {
    var kinds: Set<ChangeKind> = []
    if let failOn {
      for word in failOn.split(separator: ",") {
        let name = word == "outcome" ? "outcomes" : String(word)
        guard let kind = ChangeKind(rawValue: name) else {
          throw ValidationError("--fail-on takes total, rank, grade and outcome, not '\(word)'")
        }
        kinds.insert(kind)
      }
    }
    let newRules = try loadRulesOrExit(new)
    let oldRules = try loadRulesOrExit(old)
    func evaluate(_ rules: LoadedRules) throws -> EvaluationResult {
      let request = EvaluationRequest(
        rules: rules, factPaths: input.facts, subjectsPath: input.subjects, inputFormat: input.inputFormat,
        threads: input.threads ?? Evaluation.defaultThreads)
      switch Evaluation.run(request) {
      case .failure(let problem): throw failure(for: problem)
      case .success(let result):
        guard let selected = result.selectingScope(scope) else {
          throw ValidationError("unknown scope '\(scope)'; the scopes are all, \(result.scopes.map(\.scope).joined(separator: ", "))")
        }
        return selected
      }
    }
    let diff = ResultDiff(old: try evaluate(oldRules), new: try evaluate(newRules))
    switch format {
    case .text: Output.standardOutput(diff.text)
    case .markdown: Output.standardOutput(diff.markdown)
    case .json: Output.standardOutput(diff.json)
    }
    if !kinds.isEmpty, diff.contains(any: kinds) { throw ExitCode(3) }
  }
}
