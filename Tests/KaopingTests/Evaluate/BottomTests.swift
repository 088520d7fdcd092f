import Testing

@testable import Kaoping

/// `bottom` outcomes: k, boundary ties, the rank-1 guard and the reason texts (§10).
@Suite struct EvaluateBottomTests {
  @Test func ruleTestCases() {
    expectRuleTests("bottom.test.yaml", passed: 3)
  }

  // bottom.facts.csv: a46..a49 ranks 46..49 of 49, b20 rank 20 of 20, c3 rank 3 of 3.
  @Test func reasonsNameTheCountOrTheShareWithK() throws {
    let result = try evaluate("bottom.yaml", facts: ["bottom.facts.csv"], subjects: "bottom.subjects.csv")
    func flags(_ id: String) -> [String] {
      result.subject(id)?.outcomes.map { "\($0.id): \($0.reason)" } ?? []
    }
    // In file order of the outcomes; 5% of 49 = 2.45: ceil 3, floor 2, round 2.
    #expect(flags("a48") == [
      "ex5: bottom 5% of 49 (3)", "in5: bottom 5% of 49 (3)", "b3: bottom 3 of 49", "fl5: bottom 5% of 49 (2)",
      "rd5: bottom 5% of 49 (2)", "b3in: bottom 3 of 49",
    ])
    #expect(flags("a47") == [
      "ex5: bottom 5% of 49 (3)", "in5: bottom 5% of 49 (3)", "b3: bottom 3 of 49", "b3in: bottom 3 of 49",
    ])
    // 5% of 20 = 1 exactly.
    #expect(flags("b20") == [
      "ex5: bottom 5% of 20 (1)", "in5: bottom 5% of 20 (1)", "b3: bottom 3 of 20", "fl5: bottom 5% of 20 (1)",
      "rd5: bottom 5% of 20 (1)", "b3in: bottom 3 of 20",
    ])
    // 5% of 3 = 0.15: ceil 1; floor and round 0 flag nobody.
    #expect(flags("c3") == [
      "ex5: bottom 5% of 3 (1)", "in5: bottom 5% of 3 (1)", "b3: bottom 3 of 3", "b3in: bottom 3 of 3",
    ])
    #expect(flags("c1").isEmpty)
  }

  @Test func shareCases() {
    expectRuleTests("share.test.yaml", passed: 1)
  }

  // share.facts.csv: s18..s25 rank 18..25 of 25.
  @Test func shareReasonShowsThePercentageAsWrittenAndK() throws {
    let result = try evaluate("share.yaml", facts: ["share.facts.csv"], subjects: "share.subjects.csv")
    #expect(result.subject("s25")?.outcomes.map { "\($0.id): \($0.reason)" } == [
      "b28: bottom 28% of 25 (7)", "r10: bottom 10% of 25 (3)", "f10: bottom 10% of 25 (2)", "c10: bottom 10% of 25 (3)",
    ])
  }
}
