import Foundation
import Testing

/// `kaoping explain` on the bundled example (Rules/city_units.yaml, Examples/city_units).
/// U18 (市生态环境局) has caps, a max on a parts node, a cancelled deduction (annual),
/// a reminder outcome (Q1, Q3) and grades denied by their min; U31 has excellence denied by
/// an outcome; U09 misses excellence on the quota; U05 is forced to 诫勉 by a veto.
@Suite struct CIVerbsExplainTests {
  private func explain(_ subject: String, _ extra: [String] = []) throws -> RunResult {
    try CIVerbs.run(
      ["explain", "Rules/city_units.yaml", "--subjects", "Examples/city_units/subjects.csv",
       "--facts", "Examples/city_units/facts.csv", "--subject", subject] + extra)
  }

  @Test func goldenTextForEveryScope() throws {
    let result = try explain("U18")
    #expect(result.status == 0)
    #expect(result.stderr == "")
    CIVerbs.expectGolden(result.stdout, "explain_U18.txt")
  }

  @Test func goldenJSONForEveryScope() throws {
    let result = try explain("U18", ["--format", "json"])
    #expect(result.status == 0)
    #expect(result.stderr == "")
    CIVerbs.expectGolden(result.stdout, "explain_U18.json")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let scopes = try #require(object["scopes"] as? [[String: Any]])
    #expect(scopes.map { $0["scope"] as? String } == ["Q1", "Q2", "Q3", "Q4", "annual"])
  }

  @Test func goldenTextOfAGradeDeniedByAnOutcome() throws {
    let result = try explain("U31", ["--scope", "annual"])
    #expect(result.status == 0)
    CIVerbs.expectGolden(result.stdout, "explain_U31_annual.txt")
  }

  @Test func quotaAndForcedGrades() throws {
    let quota = try explain("U09", ["--scope", "annual"])
    #expect(quota.stdout.hasSuffix("""
        rank 2 of 9 in 经济综合部门
        outcomes: none
        grade: 良好 good
          not 优秀 excellent: its quota (20%, 1 seat) is full

      """))
    let forced = try explain("U05", ["--scope", "annual", "--format", "json"])
    #expect(forced.stdout.contains(#""forced_by": "veto""#))
    #expect(forced.stdout.contains(#"{"kind": "forced", "outcome": "veto", "grade": "admonished", "text": "重大工作失误一票否决 veto forces 诫勉 admonished"}"#))
  }

  @Test func unknownSubjectExits64WithADidYouMean() throws {
    let result = try explain("u46")
    #expect(result.status == 64)
    #expect(result.stdout == "")
    #expect(result.stderr.hasPrefix("Error: the subject 'u46' is not in the roster (did you mean 'U46'?)\n"))
    let byName = try explain("市公共资源交易中心")
    #expect(byName.status == 64)
    #expect(byName.stderr.contains("'市公共资源交易中心' is the name of U46; pass --subject U46"))
  }

  // The usage error comes first, although the evaluation would fail (exit 1).
  @Test func unknownSubjectExits64EvenWhenTheEvaluationFails() throws {
    let result = try runKaoping([
      "explain", evalFixture("errors.yaml"), "--facts", evalFixture("errors_both.facts.csv"), "--subjects",
      evalFixture("errors.subjects.csv"), "--subject", "nobody",
    ])
    #expect(result.status == 64)
    #expect(result.stderr.contains("the subject 'nobody' is not in the roster"))
    #expect(!result.stderr.contains("[K501]"))
  }

  @Test func unknownScopeAndFormatExit64() throws {
    let scope = try explain("U46", ["--scope", "Q9"])
    #expect(scope.status == 64)
    #expect(scope.stderr.contains("unknown scope 'Q9'; the scopes are all, Q1, Q2, Q3, Q4, annual"))
    #expect(try explain("U46", ["--format", "yaml"]).status == 64)
  }
}
