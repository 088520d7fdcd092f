import Foundation
import Testing

@testable import Kaoping

/// Rounding half away from zero at `decimals` (§2), `-0.00` never written.
@Suite struct EvaluateRoundingTests {
  @Test func ruleTestCases() {
    expectRuleTests("rounding.test.yaml", passed: 3)
  }

  @Test func scoreItemsCarryTheirValueAndRoundedPoints() throws {
    let result = try evaluate("rounding.yaml", facts: ["rounding.facts.csv"], subjects: "one.subjects.csv")
    // plus: value 0.95 - 0.92325 = 0.02675, points 2.675 -> 2.68; minus: -0.02675 -> -2.68.
    // d1: gain 0.004 -> 0.00; d2: loss 0.0049 -> -0.0049 rounds to 0.00 (never -0.00).
    #expect(result.ledger("A") == [
      "plus score value=0.02675 2.68", "minus score value=-0.02675 -2.68", "gains d1 0.00", "losses d2 0.00",
    ])
    #expect(result.subject("A")?.total == .zero)
  }

  @Test func negativeZeroIsNeverWritten() throws {
    let rules = evalFixture("rounding.yaml")
    let run = try runKaoping([
      "eval", rules, "--facts", evalFixture("rounding.facts.csv"), "--subjects", evalFixture("one.subjects.csv"),
      "--format", "json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(!run.stdout.contains("-0.00"), "\(run.stdout)")
    #expect(!run.stdout.contains("\"-0\""), "\(run.stdout)")
    #expect(run.stdout.contains("{ \"indicator\": \"losses\", \"fact\": \"d2\", \"points\": \"0.00\" }"), "\(run.stdout)")
    let csv = try runKaoping([
      "eval", rules, "--facts", evalFixture("rounding.facts.csv"), "--subjects", evalFixture("one.subjects.csv"),
      "--format", "csv",
    ])
    #expect(csv.status == 0)
    #expect(!csv.stdout.contains("-0.00"), "\(csv.stdout)")
  }
}
