// `kaoping eval --format table`: aligned tables for a terminal, with plain ASCII rules.
//
//   XX市政府政务绩效考评办法（2023年度）
//
//   == annual ==
//
//   区政府
//   rank  subject  name        total  grade  flags
//   ----  -------  --------  -------  -----  ----------
//      1  D01      城关区    1046.30  优秀
//      2  D03      西固区    1000.00  良好
//      3  D02      七里河区   977.32  达标   督办提醒函
//
//   facts 120: applied 110, unmatched 8, rejected 2
//
// Every scope written, in result order; per scope the groups in order of their first
// subject in the roster (heading: the group's name, else its id); per group the subjects
// by rank, ties in roster order. Columns are two spaces apart and padded by display width
// (CJK characters count two columns); rank and total are right-aligned; trailing spaces
// are trimmed; control characters in text show as U+FFFD. The accounting line ends it.

enum TableReporter: ResultReporter {
  static var format: ReportFormat { .table }

  static func write(
    _ result: EvaluationResult, scopes: [ScopeResult], options: ReportOptions, into out: ReportBuffer
  ) {
    out.append(text: clean(ScopeTables.title(of: result)))
    out.append("\n\n")
    for tables in ScopeTables.all(result, scopes: scopes) {
      out.append("== ")
      out.append(text: clean(tables.scope))
      out.append(" ==\n\n")
      if tables.groups.isEmpty {
        out.append("(no subjects)\n\n")
      }
      for group in tables.groups {
        out.append(text: clean(group.heading))
        out.append(byte: UInt8(ascii: "\n"))
        let table = TextTable(
          columns: ScopeTables.columns, rows: group.rows.map { $0.map(clean) })
        table.write(into: out)
        out.append(byte: UInt8(ascii: "\n"))
      }
    }
    out.append(text: ScopeTables.accountingSummary(result.accounting))
    out.append(byte: UInt8(ascii: "\n"))
  }

  /// Cell text safe for a terminal: control characters shown as `�`.
  private static func clean(_ text: String) -> String {
    text.replacingControlCharacters(with: "\u{FFFD}")
  }
}

/// A plain-text table whose columns line up on a terminal, CJK text included.
struct TextTable {
  private var columns: [(header: String, rightAligned: Bool)]
  /// The cells with their display widths.
  private var rows: [[(text: String, width: Int)]]
  /// Each column's width in terminal columns: its widest cell or header.
  let widths: [Int]

  init(columns: [(header: String, rightAligned: Bool)], rows: [[String]]) {
    self.columns = columns
    self.rows = rows.map { row in row.map { ($0, Self.width(of: $0)) } }
    var widths = columns.map { Self.width(of: $0.header) }
    for row in self.rows {
      for (column, cell) in row.enumerated() where column < widths.count {
        widths[column] = max(widths[column], cell.width)
      }
    }
    self.widths = widths
  }

  /// The display width of `text`; ASCII text takes one column per byte.
  private static func width(of text: String) -> Int {
    text.utf8.allSatisfy { $0 < 0x80 } ? text.utf8.count : text.displayWidth
  }

  /// Writes the header, a line of dashes under each header, then the rows.
  func write(into out: ReportBuffer) {
    writeLine(columns.map { ($0.header, Self.width(of: $0.header)) }, into: out)
    writeLine(widths.map { (String(repeating: "-", count: $0), $0) }, into: out)
    for row in rows {
      writeLine(row, into: out)
    }
  }

  /// One line: cells two spaces apart, padded to their column's width, no trailing spaces.
  private func writeLine(_ cells: [(text: String, width: Int)], into out: ReportBuffer) {
    let count = min(cells.count, widths.count)
    guard let last = cells[..<count].lastIndex(where: { !$0.text.isEmpty }) else {
      out.append(byte: UInt8(ascii: "\n"))
      return
    }
    for column in 0...last {
      let cell = cells[column]
      if column > 0 { out.append("  ") }
      let padding = max(widths[column] &- cell.width, 0)
      if columns[column].rightAligned {
        appendSpaces(padding, into: out)
        out.append(text: cell.text)
      } else {
        out.append(text: cell.text)
        if column < last { appendSpaces(padding, into: out) }
      }
    }
    out.append(byte: UInt8(ascii: "\n"))
  }

  private func appendSpaces(_ count: Int, into out: ReportBuffer) {
    for _ in 0..<count { out.append(byte: UInt8(ascii: " ")) }
  }
}
