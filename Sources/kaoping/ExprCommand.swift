import ArgumentParser
import Kaoping

extension NumericProfile: ExpressibleByArgument {}
extension ExprRunner.OutputFormat: ExpressibleByArgument {}

/// `kaoping expr`: parse, check and evaluate one CEL expression.
struct ExprCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "expr",
    abstract: "Parse, check and evaluate one expression.",
    discussion: """
      Variables are given as typed JSON (--var days='{"int":"3"}'). Exit status: 0 with a \
      result (an evaluation error is a result), 1 on a parse or check error, 64 on a usage \
      error or a bad --var.
      """
  )

  // Every input that is not an option, so that an expression starting with `-`
  // (`-1 + x`) is not mistaken for one; exactly one is allowed.
  @Argument(
    parsing: .allUnrecognized,
    help: ArgumentHelp("The expression (it may start with '-').", valueName: "expression"))
  var expressionParts: [String] = []

  /// The inputs without the `--` that may end the options.
  private var expressions: [String] {
    var parts = expressionParts
    if let i = parts.firstIndex(of: "--") { parts.remove(at: i) }
    return parts
  }

  @Option(
    name: .customLong("var"),
    help: ArgumentHelp("A variable: NAME=TYPED_JSON, e.g. x={\"int\":\"3\"}.", valueName: "NAME=TYPED_JSON"))
  var variables: [String] = []

  @Option(help: "Numeric profile: rule (exact decimals) or cel (IEEE doubles, exactly CEL).")
  var profile: NumericProfile = .rule

  @Option(help: "Output format: text or json (one line of typed JSON).")
  var format: ExprRunner.OutputFormat = .text

  func validate() throws {
    let parts = expressions
    guard parts.count == 1 else {
      throw ValidationError(
        parts.isEmpty
          ? "Missing expected argument '<expression>'."
          : "Expected one expression, got \(parts.count): \(parts.joined(separator: " ")); quote the expression")
    }
    // A variable given twice is a slip (the first value would silently lose).
    var seen = Set<Substring>()
    for variable in variables {
      let name = variable.prefix { $0 != "=" }
      if !seen.insert(name).inserted { throw ValidationError("--var \(name) is given more than once") }
    }
  }

  func run() throws {
    let outcome = ExprRunner.run(expression: expressions[0], variables: variables, profile: profile, format: format)
    let written = Output.standardOutput(outcome.standardOutput)
    Output.standardError(outcome.standardError)
    if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    if !written { throw ExitCode(Status.output) }
  }
}
