/// A problem found while scanning a fact file.
///
/// `row` is the CSV spreadsheet row (the header is row 1) or the JSON Lines line
/// number; `column` is 1-based and counts Unicode scalars from the start of that row
/// (for a CSV row whose quoted cell spans lines, the line breaks inside the quotes
/// count as one scalar each, like any other character of the row).
struct ScanError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The 1-based row (CSV) or line (JSON Lines) of the problem.
  var row: Int
  /// The 1-based column, in Unicode scalars from the start of the row.
  var column: Int
  /// What is wrong, in words a policy officer understands.
  var message: String
  /// How to fix it, when there is something useful to say.
  var hint: String?
  /// True when only one record is malformed and the scanner has already moved past
  /// it: asking for the next record continues with the one after. False when the
  /// rest of the file cannot be read (not UTF-8, an unterminated quote, a bad
  /// header, …); the scanner then reports no further records.
  var isRecoverable: Bool

  init(row: Int, column: Int, message: String, hint: String? = nil, isRecoverable: Bool = false) {
    self.row = row
    self.column = column
    self.message = message
    self.hint = hint
    self.isRecoverable = isRecoverable
  }

  var description: String {
    var text = "\(row):\(column): \(message)"
    if let hint { text += " (hint: \(hint))" }
    return text
  }
}
