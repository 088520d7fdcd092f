// A small strict JSON (RFC 8259) reader and writer, without Foundation. Numbers
// are kept as their source text so that no precision is lost before the caller
// decides how to read them (an exact decimal, an int).

/// A parsed JSON value. Objects keep their members in source order.
enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// The number exactly as written (`-1.50e3`).
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.string(let x), .string(let y)): return scalarsEqual(x, y)
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { scalarsEqual($0.key, $1.key) && $0.value == $1.value }
    default: return false
    }
  }

  /// The member with this key, for an object.
  subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }
}

/// A syntax error in JSON text, with its 1-based line and column (columns
/// count Unicode scalars).
struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
  var message: String
  var line: Int
  var column: Int

  var description: String { "\(line):\(column): \(message)" }
}

/// Reads one JSON value from UTF-8 text.
struct JSONReader {
  private let bytes: [UInt8]
  private var position = 0
  private var depth = 0
  private static let maxDepth = 512

  /// Parses a complete JSON text: one value, optionally surrounded by
  /// whitespace.
  static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
    try parse(bytes: Array(text.utf8))
  }

  static func parse(bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
    var reader = JSONReader(bytes: bytes)
    reader.skipWhitespace()
    let value = try reader.readValue()
    reader.skipWhitespace()
    if reader.position < bytes.count {
      throw reader.error("unexpected text after the JSON value")
    }
    return value
  }

  private init(bytes: [UInt8]) {
    self.bytes = bytes
  }

  private func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
    let end = min(offset ?? position, bytes.count)
    var line = 1
    var column = 1
    var i = 0
    while i < end {
      let b = bytes[i]
      if b == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if b & 0xC0 != 0x80 {
        column += 1
      }
      i += 1
    }
    return JSONSyntaxError(message: message, line: line, column: column)
  }

  private mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x09, 0x0A, 0x0D: position += 1
      default: return
      }
    }
  }

  private mutating func readValue() throws(JSONSyntaxError) -> JSONValue {
    guard position < bytes.count else { throw error("unexpected end of JSON") }
    switch bytes[position] {
    case UInt8(ascii: "{"): return try readObject()
    case UInt8(ascii: "["): return try readArray()
    case UInt8(ascii: "\""): return .string(try readString())
    case UInt8(ascii: "t"):
      try expectWord("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectWord("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectWord("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
    default: throw error("unexpected character \(describe(at: position))")
    }
  }

  private func describe(at offset: Int) -> String {
    let b = bytes[offset]
    if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    return String(format2: b)
  }

  private mutating func expectWord(_ word: String) throws(JSONSyntaxError) {
    let start = position
    for w in word.utf8 {
      guard position < bytes.count, bytes[position] == w else {
        throw error("invalid literal; expected \(word)", at: start)
      }
      position += 1
    }
  }

  private mutating func enter() throws(JSONSyntaxError) {
    depth += 1
    if depth > JSONReader.maxDepth { throw error("JSON nested too deeply") }
  }

  private mutating func readObject() throws(JSONSyntaxError) -> JSONValue {
    try enter()
    position += 1
    var members: [(key: String, value: JSONValue)] = []
    skipWhitespace()
    if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
      position += 1
      depth -= 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
        throw error("expected a string key in an object")
      }
      let key = try readString()
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
        throw error("expected ':' after an object key")
      }
      position += 1
      skipWhitespace()
      let value = try readValue()
      members.append((key, value))
      skipWhitespace()
      guard position < bytes.count else { throw error("unexpected end of JSON in an object") }
      if bytes[position] == UInt8(ascii: ",") {
        position += 1
        continue
      }
      if bytes[position] == UInt8(ascii: "}") {
        position += 1
        depth -= 1
        return .object(members)
      }
      throw error("expected ',' or '}' in an object")
    }
  }

  private mutating func readArray() throws(JSONSyntaxError) -> JSONValue {
    try enter()
    position += 1
    var items: [JSONValue] = []
    skipWhitespace()
    if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
      position += 1
      depth -= 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try readValue())
      skipWhitespace()
      guard position < bytes.count else { throw error("unexpected end of JSON in an array") }
      if bytes[position] == UInt8(ascii: ",") {
        position += 1
        continue
      }
      if bytes[position] == UInt8(ascii: "]") {
        position += 1
        depth -= 1
        return .array(items)
      }
      throw error("expected ',' or ']' in an array")
    }
  }

  private mutating func readNumber() throws(JSONSyntaxError) -> String {
    let start = position
    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    if bytes[position] == UInt8(ascii: "-") { position += 1 }
    guard position < bytes.count, isDigit(bytes[position]) else { throw error("invalid number") }
    if bytes[position] == UInt8(ascii: "0") {
      position += 1
      if position < bytes.count && isDigit(bytes[position]) {
        throw error("invalid number: leading zero")
      }
    } else {
      while position < bytes.count && isDigit(bytes[position]) { position += 1 }
    }
    if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
      position += 1
      guard position < bytes.count, isDigit(bytes[position]) else {
        throw error("invalid number: a digit must follow '.'")
      }
      while position < bytes.count && isDigit(bytes[position]) { position += 1 }
    }
    if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
      position += 1
      if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
        position += 1
      }
      guard position < bytes.count, isDigit(bytes[position]) else {
        throw error("invalid number: a digit must follow the exponent mark")
      }
      while position < bytes.count && isDigit(bytes[position]) { position += 1 }
    }
    return String(decoding: bytes[start..<position], as: UTF8.self)
  }

  private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
    guard position + 4 <= bytes.count else { throw error("invalid \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let b = bytes[position]
      let d: UInt32
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
      default: throw error("invalid \\u escape")
      }
      v = v << 4 | d
      position += 1
    }
    return v
  }

  private mutating func readString() throws(JSONSyntaxError) -> String {
    let start = position
    position += 1
    var out: [UInt8] = []
    var runStart = position
    while true {
      guard position < bytes.count else { throw error("unterminated string", at: start) }
      let b = bytes[position]
      if b == UInt8(ascii: "\"") {
        out.append(contentsOf: bytes[runStart..<position])
        position += 1
        break
      }
      if b < 0x20 {
        throw error("control character in a string: write it as \\u\(hex4(UInt32(b)))")
      }
      if b != UInt8(ascii: "\\") {
        position += 1
        continue
      }
      out.append(contentsOf: bytes[runStart..<position])
      position += 1
      guard position < bytes.count else { throw error("unterminated string", at: start) }
      let e = bytes[position]
      position += 1
      switch e {
      case UInt8(ascii: "\""): out.append(0x22)
      case UInt8(ascii: "\\"): out.append(0x5C)
      case UInt8(ascii: "/"): out.append(0x2F)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        let escapeStart = position - 2
        var scalar = try readHex4()
        if scalar >= 0xD800 && scalar < 0xDC00 {
          guard position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
            bytes[position + 1] == UInt8(ascii: "u")
          else { throw error("unpaired surrogate in \\u escape", at: escapeStart) }
          position += 2
          let low = try readHex4()
          guard low >= 0xDC00 && low < 0xE000 else {
            throw error("unpaired surrogate in \\u escape", at: escapeStart)
          }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar < 0xE000 {
          throw error("unpaired surrogate in \\u escape", at: escapeStart)
        }
        guard let s = Unicode.Scalar(scalar) else { throw error("invalid \\u escape", at: escapeStart) }
        appendUTF8(s, to: &out)
      default:
        throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'", at: position - 2)
      }
      runStart = position
    }
    guard let s = String(validating: out, as: UTF8.self) else {
      throw error("invalid UTF-8 in a string", at: start)
    }
    return s
  }
}

extension String {
  fileprivate init(format2 b: UInt8) {
    self = "byte 0x" + hex2(b)
  }
}

/// Appends the UTF-8 encoding of a scalar.
func appendUTF8(_ s: Unicode.Scalar, to out: inout [UInt8]) {
  let v = s.value
  switch v {
  case 0..<0x80:
    out.append(UInt8(v))
  case 0x80..<0x800:
    out.append(UInt8(0xC0 | (v >> 6)))
    out.append(UInt8(0x80 | (v & 0x3F)))
  case 0x800..<0x10000:
    out.append(UInt8(0xE0 | (v >> 12)))
    out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
    out.append(UInt8(0x80 | (v & 0x3F)))
  default:
    out.append(UInt8(0xF0 | (v >> 18)))
    out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
    out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
    out.append(UInt8(0x80 | (v & 0x3F)))
  }
}

func hex4(_ v: UInt32) -> String {
  hex2(UInt8(truncatingIfNeeded: v >> 8)) + hex2(UInt8(truncatingIfNeeded: v))
}

/// Writes JSON text.
enum JSONWriter {
  /// A JSON string literal as the project writes them (§13.1, see
  /// `String.jsonLiteral`).
  static func quote(_ text: String) -> String { String.jsonLiteral(text) }

  /// Compact JSON text for a value.
  static func write(_ value: JSONValue) -> String {
    var out = ""
    write(value, into: &out)
    return out
  }

  static func write(_ value: JSONValue, into out: inout String) {
    switch value {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let n): out += n
    case .string(let s): out += quote(s)
    case .array(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        write(item, into: &out)
      }
      out += "]"
    case .object(let members):
      out += "{"
      for (i, member) in members.enumerated() {
        if i > 0 { out += "," }
        out += quote(member.key)
        out += ":"
        write(member.value, into: &out)
      }
      out += "}"
    }
  }
}
