import ArgumentParser
import Kaoping

@main
struct KaopingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kaoping",
    abstract: "Check, evaluate and explain quantitative performance assessment rule files.",
    version: KaopingInfo.version,
    subcommands: [CheckCommand.self, DiffCommand.self, EvalCommand.self, ExplainCommand.self, ExprCommand.self, TestCommand.self]
  )
}
