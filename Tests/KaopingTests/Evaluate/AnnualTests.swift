import Foundation
import Testing

@testable import Kaoping

/// `annual: {weights}` vs `annual: facts` (§5).
@Suite struct EvaluateAnnualTests {
  @Test func ruleTestCases() {
    expectRuleTests("annual.test.yaml", passed: 4)
  }

  // annual.facts.csv: A's delays give Q1 -10 (capped), Q2 -4, Q3 0, Q4 -10; B's tiny bonuses in Q1.
  @Test func weightedAnnualScopeHasPeriodsAndNoItems() throws {
    let result = try evaluate("annual_weights.yaml", facts: ["annual.facts.csv"], subjects: "annual.subjects.csv")
    #expect(result.scopes.map(\.scope) == ["Q1", "Q2", "Q3", "Q4", "annual"])
    let a = try #require(result.subject("A"))
    #expect(a.items.isEmpty)
    #expect(a.periods?.map { "\($0.period) \($0.weight) \($0.total.formatted(fractionDigits: 2))" } == [
      "Q1 0.25 90.00", "Q2 0.25 96.00", "Q3 0.25 100.00", "Q4 0.25 90.00",
    ])
    // round(0.25 x (-10 - 4 + 0 - 10)) = -6; bonuses, gains, extras 0.
    #expect(result.indicatorValues("A") == ["delays=-6.00", "bonuses=0.00", "gains=0.00", "extras=0.00"])
    // Period scopes keep their ledgers: Q1 d1 -6, d2 -8, cap +4.
    #expect(result.ledger("A", in: "Q1") == ["delays d1 -6.00", "delays d2 -8.00", "delays cap 4.00"])
    // annual: facts has items and no periods list.
    let plain = try evaluate("annual_facts.yaml", facts: ["annual.facts.csv"], subjects: "annual.subjects.csv")
    #expect(plain.subject("A")?.periods == nil)
    #expect(plain.ledger("A") == [
      "delays d1 -6.00", "delays d2 -8.00", "delays d3 -4.00", "delays d4 -10.00", "delays cap 18.00",
    ])
  }

  @Test func weightedAnnualJSONListsPeriodsInsteadOfItems() throws {
    let run = try runKaoping([
      "eval", evalFixture("annual_weights.yaml"), "--facts", evalFixture("annual.facts.csv"), "--subjects",
      evalFixture("annual.subjects.csv"), "--format", "json", "--scope", "annual",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let scopes = try #require(json["scopes"] as? [[String: Any]])
    #expect(scopes.map { $0["scope"] as? String } == ["annual"])
    let subjects = try #require(scopes.first?["subjects"] as? [[String: Any]])
    let a = try #require(subjects.first)
    #expect(a["items"] == nil)
    let periods = try #require(a["periods"] as? [[String: String]])
    #expect(periods == [
      ["period": "Q1", "weight": "0.25", "total": "90.00"], ["period": "Q2", "weight": "0.25", "total": "96.00"],
      ["period": "Q3", "weight": "0.25", "total": "100.00"], ["period": "Q4", "weight": "0.25", "total": "90.00"],
    ])
    #expect(a["total"] as? String == "94.00")
  }
}
