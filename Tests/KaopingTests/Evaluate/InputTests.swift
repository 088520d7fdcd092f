import Foundation
import Testing

@testable import Kaoping

/// Fact inputs through eval (§3): CSV edge cases, JSON Lines and YAML alike.
@Suite struct EvaluateInputTests {
  // inputs.facts.csv: a UTF-8 BOM; a1's title "Best, city" and x-comment hold commas;
  // a2's title holds a line break and doubled quotes (one spreadsheet row, row 3);
  // d1 (row 4) 3 x 1.5 = 4.5; d2 (row 5) 2 x 2.5E-1 = 0.5; d3 (row 6) has no ratio -> K404;
  // row 7 is blank (counted, skipped); d4 (row 8) days "x" -> K404; d5 (row 9) urgent false -> unmatched.
  @Test func csvWithBOMQuotedCommasLineBreaksAndBlankRows() throws {
    for file in ["inputs.facts.csv", "inputs_crlf.facts.csv"] {
      let result = try evaluate("inputs.yaml", facts: [file], subjects: "ab.subjects.csv")
      #expect(result.ledger("A") == ["awards a1 20.00", "awards a2 10.00"], "\(file)")
      #expect(result.ledger("B") == ["delays d1 -4.50", "delays d2 -0.50"], "\(file)")
      #expect(result.rejectedLines == ["d3 6 K404", "d4 8 K404"], "\(file)")
      #expect(result.accounting == Accounting(facts: 7, applied: 4, unmatched: 1, rejected: 2), "\(file)")
      #expect(result.inputs.map(\.records) == [2, 7], "\(file)")   // roster ab.subjects.csv, then the facts
    }
  }

  /// The JSON result without the lines that name the input file (inputs, rejected elements).
  private func jsonWithoutFileLines(_ facts: String) throws -> (String, [String]) {
    let run = try runKaoping([
      "eval", evalFixture("inputs.yaml"), "--facts", evalFixture(facts), "--subjects", evalFixture("ab.subjects.csv"),
      "--format", "json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    var kept: [String] = []
    var rows: [String] = []
    let rejected = #/"fact": "(\w+)", "file": "[^"]*", "row": (\d+), "code": "(K\d+)"/#
    for line in run.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("    { \"role\": ") { continue }
      if line.hasPrefix("    { \"fact\": "), let match = line.firstMatch(of: rejected) {
        rows.append("\(match.1) \(match.2) \(match.3)")
        continue
      }
      kept.append(String(line))
    }
    return (kept.joined(separator: "\n"), rows)
  }

  @Test func jsonLinesAndYAMLGiveTheSameResultAsCSV() throws {
    let (csv, csvRows) = try jsonWithoutFileLines("inputs.facts.csv")
    let (jsonl, jsonlRows) = try jsonWithoutFileLines("inputs.facts.jsonl")
    let (yaml, yamlRows) = try jsonWithoutFileLines("inputs.facts.yaml")
    #expect(csv.contains("\"total\": \"-5.00\""))
    #expect(jsonl == csv)
    #expect(yaml == csv)
    // Rows: the spreadsheet row in CSV, the line number in JSON Lines (line 6 is blank),
    // the 1-based item number in YAML.
    #expect(csvRows == ["d3 6 K404", "d4 8 K404"])
    #expect(jsonlRows == ["d3 5 K404", "d4 7 K404"])
    #expect(yamlRows == ["d3 5 K404", "d4 6 K404"])
  }

  @Test func anUnknownCSVColumnIsAnInputErrorWithAHint() throws {
    let path = evalFixture("inputs_badcolumn.facts.csv")
    let run = try runKaoping([
      "eval", evalFixture("inputs.yaml"), "--facts", path, "--subjects", evalFixture("ab.subjects.csv"),
    ])
    #expect(run.status == 2)
    #expect(run.stdout == "")
    #expect(run.stderr.hasPrefix("\(path):1:"), "\(run.stderr)")
    #expect(run.stderr.contains("'levle'"))
    #expect(run.stderr.contains("[K420]"))
    #expect(run.stderr.contains("did you mean 'level'?"))
    // Reported once, for the header.
    #expect(run.stderr.components(separatedBy: "[K420]").count == 2)
    guard case .failure(.inputs(let diagnostics)) = evaluateProblem(
      "inputs.yaml", facts: ["inputs_badcolumn.facts.csv"], subjects: "ab.subjects.csv")
    else {
      Issue.record("expected an input error")
      return
    }
    #expect(diagnostics.map(\.code) == [.unknownColumn])
  }

  // inputs_twobad.facts.csv: columns urgent, ratio, days (reverse of the declaration
  // days, ratio, urgent); d1 has all three wrong, d2 ratio and urgent.
  @Test func theFirstFailingFieldInDeclarationOrderIsTheReason() throws {
    let result = try evaluate("inputs.yaml", facts: ["inputs_twobad.facts.csv"], subjects: "ab.subjects.csv")
    #expect(result.rejectedLines == ["d1 2 K404", "d2 3 K404"])
    let reasons = result.rejected.map(\.reason)
    #expect(reasons.first?.contains("days") == true, "\(reasons)")
    #expect(reasons.last?.contains("ratio") == true, "\(reasons)")
    #expect(reasons.last?.contains("urgent") == false, "\(reasons)")
  }

  // inputs_typing.facts.jsonl (§3 values): an int field needs an integer literal (d1 3.0,
  // d2 "3" rejected); at most 34 significant digits (d3 has 35: rejected; d4 has 34:
  // 1.234567890123456789012345678901234 x 2); id is read as text (5 -> "5"); an empty
  // string is absent (note).
  @Test func jsonLinesValuesAreTypedFromTheirSourceText() throws {
    let result = try evaluate("inputs.yaml", facts: ["inputs_typing.facts.jsonl"], subjects: "ab.subjects.csv")
    #expect(result.rejectedLines == ["d1 1 K404", "d2 2 K404", "d3 3 K404"])
    // d4: 3 x 1.234567890123456789012345678901234 = 3.703703670370370367037037036703702 -> 3.70;
    // "5": 1 x 1.5 = 1.5.
    #expect(result.ledger("B") == ["delays 5 -1.50", "delays d4 -3.70"])
  }
}
