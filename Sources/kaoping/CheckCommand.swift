import ArgumentParser
import Kaoping

extension DiagnosticFormat: ExpressibleByArgument {}

/// `kaoping check`: load rule files and report every problem found.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check rule files and print every problem found.",
    discussion: """
      Exit status: 0 when there are no errors (warnings allowed), 1 when a rule file has \
      errors, 2 when a file cannot be read, 64 on a usage error.
      """
  )

  @Argument(help: "Rule files, or directories to search for *.yaml rule files (test files are skipped).")
  var files: [String]

  @Option(help: "Diagnostic format: text (on standard error), json or github (on standard output).")
  var format: DiagnosticFormat = .text

  @Flag(help: "Treat warnings as errors.")
  var warningsAsErrors = false

  @Flag(help: "Print each checked rule file's rule graph (kinds, weights, caps) for review.")
  var dump = false

  func run() throws {
    let result = RuleFiles.check(paths: RuleFiles.expand(files))
    let rendered = Diagnostic.render(result.diagnostics, as: format, sources: result.sources)
    switch format {
    case .text: Output.standardError(rendered)
    case .json, .github: Output.standardOutput(rendered)
    }
    if dump {
      Output.standardOutput(result.ruleSets.map(\.dump).joined(separator: "\n"))
    }
    if result.hasUnreadableFile { throw ExitCode(2) }
    let failing = result.diagnostics.contains {
      $0.severity == .error || (warningsAsErrors && $0.severity == .warning)
    }
    if failing { throw ExitCode(1) }
  }
}
