import Foundation
import Testing

@testable import Kaoping

/// `kaoping eval` exit statuses and diagnostics (§3 --strict, §13).
@Suite struct EvaluateCommandTests {
  private func eval(_ rules: String, facts: [String], subjects: String, _ extra: [String] = []) throws -> RunResult {
    try runKaoping(["eval", evalFixture(rules)] + facts.flatMap { ["--facts", evalFixture($0)] }
      + ["--subjects", evalFixture(subjects)] + extra)
  }

  // errors.yaml: avg_rating = avg of the scope's ratings; flagged (annual) = avg of flag levels > 1.
  // errors_nodes.facts.csv: A has a rating in H1 only, B none; both have a flag.
  @Test func perSubjectExpressionErrorsAreRunErrorsInScopeRosterNodeOrder() throws {
    let run = try eval("errors.yaml", facts: ["errors_nodes.facts.csv"], subjects: "errors.subjects.csv", ["--format", "json"])
    #expect(run.status == 1)
    #expect(run.stdout == "")
    // The block scalar's line break is collapsed in the message.
    let expression = "`avg(facts.rating.map(r, r.score))`"
    // Each error points at the expression (§13: FILE:LINE:COLUMN, source line, caret).
    let file = evalFixture("errors.yaml")
    let at = "\n        avg(facts.rating.map(r,\n        ^\n"
    #expect(run.stderr == """
      \(file):23:9: error: scope H1, subject B, avg_rating: avg() of an empty list in \(expression) [K501]\(at)\
      \(file):23:9: error: scope H2, subject A, avg_rating: avg() of an empty list in \(expression) [K501]\(at)\
      \(file):23:9: error: scope H2, subject B, avg_rating: avg() of an empty list in \(expression) [K501]\(at)\
      \(file):23:9: error: scope annual, subject B, avg_rating: avg() of an empty list in \(expression) [K501]\(at)
      """)
    // The library reports the same errors, with their parts.
    guard case .failure(.evaluation(let errors)) = evaluateProblem(
      "errors.yaml", facts: ["errors_nodes.facts.csv"], subjects: "errors.subjects.csv")
    else {
      Issue.record("expected evaluation errors")
      return
    }
    #expect(errors.map { "\($0.scope) \($0.subject) \($0.node)" } == [
      "H1 B avg_rating", "H2 A avg_rating", "H2 B avg_rating", "annual B avg_rating",
    ])
  }

  // errors_outcome.facts.csv: everyone has ratings in both halves; only A has a flag.
  @Test func anOutcomeConditionErrorIsARunError() throws {
    let run = try eval("errors.yaml", facts: ["errors_outcome.facts.csv"], subjects: "errors.subjects.csv")
    #expect(run.status == 1)
    #expect(run.stdout == "")
    #expect(run.stderr == """
      \(evalFixture("errors.yaml")):28:11: error: scope annual, subject B, flagged: avg() of an empty list in \
      `avg(facts.flag.map(f, f.level)) > 1` [K501]
          when: avg(facts.flag.map(f, f.level)) > 1
                ^

      """)
  }

  // errors_both.facts.csv: A has a rating in H1 only (avg_rating fails in H2); nobody has a
  // flag (flagged fails for A and B in the annual scope). §13: "per-subject evaluation
  // errors — all of them are reported, in scope, roster, node order".
  @Test func nodeAndOutcomeErrorsAreAllReported() throws {
    let run = try eval("errors.yaml", facts: ["errors_both.facts.csv"], subjects: "errors.subjects.csv")
    #expect(run.status == 1)
    #expect(run.stdout == "")
    let lines = run.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
    let file = evalFixture("errors.yaml")
    #expect(lines == [
      "\(file):23:9: error: scope H2, subject A, avg_rating: avg() of an empty list in `avg(facts.rating.map(r, r.score))` [K501]",
      "\(file):28:11: error: scope annual, subject A, flagged: avg() of an empty list in `avg(facts.flag.map(f, f.level)) > 1` [K501]",
      "\(file):28:11: error: scope annual, subject B, flagged: avg() of an empty list in `avg(facts.flag.map(f, f.level)) > 1` [K501]",
    ])
  }

  // rejections.facts.csv on rejections.yaml: f2, f3 (K411), f4 (K403), f5 (K405) are rejected.
  @Test func strictTurnsRejectionsIntoExitTwoWithOneLinePerFact() throws {
    let path = evalFixture("rejections.facts.csv")
    let run = try eval("rejections.yaml", facts: ["rejections.facts.csv"], subjects: "ab.subjects.csv", ["--strict"])
    #expect(run.status == 2)
    #expect(run.stdout == "")
    // One line per fact (§3: `FILE:ROW: error: MESSAGE [CODE]`).
    let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.count == 5, "\(run.stderr)")   // 4 lines and the final newline
    #expect(lines.last == "")
    let pattern = #/^(.+):(\d+): error: fact (\S+) is rejected: (.+) \[(K\d{3})\]$/#
    var seen: [String] = []
    for line in lines.dropLast() {
      guard let match = line.wholeMatch(of: pattern) else {
        Issue.record("not FILE:ROW: error: MESSAGE [CODE]: \(line)")
        continue
      }
      #expect(String(match.1) == path)
      seen.append("\(match.2) \(match.5)")
    }
    #expect(seen == ["3 K411", "4 K411", "5 K403", "6 K405"])
    // Without --strict the same input evaluates (exit 0) and lists the rejections.
    let lenient = try eval("rejections.yaml", facts: ["rejections.facts.csv"], subjects: "ab.subjects.csv", ["--format", "json"])
    #expect(lenient.status == 0)
    #expect(lenient.stdout.contains("\"rejected\": 4"))
  }

  @Test func strictWithoutRejectionsSucceeds() throws {
    let run = try eval(
      "caps.yaml", facts: ["caps.clean.facts.csv"], subjects: "caps.subjects.csv", ["--strict", "--format", "csv"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.hasPrefix("scope,subject,name,group,total,rank,group_size,grade,outcomes,awards,delays\n"))
  }

  // overflow.yaml: twice = subject.big * 2; B's big is the largest int64.
  @Test func intOverflowInAScoreValueIsARunError() throws {
    let run = try eval("overflow.yaml", facts: ["overflow.facts.csv"], subjects: "overflow.subjects.csv")
    #expect(run.status == 1)
    #expect(run.stdout == "")
    #expect(run.stderr.hasPrefix(
      "\(evalFixture("overflow.yaml")):17:21: error: scope annual, subject B, twice: integer overflow in '*' in `subject.big * 2` [K501]\n"))
  }

  // overflow_amount.facts.csv: two gains of 9e6144 each; their sum is beyond the decimal
  // range (decimal128, exponent at most 6144): a run error (K502).
  @Test func anAmountBeyondTheDecimalRangeIsARunError() throws {
    let outcome = evaluateProblem("overflow.yaml", facts: ["overflow_amount.facts.csv"], subjects: "overflow_small.subjects.csv")
    guard case .failure(.evaluation(let errors)) = outcome else {
      Issue.record("expected a run error, got \(outcome)")
      return
    }
    #expect(errors.first?.code == .amountOverflow)
    #expect(errors.first?.node == "gains")
  }
}
