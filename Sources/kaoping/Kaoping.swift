import ArgumentParser
import Kaoping

@main
struct KaopingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kaoping",
    abstract: "Check, evaluate and explain quantitative performance assessment rule files.",
    version: KaopingInfo.version,
    subcommands: [
      CheckCommand.self, DiffCommand.self, EvalCommand.self, ExplainCommand.self, ExprCommand.self, TestCommand.self,
    ]
  )

  static func main() {
    do {
      var command = try parseAsRoot(ExprArguments.normalized(Array(CommandLine.arguments.dropFirst())))
      try command.run()
    } catch let status as ExitCode {
      exit(withError: status)
    } catch {
      // Usage errors, --help and --version are the argument parser's to print (64, 0). Any
      // other error escaping a verb is a failure of Kaoping itself: §13's internal
      // failure, 70 — not 1, which would read as "the rules have errors".
      if exitCode(for: error) == .failure {
        Output.standardError("kaoping: internal error: \(error)\n")
        Output.exitNow(Status.internalFailure)
      }
      exit(withError: error)
    }
  }
}

/// `kaoping expr` takes an expression that may start with `-` (`---19`, `-x`): the
/// argument parser would read such a word as an option, so the expression is moved
/// behind `--`, after the options.
enum ExprArguments {
  static let optionsWithValues: Set<String> = ["--var", "--profile", "--format"]

  static func normalized(_ arguments: [String]) -> [String] {
    guard arguments.first == "expr", !arguments.contains("--") else { return arguments }
    var options: [String] = []
    var positional: [String] = []
    var index = 1
    while index < arguments.count {
      let word = arguments[index]
      if optionsWithValues.contains(word) {
        options.append(word)
        if index + 1 < arguments.count { options.append(arguments[index + 1]) }
        index += 2
        continue
      }
      if word == "-h" || word == "--help" || optionsWithValues.contains(where: { word.hasPrefix($0 + "=") }) {
        options.append(word)
      } else {
        positional.append(word)
      }
      index += 1
    }
    guard positional.contains(where: { $0.hasPrefix("-") }) else { return arguments }
    return ["expr"] + options + ["--"] + positional
  }
}
