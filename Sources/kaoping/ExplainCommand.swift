import ArgumentParser
import Kaoping

/// `kaoping explain`: everything behind one subject's result.
struct ExplainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Explain one subject's result point by point."
  )

  @Argument(help: "The rule file.")
  var rules: String

  @OptionGroup var input: InputOptions

  @Option(help: "The subject id.")
  var subject: String

  @Option(help: "Which scopes to explain: all (default), annual, or a period id.")
  var scope: String = "all"

  func run() throws {
    let loaded = try loadRulesOrExit(rules)
    let request = EvaluationRequest(
      rules: loaded, factPaths: input.facts, subjectsPath: input.subjects, inputFormat: input.inputFormat,
      threads: input.threads ?? Evaluation.defaultThreads)
    switch Explanation.explain(request, subject: subject, scope: scope) {
    case .success(let text): Output.standardOutput(text)
    case .failure(.evaluation(let problem)): throw failure(for: problem)
    case .failure(.unknownSubject(let message)), .failure(.unknownScope(let message)):
      throw ValidationError(message)
    }
  }
}
