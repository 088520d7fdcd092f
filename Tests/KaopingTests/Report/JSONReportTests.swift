import Testing

@testable import Kaoping

@Suite struct JSONReportTests {
  private func json(_ result: EvaluationResult, options: ReportOptions = ReportOptions()) -> [UInt8] {
    ReportWriter.write(result, format: .json, options: options)
  }

  @Test func reproducesTheSpecExample() {
    // spec-example.json is the example of spec §13.1, copied as it is, not recorded.
    expectGolden(json(ReportSamples.specExample), "spec-example.json")
  }

  @Test func richResult() {
    expectGolden(json(ReportSamples.rich), "rich.json")
  }

  @Test func minimalResult() {
    expectGolden(json(ReportSamples.minimal), "minimal.json")
  }

  @Test(arguments: ["specExample", "rich", "minimal", "empty"])
  func endsWithExactlyOneLineBreak(_ sample: String) {
    let result =
      switch sample {
      case "specExample": ReportSamples.specExample
      case "rich": ReportSamples.rich
      case "minimal": ReportSamples.minimal
      default: ReportSamples.roster([])
      }
    let bytes = json(result)
    #expect(bytes.last == UInt8(ascii: "\n"))
    #expect(bytes.dropLast().last == UInt8(ascii: "}"))
    #expect(bytes.prefix(3) != [0xEF, 0xBB, 0xBF])
    #expect(json(result, options: ReportOptions(bom: true)) == bytes, "JSON never has a byte order mark")
  }

  @Test func titleLeftOutWhenNil() {
    let text = json(ReportSamples.minimal).reportText
    #expect(!text.contains("\"title\""))
    #expect(text.contains("  \"rules\": {\n    \"id\": \"tiny\",\n    \"sha256\": \"00\"\n  },\n"))
  }

  @Test func gradeNullAndEmptyArrays() {
    let text = json(ReportSamples.rich).reportText
    #expect(text.contains("\"grade\": null,"))
    #expect(text.contains("\"outcomes\": [],"))
    #expect(text.contains("\"items\": []\n"))
    let empty = json(ReportSamples.roster([])).reportText
    #expect(empty.contains("\"inputs\": [],"))
    #expect(empty.contains("\"subjects\": []\n"))
    #expect(empty.contains("\"rejected\": [],\n  \"warnings\": []\n}\n"))
  }

  @Test func scoreValueRoundedToSixDigitsAndWrittenPlain() {
    let text = json(ReportSamples.rich).reportText
    #expect(text.contains("{ \"indicator\": \"ontime\", \"value\": \"0.987216\", \"points\": \"0.00\" }"))
    #expect(text.contains("{ \"indicator\": \"ontime\", \"value\": \"1\", \"points\": \"0.00\" }"))
    #expect(text.contains("\"value\": \"0.87325\", \"points\": \"-2.68\""))
    var tiny = ReportSamples.minimal
    tiny.scopes[0].subjects[0].items = [
      LedgerItem(indicator: "s", kind: .score, value: reportDecimal("-0.0000004"), points: .zero),
      LedgerItem(indicator: "s", kind: .score, value: reportDecimal("0.0000005"), points: .zero),
      LedgerItem(indicator: "s", kind: .score, value: reportDecimal("2.5E+3"), points: .zero),
    ]
    let values = json(tiny).reportText
    #expect(values.contains("{ \"indicator\": \"s\", \"value\": \"0\", \"points\": \"0\" }"))
    #expect(values.contains("{ \"indicator\": \"s\", \"value\": \"0.000001\", \"points\": \"0\" }"))
    #expect(values.contains("{ \"indicator\": \"s\", \"value\": \"2500\", \"points\": \"0\" }"))
  }

  @Test func weightsWrittenPlainWithoutRounding() {
    var result = ReportSamples.rich
    result.scopes[2].subjects[0].periods = [
      PeriodContribution(period: "Q1", weight: reportDecimal("0.3333333"), total: reportDecimal("1000")),
      PeriodContribution(period: "Q2", weight: reportDecimal("0.6666667"), total: reportDecimal("-0.001")),
    ]
    let text = json(result).reportText
    #expect(text.contains("\"weight\": \"0.3333333\",\n"))
    #expect(text.contains("\"weight\": \"0.6666667\",\n              \"total\": \"0.00\"\n"))
  }

  @Test func amountRoundingToZeroHasNoSign() {
    let text = json(ReportSamples.rich).reportText
    #expect(text.contains("{ \"indicator\": \"public\", \"kind\": \"weighted\", \"points\": \"0.00\" }"))
    #expect(!text.contains("-0.00"))
  }

  @Test func itemKeysInOrder() {
    let text = json(ReportSamples.rich).reportText
    #expect(
      text.contains("{ \"indicator\": \"delays\", \"fact\": \"f9\", \"points\": \"0.00\", \"cancelled_by\": \"f30\" }"))
    #expect(text.contains("{ \"indicator\": \"delays\", \"kind\": \"cap\", \"points\": \"10.00\" }"))
    #expect(text.contains("{ \"indicator\": \"public\", \"kind\": \"max\", \"points\": \"-0.30\" }"))
    #expect(text.contains("{ \"indicator\": \"public\", \"kind\": \"min\", \"points\": \"0.50\" }"))
  }

  @Test func weightedAnnualHasPeriodsInsteadOfItems() {
    let text = json(ReportSamples.rich).reportText
    guard let annual = text.range(of: "\"scope\": \"annual\"") else {
      Issue.record("no annual scope")
      return
    }
    let tail = text[annual.upperBound...]
    #expect(!tail.contains("\"items\""))
    #expect(
      tail.contains(
        """
                  "periods": [
                    {
                      "period": "Q1",
                      "weight": "0.4",
                      "total": "1046.30"
                    },
                    {
                      "period": "Q2",
                      "weight": "0.6",
                      "total": "1000.00"
                    }
                  ]
                }
        """))
  }

  @Test func escapesControlCharactersInUpperCaseHexAndKeepsSlashAndNonASCII() {
    let text = json(ReportSamples.rich).reportText
    #expect(text.contains(#""reason": "no level \"city\u0007\"\u0009in the table\u001F" }"#))
    #expect(text.contains(#""path": "data/单位名单.csv""#))
    #expect(!text.contains("\\/"))
  }

  @Test func rejectedAndWarningsOneElementInlineSeveralOnePerLine() {
    let minimal = json(ReportSamples.minimal).reportText
    #expect(
      minimal.contains(
        """
          "rejected": [ { "fact": "facts.jsonl:2", "file": "facts.jsonl", "row": 2, "code": "K403", "reason": "a/b" } ],
          "warnings": []
        }

        """))
    let rich = json(ReportSamples.rich).reportText
    #expect(
      rich.contains(
        """
          "warnings": [
            { "code": "K450", "message": "facts for subjects not in the roster", "facts": 2 },
            { "code": "K451", "message": "roster column 'x-备注' is not declared", "facts": 1 }
          ]
        }

        """))
  }

  @Test func outcomesOneMemberPerLine() {
    let text = json(ReportSamples.rich).reportText
    #expect(
      text.contains(
        """
                  "outcomes": [
                    {
                      "id": "reminder",
                      "reason": "bottom 1 of 2"
                    },
                    {
                      "id": "veto",
                      "reason": "facts.major_error.size() > 0"
                    }
                  ],
        """))
  }

  @Test func scopeFilter() {
    let text = json(ReportSamples.rich, options: ReportOptions(scopes: ["Q2"])).reportText
    #expect(text.contains("\"scope\": \"Q2\""))
    #expect(!text.contains("\"scope\": \"Q1\""))
    #expect(!text.contains("\"scope\": \"annual\""))
  }

  @Test func decimalsZeroAndSix() {
    #expect(json(ReportSamples.minimal).reportText.contains("\"total\": \"10\","))
    var six = ReportSamples.specExample
    six.decimals = 6
    #expect(json(six).reportText.contains("\"total\": \"1044.000000\","))
  }
}
