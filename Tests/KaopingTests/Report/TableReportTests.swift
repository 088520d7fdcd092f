import Testing

@testable import Kaoping

@Suite struct TableReportTests {
  private func table(_ result: EvaluationResult, options: ReportOptions = ReportOptions()) -> String {
    ReportWriter.write(result, format: .table, options: options).reportText
  }

  @Test func richResult() {
    expectGolden(ReportWriter.write(ReportSamples.rich, format: .table), "rich.txt")
  }

  /// The display column where `cell` starts on `line`.
  private func column(of cell: String, in line: Substring) -> Int? {
    guard let range = line.range(of: cell) else { return nil }
    return line[..<range.lowerBound].displayWidth
  }

  @Test func columnsAlignWithWideCharacters() throws {
    let result = ReportSamples.roster([
      (id: "D01", name: "城关区", group: "g"),
      (id: "城关区", name: "D01", group: "g"),
    ])
    let lines = table(result).split(separator: "\n")
    let header = try #require(lines.firstIndex { $0.hasPrefix("rank") })
    let rows = lines[header..<(header + 4)]
    // subject and name columns start at the same display column on every line, and the
    // right-aligned total column ends at the same one.
    let subjectStarts = [
      column(of: "subject", in: rows[header]), column(of: "-------", in: rows[header + 1]),
      column(of: "D01", in: rows[header + 2]), column(of: "城关区", in: rows[header + 3]),
    ]
    #expect(subjectStarts == [6, 6, 6, 6])
    let nameStarts = [
      column(of: "name", in: rows[header]), column(of: "城关区", in: rows[header + 2]),
      column(of: "D01", in: rows[header + 3]),
    ]
    #expect(nameStarts == [15, 15, 15])
    let totalEnds = [
      column(of: "total", in: rows[header]).map { $0 + 5 },
      column(of: "1000.00", in: rows[header + 2]).map { $0 + 7 },
      column(of: "999.00", in: rows[header + 3]).map { $0 + 6 },
    ]
    #expect(totalEnds == [30, 30, 30])
    #expect(rows[header + 2] == "   1  D01      城关区  1000.00")
    #expect(rows[header + 3] == "   2  城关区   D01      999.00")
  }

  @Test func groupsByRankWithNamesAndFlags() {
    let text = table(ReportSamples.rich, options: ReportOptions(scopes: ["Q1"]))
    #expect(
      text.contains(
        """
        区政府
        rank  subject  name        total  grade  flags
        ----  -------  --------  -------  -----  ----------
           1  D01      城关区    1046.30  优秀
           2  D03      西固区    1000.00  良好
           3  D02      七里河区   977.32  达标   督办提醒函

        """))
    #expect(text.contains("economy\n"), "a group without a name shows its id")
    #expect(text.contains("督办提醒函, 一票否决\n"))
    #expect(text.hasSuffix("\nfacts 14: applied 10, unmatched 2, rejected 2\n"))
    #expect(!text.contains(" \n"), "no trailing spaces")
  }

  @Test func controlCharactersCannotBreakLines() {
    let text = table(ReportSamples.roster([(id: "S1", name: "a\nb\u{1B}[31m", group: "g")]))
    #expect(text.contains("S1       a\u{FFFD}b\u{FFFD}[31m"))
    #expect(!text.contains("\u{1B}"))
  }

  @Test func markdownRichResult() {
    expectGolden(ReportWriter.write(ReportSamples.rich, format: .markdown), "rich.md")
  }

  @Test func markdownEscapesPipes() {
    let text = ReportWriter.write(ReportSamples.rich, format: .markdown).reportText
    #expect(
      text.contains("| 2 | E02 | 财政局\\|审计 | 960.50 | | 督办提醒函, 一票否决 |\n")
        || text.contains("| 2 | E02 | 财政局\\|审计 | 960.50 |  | 督办提醒函, 一票否决 |\n"))
    #expect(
      text.contains("| rank | subject | name | total | grade | flags |\n| ---: | --- | --- | ---: | --- | --- |\n"))
    let escaped = MarkdownReporter.escape("a|b\\|c\nd")
    #expect(escaped == "a\\|b\\\\\\|c d")
  }
}
