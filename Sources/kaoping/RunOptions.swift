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

/// Options shared by the verbs that evaluate (`eval`, `explain`, `diff`). Unlike `check`,
/// they need at least one fact file (`--facts FILE...` in the synopsis of §13).
struct InputOptions: ParsableArguments {
  @Option(name: .customLong("facts"), help: "A fact file (.csv, .jsonl or .yaml); repeat for several.")
  var facts: [String]

  @Option(help: "A roster file that replaces the rule file's subjects.")
  var subjects: String?

  @Option(help: "The format of inputs whose extension does not tell (csv, jsonl, yaml).")
  var inputFormat: InputFileFormat?

  @Option(help: "Worker threads (default: the number of processors). Results do not depend on it.")
  var threads: Int?

  /// The roster and fact files in command-line order (the roster first).
  var inputPaths: [String] { [subjects].compactMap { $0 } + facts }

  /// A progress line for a run on these inputs (shown on a terminal for large inputs).
  func progressLine(_ label: String) -> ProgressLine {
    ProgressLine(label, inputBytes: ProgressLine.size(of: inputPaths))
  }

  /// The request to evaluate `rules` on these inputs, reporting to `progress`.
  func request(_ rules: LoadedRules, progress: ProgressLine) -> EvaluationRequest {
    EvaluationRequest(
      rules: rules, factPaths: facts, subjectsPath: subjects, inputFormat: inputFormat,
      threads: threads ?? Evaluation.defaultThreads, progress: progress.callback)
  }
}

/// Exit statuses of §13.
enum Status {
  static let rules: Int32 = 1
  static let inputs: Int32 = 2
  static let usage: Int32 = 64
  static let output: Int32 = 74
  static let internalFailure: Int32 = 70
}

/// Loads a rule file and prints its diagnostics; exits when it does not check. `files`
/// are the other files of the run: when the rules do not check, those that cannot be read
/// are reported too, and decide the status (reading a file, 2, is the earlier stage, §13).
func loadRulesOrExit(_ path: String, files: [String]) throws -> LoadedRules {
  let loaded = RuleFiles.load(path: path)
  var sources = SourceLines()
  if let text = loaded.text { sources.add(file: path, text: text) }
  if !loaded.diagnostics.isEmpty {
    Output.standardError(Diagnostic.render(loaded.diagnostics, as: .text, sources: sources))
  }
  if loaded.unreadable { throw ExitCode(Status.inputs) }
  if loaded.rules == nil {
    let unreadable = RunDiagnostics.unreadableFiles(files.filter { $0 != path })
    if !unreadable.isEmpty {
      Output.standardError(Diagnostic.render(unreadable, as: .text))
      throw ExitCode(Status.inputs)
    }
    throw ExitCode(Status.rules)
  }
  return loaded
}

/// A usage error found after parsing (an unknown scope or subject): printed like the
/// argument parser's, exit 64.
func usageError(_ message: String, command: String) -> ExitCode {
  Output.standardError("Error: \(message)\n  See 'kaoping \(command) --help' for more information.\n")
  return ExitCode(Status.usage)
}

/// Checks `--scope` against the scopes the rule files evaluate (their periods in file
/// order, then `annual`) before anything is read or evaluated: a usage error is the first
/// stage (§13).
func checkScope(_ scope: String, of loaded: [LoadedRules], command: String) throws {
  guard scope != "all" else { return }
  for rules in loaded {
    guard let set = rules.rules else { continue }
    let scopes = set.periods.map(\.id) + ["annual"]
    if !scopes.contains(scope) {
      throw usageError("unknown scope '\(scope)'; the scopes are all, \(scopes.joined(separator: ", "))", command: command)
    }
  }
}

/// Prints why an evaluation failed and exits with the status of its stage. Diagnostics
/// show their source line and caret (§13): the lines of the rule file and of the roster
/// and fact files are read for them.
func failure(for problem: EvaluationProblem, rules: LoadedRules, input: InputOptions) -> ExitCode {
  func render(_ diagnostics: [Diagnostic]) -> String {
    let sources = RunDiagnostics.sources(
      rulePath: rules.path, ruleText: rules.text, inputPaths: input.inputPaths, inputFormat: input.inputFormat,
      for: diagnostics)
    return Diagnostic.render(diagnostics, as: .text, sources: sources)
  }
  switch problem {
  case .rules(let diagnostics):
    Output.standardError(render(diagnostics))
    return ExitCode(Status.rules)
  case .unreadable(let diagnostics), .inputs(let diagnostics):
    Output.standardError(render(diagnostics))
    return ExitCode(Status.inputs)
  case .evaluation(let errors):
    // In scope, roster, node order (§13), each at the expression that failed.
    if let set = rules.rules {
      Output.standardError(render(RunDiagnostics.diagnostics(for: errors, rules: set, rulePath: rules.path)))
    } else {
      for error in errors { Output.standardError("error: \(error.description) [\(error.code)]\n") }
    }
    return ExitCode(Status.rules)
  }
}
