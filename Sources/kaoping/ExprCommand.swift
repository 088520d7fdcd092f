import ArgumentParser
import Kaoping

/// `kaoping expr`: parse, check and evaluate one CEL expression.
struct ExprCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "expr",
    abstract: "Parse, check and evaluate one expression."
  )

  @Argument(help: "The expression.")
  var expression: String

  func run() throws {
    throw ExitCode(70)
  }
}
