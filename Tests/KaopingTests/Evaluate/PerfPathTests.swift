import Foundation
import Testing

@testable import Kaoping

/// The fast paths (CSV typed from bytes, the fact table, remembered per-fact results,
/// parallel subjects) against the general path and the engine as it was before them
/// (`ReferencePipeline`): on generated rule files and inputs, the JSON result (or the
/// problems) must be the same bytes.
@Suite struct PerfPathTests {
  // MARK: Running one scenario every way

  struct Scenario {
    var rules: String
    var roster: String
    var facts: [(name: String, text: String)]
    var inputFormat: InputFileFormat? = nil
  }

  enum Outcome: Equatable {
    case result([UInt8])
    case problem(String)
  }

  static func outcome(_ result: Result<EvaluationResult, EvaluationProblem>) -> Outcome {
    switch result {
    case .success(let value): return .result(ReportWriter.write(value, format: .json))
    case .failure(let problem): return .problem(String(describing: problem))
    }
  }

  static func directory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("kaoping-perf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Runs a scenario by the reference, the general path and the fast path (1 and 3
  /// threads); returns the outcomes and whether the fast ingest took the files.
  static func run(_ scenario: Scenario) throws -> (reference: Outcome, others: [String: Outcome], fast: Bool) {
    let dir = try directory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let rulesPath = dir.appendingPathComponent("rules.yaml").path
    try scenario.rules.write(toFile: rulesPath, atomically: true, encoding: .utf8)
    let rosterPath = dir.appendingPathComponent("subjects.csv").path
    try scenario.roster.write(toFile: rosterPath, atomically: true, encoding: .utf8)
    var factPaths: [String] = []
    for file in scenario.facts {
      let path = dir.appendingPathComponent(file.name).path
      try Data(file.text.utf8).write(to: URL(fileURLWithPath: path))
      factPaths.append(path)
    }
    let loaded = RuleFiles.load(path: rulesPath)
    guard loaded.rules != nil else {
      let problems = loaded.diagnostics.map { "\($0.line):\($0.column) \($0.message)" }.joined(separator: "\n")
      Issue.record("generated rules do not check:\n\(problems)\n\(scenario.rules)")
      return (.problem("rules"), [:], false)
    }
    func request(_ threads: Int) -> EvaluationRequest {
      EvaluationRequest(rules: loaded, factPaths: factPaths, subjectsPath: rosterPath, inputFormat: scenario.inputFormat,
                        threads: threads)
    }
    let reference = outcome(ReferencePipeline.run(request(1)))
    var others: [String: Outcome] = [:]
    for threads in [1, 3] {
      others["general/\(threads)"] = outcome(Evaluation.runDetailed(request(threads), fastIngest: false).map(\.result))
      others["fast/\(threads)"] = outcome(Evaluation.runDetailed(request(threads), fastIngest: true).map(\.result))
    }
    // As `kaoping eval` runs it: fast ingest, blocks freed as they are evaluated.
    others["run/2"] = outcome(Evaluation.run(request(2)))
    let fast = loaded.rules.map { Evaluation.runFast(request(2), rules: $0) != nil } ?? false
    return (reference, others, fast)
  }

  static func expectSame(_ scenario: Scenario, fast expectFast: Bool? = nil, _ comment: String = "") throws {
    let (reference, others, fast) = try run(scenario)
    for (name, other) in others.sorted(by: { $0.key < $1.key }) where other != reference {
      Issue.record("\(name) differs from the reference \(comment): \(describe(other)) vs \(describe(reference))\n\(scenario.rules)")
      dumpDifference(other, reference)
      return
    }
    if let expectFast { #expect(fast == expectFast, "fast ingest \(comment)") }
  }

  static func describe(_ outcome: Outcome) -> String {
    switch outcome {
    case .result(let bytes): return "result of \(bytes.count) bytes"
    case .problem(let text): return "problem \(text.prefix(300))"
    }
  }

  static func dumpDifference(_ a: Outcome, _ b: Outcome) {
    guard case .result(let x) = a, case .result(let y) = b else { return }
    let left = String(decoding: x, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let right = String(decoding: y, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(left.count, right.count) {
      let l = index < left.count ? String(left[index]) : "<none>"
      let r = index < right.count ? String(right[index]) : "<none>"
      if l != r {
        Issue.record("first difference at line \(index + 1):\n  got  \(l.prefix(400))\n  want \(r.prefix(400))")
        return
      }
    }
  }

  // MARK: The bundled example and the perf workload's rules

  static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  @Test func cityUnitsExampleIsTheSameEveryWay() throws {
    let root = Self.packageRoot
    let rules = try String(contentsOf: root.appendingPathComponent("Rules/city_units.yaml"), encoding: .utf8)
    let roster = try String(contentsOf: root.appendingPathComponent("Examples/city_units/subjects.csv"), encoding: .utf8)
    let facts = try String(contentsOf: root.appendingPathComponent("Examples/city_units/facts.csv"), encoding: .utf8)
    try Self.expectSame(Scenario(rules: rules, roster: roster, facts: [("facts.csv", facts)]), fast: true, "city_units")
    // The same facts as JSON Lines (general reader) and in two files.
    let lines = facts.split(separator: "\n").map(String.init)
    let header = lines[0]
    let half = lines.count / 2
    let first = ([header] + lines[1..<half]).joined(separator: "\n") + "\n"
    let second = ([header] + lines[half...]).joined(separator: "\r\n") + "\r\n"
    try Self.expectSame(
      Scenario(rules: rules, roster: roster, facts: [("a.csv", first), ("b.csv", second)]), fast: true, "city_units split")
  }

  // MARK: Generated scenarios

  @Test(arguments: 0..<60)
  func generatedScenarioIsTheSameEveryWay(seed: Int) throws {
    var generator = ScenarioGenerator(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
    let scenario = generator.scenario()
    try Self.expectSame(scenario, fast: generator.expectFast ? true : nil, "seed \(seed)")
  }

  @Test(arguments: 0..<12)
  func generatedScenarioAsJSONLinesIsTheSameEveryWay(seed: Int) throws {
    var generator = ScenarioGenerator(seed: UInt64(seed) &* 0x51_7CC1 &+ 5)
    var scenario = generator.scenario()
    scenario.facts = scenario.facts.map { file in
      (file.name.replacingOccurrences(of: ".csv", with: ".jsonl"), Self.jsonLines(file.text))
    }
    try Self.expectSame(scenario, "jsonl seed \(seed)")
  }

  /// CSV (unquoted) as JSON Lines with string values (empty cells left out).
  static func jsonLines(_ csv: String) -> String {
    let text = csv.hasPrefix("\u{FEFF}") ? String(csv.dropFirst()) : csv
    let lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false) else { return "" }
    var out = ""
    for line in lines.dropFirst() {
      let cells = line.split(separator: ",", omittingEmptySubsequences: false)
      var fields: [String] = []
      for (index, cell) in cells.enumerated() where index < header.count && !cell.isEmpty && !cell.contains("\"") {
        fields.append("\"\(header[index])\": \"\(cell)\"")
      }
      out += "{" + fields.joined(separator: ", ") + "}\n"
    }
    return out
  }

  // MARK: Pieces

  @Test func digestsAgreeWithTheReferenceImplementation() {
    var generator = SplitMix64(seed: 7)
    for length in [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 1000, 100_000] {
      let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      let expected = SHA256.hex(bytes)
      #expect(InputDigest.sha256Hex(bytes) == expected)
      let portable = InputDigest(portable: true)
      bytes.withUnsafeBytes { raw in
        // In uneven pieces.
        var offset = 0
        var step = 1
        while offset < raw.count {
          let end = min(raw.count, offset + step)
          portable.update(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
          offset = end
          step = step * 3 + 1
        }
      }
      #expect(portable.finalizeHex() == expected)
    }
  }

  @Test func perFactReadsAreFoundConservatively() {
    let fields = [
      FactType.Field(id: "days", type: .int, optional: false, location: RuleLocation(file: "", line: 0, column: 0)),
      FactType.Field(id: "level", type: .string, optional: false, location: RuleLocation(file: "", line: 0, column: 0)),
    ]
    let reads = ExpressionUse.perFactReads("2 * fact.days + (fact.level == \"x\" ? 1 : 0)", declared: fields)
    #expect(reads?.fields == [.declared(0), .declared(1)])
    #expect(reads?.subject == false && reads?.scope == false)
    #expect(ExpressionUse.perFactReads("fact.id.size()", declared: fields) == nil)
    #expect(ExpressionUse.perFactReads("has(fact) || true", declared: fields) == nil)
    #expect(ExpressionUse.perFactReads("fact .days", declared: fields) == nil)
    #expect(ExpressionUse.perFactReads("fact[\"days\"]", declared: fields) == nil)
    #expect(ExpressionUse.perFactReads("fact.nope", declared: fields) == nil)
    #expect(ExpressionUse.perFactReads("subject.region == scope", declared: fields)?.subject == true)
    #expect(ExpressionUse.perFactReads("facts_x + fact.date.getDayOfWeek()", declared: fields)?.fields == [.date])
  }
}

/// Random rule files and inputs over a fixed vocabulary, with the awkward cases mixed
/// in: duplicate and missing ids, unknown types and subjects, bad values, undeclared
/// fields, refs to nothing or to other subjects, CRLF, BOM, blank rows, periods, groups,
/// scorers, caps, weights, outcomes and grades.
struct ScenarioGenerator {
  var random: SplitMix64
  /// Whether the fact files are plain enough for the fast ingest.
  var expectFast = true
  var hasPeriods = false
  var hasGroups = false
  var hasScorers = false
  var weights = false

  init(seed: UInt64) {
    random = SplitMix64(seed: seed)
  }

  mutating func chance(_ percent: Int) -> Bool { random.below(100) < percent }
  mutating func pick<T>(_ items: [T]) -> T { items[random.below(items.count)] }

  mutating func scenario() -> PerfPathTests.Scenario {
    hasPeriods = chance(50)
    hasGroups = chance(60)
    hasScorers = chance(50)
    weights = hasPeriods && chance(40)
    let rules = rulesText()
    let roster = rosterText()
    var files: [(String, String)] = [("facts.csv", factsText())]
    if chance(25) { files.append(("more.csv", factsText())) }
    return PerfPathTests.Scenario(rules: rules, roster: roster, facts: files)
  }

  // MARK: Rules

  mutating func rulesText() -> String {
    var out = """
      kaoping: 1
      id: generated
      base: 100
      decimals: \(pick([0, 1, 2, 2, 3]))

      """
    if hasPeriods {
      out += """
        periods:
          H1: { from: 2023-01-01, to: 2023-06-30 }
          H2: { from: 2023-07-01, to: 2023-12-31 }

        """
      out += weights ? "annual: { weights: { H1: 40%, H2: 60% } }\n" : "annual: facts\n"
    }
    if hasGroups { out += "groups:\n  - { id: ga, name: 甲组 }\n  - { id: gb }\n" }
    out += "attributes:\n  region: { type: string, optional: true }\n"
    if hasScorers { out += "scorers:\n  s1: 督查室\n  s2: 组织部\n" }
    out += """
      facts:
        award:
          fields:
            level: { type: enum, values: [national, provincial, 市级] }
            title: { type: string, optional: true }
        delay:
          fields:
            days: int
            amount: { type: decimal, optional: true }
            urgent: { type: bool, optional: true }
        rectified:
          fields:
            ref: string
        task:
          fields:
            due: date
            done: { type: date, optional: true }
        misc:
          fields:
            n: { type: int, optional: true }
            code: { type: string, optional: true }
        major:
          fields: {}
      indicators:

      """
    var any = false
    if chance(80) {
      any = true
      let table = chance(50)
        ? "{ by: fact.level, table: { national: 20, provincial: 10, 市级: 5 } }"
        : (chance(50) ? "{ by: fact.level, table: { national: 20, provincial: 10 }, default: 2.5 }"
          : "{ by: fact.level, table: { national: 20, provincial: 10 } }")
      out += "  - id: awards\n    bonus:\n      facts: award\n      points: \(table)\n"
      if chance(60) { out += "      cap: \(pick([15, 25, 50]))\n" }
      if hasScorers && chance(60) { out += "      scorers: [s1]\n" }
      if chance(30) { out += "      when: fact.title == null || fact.title != \"skip\"\n" }
      if chance(30) { out += "      cancelled_by: rectified\n" }
    }
    do {
      any = true
      let points = pick(["2 * fact.days", "fact.days - 3", "fact.amount * 2", "fact.urgent ? 5 : fact.days",
                         "fact.days", "1.5"])
      out += "  - id: delays\n    deduction:\n      facts: delay\n      points: \"\(points)\"\n"
      if chance(60) { out += "      cap: \(pick([10, 40]))\n" }
      out += "      cancelled_by: rectified\n"
      if chance(40) { out += "      when: fact.days > \(pick([0, 2, 5]))\n" }
      if hasScorers && chance(40) { out += "      scorers: [s1, s2]\n" }
      if hasGroups && chance(30) { out += "    applies_to: [ga]\n" }
    }
    if chance(60) {
      any = true
      out += """
          - id: ontime
            score:
              value: >-
                facts.task.size() == 0 ? 1.0 :
                double(facts.task.filter(t, t.done != null && t.done <= t.due).size())
                  / double(facts.task.size())

        """
      if chance(50) {
        out += "      points: \"value < 0.9 ? -(0.9 - value) * 100 : 0\"\n"
      } else {
        out += "      tiers:\n        - { min: 95%, points: 5 }\n        - { min: 80%, points: 0 }\n        - { points: \"-(0.8 - value) * 50\" }\n"
      }
    }
    if chance(50) {
      any = true
      out += """
          - id: overall
            combine: \(weights || chance(50) ? "weighted" : "sum")
            max: \(pick([8, 20, 100]))
            parts:
              - id: p1
                weight: 60%
                bonus:
                  facts: misc
                  points: \(pick(["3", "\"fact.n == null ? 1 : fact.n\"", "\"subject.region == '城区' ? 2 : 1\"",
                                    "\"scope == 'annual' ? 1 : 2\""]))
              - id: p2
                weight: 40%
                score:
                  value: "double(facts.misc.size()) + double(facts.major.size())"
                  points: "value * 1.5"

        """
    }
    if !any || chance(30) {
      out += "  - id: majors\n    deduction:\n      facts: major\n      points: 7\n"
    }
    if chance(20) {
      // A score that fails for subjects without facts: a run error (§13).
      out += "  - id: ratio\n    score:\n      value: \"1.0 / double(facts.award.size())\"\n      points: \"0\"\n"
    }
    let outcomes = chance(70)
    if outcomes {
      out += "outcomes:\n"
      out += "  - id: vetoed\n    when: facts.major.size() > 0\n    force_grade: low\n"
      out += "  - id: last\n    bottom: \(pick(["10%", "2", "25%", "0"]))\n    rounding: \(pick(["ceil", "floor", "round"]))\n"
      out += "    boundary_ties: \(pick(["include", "exclude"]))\n"
      if chance(50) { out += "    only_if: total < 100 || rank > 3\n" }
      if chance(50) { out += "    deny_grades: [top]\n" }
      if hasPeriods && chance(50) { out += "  - id: periodic\n    scope: periods\n    bottom: 1\n" }
    }
    if outcomes || chance(60) {
      out += "grades:\n  - { id: top, min: 110, quota: \(pick(["30%", "50%"])) }\n  - { id: mid, min: 95 }\n  - { id: low }\n"
    }
    if chance(30) { out += "ranking:\n  within: \(pick(["group", "all"]))\n  ties: \(pick(["shared", "dense"]))\n" }
    return out
  }

  // MARK: Inputs

  var subjects: [String] { (1...14).map { "S\($0)" } }

  mutating func rosterText() -> String {
    var out = hasGroups ? "id,name,group,region\n" : "id,name,region\n"
    for (index, id) in subjects.enumerated() {
      let region = pick(["城区", "郊区", ""])
      out += hasGroups ? "\(id),单位\(index),\(index % 3 == 0 ? "gb" : "ga"),\(region)\n" : "\(id),单位\(index),\(region)\n"
    }
    return out
  }

  var nextID = 0

  mutating func factsText() -> String {
    var columns = ["id", "subject", "type", "date", "source", "level", "title", "days", "amount", "urgent", "ref", "due",
                   "done", "n", "code", "x-memo"]
    if chance(30) { columns.append("note") }
    for index in columns.indices.reversed() {
      let other = random.below(index + 1)
      columns.swapAt(index, other)
    }
    let lineEnd = chance(25) ? "\r\n" : "\n"
    var out = chance(10) ? "\u{FEFF}" : ""
    out += columns.joined(separator: ",") + lineEnd
    let count = 20 + random.below(200)
    var ids: [String] = []
    var delayIDs: [String] = []
    var rows: [[String: String]] = []
    for _ in 0..<count {
      nextID += 1
      var id = "F\(String(format: "%04d", nextID))"
      if chance(3), let old = ids.randomElement(using: &random) { id = old }  // duplicate
      if chance(4) { id = "" }  // FILE:ROW
      if chance(2) { id = "É\(nextID)" }
      ids.append(id)
      var row: [String: String] = ["id": id]
      row["subject"] = chance(3) ? pick(["S99", "", "s1"]) : pick(subjects)
      let type = chance(3) ? pick(["bogus", "", "Award"]) : pick(["award", "award", "delay", "delay", "rectified", "task",
                                                                    "task", "misc", "major"])
      row["type"] = type
      let month = 1 + random.below(12)
      let day = 1 + random.below(28)
      var date = "2023-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
      if chance(3) { date = pick(["", "2023-02-30", "2022-12-31", "2024-01-02", "23-1-1"]) }
      if date.isEmpty && chance(50) { date = "2023-03-0\(1 + random.below(9))" }
      row["date"] = date
      row["source"] = pick(["s1", "s2", "督查室", "", "other"])
      switch type {
      case "award":
        row["level"] = chance(5) ? pick(["county", ""]) : pick(["national", "provincial", "市级"])
        if chance(20) { row["title"] = pick(["skip", "奖", "x"]) }
      case "delay":
        row["days"] = chance(5) ? pick(["3.5", "", "+4", "-0", "99999999999999999999", "x"]) : String(random.below(12))
        if chance(40) { row["amount"] = pick(["1.25", "0", "-2", "3e2", "abc"]) }
        if chance(30) { row["urgent"] = pick(["true", "false", "yes"]) }
        if id != "" { delayIDs.append(id) }
      case "rectified":
        row["ref"] = chance(70) && !delayIDs.isEmpty ? pick(delayIDs) : pick(["F9999", ids.last ?? "F1", ""])
      case "task":
        row["due"] = chance(4) ? pick(["", "2023-13-01"]) : "2023-0\(1 + random.below(9))-1\(random.below(9))"
        row["done"] = chance(20) ? "" : "2023-0\(1 + random.below(9))-1\(random.below(9))"
      case "misc":
        if chance(60) { row["n"] = pick(["1", "2", "-1", "7", "-9223372036854775808"]) }
        if chance(30) { row["code"] = pick(["甲", "b", "c"]) }
      default: break
      }
      if chance(3) { row["days"] = "1" }  // undeclared for most types
      if chance(10) { row["x-memo"] = "memo \(random.below(5))" }
      if chance(10) { row["note"] = pick(["说明", "n"]) }
      rows.append(row)
    }
    for row in rows {
      if chance(3) { out += lineEnd }  // blank row
      out += columns.map { row[$0] ?? "" }.joined(separator: ",") + lineEnd
    }
    if chance(6) {
      out += "\"F7777\",S1,award,2023-05-05,s1,national,,,,,,,,,," + lineEnd
      expectFast = false
    }
    if chance(6) {
      out += "F8888,S1" + lineEnd  // too few cells
      expectFast = false
    }
    return out
  }
}
