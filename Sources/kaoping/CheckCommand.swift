import ArgumentParser
import Kaoping

extension DiagnosticFormat: ExpressibleByArgument {}

/// `kaoping check`: load rule files (and optionally a roster and facts) and report every
/// problem found.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check rule files, and optionally a roster and facts against them, printing every problem found.",
    discussion: """
      With --facts or --subjects, the roster and fact files are also read and typed against each \
      rule file that checks, as eval reads them (without evaluating): unreadable or malformed \
      files, unknown columns and roster problems are errors; each fact eval would reject is a \
      warning. Exit status: 0 when there are no errors (warnings allowed), 1 when a rule file has \
      errors, 2 when a file cannot be read or the roster or facts have errors, 64 on a usage error.
      """
  )

  @Argument(help: "Rule files, or directories to search for *.yaml rule files (test files are skipped).")
  var files: [String]

  @OptionGroup var inputs: InputFileOptions

  @Option(help: "Diagnostic format: text (on standard error), json or github (on standard output).")
  var format: DiagnosticFormat = .text

  @Flag(help: "Treat warnings as errors.")
  var warningsAsErrors = false

  @Flag(help: "Print each checked rule file's rule graph (kinds, weights, caps) for review.")
  var dump = false

  func run() throws {
    let paths = RuleFiles.expand(files)
    let result = RuleFiles.check(paths: paths)
    var diagnostics = result.diagnostics
    var sources = result.sources
    var checked: InputCheckResult? = nil
    if !inputs.facts.isEmpty || inputs.subjects != nil {
      let found = InputCheck.check(
        result.ruleSets, rulePaths: result.ruleSetPaths, factPaths: inputs.facts, subjectsPath: inputs.subjects,
        inputFormat: inputs.inputFormat)
      sources.merge(found.sources)
      diagnostics = Diagnostic.sorted(
        diagnostics + found.diagnostics, fileOrder: paths + [inputs.subjects].compactMap { $0 } + inputs.facts)
      checked = found
    }
    let rendered = Diagnostic.render(diagnostics, as: format, sources: sources)
    var written = true
    switch format {
    case .text: Output.standardError(rendered)
    case .json, .github: written = Output.standardOutput(rendered)
    }
    if dump, written {
      written = Output.standardOutput(result.ruleSets.map(\.dump).joined(separator: "\n"))
    }
    func failing(_ found: [Diagnostic]) -> Bool {
      found.contains { $0.severity == .error || (warningsAsErrors && $0.severity == .warning) }
    }
    // Stages in order (§13): reading a file, the rules, then the roster and facts.
    if result.hasUnreadableFile || checked?.hasUnreadableFile == true { throw ExitCode(Status.inputs) }
    if failing(result.diagnostics) { throw ExitCode(Status.rules) }
    if let checked, failing(checked.diagnostics) { throw ExitCode(Status.inputs) }
    if !written { throw ExitCode(Status.output) }
  }
}
