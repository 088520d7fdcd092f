import ArgumentParser
import Kaoping

/// `kaoping test`: run the `*.test.yaml` rule tests.
struct TestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Run rule tests (*.test.yaml files).",
    discussion: "Exit status: 0 when every case passes, 1 when a case fails, a test file does not load, or none is found."
  )

  @Argument(help: "Files or directories to search for *.test.yaml (default: the current directory).")
  var paths: [String] = []

  func run() throws {
    let report = RuleTests.run(paths: paths)
    Output.standardOutput(report.failures.joined())
    Output.standardOutput(report.summary + "\n")
    if report.isFailure { throw ExitCode(1) }
  }
}
