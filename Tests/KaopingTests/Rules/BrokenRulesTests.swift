import Foundation
import Kaoping
import Testing

/// Each file under `Fixtures/rules/broken/` is `base.yaml` with one mistake. Its golden
/// `.expected` file holds the diagnostics exactly as `kaoping check` prints them; the
/// table below pins the one diagnostic the mistake deserves (code, line, column), so a
/// golden cannot drift silently. Re-record with `KAOPING_RECORD=1`.
@Suite struct BrokenRulesTests {
  /// (file name without `.yaml`, code, line, column) of the one diagnostic each file gives.
  static let cases: [(name: String, code: String, line: Int, column: Int)] = [
    ("01-unknown-key", "K102", 37, 7),
    ("02-unknown-top-level-key", "K102", 3, 1),
    ("03-unsupported-version", "K100", 1, 10),
    ("04-missing-version", "K100", 1, 1),
    ("05-missing-id", "K101", 1, 1),
    ("06-base-is-text", "K103", 4, 7),
    ("07-base-quoted-number", "K103", 4, 7),
    ("08-decimals-out-of-range", "K108", 5, 11),
    ("09-base-more-digits-than-decimals", "K312", 4, 7),
    ("10-indicator-id-starts-with-digit", "K105", 32, 9),
    ("11-indicator-id-reserved-word", "K105", 39, 9),
    ("12-duplicate-indicator-id", "K106", 45, 9),
    ("13-duplicate-group-id", "K106", 11, 11),
    ("14-invalid-date", "K107", 8, 15),
    ("15-period-ends-before-it-starts", "K305", 8, 31),
    ("16-overlapping-periods", "K304", 8, 15),
    ("17-unknown-fact-type", "K301", 41, 14),
    ("18-unknown-scorer", "K301", 38, 17),
    ("19-scorer-named-not-id", "K301", 38, 17),
    ("20-unknown-group-in-applies-to", "K301", 40, 18),
    ("21-unknown-grade-in-force-grade", "K301", 58, 18),
    ("22-table-key-not-an-enum-value", "K313", 36, 72),
    ("23-table-misses-enum-values", "K354", 36, 40),
    ("24-cancelled-by-own-type", "K314", 44, 21),
    ("25-cancelling-type-without-ref", "K314", 23, 3),
    ("26-ref-field-without-cancellation", "K315", 23, 7),
    ("27-field-named-like-built-in", "K112", 23, 7),
    ("28-unknown-field-type", "K111", 22, 13),
    ("29-enum-without-values", "K111", 19, 22),
    ("30-when-is-not-bool", "K316", 42, 13),
    ("31-points-are-not-a-number", "K316", 42, 15),
    ("32-misspelt-field-in-expression", "K221", 42, 24),
    ("33-expression-syntax-error", "K202", 42, 29),
    ("34-integer-division", "K226", 42, 25),
    ("35-date-compared-with-text", "K227", 42, 23),
    ("36-negative-points", "K321", 42, 15),
    ("37-weights-do-not-sum-to-one", "K302", 54, 5),
    ("38-weight-missing", "K303", 56, 9),
    ("39-weights-written-as-hundreds", "K302", 54, 5),
    ("40-indicator-with-two-kinds", "K110", 47, 5),
    ("41-indicator-without-kind", "K110", 52, 5),
    ("42-cap-on-parts", "K310", 54, 5),
    ("43-score-with-points-and-tiers", "K311", 49, 7),
    ("44-tier-mins-not-decreasing", "K306", 50, 18),
    ("45-tier-without-min-not-last", "K307", 50, 11),
    ("46-last-grade-has-min", "K307", 62, 23),
    ("47-grade-mins-not-decreasing", "K306", 61, 22),
    ("48-quota-without-min", "K308", 62, 17),
    ("49-bottom-above-100-percent", "K309", 55, 13),
    ("50-bottom-negative", "K309", 55, 13),
    ("51-bottom-fraction", "K309", 55, 13),
    ("52-outcome-without-condition", "K320", 53, 5),
    ("53-yes-is-not-a-boolean", "K103", 29, 37),
    ("54-invalid-combine", "K109", 53, 14),
    ("55-duplicate-yaml-key", "K004", 38, 7),
    ("56-tab-indentation", "K002", 43, 1),
    ("57-unread-fact-type", "K350", 31, 3),
    ("58-periods-scope-without-periods", "K352", 51, 12),
    ("59-workdays-without-calendar", "K317", 40, 15),
    ("60-min-above-max", "K319", 40, 10),
    ("61-empty-parts", "K318", 53, 12),
    ("62-annual-weights-unknown-period", "K301", 9, 31),
    ("63-annual-weights-sum", "K302", 9, 11),
    ("64-inline-subject-unknown-group", "K301", 65, 21),
    ("65-full-width-colon", "K002", 37, 10),
    ("66-unquoted-colon-in-expression", "K002", 42, 32),
    ("67-unknown-kaoping-key-in-node", "K102", 33, 5),
    ("68-unknown-version-with-unknown-keys", "K100", 1, 10),
    ("69-quoted-version", "K100", 1, 10),
    ("70-bottom-flags-whole-group", "K353", 55, 13),
    ("71-tier-never-matches", "K351", 57, 18),
    ("72-x-keys-everywhere-one-mistake", "K102", 51, 7),
    ("73-text-where-number-expected", "K103", 36, 52),
    ("74-no-is-not-a-boolean", "K103", 29, 37),
    ("75-percentage-not-allowed", "K103", 37, 12),
    ("76-quota-above-100-percent", "K108", 60, 50),
    ("77-fact-type-id-with-hyphen", "K105", 31, 3),
    ("78-period-named-annual", "K105", 8, 3),
    ("79-group-id-in-chinese", "K105", 11, 11),
    ("80-duplicate-grade-id", "K106", 62, 11),
    ("81-int-compared-with-text", "K227", 42, 23),
    ("82-date-compared-with-number", "K227", 42, 23),
    ("83-only-if-not-bool", "K316", 56, 14),
    ("84-score-value-not-a-number", "K316", 47, 14),
    ("85-misspelt-attribute", "K221", 44, 21),
    ("86-unknown-name-in-expression", "K220", 42, 19),
    ("87-full-width-character-in-expression", "K201", 42, 23),
    ("88-holiday-range-reversed", "K305", 7, 14),
    ("89-unknown-weekend-day", "K109", 7, 13),
    ("90-negative-cap", "K108", 43, 12),
    ("91-unknown-ranking-order", "K109", 53, 10),
    ("92-missing-points", "K101", 41, 7),
    ("93-indicators-not-a-list", "K104", 32, 3),
    ("94-unknown-key-in-field-spec", "K102", 29, 27),
    ("95-attribute-named-group", "K112", 13, 3),
    ("96-inline-subject-without-group", "K322", 65, 5),
    ("97-inline-attribute-wrong-type", "K322", 67, 41),
    ("98-weight-on-top-level-node", "K355", 40, 5),
    ("99-second-document", "K006", 63, 1),
    ("100-unsupported-tag", "K005", 42, 15),
    ("101-values-on-int-field", "K111", 22, 26),
    ("102-unterminated-string", "K203", 42, 26),
    ("103-decimals-not-whole", "K103", 5, 11),
    ("104-period-without-end", "K101", 8, 7),
    ("105-combine-on-bonus", "K102", 40, 5),
    ("106-unknown-grade-in-deny-grades", "K301", 59, 19),
    ("107-duplicate-outcome-id", "K106", 56, 9),
    ("108-facts-missing", "K101", 1, 1),
    ("109-fields-not-a-mapping", "K104", 21, 13),
    ("110-misspelt-kind", "K102", 40, 5),
    ("111-misspelt-fields-key", "K102", 21, 5),
    ("112-periods-not-a-mapping", "K104", 7, 3),
  ]

  static var names: [String] { cases.map(\.name) }

  @Test func baseFileIsClean() {
    let (loaded, diagnostics, text) = loadRuleFixture("base.yaml")
    #expect(diagnostics.isEmpty, "\(text)")
    #expect(loaded.rules != nil)
  }

  @Test func allowedFormsAreClean() {
    // x- keys everywhere (table rows, field specs, periods …), percentages where they are
    // allowed, and yes/no/007 as enum values and table keys.
    let (loaded, diagnostics, text) = loadRuleFixture("allowed-forms.yaml")
    #expect(diagnostics.isEmpty, "\(text)")
    #expect(loaded.rules != nil)
  }

  @Test(arguments: names) func brokenFile(_ name: String) throws {
    let expected = try #require(Self.cases.first { $0.name == name })
    let (loaded, diagnostics, text) = loadRuleFixture("broken/\(name).yaml")
    Golden.check(text, golden: ruleFixtures + "/broken/\(name).expected")
    // Exactly the one diagnostic the mistake deserves: no follow-on problems, nothing missing.
    #expect(diagnostics.count == 1, "\(text)")
    let first = try #require(diagnostics.first)
    #expect(first.code.rawValue == expected.code, "\(text)")
    #expect(first.line == expected.line && first.column == expected.column,
            "expected \(expected.line):\(expected.column), got \(first.line):\(first.column)")
    let isWarning = expected.code.hasPrefix("K35")
    #expect(first.severity == (isWarning ? .warning : .error))
    // A warning alone leaves the rules usable; an error never does.
    #expect((loaded.rules != nil) == isWarning)
    #expect(!first.message.isEmpty)
  }

  @Test func everyBrokenFileIsInTheTable() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: ruleFixtures + "/broken")
    let yaml = Set(files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) })
    let goldens = Set(files.filter { $0.hasSuffix(".expected") }.map { String($0.dropLast(9)) })
    let listed = Set(Self.names)
    #expect(yaml.subtracting(listed).sorted() == [], "broken files missing from the table")
    #expect(listed.subtracting(yaml).sorted() == [], "table entries without a broken file")
    #expect(yaml.subtracting(goldens).sorted() == [], "broken files without a golden (KAOPING_RECORD=1 records them)")
    #expect(goldens.subtracting(yaml).sorted() == [], "goldens without a broken file")
    #expect(Set(Self.names).count == Self.cases.count, "a name is listed twice")
  }

  @Test func theFilesCoverManyDistinctChecks() {
    // One mistake each, and at least 40 distinct checks: distinct codes, and distinct
    // mistakes within a code (e.g. K103 for text, quotes, yes/no and percentages).
    #expect(Self.cases.count >= 40)
    #expect(Set(Self.cases.map(\.code)).count >= 40)
  }
}
