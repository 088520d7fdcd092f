import ArgumentParser
import Kaoping

/// `kaoping check`: load rule files and report every problem found.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check rule files and print diagnostics."
  )

  @Argument(help: "Rule files to check.")
  var files: [String]

  func run() throws {
    throw ExitCode(70)
  }
}
