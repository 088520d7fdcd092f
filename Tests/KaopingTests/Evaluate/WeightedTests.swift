import Testing

@testable import Kaoping

/// Weighted parents, max/min and their items (§8.3).
@Suite struct EvaluateWeightedTests {
  @Test func ruleTestCases() {
    expectRuleTests("weighted.test.yaml", passed: 2)
  }

  // weighted.yaml with weighted.subjects.csv (A: 90.15, 87.70, 87.75; B: 100s; C: 0s)
  // and weighted.facts.csv (A: p1 4, p2 3; B: m1 6).
  @Test func weightedMaxAndMinItemsComeAfterTheChildren() throws {
    let result = try evaluate("weighted.yaml", facts: ["weighted.facts.csv"], subjects: "weighted.subjects.csv")
    // public 87.74 - (87.70 + 87.75) = -87.71; overall 88.95 - (90.15 + 87.74) = -88.94;
    // bounded: gains 7 > max 5 -> max item -2.
    #expect(result.ledger("A") == [
      "work score value=90.15 90.15", "leaders score value=87.7 87.70", "survey score value=87.75 87.75",
      "public weighted -87.71", "overall weighted -88.94", "gains p1 4.00", "gains p2 3.00", "bounded max -2.00",
    ])
    // B: public 100 - 200 = -100; overall 100 - 200 = -100, then max 95: -5; bounded -6 < min -3: +3.
    #expect(result.ledger("B") == [
      "work score value=100 100.00", "leaders score value=100 100.00", "survey score value=100 100.00",
      "public weighted -100.00", "overall weighted -100.00", "overall max -5.00", "losses m1 -6.00", "bounded min 3.00",
    ])
    // C: every difference is 0, so no weighted item.
    #expect(result.ledger("C") == [
      "work score value=0 0.00", "leaders score value=0 0.00", "survey score value=0 0.00",
    ])
    // Every node, nested ones too, in document order.
    #expect(result.indicatorValues("A") == [
      "overall=88.95", "work=90.15", "public=87.74", "leaders=87.70", "survey=87.75", "bounded=5.00", "gains=7.00",
      "losses=0.00",
    ])
    for subject in result.scope("annual")?.subjects ?? [] {
      #expect(subject.itemSum == subject.total, "\(subject.id)")   // base 0
    }
  }
}
