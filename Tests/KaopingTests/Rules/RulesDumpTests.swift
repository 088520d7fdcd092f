import Foundation
import Kaoping
import Testing

/// `kaoping check --dump`: the rule graph as text for review, compared with goldens.
@Suite struct RulesDumpTests {
  static func rules(_ path: String) throws -> RuleSet {
    let loaded = RuleFiles.load(path: path)
    #expect(!loaded.diagnostics.hasErrors, "\(loaded.diagnostics.map(\.message))")
    return try #require(loaded.rules)
  }

  @Test func cityUnits() throws {
    // `kaoping check Rules/city_units.yaml` is clean: no error and no warning.
    #expect(RuleFiles.load(path: packageRoot + "/Rules/city_units.yaml").diagnostics.isEmpty)
    let dump = try Self.rules(packageRoot + "/Rules/city_units.yaml").dump
    Golden.check(dump, golden: ruleFixtures + "/dump/city_units.dump")
    // The tree shows kinds, caps, bounds and scorers.
    #expect(dump.contains("\n  excellence 创先争优加分 — parts, summed; max 100\n"))
    #expect(dump.contains("— deduction per task fact; cap 30; scorers supervision, lead_department\n"))
  }

  @Test func weightedTree() throws {
    let dump = try Self.rules(ruleFixtures + "/dump/weighted-tree.yaml").dump
    Golden.check(dump, golden: ruleFixtures + "/dump/weighted-tree.dump")
    // Weights as percentages however written (0.5 and 50%), nesting by indentation,
    // bounds and applies_to on the node's line.
    #expect(dump.contains("\n  overall 综合得分 — parts, weighted; max 100; min 0\n    work 重点工作 — parts, weighted; weight 80%\n      ontime — score; weight 50%\n"))
    #expect(dump.contains("\n      documents — score; weight 50%; applies to department\n"))
    #expect(dump.contains("  annual: weighted H1 40%, H2 60%\n"))
  }

  @Test func theDumpIsStable() throws {
    let path = packageRoot + "/Rules/city_units.yaml"
    #expect(try Self.rules(path).dump == Self.rules(path).dump)
  }

  @Test func checkDumpPrintsItOnStandardOutput() throws {
    let result = try runKaoping(["check", "--dump", "dump/weighted-tree.yaml"], currentDirectory: ruleFixtures)
    #expect(result.status == 0)
    #expect(result.stderr == "")
    let golden = try String(contentsOfFile: ruleFixtures + "/dump/weighted-tree.dump", encoding: .utf8)
    #expect(result.stdout == golden)
  }
}
