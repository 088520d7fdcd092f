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

  /// Ranks on scaled integer keys against ranks by decimal comparison: mixed exponents
  /// (1000 and 1000.00 tie), signs, zero, and exponents too far apart for keys.
  @Test func ranksOnIntegerKeysAgreeWithDecimalOrder() {
    func reference(_ totals: [ExactDecimal], _ order: Ranking.Order, _ ties: Ranking.Ties) -> [Int] {
      let sorted = totals.indices.sorted { a, b in
        let (x, y) = (totals[a], totals[b])
        if x != y { return order == .desc ? x > y : x < y }
        return a < b
      }
      var ranks = [Int](repeating: 0, count: totals.count)
      var previous: ExactDecimal? = nil
      var (rank, dense) = (0, 0)
      for (position, index) in sorted.enumerated() {
        if totals[index] != previous {
          rank = position + 1
          dense += 1
          previous = totals[index]
        }
        ranks[index] = ties == .shared ? rank : dense
      }
      return ranks
    }
    var random = SplitMix64(seed: 42)
    let texts = ["1000", "1000.00", "999.5", "999.50", "-3", "-3.000", "0", "0.00", "1040.25", "1e3", "12345.6789",
                 "-0.01", "1000.0001", "5e-3", "7E+2"]
    for round in 0..<200 {
      let count = 1 + random.below(30)
      var totals: [ExactDecimal] = []
      for _ in 0..<count {
        var total = dec(texts[random.below(round < 100 ? texts.count - 3 : texts.count)])
        if random.below(2) == 0 { total = total.rounded(scale: 2 + random.below(3), .halfAwayFromZero) }
        totals.append(total)
      }
      for order in [Ranking.Order.desc, .asc] {
        for ties in [Ranking.Ties.shared, .dense] {
          #expect(RankingMath.ranks(totals, order: order, ties: ties) == reference(totals, order, ties), "\(totals)")
        }
      }
    }
    #expect(RankingMath.scaledKeys([dec("1"), dec("1e-40")]) == nil)
    let scaled = dec("1000").rounded(scale: 2, .halfAwayFromZero)
    #expect(RankingMath.scaledKeys([dec("1000"), scaled, dec("999.99")]).map { [$0[0] == $0[1], $0[2] < $0[0]] } == [true, true])
  }
}
