import ArgumentParser
import Kaoping

extension InputFileFormat: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

/// The roster and fact files of a run (`eval`, `explain`, `diff`, and `check` with inputs).
struct InputFileOptions: ParsableArguments {
  @Option(name: .customLong("facts"), help: "A fact file (.csv, .jsonl or .yaml); repeat for several.")
  var facts: [String] = []

  @Option(help: "A roster file that replaces the rule file's subjects.")
  var subjects: String?

  @Option(help: "The format of inputs whose extension does not tell (csv, jsonl, yaml).")
  var inputFormat: InputFileFormat?
}

/// Options shared by the verbs that evaluate (`eval`, `explain`, `diff`).
struct InputOptions: ParsableArguments {
  @OptionGroup var files: InputFileOptions

  @Option(help: "Worker threads (default: the number of processors). Results do not depend on it.")
  var threads: Int?

  var facts: [String] { files.facts }
  var subjects: String? { files.subjects }
  var inputFormat: InputFileFormat? { files.inputFormat }
}

/// Exit statuses of §13.
enum Status {
  static let rules: Int32 = 1
  static let inputs: Int32 = 2
  static let usage: Int32 = 64
  static let output: Int32 = 74
  static let internalFailure: Int32 = 70
}

/// Loads a rule file and prints its diagnostics; exits when it does not check.
func loadRulesOrExit(_ path: String) throws -> LoadedRules {
  let loaded = RuleFiles.load(path: path)
  var sources = SourceLines()
  if let text = loaded.text { sources.add(file: path, text: text) }
  if !loaded.diagnostics.isEmpty {
    Output.standardError(Diagnostic.render(loaded.diagnostics, as: .text, sources: sources))
  }
  if loaded.unreadable { throw ExitCode(Status.inputs) }
  if loaded.rules == nil { throw ExitCode(Status.rules) }
  return loaded
}

/// Prints why an evaluation failed and exits with the status of its stage.
func failure(for problem: EvaluationProblem) -> ExitCode {
  switch problem {
  case .rules(let diagnostics):
    Output.standardError(Diagnostic.render(diagnostics, as: .text))
    return ExitCode(Status.rules)
  case .unreadable(let diagnostics), .inputs(let diagnostics):
    Output.standardError(Diagnostic.render(diagnostics, as: .text))
    return ExitCode(Status.inputs)
  case .evaluation(let errors):
    for error in errors { Output.standardError("error: \(error.description) [\(error.code)]\n") }
    return ExitCode(Status.rules)
  }
}
