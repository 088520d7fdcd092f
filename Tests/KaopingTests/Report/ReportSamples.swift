import Foundation
import Testing

@testable import Kaoping

/// A decimal from its text; a text that does not parse fails the test and gives 0.
func reportDecimal(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ExactDecimal {
  guard let value = ExactDecimal(parsing: text) else {
    Issue.record("\(text) should parse", sourceLocation: sourceLocation)
    return .zero
  }
  return value
}

/// Compares `actual` with the golden file `Fixtures/report/NAME`. With `KAOPING_RECORD=1`
/// in the environment it writes `actual` to the file instead, and fails, so that
/// re-recording is never silent.
func expectGolden(_ actual: [UInt8], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
  let path = fixturePath("report/\(name)")
  if ProcessInfo.processInfo.environment["KAOPING_RECORD"] == "1" {
    do {
      try Data(actual).write(to: URL(fileURLWithPath: path))
      Issue.record("recorded \(path); run again without KAOPING_RECORD=1", sourceLocation: sourceLocation)
    } catch {
      Issue.record("cannot write \(path): \(error)", sourceLocation: sourceLocation)
    }
    return
  }
  guard let expected = FileManager.default.contents(atPath: path) else {
    Issue.record("no golden file \(path); record it with KAOPING_RECORD=1", sourceLocation: sourceLocation)
    return
  }
  if [UInt8](expected) == actual { return }
  let actualLines = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
  let expectedLines = String(decoding: expected, as: UTF8.self).split(
    separator: "\n", omittingEmptySubsequences: false)
  let line =
    zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
    ?? min(actualLines.count, expectedLines.count)
  let got = line < actualLines.count ? String(actualLines[line]) : "<end>"
  let want = line < expectedLines.count ? String(expectedLines[line]) : "<end>"
  Issue.record(
    "\(name) differs at line \(line + 1):\n  expected: \(want)\n  actual:   \(got)", sourceLocation: sourceLocation)
}

/// Hand-built results for the report tests.
enum ReportSamples {
  /// The data of the spec's §13.1 example.
  static var specExample: EvaluationResult {
    let d: (String) -> ExactDecimal = { reportDecimal($0) }
    let subject = SubjectResult(
      id: "D01", name: "城关区", group: "district", total: d("1044"), rank: 1, groupSize: 7, grade: "excellent",
      outcomes: [],
      indicators: [
        IndicatorValue(id: "awards", value: d("50")), IndicatorValue(id: "delays", value: d("-6")),
        IndicatorValue(id: "ontime", value: d("0")),
      ],
      items: [
        LedgerItem(indicator: "awards", kind: .fact("f12"), points: d("20")),
        LedgerItem(indicator: "awards", kind: .fact("f13"), points: d("20")),
        LedgerItem(indicator: "awards", kind: .fact("f14"), points: d("20")),
        LedgerItem(indicator: "awards", kind: .cap, points: d("-10")),
        LedgerItem(indicator: "delays", kind: .fact("f9"), points: d("0"), cancelledBy: "f30"),
        LedgerItem(indicator: "delays", kind: .fact("f10"), points: d("-6")),
        LedgerItem(indicator: "ontime", kind: .score, value: d("0.95"), points: d("0")),
      ])
    return EvaluationResult(
      rules: RulesInfo(id: "city_units_2023", title: "…", sha256: "…"),
      inputs: [
        InputInfo(role: .subjects, path: "subjects.csv", sha256: "…", records: 49),
        InputInfo(role: .facts, path: "facts.csv", sha256: "…", records: 120),
      ],
      scopes: [ScopeResult(scope: "annual", subjects: [subject])],
      accounting: Accounting(facts: 120, applied: 110, unmatched: 8, rejected: 2),
      rejected: [RejectedFact(fact: "f77", file: "facts.csv", row: 78, code: "K401", reason: "…")],
      warnings: [InputWarning(code: "K450", message: "…", facts: 8)],
      decimals: 2, topLevelIndicators: ["awards", "delays", "ontime"])
  }

  /// Two periods and a weighted annual scope; two groups (one without a name), Chinese
  /// names, every kind of ledger item, a cancelled item, a score value of 695/704, an
  /// amount that rounds to zero from below, a subject without a grade, outcomes with
  /// reasons, a rejected fact whose reason holds control characters, two warnings.
  static var rich: EvaluationResult {
    let d: (String) -> ExactDecimal = { reportDecimal($0) }
    let ontimeValue = (try? ExactDecimal(695).divided(by: ExactDecimal(704))) ?? .zero
    func indicators(_ values: [(String, String)]) -> [IndicatorValue] {
      values.map { IndicatorValue(id: $0.0, value: d($0.1)) }
    }
    let q1: [SubjectResult] = [
      SubjectResult(
        id: "D01", name: "城关区", group: "district", total: d("1046.30"), rank: 1, groupSize: 3,
        grade: "excellent", outcomes: [],
        indicators: indicators([
          ("awards", "50"), ("delays", "-6"), ("ontime", "0"), ("public", "2.30"), ("leaders", "3"),
          ("survey", "2"),
        ]),
        items: [
          LedgerItem(indicator: "awards", kind: .fact("f12"), points: d("20")),
          LedgerItem(indicator: "awards", kind: .fact("f13"), points: d("20")),
          LedgerItem(indicator: "awards", kind: .fact("f14"), points: d("20")),
          LedgerItem(indicator: "awards", kind: .cap, points: d("-10")),
          LedgerItem(indicator: "delays", kind: .fact("f9"), points: d("0"), cancelledBy: "f30"),
          LedgerItem(indicator: "delays", kind: .fact("f10"), points: d("-6")),
          LedgerItem(indicator: "ontime", kind: .score, value: ontimeValue, points: d("0")),
          LedgerItem(indicator: "leaders", kind: .score, value: d("0.3"), points: d("3")),
          LedgerItem(indicator: "survey", kind: .score, value: d("0.2"), points: d("2")),
          LedgerItem(indicator: "public", kind: .weighted, points: d("-2.70")),
        ]),
      SubjectResult(
        id: "D02", name: "七里河区", group: "district", total: d("977.32"), rank: 3, groupSize: 3,
        grade: "passed", outcomes: [OutcomeFlag(id: "reminder", reason: "bottom 1 of 3")],
        indicators: indicators([
          ("awards", "0"), ("delays", "-20"), ("ontime", "-2.68"), ("public", "0"), ("leaders", "0"),
          ("survey", "0"),
        ]),
        items: [
          LedgerItem(indicator: "delays", kind: .fact("f20"), points: d("-10")),
          LedgerItem(indicator: "delays", kind: .fact("f21"), points: d("-10")),
          LedgerItem(indicator: "ontime", kind: .score, value: d("0.87325"), points: d("-2.68")),
          LedgerItem(indicator: "leaders", kind: .score, value: d("0"), points: d("0")),
          LedgerItem(indicator: "survey", kind: .score, value: d("0"), points: d("0")),
          LedgerItem(indicator: "public", kind: .weighted, points: d("-0.004")),
        ]),
      SubjectResult(
        id: "D03", name: "西固区", group: "district", total: d("1000"), rank: 2, groupSize: 3, grade: "good",
        outcomes: [],
        indicators: indicators([
          ("awards", "0"), ("delays", "0"), ("ontime", "0"), ("public", "0"), ("leaders", "0"), ("survey", "0"),
        ]),
        items: [
          LedgerItem(indicator: "ontime", kind: .score, value: d("1.000"), points: d("0"))
        ]),
      SubjectResult(
        id: "E01", name: "发展和改革委员会", group: "economy", total: d("1012.00"), rank: 1, groupSize: 2,
        grade: "good", outcomes: [],
        indicators: indicators([
          ("awards", "10"), ("delays", "0"), ("ontime", "0"), ("public", "2"), ("leaders", "3"), ("survey", "2"),
        ]),
        items: [
          LedgerItem(indicator: "awards", kind: .fact("f40"), points: d("10")),
          LedgerItem(indicator: "leaders", kind: .score, value: d("0.3"), points: d("3")),
          LedgerItem(indicator: "survey", kind: .score, value: d("0.2"), points: d("2")),
          LedgerItem(indicator: "public", kind: .weighted, points: d("-2.70")),
          LedgerItem(indicator: "public", kind: .max, points: d("-0.30")),
        ]),
      SubjectResult(
        id: "E02", name: "财政局|审计", group: "economy", total: d("960.50"), rank: 2, groupSize: 2, grade: nil,
        outcomes: [
          OutcomeFlag(id: "reminder", reason: "bottom 1 of 2"),
          OutcomeFlag(id: "veto", reason: "facts.major_error.size() > 0"),
        ],
        indicators: indicators([
          ("awards", "0"), ("delays", "-40"), ("ontime", "0"), ("public", "0.50"), ("leaders", "0"),
          ("survey", "0"),
        ]),
        items: [
          LedgerItem(indicator: "delays", kind: .fact("2023/f50"), points: d("-30")),
          LedgerItem(indicator: "delays", kind: .fact("facts.csv:51"), points: d("-20")),
          LedgerItem(indicator: "delays", kind: .cap, points: d("10")),
          LedgerItem(indicator: "leaders", kind: .score, value: d("0"), points: d("0")),
          LedgerItem(indicator: "survey", kind: .score, value: d("0"), points: d("0")),
          LedgerItem(indicator: "public", kind: .min, points: d("0.50")),
        ]),
    ]
    let q2: [SubjectResult] = q1.map { subject in
      var copy = subject
      copy.total = d("1000")
      copy.rank = 1
      copy.grade = "good"
      copy.outcomes = []
      copy.indicators = copy.indicators.map { IndicatorValue(id: $0.id, value: .zero) }
      copy.items = []
      return copy
    }
    let annual: [SubjectResult] = q1.map { subject in
      var copy = subject
      copy.items = []
      copy.periods = [
        PeriodContribution(period: "Q1", weight: d("0.40"), total: subject.total),
        PeriodContribution(period: "Q2", weight: d("0.6"), total: d("1000")),
      ]
      return copy
    }
    return EvaluationResult(
      rules: RulesInfo(
        id: "city_units_2023", title: "XX市政府政务绩效考评办法（2023年度）",
        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
      inputs: [
        InputInfo(
          role: .subjects, path: "data/单位名单.csv",
          sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", records: 5),
        InputInfo(
          role: .facts, path: "data/facts.csv",
          sha256: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9", records: 14),
      ],
      scopes: [
        ScopeResult(scope: "Q1", subjects: q1), ScopeResult(scope: "Q2", subjects: q2),
        ScopeResult(scope: "annual", subjects: annual),
      ],
      accounting: Accounting(facts: 14, applied: 10, unmatched: 2, rejected: 2),
      rejected: [
        RejectedFact(
          fact: "f77", file: "data/facts.csv", row: 78, code: "K401",
          reason: "no level \"city\u{7}\"\tin the table\u{1F}"),
        RejectedFact(
          fact: "data/facts.csv:81", file: "data/facts.csv", row: 81, code: "K402", reason: "日期 2023-02-30 无效"),
      ],
      warnings: [
        InputWarning(code: "K450", message: "facts for subjects not in the roster", facts: 2),
        InputWarning(code: "K451", message: "roster column 'x-备注' is not declared", facts: 1),
      ],
      decimals: 2, topLevelIndicators: ["awards", "delays", "ontime", "public"],
      groupNames: ["district": "区政府"],
      outcomeNames: ["reminder": "督办提醒函", "veto": "一票否决"],
      gradeNames: ["excellent": "优秀", "good": "良好", "passed": "达标"])
  }

  /// No title, `decimals: 0`, one input, one subject with one item, one rejected fact, no
  /// warnings.
  static var minimal: EvaluationResult {
    let d: (String) -> ExactDecimal = { reportDecimal($0) }
    return EvaluationResult(
      rules: RulesInfo(id: "tiny", title: nil, sha256: "00"),
      inputs: [InputInfo(role: .facts, path: "facts.jsonl", sha256: "11", records: 2)],
      scopes: [
        ScopeResult(
          scope: "annual",
          subjects: [
            SubjectResult(
              id: "A", name: "", group: "all", total: d("10.4"), rank: 1, groupSize: 1, grade: nil, outcomes: [],
              indicators: [IndicatorValue(id: "awards", value: d("10.4"))],
              items: [LedgerItem(indicator: "awards", kind: .fact("1"), points: d("10.4"))])
          ])
      ],
      accounting: Accounting(facts: 2, applied: 1, unmatched: 0, rejected: 1),
      rejected: [RejectedFact(fact: "facts.jsonl:2", file: "facts.jsonl", row: 2, code: "K403", reason: "a/b")],
      warnings: [], decimals: 0, topLevelIndicators: ["awards"])
  }

  /// A result with one annual scope of `subjects` (names and groups as given), two
  /// top-level indicators, no ledger.
  static func roster(_ subjects: [(id: String, name: String, group: String)], decimals: Int = 2) -> EvaluationResult {
    let results = subjects.enumerated().map { index, subject in
      SubjectResult(
        id: subject.id, name: subject.name, group: subject.group, total: ExactDecimal(1000 - index), rank: index + 1,
        groupSize: subjects.count, grade: nil, outcomes: [],
        indicators: [IndicatorValue(id: "a", value: .zero), IndicatorValue(id: "b", value: ExactDecimal(-index))],
        items: [])
    }
    return EvaluationResult(
      rules: RulesInfo(id: "r", title: nil, sha256: "0"), inputs: [],
      scopes: [ScopeResult(scope: "annual", subjects: results)],
      accounting: Accounting(facts: 0, applied: 0, unmatched: 0, rejected: 0), rejected: [], warnings: [],
      decimals: decimals, topLevelIndicators: ["a", "b"])
  }
}

extension Array where Element == UInt8 {
  /// The bytes as UTF-8 text.
  var reportText: String { String(decoding: self, as: UTF8.self) }
}
