import ArgumentParser
import Kaoping

/// `kaoping eval`: score every subject in every scope.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate a rule file on a roster and facts.",
    discussion: """
      Exit status: 0 on success, 1 when the rules do not check or a per-subject expression fails, \
      2 when an input cannot be read or (with --strict) a fact is rejected, 64 on a usage error, \
      74 when the output cannot be written.
      """
  )

  @Argument(help: "The rule file.")
  var rules: String

  @OptionGroup var input: InputOptions

  @Option(help: "Which scopes to write: all (default), annual, or a period id.")
  var scope: String = "all"

  @Option(help: "Output format: table, json, csv or markdown.")
  var format: ReportFormat = .table

  @Flag(help: "Prefix CSV output with a UTF-8 byte order mark (for spreadsheet programs).")
  var bom = false

  @Option(help: "Write the result to this file (only on success, atomically) instead of standard output.")
  var output: String?

  @Flag(help: "Fail (exit 2) when any fact is rejected, printing one line per rejected fact.")
  var strict = false

  func run() throws {
    let loaded = try loadRulesOrExit(rules, files: input.inputPaths)
    try checkScope(scope, of: [loaded], command: "eval")
    var result: EvaluationResult
    let progress = input.progressLine("scoring \(input.facts.count) fact file(s)…")
    var request = input.request(loaded, progress: progress)
    request.digests = format.showsDigests  // the file's second read, for nothing, otherwise
    let outcome = Evaluation.run(request)
    progress.finish()
    switch outcome {
    case .failure(let problem):
      if strict, case .evaluation = problem { try failIfRejected(loaded) }
      throw failure(for: problem, rules: loaded, input: input)
    case .success(let value): result = value
    }
    if strict, !result.rejected.isEmpty {
      printRejected(result.rejected.map { ($0.file, $0.row, $0.code, "fact \($0.fact) is rejected: \($0.reason)") })
      throw ExitCode(Status.inputs)
    }
    guard let filtered = result.selectingScope(scope) else {
      let known = result.scopes.map(\.scope).joined(separator: ", ")
      throw usageError("unknown scope '\(scope)'; the scopes are all, \(known)", command: "eval")
    }
    result = filtered
    let bytes = ReportWriter.write(result, format: format, options: ReportOptions(bom: bom))
    if let output {
      do {
        try AtomicFile.write(bytes, to: output)
      } catch {
        Output.standardError("\(output): error: \(error) [\(DiagnosticCode.unwritableOutput)]\n")
        throw ExitCode(Status.output)
      }
    } else {
      try Output.result(bytes)
    }
    // Everything is written (unbuffered): end the process now rather than spend time
    // releasing a large result and fact table one object at a time.
    Output.exitNow(0)
  }

  /// With `--strict`, when the evaluation failed (exit 1): the facts rejected while reading
  /// them (§3 phase 1, as `check --facts` finds them) decide first, the roster and facts
  /// being the earlier stage (§13, exit 2). Rejections of phases 2 and 3 (per-fact
  /// expressions, scorers, cancellation) come only with a result, which a failed run has not.
  private func failIfRejected(_ loaded: LoadedRules) throws {
    guard let set = loaded.rules else { return }
    let found = InputCheck.check(
      [set], rulePaths: [loaded.path], factPaths: input.facts, subjectsPath: input.subjects, inputFormat: input.inputFormat)
    let rejected = found.diagnostics.filter {
      $0.severity == .warning && $0.code != .unmatchedFacts && $0.code != .undeclaredRosterColumn
    }
    guard !rejected.isEmpty else { return }
    printRejected(rejected.map { ($0.file, $0.line, $0.code, $0.message) })
    throw ExitCode(Status.inputs)
  }

  /// `--strict`'s report (§3): one `FILE:ROW: error: MESSAGE [CODE]` line per rejected
  /// fact, in (file argument order, row) order.
  private func printRejected(_ facts: [(file: String, row: Int, code: DiagnosticCode, message: String)]) {
    var text = ""
    for fact in facts { text += "\(fact.file):\(fact.row): error: \(fact.message) [\(fact.code)]\n" }
    Output.standardError(text)
  }
}
