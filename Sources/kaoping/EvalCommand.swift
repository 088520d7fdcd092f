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

  @Flag(help: "Fail (exit 2) when any fact is rejected, printing one diagnostic per rejected fact.")
  var strict = false

  func run() throws {
    let loaded = try loadRulesOrExit(rules, files: input.inputPaths)
    try checkScope(scope, of: [loaded], command: "eval")
    let request = EvaluationRequest(
      rules: loaded, factPaths: input.facts, subjectsPath: input.subjects, inputFormat: input.inputFormat,
      threads: input.threads ?? Evaluation.defaultThreads)
    var result: EvaluationResult
    let progress = ProgressLine(
      "scoring \(input.facts.count) fact file(s)…", inputBytes: ProgressLine.size(of: input.facts + [input.subjects].compactMap { $0 }))
    let outcome = Evaluation.run(request)
    progress.finish()
    switch outcome {
    case .failure(let problem):
      if strict, case .evaluation = problem { try failIfRejected(loaded) }
      throw failure(for: problem, rules: loaded, input: input)
    case .success(let value): result = value
    }
    if strict, !result.rejected.isEmpty {
      // One diagnostic per rejected fact, at its row (column 1), with the row's text where
      // rows are lines — already in (file argument order, row) order.
      let diagnostics = result.rejected.map { fact in
        Diagnostic(
          code: fact.code, message: "fact \(fact.fact) is rejected: \(fact.reason)", file: fact.file, line: fact.row,
          column: fact.row > 0 ? 1 : 0)
      }
      let sources = RunDiagnostics.sources(
        rulePath: loaded.path, ruleText: loaded.text, inputPaths: input.inputPaths, inputFormat: input.inputFormat,
        for: diagnostics)
      Output.standardError(Diagnostic.render(diagnostics, as: .text, sources: sources))
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
    let errors = rejected.map { diagnostic in
      var error = diagnostic
      error.severity = .error
      return error
    }
    Output.standardError(Diagnostic.render(errors, as: .text, sources: found.sources))
    throw ExitCode(Status.inputs)
  }
}
