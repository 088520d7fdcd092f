extension String {
  /// Appends `text` as a JSON string literal, as the result format writes strings:
  /// non-ASCII characters and `/` as they are, `"` and `\` escaped, control characters
  /// as `\u00XX` with upper-case hex (and `\n`, `\r`, `\t` as `\n`, `\r`, `\t`).
  mutating func appendJSONString(_ text: some StringProtocol) {
    append("\"")
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": append("\\\"")
      case "\\": append("\\\\")
      case "\n": append("\\n")
      case "\r": append("\\r")
      case "\t": append("\\t")
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        let hex = String(scalar.value, radix: 16, uppercase: true)
        append("\\u")
        append(String(repeating: "0", count: 4 - hex.count))
        append(hex)
      default:
        unicodeScalars.append(scalar)
      }
    }
    append("\"")
  }

  /// `text` as a JSON string literal (see ``appendJSONString(_:)``).
  static func jsonLiteral(_ text: some StringProtocol) -> String {
    var out = ""
    out.appendJSONString(text)
    return out
  }
}
