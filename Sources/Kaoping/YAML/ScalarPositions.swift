/// Maps offsets in a scalar's value back to positions in the file, so that an error
/// inside an expression points at its token (spec §13): exactly for plain, quoted and
/// block scalars, since YAML folding only changes white space; at the scalar's start
/// for a double-quoted scalar with escapes.
struct ScalarPositions: Sendable, Hashable {
  private let start: SourceMark
  private let style: YAMLScalar.Style
  /// The scalar as written in the file, quotes and block header included.
  private let raw: [Unicode.Scalar]
  private let value: [Unicode.Scalar]

  init(node: YAMLNode, fileScalars: [Unicode.Scalar]) {
    start = node.start
    let text = node.scalar?.text ?? ""
    style = node.scalar?.style ?? .plain
    value = Array(text.unicodeScalars)
    let lower = max(0, min(node.start.offset, fileScalars.count))
    let upper = max(lower, min(node.end.offset, fileScalars.count))
    raw = Array(fileScalars[lower..<upper])
  }

  /// A position for text that is not in a file (tests, `kaoping expr`).
  init(line: Int, column: Int, text: String) {
    start = SourceMark(line: line, column: column, offset: 0)
    style = .plain
    value = Array(text.unicodeScalars)
    raw = value
  }

  /// 1-based line and column of the scalar at `offset` in the value.
  func position(of offset: Int) -> (line: Int, column: Int) {
    let offset = max(0, min(offset, value.count))
    if style == .plain, raw == value {
      return (start.line, start.column + offset)
    }
    if style == .doubleQuoted, raw.contains("\\") {
      return (start.line, start.column)
    }
    // Count the non-white-space scalars before the offset, then find that many in the raw text.
    var wanted = 0
    for scalar in value[..<offset] where !Self.isSpace(scalar) { wanted += 1 }
    var line = start.line
    var column = start.column
    var index = 0
    switch style {
    case .singleQuoted, .doubleQuoted:
      index = 1
      column += 1
    case .literal, .folded:
      while index < raw.count, raw[index] != "\n" { index += 1 }
    case .plain:
      break
    }
    var seen = 0
    while index < raw.count {
      let scalar = raw[index]
      if scalar == "\n" {
        line += 1
        column = 1
        index += 1
        continue
      }
      if !Self.isSpace(scalar) {
        if seen == wanted { return (line, column) }
        seen += 1
        if style == .singleQuoted, scalar == "'", index + 1 < raw.count, raw[index + 1] == "'" {
          index += 1
          column += 1
        }
      }
      index += 1
      column += 1
    }
    return (line, column)
  }

  private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
  }
}
