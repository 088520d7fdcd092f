import Foundation
import Testing

@testable import Kaoping

/// Caps, their adjustment item and cancellation before the cap (§8.1, §3 phase 3).
@Suite struct EvaluateCapsTests {
  @Test func ruleTestCases() {
    expectRuleTests("caps.test.yaml", passed: 3)
  }

  // caps.facts.csv on caps.yaml (base 100; awards 20/10/5 cap 30; delays 2 x days cap 10,
  // cancelled_by rectified), roster A, C.
  @Test func capItemComesAfterTheNodesFactsInDateIdOrder() throws {
    let result = try evaluate("caps.yaml", facts: ["caps.facts.csv"], subjects: "caps.subjects.csv")
    // A in H1: a1 (02-01, 20) and a3 (02-01, 5) share a date -> by id; a2 (03-01, 10);
    // 35 > 30 -> one cap item -5. delays after awards (document order) although d5 is earlier.
    #expect(result.ledger("A", in: "H1") == [
      "awards a1 20.00", "awards a3 5.00", "awards a2 10.00", "awards cap -5.00", "delays d5 -2.00",
    ])
    // 100 + 30 - 2
    #expect(result.subject("A", in: "H1")?.total == dec("128"))
    // H2: a4 alone, 20 <= 30: no cap item.
    #expect(result.ledger("A", in: "H2") == ["awards a4 20.00"])
    // Year: 20 + 5 + 10 + 20 = 55 -> cap item 30 - 55 = -25.
    #expect(result.ledger("A") == [
      "awards a1 20.00", "awards a3 5.00", "awards a2 10.00", "awards a4 20.00", "awards cap -25.00", "delays d5 -2.00",
    ])
    #expect(result.indicatorValues("A") == ["awards=30.00", "delays=-2.00"])
  }

  @Test func cancelledItemShowsZeroAndTheSmallestCancellingIDBeforeTheCap() throws {
    let result = try evaluate("caps.yaml", facts: ["caps.facts.csv"], subjects: "caps.subjects.csv")
    // d2 is cancelled by r2 and r10: the smallest by code point is "r10" ("1" < "2").
    // H1: d1 6 + d2 0 = 6 <= 10: no cap item.
    #expect(result.ledger("C", in: "H1") == ["delays d1 -6.00", "delays d2 0.00 cancelled_by=r10"])
    #expect(result.subject("C", in: "H1")?.total == dec("94"))
    // Year: 6 + 0 + 10 = 16 > 10: the cap item gives back 6 (a deduction's adjustment is positive).
    #expect(result.ledger("C") == [
      "delays d1 -6.00", "delays d2 0.00 cancelled_by=r10", "delays d3 -10.00", "delays cap 6.00",
    ])
    #expect(result.subject("C")?.total == dec("90"))
  }

  @Test func itemsAddUpAndAccountingBalances() throws {
    let result = try evaluate("caps.yaml", facts: ["caps.facts.csv"], subjects: "caps.subjects.csv")
    for scope in result.scopes {
      for subject in scope.subjects {
        #expect(subject.itemSum == (try subject.total.subtracting(dec("100"))), "\(scope.scope) \(subject.id)")
      }
    }
    // r9's ref names no fact: rejected with K412 at CSV row 12 (header is row 1).
    #expect(result.rejectedLines == ["r9 12 K412"])
    #expect(result.rejected.first?.file == evalFixture("caps.facts.csv"))
    // 11 records: 10 applied (awards, delays, r2 and r10 cancelled d2), 1 rejected.
    #expect(result.accounting == Accounting(facts: 11, applied: 10, unmatched: 0, rejected: 1))
  }

  @Test func jsonItemsCarryKindAndCancelledBy() throws {
    let run = try runKaoping([
      "eval", evalFixture("caps.yaml"), "--facts", evalFixture("caps.facts.csv"), "--subjects", evalFixture("caps.subjects.csv"),
      "--format", "json", "--scope", "annual",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    // §13.1: item keys in the order indicator, fact|kind, value, points, cancelled_by.
    let items = [
      #"          "items": ["#,
      #"            { "indicator": "delays", "fact": "d1", "points": "-6.00" },"#,
      #"            { "indicator": "delays", "fact": "d2", "points": "0.00", "cancelled_by": "r10" },"#,
      #"            { "indicator": "delays", "fact": "d3", "points": "-10.00" },"#,
      #"            { "indicator": "delays", "kind": "cap", "points": "6.00" }"#,
      #"          ]"#,
    ].joined(separator: "\n")
    #expect(run.stdout.contains(items), "\(run.stdout)")
    #expect(run.stdout.contains(#"{ "indicator": "awards", "kind": "cap", "points": "-25.00" }"#))
  }
}
