import Foundation
import Testing

@testable import Kaoping

/// Score expressions computed from aggregates (`FactAggregates.swift`) against the
/// engine as it was before them (`ReferencePipeline`, which builds the `facts` lists):
/// which expressions qualify, and the same JSON result or errors on generated rules and
/// inputs, error absorption, rejected facts and periods included.
@Suite struct AggregatePathTests {
  // MARK: Which expressions qualify

  static let rulesText = """
    kaoping: 1
    id: aggregates
    facts:
      task:
        fields:
          due: date
          done: { type: date, optional: true }
      misc:
        fields:
          n: { type: int, optional: true }
          code: { type: string, optional: true }
    indicators:
      - id: s
        score:
          value: "1.0"
          points: "value"

    """

  /// The kinds of the aggregates found in a score value (nil: evaluated as written).
  static func kinds(_ source: String) throws -> [FactAggregate.Kind]? {
    try aggregates(source)?.map(\.kind)
  }

  static func aggregates(_ source: String) throws -> [FactAggregate]? {
    let loaded = RuleFiles.load(bytes: Array(rulesText.utf8), path: "aggregates.yaml")
    let rules = try #require(loaded.rules)
    let environments = RuleEnvironments(rules)
    guard case .score(let score) = rules.indicators[0].kind else { return nil }
    var expression = score.value
    expression.source = source
    expression.compiled = try CompiledExpression(source, environment: environments.score)
    let store = FactStore(
      pool: StringPool(), decimals: [:], overflow: [], intMinSlots: [], subjectText: [:], kinds: [], refField: [],
      refTargets: RefTargets(), typeIDs: [])
    var analysis = AggregateAnalysis(
      types: rules.factTypes, objects: rules.factTypes.map { environments.factObjects[$0.id] }, store: store,
      base: environments.scorePoints.variableCount)
    guard let found = analysis.analyse(expression, environment: environments.score) else { return nil }
    #expect(found.readsAggregates == !analysis.aggregates.isEmpty)
    return analysis.aggregates
  }

  @Test func simplePredicatesAreReadFromTheRow() throws {
    func row(_ predicate: String) throws -> Bool? {
      try Self.aggregates("facts.task.exists(t, \(predicate)) || facts.misc.exists(m, false) ? 1.0 : 0.0")?.first.map {
        $0.row != nil
      }
    }
    #expect(try row("t.done != null && t.done <= t.due") == true)
    #expect(try row("has(t.done) || !(t.date < t.due)") == true)
    #expect(try row("null == t.done || t.due == t.done") == true)
    // Other values, calls, arithmetic, `subject`: evaluated as written (remembered).
    #expect(try row("t.done <= date('2023-01-01')") == false)
    #expect(try row("days(t.date, t.due) > 1") == false)
    #expect(try row("t.subject == subject.id") == false)
    #expect(try Self.aggregates("facts.misc.exists(m, m.n > 1 && 2 >= m.n && m.n != null) ? 1.0 : 0.0")?.first?.row != nil)
    #expect(try Self.aggregates("facts.misc.exists(m, m.n + 1 > 1) ? 1.0 : 0.0")?.first?.row == nil)
    #expect(try Self.aggregates("facts.misc.exists(m, m.code == 'b') ? 1.0 : 0.0")?.first?.row == nil)
  }

  @Test func theMacroShapesOverFactListsAreAggregates() throws {
    #expect(try Self.kinds("double(facts.task.size())") == [.size])
    #expect(try Self.kinds("double(size(facts.task)) + double(facts.task.size())") == [.size])
    #expect(try Self.kinds("double(facts.task.filter(t, t.done != null && t.done <= t.due).size())") == [.count])
    #expect(try Self.kinds("double(size(facts.task.filter(t, has(t.done))))") == [.count])
    #expect(try Self.kinds("facts.task.exists(t, t.done > t.due) ? 1.0 : 0.0") == [.exists])
    #expect(try Self.kinds("facts.task.all(t, t.done > t.due) ? 1.0 : 0.0") == [.all])
    #expect(try Self.kinds("facts.misc.exists_one(m, m.code == 'b') ? 1.0 : 0.0") == [.existsOne])
    #expect(try Self.kinds("facts.misc.exists(m, m.n > 1 && subject.id != scope) ? 1.0 : 0.0") == [.exists])
    #expect(try Self.kinds("facts.misc.exists(m, m.id == 'x') ? 1.0 : 0.0") == [.exists])
    #expect(try Self.kinds("2.5") == [])
  }

  @Test func otherUsesOfFactsAreEvaluatedAsWritten() throws {
    // The list itself, an element, a map, a nested or a two-variable comprehension,
    // `facts` in the predicate, a comprehension left in the rest.
    #expect(try Self.kinds("facts.task.filter(t, has(t.done)) == facts.task ? 1.0 : 0.0") == nil)
    #expect(try Self.kinds("facts.task.size() > 0 && facts.task[0].due < date('2023-02-01') ? 1.0 : 0.0") == nil)
    #expect(try Self.kinds("double(facts.task.map(t, t.due).size())") == nil)
    #expect(try Self.kinds("facts.task.exists(t, [1].exists(i, i > 0)) ? 1.0 : 0.0") == nil)
    #expect(try Self.kinds("facts.task.exists(t, facts.misc.size() > 0) ? 1.0 : 0.0") == nil)
    #expect(try Self.kinds("[1, 2].exists(i, i > 1) ? double(facts.task.size()) : 0.0") == nil)
    #expect(try Self.kinds("has(facts.task) ? 1.0 : 0.0") == nil)
  }

  // MARK: Error absorption, rejected facts, periods

  static let roster = "id,name,region\nS1,甲,城区\nS2,乙,郊区\nS3,丙,\n"

  static func rules(_ indicators: String, periods: Bool = false) -> String {
    var out = """
      kaoping: 1
      id: aggregates
      base: 100
      decimals: 2

      """
    if periods {
      out += "periods:\n  H1: { from: 2023-01-01, to: 2023-06-30 }\n  H2: { from: 2023-07-01, to: 2023-12-31 }\nannual: facts\n"
    }
    out += """
      attributes:
        region: { type: string, optional: true }
      facts:
        task:
          fields:
            due: date
            done: { type: date, optional: true }
        misc:
          fields:
            n: { type: int, optional: true }
            code: { type: string, optional: true }
        rectified:
          fields:
            ref: string
      indicators:
        - id: misc_points
          bonus:
            facts: misc
            points: "fact.code == 'reject' ? -1 : 1"
            cancelled_by: rectified

      """
    return out + indicators
  }

  static let facts = """
    id,subject,type,date,due,done,n,code,ref
    F1,S1,misc,2023-02-01,,,,,
    F2,S1,misc,2023-08-01,,,7,b,
    F3,S1,task,2023-03-01,2023-03-10,,,,
    F4,S1,task,2023-09-01,2023-09-10,2023-09-09,,,
    F5,S2,misc,2023-02-02,,,-9223372036854775808,c,
    F6,S2,misc,2023-02-03,,,2,b,
    F7,S2,misc,2023-02-04,,,3,reject,
    F8,S2,task,2023-04-01,2023-04-10,2023-04-20,,,
    F9,S3,misc,2023-05-01,,,0,b,
    F10,S3,misc,2023-05-02,,,0,b,
    F11,S3,rectified,2023-05-03,,,,,F9
    F12,S3,misc,2022-12-31,,,5,b,

    """

  static func score(_ id: String, _ value: String) -> String {
    "  - id: \(id)\n    score:\n      value: \"\(value)\"\n      points: \"value\"\n"
  }

  static func run(_ indicators: String, periods: Bool = false) throws -> (PerfPathTests.Outcome, PerfPathTests.Outcome) {
    let scenario = PerfPathTests.Scenario(
      rules: rules(indicators, periods: periods), roster: roster, facts: [("facts.csv", facts)])
    let (reference, others, _) = try PerfPathTests.run(scenario)
    for (name, other) in others.sorted(by: { $0.key < $1.key }) where other != reference {
      Issue.record("\(name) differs from the reference: \(PerfPathTests.describe(other)) vs \(PerfPathTests.describe(reference))")
      PerfPathTests.dumpDifference(other, reference)
    }
    return (reference, others["run/2"] ?? .problem("none"))
  }

  /// Score values by subject in a scope of the JSON result.
  static func values(_ outcome: PerfPathTests.Outcome, node: String, scope: String = "annual") throws -> [String] {
    guard case .result(let bytes) = outcome else { return ["problem"] }
    let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    let scopes = try #require(json["scopes"] as? [[String: Any]])
    let chosen = try #require(scopes.first { $0["scope"] as? String == scope })
    let subjects = try #require(chosen["subjects"] as? [[String: Any]])
    return subjects.map { subject in
      let items = subject["items"] as? [[String: Any]] ?? []
      let item = items.first { $0["indicator"] as? String == node && $0["value"] != nil }
      return "\(subject["id"] ?? "?")=\(item?["value"] ?? "none")"
    }
  }

  @Test func errorsInThePredicateAreAbsorbedAsCELDoes() throws {
    // `filter` keeps an error: S1's n is null (`null - 1` fails), S2's is Int64.min
    // (`- 1` overflows); `exists` absorbs S1's null.
    let (reference, run) = try Self.run(
      Self.score("e", "facts.misc.exists(m, m.n > 1) ? 1.0 : 0.0")
        + Self.score("a", "facts.misc.all(m, m.n < 5) ? 1.0 : 0.0")
        + Self.score("f", "double(facts.misc.filter(m, m.n - 1 < 5).size())")
        + Self.score("o", "facts.misc.exists_one(m, m.code == 'b') ? 1.0 : 0.0")
        + Self.score("a2", "facts.misc.all(m, m.n < 100) ? 1.0 : 0.0")
        + Self.score("e2", "facts.misc.exists(m, m.n > 100) ? 1.0 : 0.0")
        + Self.score("r", "facts.misc.all(m, m.n != null && m.n > -5) ? 1.0 : 0.0"))
    guard case .problem(let text) = reference else {
      Issue.record("expected errors, got \(PerfPathTests.describe(reference))")
      return
    }
    #expect(run == reference)
    #expect(text.contains("S1") && text.contains("overflow"), "\(text)")
    // Not absorbed: S1's null decides nothing when no element is false (all) or true (exists).
    #expect(text.contains("subject S1, a2:") && text.contains("subject S1, e2:"), "\(text)")
  }

  @Test func absorbedErrorsGiveTheDecidingElementsResult() throws {
    let (reference, run) = try Self.run(
      Self.score("e", "facts.misc.exists(m, m.n > 1) ? 1.0 : 0.0")
        + Self.score("a", "facts.misc.all(m, m.n < 3) ? 1.0 : 0.0")
        + Self.score("o", "facts.misc.exists_one(m, m.code == 'b') ? 1.0 : 0.0")
        + Self.score("c", "double(facts.task.filter(t, t.done != null && t.done <= t.due).size())"))
    #expect(run == reference)
    // S1 exists: null errs, 7 > 1 decides; all: null errs, 7 < 3 is false and decides.
    // S2: F7 is rejected (negative points), so only F5, F6 are in the lists. S3: F9 is
    // cancelled, not rejected: it stays in them.
    #expect(try Self.values(reference, node: "e") == ["S1=1", "S2=1", "S3=1"])
    #expect(try Self.values(reference, node: "a") == ["S1=0", "S2=1", "S3=0"])
    #expect(try Self.values(reference, node: "o") == ["S1=1", "S2=1", "S3=0"])
    #expect(try Self.values(reference, node: "c") == ["S1=1", "S2=0", "S3=0"])
  }

  @Test func periodsCountOnlyTheirFacts() throws {
    let (reference, run) = try Self.run(
      Self.score("n", "double(facts.misc.size()) + double(facts.task.size()) * 10.0")
        + Self.score("e", "facts.misc.exists(m, m.code == 'b' && scope == 'H2') ? 1.0 : 0.0"),
      periods: true)
    #expect(run == reference)
    #expect(try Self.values(reference, node: "n", scope: "H1") == ["S1=11", "S2=12", "S3=2"])
    #expect(try Self.values(reference, node: "n", scope: "H2") == ["S1=11", "S2=0", "S3=0"])
    #expect(try Self.values(reference, node: "n", scope: "annual") == ["S1=22", "S2=12", "S3=2"])
    #expect(try Self.values(reference, node: "e", scope: "H2") == ["S1=1", "S2=0", "S3=0"])
  }

  // MARK: Generated

  /// Score expressions mixing aggregates (some failing per element), aggregates with
  /// other uses of `facts`, and predicates reading the id, the subject or the scope.
  static let values = [
    "double(facts.task.size())",
    "double(size(facts.task.filter(t, t.done != null && t.done <= t.due)))",
    "facts.task.exists(t, t.done > t.due) ? 1.0 : 0.0",
    "facts.task.all(t, t.done <= t.due) ? 2.0 : 0.5",
    "facts.misc.exists_one(m, m.code == 'b') ? 1.0 : 0.0",
    "double(facts.misc.filter(m, m.n - 1 > 0).size())",
    "facts.misc.exists(m, m.n * 2 > 3) ? 1.0 : 0.0",
    "facts.misc.all(m, m.n != null && m.n > 0) ? 1.0 : 0.0",
    "facts.award.exists(a, a.level == 'national' && subject.region == '城区') ? 3.0 : 1.0",
    "facts.task.all(t, scope == 'annual' || t.due >= date('2023-03-01')) ? 1.0 : 0.0",
    "double(facts.delay.filter(d, d.id != 'F0003').size())",
    "double(facts.delay.filter(d, d.days > 3 && d.urgent == true).size())",
    "facts.delay.exists(d, d.amount > 1.0) ? 1.0 : 0.0",
    "double(facts.misc.filter(m, has(m.n)).size()) + double(facts.misc.size())",
    "facts.award.exists(a, a.level == 'x') || facts.task.size() > 3 ? 1.0 : 0.0",
    "facts.misc.exists(m, m.n > 0) && facts.misc.all(m, m.n < 5) ? 1.0 : 0.0",
    "double(facts.task.filter(t, t.subject == subject.id && t.date != null).size())",
    "double(facts.task.size()) + double(facts.task.map(t, t.due).size())",
    "[1, 2].exists(i, i > 1) ? double(facts.task.size()) : 0.0",
    "facts.misc.exists(m, m.code.startsWith('c')) ? 1.0 : 0.0",
    "double(facts.delay.filter(d, d.days > 2).size()) / double(facts.delay.size() + 1)",
    // Read from the row (nulls and Int64.min left to the expression).
    "double(facts.misc.filter(m, m.n > 1 || m.n == 0).size())",
    "facts.misc.all(m, !(m.n >= 7)) ? 1.0 : 0.0",
    "facts.task.exists(t, has(t.done) && t.date < t.due) ? 1.0 : 0.0",
    "facts.misc.exists_one(m, m.n != null && m.n <= 2) ? 1.0 : 0.0",
    "double(facts.task.filter(t, t.due == t.done || t.done == null).size())",
    "facts.misc.all(m, m.n == null || m.n < 8) ? 1.0 : 0.0",
    "double(facts.misc.filter(m, 2 < m.n && m.n != 7).size())",
    "facts.task.all(t, t.done == null || t.done >= t.date) ? 1.0 : 0.0",
  ]

  static let points = [
    "value", "value * 2", "value + double(facts.misc.size())", "facts.task.exists(t, has(t.done)) ? value : -value",
  ]

  @Test(arguments: 0..<60)
  func generatedAggregateScoresAreTheSameEveryWay(seed: Int) throws {
    var generator = ScenarioGenerator(seed: UInt64(seed) &* 0x2545_F491 &+ 99)
    var scenario = generator.scenario()
    var random = SplitMix64(seed: UInt64(seed) &+ 1234)
    var extra = ""
    for index in 0..<(1 + random.below(3)) {
      let value = Self.values[random.below(Self.values.count)]
      extra += "  - id: agg\(index)\n    score:\n      value: \"\(value)\"\n"
      if random.below(3) == 0 {
        let tier = Self.points[random.below(Self.points.count)]
        extra += "      tiers:\n        - { min: 2, points: 3 }\n        - { points: \"\(tier)\" }\n"
      } else {
        extra += "      points: \"\(Self.points[random.below(Self.points.count)])\"\n"
      }
    }
    scenario.rules = scenario.rules.replacingOccurrences(of: "indicators:\n", with: "indicators:\n" + extra)
    try PerfPathTests.expectSame(scenario, "aggregates seed \(seed)")
  }
}
