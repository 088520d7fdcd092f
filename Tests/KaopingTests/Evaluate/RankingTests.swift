import Testing

@testable import Kaoping

/// Tiers (§8.2) and ranks (§9).
@Suite struct EvaluateRankingTests {
  @Test func tierCases() {
    expectRuleTests("tiers.test.yaml", passed: 1)
  }

  @Test func rankingCases() {
    expectRuleTests("ranking.test.yaml", passed: 3)
  }

  @Test func scoreItemWritesTheValueToSixDigitsButTiersCompareItExactly() throws {
    let result = try evaluate("tiers.yaml", facts: [], subjects: "tiers.subjects.csv")
    // rate 0.87325: ontime -(0.90 - 0.87325) x 100 = -2.675 -> -2.68; no_catch_all 1;
    // ratio: 695/704 = 0.98721590.. written 0.987216, below the tier min 0.987216 -> -1.
    #expect(result.ledger("s5") == [
      "ontime score value=0.87325 -2.68", "no_catch_all score value=0.87325 1.00", "ratio score value=0.987216 -1.00",
    ])
  }
}
