// `kaoping eval --format markdown`: the table report as GitHub-flavoured Markdown.
//
//   # XX市政府政务绩效考评办法（2023年度）
//
//   ## annual
//
//   ### 区政府
//
//   | rank | subject | name | total | grade | flags |
//   | ---: | --- | --- | ---: | --- | --- |
//   | 1 | D01 | 城关区 | 1044.00 | 优秀 |  |
//
//   facts 120: applied 110, unmatched 8, rejected 2
//
// In text, `\` and `|` are escaped with a backslash, control characters become spaces.

enum MarkdownReporter: ResultReporter {
  static var format: ReportFormat { .markdown }

  static func write(
    _ result: EvaluationResult, scopes: [ScopeResult], options: ReportOptions, into out: ReportBuffer
  ) {
    out.append("# ")
    out.append(text: escape(ScopeTables.title(of: result)))
    out.append("\n\n")
    for tables in ScopeTables.all(result, scopes: scopes) {
      out.append("## ")
      out.append(text: escape(tables.scope))
      out.append("\n\n")
      if tables.groups.isEmpty {
        out.append("(no subjects)\n\n")
      }
      for group in tables.groups {
        out.append("### ")
        out.append(text: escape(group.heading))
        out.append("\n\n")
        writeRow(ScopeTables.columns.map(\.header), into: out)
        writeRow(ScopeTables.columns.map { $0.rightAligned ? "---:" : "---" }, into: out)
        for row in group.rows {
          writeRow(row.map(escape), into: out)
        }
        out.append(byte: UInt8(ascii: "\n"))
      }
    }
    out.append(text: ScopeTables.accountingSummary(result.accounting))
    out.append(byte: UInt8(ascii: "\n"))
  }

  /// `| a | b |` — cells already escaped.
  private static func writeRow(_ cells: [String], into out: ReportBuffer) {
    out.append(byte: UInt8(ascii: "|"))
    for cell in cells {
      out.append(byte: UInt8(ascii: " "))
      out.append(text: cell)
      out.append(" |")
    }
    out.append(byte: UInt8(ascii: "\n"))
  }

  /// Text safe inside a table cell or heading: `\` → `\\`, `|` → `\|`, control
  /// characters (line breaks included) → a space.
  static func escape(_ text: String) -> String {
    let cleaned = text.replacingControlCharacters(with: " ")
    guard cleaned.utf8.contains(where: { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "\\") }) else {
      return cleaned
    }
    var out = ""
    out.reserveCapacity(cleaned.utf8.count + 4)
    for character in cleaned.unicodeScalars {
      if character == "|" || character == "\\" { out.unicodeScalars.append("\\") }
      out.unicodeScalars.append(character)
    }
    return out
  }
}
