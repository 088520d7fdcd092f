import Testing

@testable import Kaoping

/// Rejected facts: phase 1 of §3 and the scorers check of §7.
@Suite struct EvaluateRejectionTests {
  @Test func ruleTestCases() {
    expectRuleTests("rejections.test.yaml", passed: 3)
  }

  // rejections.facts.csv: header row 1; f1..f5 rows 2..6; row 7 blank (counted, skipped); f6 row 8.
  @Test func rejectedFactsCarryFileRowCodeAndReason() throws {
    let result = try evaluate("rejections.yaml", facts: ["rejections.facts.csv"], subjects: "ab.subjects.csv")
    // f1 scores 20 (source organization); f6 scores -2 (delays have no scorers, any source is fine).
    #expect(result.subject("A")?.total == dec("18"))
    #expect(result.rejectedLines == ["f2 3 K411", "f3 4 K411", "f4 5 K403", "f5 6 K405"])
    #expect(result.rejected.allSatisfy { $0.file == evalFixture("rejections.facts.csv") })
    let reasons = Dictionary(uniqueKeysWithValues: result.rejected.map { ($0.fact, $0.reason) })
    // §7: "when the source equals a scorer's name, the reason names the id to use".
    #expect(reasons["f2"]?.contains("organization") == true, "\(reasons["f2"] ?? "")")
    #expect(reasons["f4"]?.contains("Z") == true, "\(reasons["f4"] ?? "")")
    #expect(result.accounting == Accounting(facts: 6, applied: 2, unmatched: 0, rejected: 4))
  }

  @Test func tableCases() {
    expectRuleTests("tables.test.yaml", passed: 1)
  }

  @Test func perFactErrorCases() {
    expectRuleTests("perfact.test.yaml", passed: 1)
  }

  // perfact.facts.csv on perfact.yaml: a2 (row 3) city has no table key; d2 (row 5) has no
  // ratio, so urgent's `when` fails on null; d3 (row 6) gets -1 points from delays.
  @Test func perFactErrorsNameTheExpression() throws {
    let result = try evaluate("perfact.yaml", facts: ["perfact.facts.csv"], subjects: "one.subjects.csv")
    #expect(result.rejectedLines == ["a2 3 K410", "d2 5 K410", "d3 6 K410"])
    let reasons = Dictionary(uniqueKeysWithValues: result.rejected.map { ($0.fact, $0.reason) })
    #expect(reasons["d2"]?.contains("fact.ratio > 1.0") == true, "\(reasons["d2"] ?? "")")
    #expect(reasons["a2"]?.contains("city") == true, "\(reasons["a2"] ?? "")")
    // §3 phase 2: "an evaluation error in a per-fact expression (when, points, by, a missing
    // table key, negative points) rejects that fact with the expression in the reason".
    #expect(reasons["a2"]?.contains("fact.level") == true, "\(reasons["a2"] ?? "")")
    #expect(reasons["d3"]?.contains("fact.days * fact.ratio") == true, "\(reasons["d3"] ?? "")")
  }

  // rejections_name.facts.csv: f1's source 督查室 is the name of scorer supervision, which
  // may not score awards either (awards: scorers [organization]). Writing the id
  // 'supervision' would be rejected again: the id to use is organization.
  @Test func aSourceThatIsTheNameOfAnUnlistedScorerIsToldTheAllowedIds() throws {
    let result = try evaluate("rejections.yaml", facts: ["rejections_name.facts.csv"], subjects: "ab.subjects.csv")
    #expect(result.rejectedLines == ["f1 2 K411"])
    let reason = result.rejected.first?.reason ?? ""
    #expect(reason.contains("organization"), "\(reason)")
  }
}
