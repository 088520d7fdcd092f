import Foundation
import Testing

@testable import Kaoping

/// `kaoping diff` (§13.3) on two versions of a small scheme: v2 raises provincial awards
/// and doubles the delay deduction, which moves ranks, grades and an outcome; v3 raises the
/// base by 0.5, which moves totals only.
@Suite struct CIVerbsDiffTests {
  private static let folder = CIVerbs.fixture("diff")

  private func diff(_ old: String, _ new: String, _ extra: [String] = []) throws -> RunResult {
    try CIVerbs.run(
      ["diff", "\(Self.folder)/\(old).yaml", "\(Self.folder)/\(new).yaml",
       "--subjects", "\(Self.folder)/subjects.csv", "--facts", "\(Self.folder)/facts.csv"] + extra)
  }

  @Test(arguments: ["text", "markdown", "json"])
  func goldenOutput(format: String) throws {
    let result = try diff("v1", "v2", ["--format", format])
    #expect(result.status == 0)
    #expect(result.stderr == "")
    CIVerbs.expectGolden(result.stdout, "diff_v1_v2.\(format == "markdown" ? "md" : format == "json" ? "json" : "txt")")
  }

  @Test func jsonIsValidAndSortedByScopeRosterAndField() throws {
    let result = try diff("v1", "v2", ["--format", "json"])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["changes", "summary", "accounting"])
    let changes = try #require(object["changes"] as? [[String: Any]])
    let scopes = ["H1", "H2", "annual"]
    let roster = ["D1", "D2", "D3", "D4", "B1", "B2", "B3"]
    let fields = ["total", "rank", "grade", "outcomes"]
    let keys = changes.map { change in
      [scopes.firstIndex(of: change["scope"] as? String ?? "") ?? -1,
       roster.firstIndex(of: change["subject"] as? String ?? "") ?? -1,
       fields.firstIndex(of: change["field"] as? String ?? "") ?? -1]
    }
    #expect(!keys.contains { $0.contains(-1) })
    #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
    // The rule change moves ranks, a grade and an outcome.
    #expect(changes.contains { $0["field"] as? String == "rank" && $0["subject"] as? String == "B1" })
    #expect(changes.contains { $0["field"] as? String == "grade" && $0["old"] as? String == "good" && $0["new"] as? String == "passed" })
    #expect(changes.contains { $0["field"] as? String == "outcomes" && ($0["gained"] as? [String]) == ["warning"] })
    // Subjects that do not move are not listed: nothing moves in v1 → v1.
    let same = try diff("v1", "v1", ["--format", "json"])
    #expect(same.stdout.hasPrefix("{\n  \"changes\": [],\n"))
  }

  @Test func unmovedSubjectsAreNotListed() throws {
    let result = try diff("v1", "v2", ["--scope", "H1"])
    #expect(result.stdout.contains("D2 城西区"))
    #expect(!result.stdout.contains("D1 城东区"))
    #expect(!result.stdout.contains("\nannual"))
    let same = try diff("v1", "v1")
    #expect(same.status == 0)
    #expect(same.stdout.contains("No subject's total, rank, grade or outcomes change."))
  }

  @Test func failOnExitsThreeWhenAListedKindChanges() throws {
    for kinds in ["rank", "grade", "outcome", "outcomes", "total", "total,rank,grade,outcome"] {
      let result = try diff("v1", "v2", ["--fail-on", kinds])
      #expect(result.status == 3, "--fail-on \(kinds)")
      #expect(result.stdout.hasPrefix("kaoping diff: "), "the report is printed before failing")
    }
    // Outcomes change only in the annual scope.
    #expect(try diff("v1", "v2", ["--fail-on", "outcome", "--scope", "H1"]).status == 0)
  }

  @Test func failOnExitsZeroWhenOnlyAnUnlistedKindChanges() throws {
    #expect(try diff("v1", "v3", ["--fail-on", "rank,grade,outcome"]).status == 0)
    #expect(try diff("v1", "v3", ["--fail-on", "total"]).status == 3)
    #expect(try diff("v1", "v2").status == 0, "without --fail-on a change is not a failure")
  }

  @Test func brokenNewPrintsItsDiagnosticsAndExitsOne() throws {
    let result = try diff("v1", "broken", ["--fail-on", "rank"])
    #expect(result.status == 1)
    #expect(result.stdout == "")
    #expect(result.stderr.contains("\(Self.folder)/broken.yaml:11:35: error: unknown fact type 'prize' [K301]"))
  }

  @Test func missingFactsFileExitsTwo() throws {
    let result = try CIVerbs.run(
      ["diff", "\(Self.folder)/v1.yaml", "\(Self.folder)/v2.yaml", "--subjects", "\(Self.folder)/subjects.csv",
       "--facts", "\(Self.folder)/missing.csv", "--fail-on", "rank"])
    #expect(result.status == 2)
    #expect(result.stdout == "")
    #expect(result.stderr.contains("missing.csv: error: cannot read"))
  }

  @Test func usageErrorsExit64() throws {
    #expect(try diff("v1", "v2", ["--fail-on", "ranks"]).status == 64)
    #expect(try diff("v1", "v2", ["--format", "html"]).status == 64)
    #expect(try diff("v1", "v2", ["--scope", "Q9"]).status == 64)
  }

  @Test func subjectsOnlyOneVersionHasAreChangesFromOrToNull() throws {
    func result(_ subjects: [(String, String)]) -> EvaluationResult {
      EvaluationResult(
        rules: RulesInfo(id: "r", title: nil, sha256: ""), inputs: [],
        scopes: [ScopeResult(scope: "annual", subjects: subjects.enumerated().map { index, entry in
          SubjectResult(
            id: entry.0, name: entry.0, group: "all", total: ExactDecimal(parsing: entry.1) ?? .zero, rank: index + 1,
            groupSize: subjects.count, grade: nil, outcomes: [], indicators: [], items: [])
        })],
        accounting: Accounting(facts: 0, applied: 0, unmatched: 0, rejected: 0), rejected: [], warnings: [], decimals: 2,
        topLevelIndicators: [])
    }
    let diff = ResultDiff(old: result([("A", "10"), ("B", "5")]), new: result([("A", "10"), ("C", "7")]))
    #expect(diff.changes.map(\.subject) == ["C", "B"])
    #expect(diff.changes.map(\.kinds) == [[.total, .rank], [.total, .rank]])
    #expect(diff.json.contains(#"{"scope": "annual", "subject": "C", "field": "total", "old": null, "new": "7.00"}"#))
    #expect(diff.json.contains(#"{"scope": "annual", "subject": "B", "field": "rank", "old": 2, "new": null}"#))
    #expect(diff.text.contains("\n  C C (only in new)  - → 7.00         - → 2  none\n"))
    #expect(diff.text.contains("\n  B B (only in old)  5.00 → -         2 → -  none\n"))
  }
}
