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
    _ result: EvaluationResult, scopes: [ScopeResult], options: ReportOptions, into out: inout ReportBuffer
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
        table.write(into: &out)
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
  var columns: [(header: String, rightAligned: Bool)]
  var rows: [[String]]

  /// Each column's width in terminal columns: its widest cell or header.
  var widths: [Int] {
    columns.indices.map { column in
      rows.reduce(columns[column].header.displayWidth) { widest, row in
        column < row.count ? max(widest, row[column].displayWidth) : widest
      }
    }
  }

  /// Writes the header, a line of dashes under each header, then the rows.
  func write(into out: inout ReportBuffer) {
    let widths = self.widths
    writeLine(columns.map(\.header), widths: widths, into: &out)
    writeLine(widths.map { String(repeating: "-", count: $0) }, widths: widths, into: &out)
    for row in rows {
      writeLine(row, widths: widths, into: &out)
    }
  }

  private func writeLine(_ cells: [String], widths: [Int], into out: inout ReportBuffer) {
    var line = ""
    for (column, width) in widths.enumerated() {
      let cell = column < cells.count ? cells[column] : ""
      if column > 0 { line += "  " }
      let padding = String(repeating: " ", count: max(width - cell.displayWidth, 0))
      if columns[column].rightAligned {
        line += padding + cell
      } else {
        line += cell + padding
      }
    }
    while line.last == " " { line.removeLast() }
    out.append(text: line)
    out.append(byte: UInt8(ascii: "\n"))
  }
}
