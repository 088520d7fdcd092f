import Testing

@testable import Kaoping

@Suite struct CSVReportTests {
  private func csv(_ result: EvaluationResult, options: ReportOptions = ReportOptions()) -> [UInt8] {
    ReportWriter.write(result, format: .csv, options: options)
  }

  @Test func richResult() {
    expectGolden(csv(ReportSamples.rich), "rich.csv")
  }

  @Test func headerAndRowOrder() {
    let lines = csv(ReportSamples.rich).reportText.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.first == "scope,subject,name,group,total,rank,group_size,grade,outcomes,awards,delays,ontime,public")
    #expect(lines.count == 1 + 3 * 5 + 1)
    #expect(lines.last == "")
    #expect(lines[1] == "Q1,D01,城关区,district,1046.30,1,3,excellent,,50.00,-6.00,0.00,2.30")
    #expect(lines[5] == "Q1,E02,财政局|审计,economy,960.50,2,2,,reminder;veto,0.00,-40.00,0.00,0.50")
    #expect(lines[6].hasPrefix("Q2,D01,"))
    #expect(lines[11].hasPrefix("annual,D01,"))
  }

  @Test(arguments: [
    ("a,b", "\"a,b\""),
    ("a\"b", "\"a\"\"b\""),
    ("a\nb", "\"a\nb\""),
    ("a\rb", "\"a\rb\""),
    ("\"", "\"\"\"\""),
    ("a;b c", "a;b c"),
    ("城关区", "城关区"),
    ("", ""),
  ])
  func quotesOnlyWhenNeeded(_ name: String, _ field: String) {
    let text = csv(ReportSamples.roster([(id: "S1", name: name, group: "g")])).reportText
    #expect(
      text
        == "scope,subject,name,group,total,rank,group_size,grade,outcomes,a,b\nannual,S1,\(field),g,1000.00,1,1,,,0.00,0.00\n"
    )
  }

  @Test func bomPrefix() {
    let plain = csv(ReportSamples.rich)
    let withBOM = csv(ReportSamples.rich, options: ReportOptions(bom: true))
    #expect(Array(withBOM.prefix(3)) == [0xEF, 0xBB, 0xBF])
    #expect(Array(withBOM.dropFirst(3)) == plain)
    #expect(plain.first == UInt8(ascii: "s"))
  }

  @Test func scopeFilter() {
    let lines = csv(ReportSamples.rich, options: ReportOptions(scopes: ["annual"])).reportText.split(separator: "\n")
    #expect(lines.count == 6)
    #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("annual,") })
  }

  @Test func missingIndicatorLeavesTheFieldEmpty() {
    var result = ReportSamples.roster([(id: "S1", name: "n", group: "g"), (id: "S2", name: "m", group: "g")])
    result.scopes[0].subjects[1].indicators = [IndicatorValue(id: "b", value: ExactDecimal(3))]
    let lines = csv(result).reportText.split(separator: "\n")
    #expect(lines[1] == "annual,S1,n,g,1000.00,1,2,,,0.00,0.00")
    #expect(lines[2] == "annual,S2,m,g,999.00,2,2,,,,3.00")
  }
}
