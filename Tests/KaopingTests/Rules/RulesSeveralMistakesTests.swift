import Foundation
import Kaoping
import Testing

/// A rule file with mistakes of seven kinds (YAML structure, scalar types, periods,
/// references, expressions, outcomes, grades) reports every one in one run, in file order.
@Suite struct RulesSeveralMistakesTests {
  static let expected: [(code: String, line: Int, column: Int)] = [
    ("K102", 3, 1),  // titel: an unknown key
    ("K103", 4, 7),  // base: 一千, text for a number
    ("K304", 8, 15),  // Q2 starts inside Q1
    ("K301", 35, 14),  // facts: awrd, an unknown fact type
    ("K221", 42, 24),  // fact.dayz, an unknown field inside an expression
    ("K309", 55, 13),  // bottom: 120%
    ("K306", 61, 22),  // grade mins not decreasing
  ]

  @Test func everyMistakeIsReportedInFileOrder() {
    let (loaded, diagnostics, text) = loadRuleFixture("several-mistakes.yaml")
    #expect(loaded.rules == nil)
    let found = diagnostics.map { "\($0.code):\($0.line):\($0.column)" }
    #expect(found == Self.expected.map { "\($0.code):\($0.line):\($0.column)" }, "\(text)")
    #expect(diagnostics.allSatisfy { $0.severity == .error })
    Golden.check(text, golden: ruleFixtures + "/several-mistakes.expected")
  }

  @Test func theRunnerReportsThemAllAndFilesInArgumentOrder() throws {
    // Two files: the diagnostics of the first argument come first, whatever the names.
    let result = try runKaoping(
      ["check", "several-mistakes.yaml", "broken/01-unknown-key.yaml"], currentDirectory: ruleFixtures)
    #expect(result.status == 1)
    #expect(result.stdout == "")
    let headers = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }.map { line in
      String(line.prefix { $0 != " " })
    }
    #expect(headers == Self.expected.map { "several-mistakes.yaml:\($0.line):\($0.column):" } + ["broken/01-unknown-key.yaml:37:7:"])
    let (_, _, text) = loadRuleFixture("several-mistakes.yaml")
    #expect(result.stderr.hasPrefix(text))
  }
}
