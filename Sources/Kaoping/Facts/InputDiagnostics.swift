extension FactLoader {
  /// The file named by diagnostics about the rule file's own `subjects`.
  static let inlineRosterFile = "<rules>"

  /// Diagnostics about the rule file's own `subjects` (or its missing roster) made to point
  /// into the rule file at `rulePath`.
  static func locatingInlineRoster(_ diagnostics: [Diagnostic], rules: RuleSet, rulePath: String) -> [Diagnostic] {
    diagnostics.map { diagnostic in
      var diagnostic = diagnostic
      if diagnostic.file == inlineRosterFile || diagnostic.file == rules.id { diagnostic.file = rulePath }
      return diagnostic
    }
  }

  /// `K420` for each header column of a fact file that no fact type declares, pointing
  /// at the column in the header (line 1).
  func unknownColumnDiagnostics(_ file: RawFile) -> [Diagnostic] {
    let unknownNames = Set(unknownColumns(file.columns))
    let unknown = file.columns.indices.filter { unknownNames.contains(file.columns[$0]) }
    guard !unknown.isEmpty else { return [] }
    let names = RuleEnvironments.builtInFactFields + rules.factTypes.flatMap { $0.fields.map(\.id) }
    let starts = CSVLines.headerCellColumns(file.bytes)
    return unknown.map { index in
      let column = file.columns[index]
      return Diagnostic(
        code: .unknownColumn, message: "the column '\(column)' is not a field of any fact type", file: file.path,
        line: 1, column: index < starts.count ? starts[index] : 1,
        hint: Suggest.closest(to: column, among: names).map { "did you mean '\($0)'?" }
          ?? "prefix columns for other uses with x-")
    }
  }
}

/// Where things are in the lines of a CSV file, for diagnostics.
enum CSVLines {
  /// The 1-based column (in Unicode scalars, after a byte order mark) where each cell of
  /// the header line starts.
  static func headerCellColumns(_ bytes: [UInt8]) -> [Int] {
    var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    var column = 1
    var starts = [1]
    var quoted = false
    while index < bytes.count {
      let byte = bytes[index]
      if !quoted, byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
      if byte == UInt8(ascii: "\"") { quoted.toggle() }
      let startsScalar = byte & 0xC0 != 0x80
      if startsScalar { column += 1 }
      if byte == UInt8(ascii: ","), !quoted { starts.append(column) }
      index += 1
    }
    return starts
  }

  /// Whether a quoted cell holds a line break (then rows are not lines).
  static func quotedLineBreak(in bytes: [UInt8]) -> Bool {
    var quoted = false
    for byte in bytes {
      if byte == UInt8(ascii: "\"") {
        quoted.toggle()
      } else if quoted, byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
        return true
      }
    }
    return false
  }
}
