import ArgumentParser
import Kaoping

extension ExplanationFormat: ExpressibleByArgument {}

/// `kaoping explain`: everything behind one subject's result.
struct ExplainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Explain one subject's result point by point.",
    discussion: """
      For each scope: every line item with the fact's date, type, source and fields and the \
      rule that scored it; caps and min/max adjustments; cancelled items and the fact that \
      cancelled them; each score's value and tier; the total; rank and group size; each \
      outcome and why; the grade and why not each grade above it. --format json writes the \
      same as one JSON document (format kaoping-explain/1). Exit status: 0; 1 when the rules \
      do not check or a per-subject expression fails; 2 when an input cannot be read or is \
      malformed; 64 on a usage error (an unknown subject or scope).
      """
  )

  @Argument(help: "The rule file.")
  var rules: String

  @OptionGroup var input: InputOptions

  @Option(help: "The subject id.")
  var subject: String

  @Option(help: "Which scopes to explain: all (default), annual, or a period id.")
  var scope: String = "all"

  @Option(help: "Output format: text or json.")
  var format: ExplanationFormat = .text

  func run() throws {
    let loaded = try loadRulesOrExit(rules, files: input.inputPaths)
    try checkScope(scope, of: [loaded], command: "explain")
    let progress = input.progressLine("scoring…")
    let outcome = Explanation.explain(input.request(loaded, progress: progress), subject: subject, scope: scope, format: format)
    progress.finish()
    switch outcome {
    case .success(let text): try Output.result(text)
    case .failure(.evaluation(let problem)): throw failure(for: problem, rules: loaded, input: input)
    case .failure(.unknownSubject(let message)), .failure(.unknownScope(let message)):
      throw usageError(message, command: "explain")
    }
  }
}
