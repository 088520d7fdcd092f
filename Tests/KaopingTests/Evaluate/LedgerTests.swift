import Foundation
import Testing

@testable import Kaoping

/// Ledger order (§8.3) and accounting (§3).
@Suite struct EvaluateLedgerTests {
  @Test func accountingCases() {
    expectRuleTests("accounting.test.yaml", passed: 1)
  }

  @Test func aTypeWhoseIdIsAPrefixOfAReadTypeIsNotRead() {
    expectRuleTests("accounting_prefix.test.yaml", passed: 1)
  }

  @Test func aRefToAnotherSubjectsRejectedFactIsRejected() {
    expectRuleTests("caps_cross_subject.test.yaml", passed: 1)
  }

  // order.facts.csv, then order2.facts.csv, on order.yaml (late reads other; points reads pt, cap 100).
  @Test func nodesInDocumentOrderFactsByDateThenIdUndatedFirstThenTheCap() throws {
    let result = try evaluate("order.yaml", facts: ["order.facts.csv", "order2.facts.csv"], subjects: "one.subjects.csv")
    let first = evalFixture("order.facts.csv")
    let second = evalFixture("order2.facts.csv")
    #expect(result.ledger("A") == [
      // late comes first in the file, although its fact is the latest.
      "late o1 8.00",
      // Undated facts first, named FILE:ROW, by (file order, row).
      "points \(first):5 4.00", "points \(first):8 7.00", "points \(second):2 90.00",
      "points b 3.00",
      // Same date: ids by code point ("Z" < "f10" < "f9" < "é").
      "points Z 5.00", "points f10 2.00", "points f9 1.00", "points é 6.00",
      // 4 + 7 + 90 + 3 + 5 + 2 + 1 + 6 = 118 > 100.
      "points cap -18.00",
    ])
  }

  // order_undated.facts.csv: p2, p10, p1 without dates, in that row order. §8.3 orders a
  // node's facts by (date, id), and §2 says reordering records that carry an id changes
  // nothing but rows of rejected records and sha256: so by id, p1, p10, p2.
  @Test func undatedFactsWithIdsAreOrderedById() throws {
    let result = try evaluate("order.yaml", facts: ["order_undated.facts.csv"], subjects: "one.subjects.csv")
    #expect(result.ledger("A") == ["points p1 1.00", "points p10 10.00", "points p2 2.00"])
  }

  // accounting.yaml with accounting.facts.csv: f1 national (Q1), f2 city (when false),
  // f3 task_issue, f4 major, f5 misc, f6 national (Q2), f7 dated in July (no period).
  @Test func accountingCoversEveryScopeWhateverScopeIsPrinted() throws {
    let result = try evaluate("accounting.yaml", facts: ["accounting.facts.csv"], subjects: "ab.subjects.csv")
    // applied f1 f3 f4 f6; unmatched f2 f5; rejected f7 (row 8).
    #expect(result.accounting == Accounting(facts: 7, applied: 4, unmatched: 2, rejected: 1))
    #expect(result.rejectedLines == ["f7 8 K405"])
    #expect(result.warnings.map { "\($0.code) \($0.facts)" } == ["K450 2"])
    for scope in ["Q1", "Q2", "annual", "all"] {
      let run = try runKaoping([
        "eval", evalFixture("accounting.yaml"), "--facts", evalFixture("accounting.facts.csv"), "--subjects",
        evalFixture("ab.subjects.csv"), "--scope", scope, "--format", "json",
      ])
      #expect(run.status == 0, "\(run.stderr)")
      let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
      let accounting = try #require(json["accounting"] as? [String: Int])
      #expect(accounting == ["facts": 7, "applied": 4, "unmatched": 2, "rejected": 1], "--scope \(scope)")
      let scopes = (json["scopes"] as? [[String: Any]])?.compactMap { $0["scope"] as? String }
      #expect(scopes == (scope == "all" ? ["Q1", "Q2", "annual"] : [scope]))
    }
  }

  /// Fixture runs: rules, fact files, roster.
  static let runs: [(String, [String], String)] = [
    ("caps.yaml", ["caps.facts.csv"], "caps.subjects.csv"),
    ("weighted.yaml", ["weighted.facts.csv"], "weighted.subjects.csv"),
    ("order.yaml", ["order.facts.csv", "order2.facts.csv"], "one.subjects.csv"),
    ("outcomes.yaml", ["outcomes.facts.csv"], "outcomes.subjects.csv"),
    ("annual_facts.yaml", ["annual.facts.csv"], "annual.subjects.csv"),
    ("annual_weights.yaml", ["annual.facts.csv"], "annual.subjects.csv"),
    ("applies.yaml", ["applies.facts.csv"], "applies.subjects.csv"),
    ("accounting.yaml", ["accounting.facts.csv"], "ab.subjects.csv"),
    ("inputs.yaml", ["inputs.facts.csv", "inputs.facts.jsonl", "inputs_twobad.facts.csv"], "ab.subjects.csv"),
    ("rounding.yaml", ["rounding.facts.csv"], "one.subjects.csv"),
    ("perfact.yaml", ["perfact.facts.csv"], "one.subjects.csv"),
  ]

  // §8.3: "items always add up to total - base"; §3: facts = applied + unmatched + rejected.
  @Test(arguments: 0..<runs.count)
  func itemsAddUpAndEveryFactIsAccountedFor(_ index: Int) throws {
    let (rules, facts, subjects) = Self.runs[index]
    let base = try #require(RuleFiles.load(path: evalFixture(rules)).rules?.base)
    let result = try evaluate(rules, facts: facts, subjects: subjects)
    var withItems = 0
    for scope in result.scopes {
      for subject in scope.subjects where subject.periods == nil {
        #expect(subject.itemSum == (try subject.total.subtracting(base)), "\(rules) \(scope.scope) \(subject.id)")
        withItems += 1
      }
    }
    #expect(withItems > 0)
    let accounting = result.accounting
    #expect(accounting.facts == accounting.applied + accounting.unmatched + accounting.rejected, "\(rules)")
    #expect(accounting.rejected == result.rejected.count)
    #expect(accounting.facts == result.inputs.filter { $0.role == .facts }.map(\.records).reduce(0, +))
  }
}
