import ArgumentParser
import Kaoping

/// Formats of `kaoping test`.
enum TestReportFormat: String, ExpressibleByArgument, CaseIterable {
  case text
  case json
}

/// `kaoping test`: run the `*.test.yaml` rule tests.
struct TestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Run rule tests (*.test.yaml files).",
    discussion: """
      Prints one line per mismatching key of each failing case \
      (FILE:LINE: case "NAME": PATH.TO.KEY: expected X, got Y) and ends with "N passed, N failed". \
      A test file that does not load is reported on standard error and counts as failed. \
      Exit status: 0 when every case passes, 1 when a case fails, a test file does not load, \
      no test file is found, or a path does not exist; 64 on a usage error.
      """
  )

  @Argument(help: "Files or directories to search for *.test.yaml, recursively (default: the current directory).")
  var paths: [String] = []

  @Option(help: "Output format: text, or json (one report on standard output, diagnostics included).")
  var format: TestReportFormat = .text

  func run() throws {
    let report = RuleTests.run(paths: paths)
    let written: Bool
    switch format {
    case .text:
      Output.standardError(report.diagnosticText)
      written = Output.standardOutput(report.text)
    case .json:
      written = Output.standardOutput(report.json)
    }
    if report.isFailure { throw ExitCode(Status.rules) }
    if !written { throw ExitCode(Status.output) }
  }
}
