import Testing

@testable import Kaoping

/// Outcomes (§10), grades and quotas (§11), applies_to (§8).
@Suite struct EvaluateOutcomeTests {
  @Test func outcomeCases() {
    expectRuleTests("outcomes.test.yaml", passed: 1)
  }

  @Test func quotaCases() {
    expectRuleTests("quota.test.yaml", passed: 4)
  }

  @Test func appliesToCases() {
    expectRuleTests("applies.test.yaml", passed: 2)
  }

  @Test func appliesToOfAPartsNodeCoversItsChildrenInFactSelection() {
    expectRuleTests("applies_nested.test.yaml", passed: 2)
  }

  // applies.yaml: for P1 (dept) awards, extra and extra_awards give 0 and no items;
  // for D1 (district) survey gives 0 and no item (sat 0.5 would give 5).
  @Test func nodesThatDoNotApplyHaveNoItems() throws {
    let result = try evaluate("applies.yaml", facts: ["applies.facts.csv"], subjects: "applies.subjects.csv")
    #expect(result.ledger("D1") == ["awards a1 10.00", "extra_awards a1 1.00"])
    #expect(result.ledger("P1") == ["survey score value=0.8 8.00"])
    #expect(result.indicatorValues("P1") == ["awards=0.00", "survey=8.00", "extra=0.00", "extra_awards=0.00"])
    #expect(result.indicatorValues("D1") == ["awards=10.00", "survey=0.00", "extra=1.00", "extra_awards=1.00"])
  }

  // outcomes.facts.csv holds the facts of outcomes.test.yaml (see the hand computation there).
  @Test func reasonsAreBottomThenTheCollapsedWhenText() throws {
    let result = try evaluate("outcomes.yaml", facts: ["outcomes.facts.csv"], subjects: "outcomes.subjects.csv")
    func flags(_ id: String, _ scope: String) -> [String] {
      result.subject(id, in: scope)?.outcomes.map { "\($0.id): \($0.reason)" } ?? []
    }
    let when = "facts.major_error.size() > 0 || facts.delay.size() >= 3"
    // B is last of 5 in H1: reminder (bottom 1); interview: bottom 2 AND only_if (only_if is not a reason).
    #expect(flags("B", "H1") == ["reminder: bottom 1 of 5", "interview: bottom 2 of 5"])
    #expect(flags("E", "H2") == ["reminder: bottom 1 of 5"])
    // C is last of 5 in the year and has 3 delays: both reasons, bottom first, joined by "; ".
    #expect(flags("C", "annual") == ["no_excellence: bottom 1 of 5; \(when)"])
    // The folded block's runs of white space (spaces, the line break, the extra indentation) become one space.
    #expect(flags("A", "annual") == [
      "no_excellence: \(when)", "veto: facts.major_error.size() > 0", "two_awards: facts.award.size() == 2",
    ])
    #expect(result.subject("A")?.grade == "admonished")
    #expect(result.subject("E")?.grade == "good")
  }

  // bottom.yaml on a roster of 7 (all in g49): a5, a6, a7 rank 5, 6, 7.
  @Test func countReasonNamesKAndTheGroupSize() throws {
    let result = try evaluate("bottom.yaml", facts: ["seven.facts.csv"], subjects: "seven.subjects.csv")
    // 5% of 7 = 0.35: ceil 1, floor and round 0; bottom 3 flags a5, a6, a7.
    #expect(result.subject("a7")?.outcomes.map { "\($0.id): \($0.reason)" } == [
      "ex5: bottom 5% of 7 (1)", "in5: bottom 5% of 7 (1)", "b3: bottom 3 of 7", "b3in: bottom 3 of 7",
    ])
    #expect(result.subject("a5")?.outcomes.map { "\($0.id): \($0.reason)" } == ["b3: bottom 3 of 7", "b3in: bottom 3 of 7"])
    #expect(result.subject("a4")?.outcomes.isEmpty == true)
  }
}
