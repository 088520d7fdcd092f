#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// What kind of plain value a JSON field holds.
enum JSONValueKind: Equatable, Sendable {
  /// Text; `needsUnescape` when it contains `\` escapes.
  case string(needsUnescape: Bool)
  /// A number; `isInteger` when written without a fraction or exponent (`3`, `-0`,
  /// not `3.0` or `1e5`). Its exact source text is the field's value range.
  case number(isInteger: Bool)
  /// `true` or `false`.
  case bool(Bool)
  /// `null`.
  case null
}

/// One `"key": value` member of a JSON Lines object, as byte ranges of the scanned
/// buffer. String ranges lie between the quotes, escapes still in place.
struct JSONField: Equatable, Sendable {
  /// Offset of the key's first byte (after its opening quote).
  var keyStart: Int
  /// Offset of the key's closing quote.
  var keyEnd: Int
  /// The key contains `\` escapes.
  var keyNeedsUnescape: Bool
  /// Offset of the value's first byte (for a string, after its opening quote).
  var valueStart: Int
  /// Offset just past the value (for a string, its closing quote).
  var valueEnd: Int
  /// What the value is.
  var kind: JSONValueKind

  /// The key's bytes as written (escapes still in place).
  func rawKey(in source: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: source[keyStart..<keyEnd])
  }

  /// The value's bytes as written: a number's exact text, a string's content
  /// between the quotes (escapes still in place), `true`, `false` or `null`.
  func rawValue(in source: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: source[valueStart..<valueEnd])
  }

  /// The key, unescaped.
  func key(in source: UnsafeRawBufferPointer) -> String {
    JSONText.string(rawKey(in: source), needsUnescape: keyNeedsUnescape)
  }

  /// The value as text: a string unescaped, any other value as written.
  func valueText(in source: UnsafeRawBufferPointer) -> String {
    if case .string(let needsUnescape) = kind {
      return JSONText.string(rawValue(in: source), needsUnescape: needsUnescape)
    }
    return String(decoding: rawValue(in: source), as: UTF8.self)
  }

  /// Calls `body` with the key's unescaped UTF-8 bytes (the source bytes
  /// themselves unless there are escapes).
  func withKeyBytes<R, E: Error>(
    in source: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(E) -> R
  ) throws(E) -> R {
    try JSONText.withBytes(rawKey(in: source), needsUnescape: keyNeedsUnescape, body)
  }

  /// Calls `body` with the value's bytes: a string's unescaped UTF-8 (the source
  /// bytes themselves unless there are escapes), any other value as written.
  func withValueBytes<R, E: Error>(
    in source: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(E) -> R
  ) throws(E) -> R {
    if case .string(true) = kind {
      return try JSONText.withBytes(rawValue(in: source), needsUnescape: true, body)
    }
    return try body(rawValue(in: source))
  }
}

/// One JSON Lines record: its line number and its fields in the order written.
///
/// `fields` points into the scanner's reused storage: it is valid until the
/// scanner is asked for the next record.
struct JSONRecord {
  /// The 1-based line number.
  var line: Int
  /// The object's members in the order written.
  var fields: UnsafeBufferPointer<JSONField>
}

/// Decoding of JSON string contents (the bytes between the quotes).
enum JSONText {
  /// The text of string content `raw`, escapes decoded when `needsUnescape`.
  static func string(_ raw: UnsafeRawBufferPointer, needsUnescape: Bool) -> String {
    guard needsUnescape else { return String(decoding: raw, as: UTF8.self) }
    return String(unsafeUninitializedCapacity: raw.count) { out in
      unescape(raw, into: UnsafeMutableRawBufferPointer(out))
    }
  }

  /// Calls `body` with the UTF-8 of string content `raw`: `raw` itself, or a
  /// decoded copy when `needsUnescape`.
  static func withBytes<R, E: Error>(
    _ raw: UnsafeRawBufferPointer, needsUnescape: Bool, _ body: (UnsafeRawBufferPointer) throws(E) -> R
  ) throws(E) -> R {
    guard needsUnescape else { return try body(raw) }
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(raw.count, 1), alignment: 1)
    defer { copy.deallocate() }
    let length = unescape(raw, into: copy)
    return try body(UnsafeRawBufferPointer(rebasing: copy[0..<length]))
  }

  /// Decodes the escapes of string content `raw` into `out` (never longer than
  /// `raw`); returns the length. Malformed escapes (which a scanned buffer never
  /// holds) become U+FFFD.
  @discardableResult
  static func unescape(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
    var length = 0
    var i = 0
    let n = raw.count
    func put(_ byte: UInt8) {
      if length < out.count {
        out[length] = byte
        length += 1
      }
    }
    func put(scalar value: UInt32) {
      let v = value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) ? 0xFFFD : value
      switch v {
      case 0..<0x80:
        put(UInt8(v))
      case 0x80..<0x800:
        put(UInt8(0xC0 | v >> 6))
        put(UInt8(0x80 | v & 0x3F))
      case 0x800..<0x10000:
        put(UInt8(0xE0 | v >> 12))
        put(UInt8(0x80 | v >> 6 & 0x3F))
        put(UInt8(0x80 | v & 0x3F))
      default:
        put(UInt8(0xF0 | v >> 18))
        put(UInt8(0x80 | v >> 12 & 0x3F))
        put(UInt8(0x80 | v >> 6 & 0x3F))
        put(UInt8(0x80 | v & 0x3F))
      }
    }
    while i < n {
      let byte = raw[i]
      guard byte == 0x5C, i + 1 < n else {
        put(byte)
        i += 1
        continue
      }
      let escape = raw[i + 1]
      i += 2
      switch escape {
      case 0x62: put(0x08)  // \b
      case 0x66: put(0x0C)  // \f
      case 0x6E: put(0x0A)  // \n
      case 0x72: put(0x0D)  // \r
      case 0x74: put(0x09)  // \t
      case 0x75:  // \uXXXX
        guard let high = hex4(raw, at: i) else {
          put(scalar: 0xFFFD)
          continue
        }
        i += 4
        if high >= 0xD800, high <= 0xDBFF, i + 6 <= n, raw[i] == 0x5C, raw[i + 1] == 0x75,
          let low = hex4(raw, at: i + 2), low >= 0xDC00, low <= 0xDFFF
        {
          i += 6
          put(scalar: 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        } else {
          put(scalar: high)  // a lone surrogate is not a scalar: U+FFFD
        }
      default: put(escape)  // \" \\ \/
      }
    }
    return length
  }

  /// The value of the four hex digits at `raw[i...]`, or nil.
  static func hex4(_ raw: UnsafeRawBufferPointer, at i: Int) -> UInt32? {
    guard i >= 0, i + 4 <= raw.count else { return nil }
    var value: UInt32 = 0
    for k in i..<(i + 4) {
      guard let digit = hexValue(raw[k]) else { return nil }
      value = value << 4 | digit
    }
    return value
  }

  /// The value of one hex digit, or nil.
  @inline(__always)
  static func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case 0x30...0x39: return UInt32(byte - 0x30)
    case 0x41...0x46: return UInt32(byte - 0x41 + 10)
    case 0x61...0x66: return UInt32(byte - 0x61 + 10)
    default: return nil
    }
  }
}

/// Splits JSON Lines bytes (`.jsonl`/`.ndjson`) into records of flat fields,
/// without allocating per record.
///
/// - A UTF-8 byte order mark at the start is skipped; the whole input is checked to
///   be UTF-8 before the first record (a file error otherwise).
/// - Lines end with LF (CRLF works too: CR is JSON white space; a lone CR is not a
///   line end). A line holding only white space is blank: skipped, but counted.
/// - Each other line is one JSON object (strict RFC 8259) whose values are plain:
///   strings, numbers, `true`, `false`, `null`. A nested object or array value, a
///   duplicate key (compared byte for byte after unescaping), a trailing comma, single quotes, raw
///   control characters in strings, invalid escapes, lone surrogates (`\uD800`
///   without its pair) are errors.
/// - Errors inside a line are recoverable: the scanner has already moved to the next
///   line (a raw line break cannot occur inside JSON text, so lines are reliable).
struct JSONLinesScanner {
  /// The scanned bytes, as given (offsets in fields are into these).
  let source: UnsafeRawBufferPointer
  /// Offset of the next byte to read (the start of a line).
  private(set) var position: Int
  /// The number of the line that starts at `position`.
  private(set) var line = 1
  private var checked = false
  private var finished = false
  private let fields = ScanScratch<JSONField>(capacity: 16)
  private let hashes = ScanScratch<UInt64>(capacity: 16)

  /// A scanner over `bytes` (a leading byte order mark is skipped).
  init(_ bytes: UnsafeRawBufferPointer) {
    source = bytes
    position = UTF8Input.bomLength(bytes)
  }

  /// The next record, or nil at the end of the input. Its fields stay valid until
  /// the next call.
  mutating func next() throws(ScanError) -> JSONRecord? {
    if !checked {
      checked = true
      if let bad = UTF8Input.firstInvalidOffset(source, from: position) {
        let (errorLine, column) = Self.location(of: bad, in: source, from: position)
        finished = true
        position = source.count
        throw UTF8Input.encodingError(source, offset: bad, row: errorLine, column: column, unit: "line")
      }
    }
    guard !finished, let base = source.baseAddress else { return nil }
    let end = source.count
    while position < end {
      // Skip white space; a line with nothing else is blank.
      var p = position
      var byte: UInt8 = 0
      while p < end {
        byte = base.load(fromByteOffset: p, as: UInt8.self)
        guard byte == 0x20 || byte == 0x09 || byte == 0x0D else { break }
        p += 1
      }
      if p >= end {
        position = end
        return nil
      }
      if byte == 0x0A {
        position = p + 1
        line += 1
        continue
      }
      let count = try scanObject(from: p)
      return JSONRecord(line: line - 1, fields: UnsafeBufferPointer(start: fields.base, count: count))
    }
    return nil
  }

  /// Calls `body` once per record with its line number and its fields (valid
  /// during the call only); stops early when `body` returns false.
  ///
  /// Throws the first ``ScanError`` (or `body`'s error). After a recoverable
  /// error, calling it again continues with the following line.
  mutating func forEachRecord(_ body: (_ line: Int, _ fields: UnsafeBufferPointer<JSONField>) throws -> Bool) throws {
    while let record = try next() {
      if try !body(record.line, record.fields) { return }
    }
  }

  // MARK: - Scanning

  /// Scans the object whose `{` (or whatever is there instead) is at `start`,
  /// storing its fields; moves `position` past the line's end and `line` on.
  private mutating func scanObject(from start: Int) throws(ScanError) -> Int {
    guard let base = source.baseAddress else { return 0 }
    let end = source.count
    let lineStart = position
    var p = start
    @inline(__always) func byte(_ i: Int) -> UInt8 {
      i < end ? base.load(fromByteOffset: i, as: UInt8.self) : 0x0A
    }
    @inline(__always) func skipSpace() {
      while p < end {
        let b = base.load(fromByteOffset: p, as: UInt8.self)
        guard b <= 0x20, b == 0x20 || b == 0x09 || b == 0x0D else { return }
        p += 1
      }
    }
    guard byte(p) == 0x7B else {
      throw lineError(
        at: p, lineStart: lineStart,
        message:
          "line \(line) is not a JSON object; each line must hold one object such as {\"id\": \"f1\", \"subject\": \"A\"}"
      )
    }
    p += 1
    var count = 0
    var seen: UInt64 = 0
    skipSpace()
    if byte(p) == 0x7D {
      p += 1
    } else {
      while true {
        // Key.
        let keyQuote = p
        let first = byte(p)
        guard first == 0x22 else {
          if first == 0x7D, count > 0 {
            throw lineError(
              at: p, lineStart: lineStart, message: "a comma before } is not allowed in JSON",
              hint: "remove the last comma")
          }
          if first == 0x27 {
            throw lineError(
              at: p, lineStart: lineStart, message: "a field name must be in double quotes, not single quotes")
          }
          throw lineError(at: p, lineStart: lineStart, message: expectedMessage("a field name in double quotes", at: p))
        }
        let (keyEnd, keyEscaped) = try scanString(quoteAt: keyQuote, lineStart: lineStart)
        p = keyEnd + 1
        skipSpace()
        guard byte(p) == 0x3A else {
          throw lineError(at: p, lineStart: lineStart, message: expectedMessage(": after the field name", at: p))
        }
        p += 1
        skipSpace()
        // Value.
        let valueStart = p
        let kind: JSONValueKind
        var valueBegin = p
        var valueEnd: Int
        switch byte(p) {
        case 0x22:
          let (stringEnd, escaped) = try scanString(quoteAt: p, lineStart: lineStart)
          valueBegin = p + 1
          valueEnd = stringEnd
          kind = .string(needsUnescape: escaped)
          p = stringEnd + 1
        case 0x2D, 0x30...0x39:
          let (numberEnd, isInteger) = try scanNumber(from: p, lineStart: lineStart)
          valueEnd = numberEnd
          kind = .number(isInteger: isInteger)
          p = numberEnd
        case 0x74 where matches("true", at: p):
          p += 4
          valueEnd = p
          kind = .bool(true)
        case 0x66 where matches("false", at: p):
          p += 5
          valueEnd = p
          kind = .bool(false)
        case 0x6E where matches("null", at: p):
          p += 4
          valueEnd = p
          kind = .null
        case 0x7B, 0x5B:
          let what = byte(p) == 0x7B ? "an object" : "a list"
          let key = JSONText.string(
            UnsafeRawBufferPointer(rebasing: source[(keyQuote + 1)..<keyEnd]), needsUnescape: keyEscaped)
          throw lineError(
            at: valueStart, lineStart: lineStart,
            message:
              "the field \"\(key)\" holds \(what); a fact field must be a plain value (text, number, true, false or null)"
          )
        case 0x27:
          throw lineError(
            at: p, lineStart: lineStart, message: "text must be in double quotes, not single quotes")
        default:
          throw lineError(
            at: p, lineStart: lineStart,
            message: expectedMessage("a value (text in double quotes, a number, true, false or null)", at: p))
        }
        let field = JSONField(
          keyStart: keyQuote + 1, keyEnd: keyEnd, keyNeedsUnescape: keyEscaped,
          valueStart: valueBegin, valueEnd: valueEnd, kind: kind)
        try add(field, at: count, keyQuote: keyQuote, lineStart: lineStart, seen: &seen)
        count += 1
        skipSpace()
        let after = byte(p)
        if after == 0x2C {
          p += 1
          skipSpace()
          continue
        }
        if after == 0x7D {
          p += 1
          break
        }
        if after == 0x0A {
          throw lineError(
            at: p, lineStart: lineStart, message: "the object is not closed with } before the end of the line")
        }
        throw lineError(at: p, lineStart: lineStart, message: expectedMessage(", or } after the value", at: p))
      }
    }
    skipSpace()
    if p < end {
      guard base.load(fromByteOffset: p, as: UInt8.self) == 0x0A else {
        // CR alone is white space in JSON, so a file with old Mac line ends (CR
        // only) reads as one line.
        let afterCR = p > 0 && base.load(fromByteOffset: p - 1, as: UInt8.self) == 0x0D
        throw lineError(
          at: p, lineStart: lineStart, message: "unexpected text after the object; each line holds exactly one object",
          hint: afterCR ? "the lines end with CR only; save the file with LF or CRLF line ends" : nil)
      }
      p += 1
    }
    position = p
    line += 1
    return count
  }

  /// Whether the ASCII `word` is written at `p`.
  private func matches(_ word: StaticString, at p: Int) -> Bool {
    let n = word.utf8CodeUnitCount
    guard p + n <= source.count else { return false }
    let text = word.utf8Start
    for i in 0..<n where source[p + i] != text[i] { return false }
    return true
  }

  /// "expected WHAT, found …" describing the character at `p`.
  private func expectedMessage(_ what: String, at p: Int) -> String {
    guard p < source.count, source[p] != 0x0A else { return "expected \(what), found the end of the line" }
    return "expected \(what), found \(Self.describeCharacter(source, at: p))"
  }

  /// The character at `p`, quoted, for messages.
  private static func describeCharacter(_ bytes: UnsafeRawBufferPointer, at p: Int) -> String {
    guard let base = bytes.baseAddress else { return "nothing" }
    let byte = bytes[p]
    if byte < 0x20 || byte == 0x7F {
      return "a control character (U+00\(hex2(byte)))"
    }
    let length = byte < 0x80 ? 1 : max(UTF8Input.sequenceLength(base, at: p, end: bytes.count), 1)
    let text = String(
      decoding: UnsafeRawBufferPointer(rebasing: bytes[p..<min(p + length, bytes.count)]), as: UTF8.self)
    return "'\(text)'"
  }

  private static func hex2(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF".unicodeScalars)
    var text = ""
    text.unicodeScalars.append(digits[Int(byte >> 4)])
    text.unicodeScalars.append(digits[Int(byte & 0x0F)])
    return text
  }

  /// Scans the string whose opening quote is at `quote`; returns the offset of the
  /// closing quote and whether the content has escapes.
  @inline(__always)
  private mutating func scanString(quoteAt quote: Int, lineStart: Int) throws(ScanError) -> (Int, Bool) {
    guard let base = source.baseAddress else { return (quote, false) }
    let end = source.count
    var q = quote + 1
    var escaped = false
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    while true {
      // Eight bytes at a time to the next `"`, `\` or control character: each mask
      // is exact at its lowest marked byte, so the lowest mark of all three is.
      while q + 8 <= end {
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: q, as: UInt64.self))
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        let marks =
          ((quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes | (word &- ones &* 0x20) & ~word) & high
        if marks != 0 {
          q += marks.trailingZeroBitCount >> 3
          break
        }
        q += 8
      }
      guard q < end else { throw unterminatedString(quote: quote, lineStart: lineStart) }
      let byte = base.load(fromByteOffset: q, as: UInt8.self)
      if byte == 0x22 { return (q, escaped) }
      if byte == 0x5C {
        escaped = true
        q = try scanEscape(at: q, lineStart: lineStart)
        continue
      }
      if byte < 0x20 {
        if byte == 0x0A { throw unterminatedString(quote: quote, lineStart: lineStart) }
        throw lineError(
          at: q, lineStart: lineStart,
          message: "a control character (U+00\(Self.hex2(byte))) must be written as an escape in JSON text",
          hint: byte == 0x09
            ? "write a tab as \\t"
            : byte == 0x0D ? "write a carriage return as \\r" : "write it as \\u00\(Self.hex2(byte))")
      }
      q += 1
    }
  }

  private mutating func unterminatedString(quote: Int, lineStart: Int) -> ScanError {
    lineError(
      at: quote, lineStart: lineStart,
      message: "the text that starts here is not closed with \" before the end of the line",
      hint: "a line break inside text must be written as \\n")
  }

  /// Checks the escape whose `\` is at `q`; returns the offset after it.
  private mutating func scanEscape(at q: Int, lineStart: Int) throws(ScanError) -> Int {
    let end = source.count
    let letter: UInt8 = q + 1 < end ? source[q + 1] : 0x0A
    switch letter {
    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
      return q + 2
    case 0x75:
      guard let value = JSONText.hex4(source, at: q + 2) else {
        throw lineError(
          at: q, lineStart: lineStart, message: "\\u must be followed by four hex digits (0-9, A-F)")
      }
      if value >= 0xDC00, value <= 0xDFFF {
        throw lineError(
          at: q, lineStart: lineStart,
          message: "\\u\(Self.hex4Text(value)) is the second half of a surrogate pair without the first half")
      }
      if value >= 0xD800, value <= 0xDBFF {
        guard q + 7 < end, source[q + 6] == 0x5C, source[q + 7] == 0x75,
          let low = JSONText.hex4(source, at: q + 8), low >= 0xDC00, low <= 0xDFFF
        else {
          throw lineError(
            at: q, lineStart: lineStart,
            message: "\\u\(Self.hex4Text(value)) is the first half of a surrogate pair without the second half")
        }
        return q + 12
      }
      return q + 6
    default:
      let shown = letter == 0x0A ? "at the end of the line" : Self.describeCharacter(source, at: q + 1)
      throw lineError(
        at: q, lineStart: lineStart, message: "invalid escape \\ followed by \(shown)",
        hint: "JSON text allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a backslash as \\\\")
    }
  }

  private static func hex4Text(_ value: UInt32) -> String {
    hex2(UInt8(truncatingIfNeeded: value >> 8)) + hex2(UInt8(truncatingIfNeeded: value))
  }

  /// Checks the number starting at `start` (`-` or a digit); returns the offset
  /// after it and whether it is an integer literal.
  private mutating func scanNumber(from start: Int, lineStart: Int) throws(ScanError) -> (Int, Bool) {
    let end = source.count
    var p = start
    @inline(__always) func byte(_ i: Int) -> UInt8 { i < end ? source[i] : 0 }
    @inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    func invalid(_ message: String) -> ScanError {
      lineError(at: start, lineStart: lineStart, message: message, hint: "JSON numbers look like 12, -3.5, 0.25 or 1e5")
    }
    if byte(p) == 0x2D { p += 1 }
    if byte(p) == 0x30 {
      p += 1
      if isDigit(byte(p)) { throw invalid("a number cannot start with 0 followed by more digits") }
    } else if isDigit(byte(p)) {
      while isDigit(byte(p)) { p += 1 }
    } else {
      throw invalid("invalid number: - must be followed by digits")
    }
    var isInteger = true
    if byte(p) == 0x2E {
      p += 1
      guard isDigit(byte(p)) else { throw invalid("invalid number: the decimal point must be followed by digits") }
      while isDigit(byte(p)) { p += 1 }
      isInteger = false
    }
    if byte(p) == 0x65 || byte(p) == 0x45 {
      p += 1
      if byte(p) == 0x2B || byte(p) == 0x2D { p += 1 }
      guard isDigit(byte(p)) else { throw invalid("invalid number: the exponent must have digits") }
      while isDigit(byte(p)) { p += 1 }
      isInteger = false
    }
    return (p, isInteger)
  }

  /// Stores `field` as field number `index`, rejecting a key already in the object.
  ///
  /// Each key's fingerprint is kept; `seen` has one of 64 bits set per key so far
  /// (chosen by the fingerprint), so a new key is compared with the others only
  /// when its bit is already set.
  @inline(__always)
  private mutating func add(
    _ field: JSONField, at index: Int, keyQuote: Int, lineStart: Int, seen: inout UInt64
  ) throws(ScanError) {
    if index >= fields.capacity {
      fields.grow(to: index + 1, keeping: index)
      hashes.grow(to: index + 1, keeping: index)
    }
    let fingerprint = keyFingerprint(field)
    let bit: UInt64 = 1 << ((fingerprint &* 0x9E37_79B9_7F4A_7C15) >> 58)
    if seen & bit != 0 {
      try checkDuplicate(field, fingerprint: fingerprint, count: index, keyQuote: keyQuote, lineStart: lineStart)
    }
    seen |= bit
    fields.base[index] = field
    hashes.base[index] = fingerprint
  }

  /// Throws if one of the first `count` fields has the key of `field`.
  @inline(never)
  private mutating func checkDuplicate(
    _ field: JSONField, fingerprint: UInt64, count: Int, keyQuote: Int, lineStart: Int
  ) throws(ScanError) {
    for i in 0..<count where hashes.base[i] == fingerprint && sameKey(fields.base[i], field) {
      let key = field.key(in: source)
      throw lineError(
        at: keyQuote, lineStart: lineStart, message: "the field \"\(key)\" appears twice in this object",
        hint: "keep one of the two")
    }
  }

  /// A fingerprint of the unescaped key: for keys of up to 7 bytes the bytes
  /// themselves and the length (so equal only for equal keys), for longer keys a
  /// hash.
  @inline(__always)
  private func keyFingerprint(_ field: JSONField) -> UInt64 {
    if !field.keyNeedsUnescape {
      let n = field.keyEnd - field.keyStart
      if n < 8, field.keyStart + 8 <= source.count, let base = source.baseAddress {
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: field.keyStart, as: UInt64.self))
        return word & ((1 << UInt64(8 * n)) &- 1) | UInt64(n) << 56
      }
      return Self.fingerprint(field.rawKey(in: source))
    }
    return field.withKeyBytes(in: source) { Self.fingerprint($0) }
  }

  private static func fingerprint(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    guard bytes.count < 8 else { return ByteStringInterner.hash(bytes) }
    var word: UInt64 = 0
    for (k, byte) in bytes.enumerated() { word |= UInt64(byte) << UInt64(8 * k) }
    return word | UInt64(bytes.count) << 56
  }

  private func sameKey(_ a: JSONField, _ b: JSONField) -> Bool {
    a.withKeyBytes(in: source) { x in
      b.withKeyBytes(in: source) { y in
        guard x.count == y.count, let left = x.baseAddress, let right = y.baseAddress else {
          return x.count == y.count
        }
        return memcmp(left, right, x.count) == 0
      }
    }
  }

  /// A recoverable error at `offset` on the current line; moves the scanner to the
  /// start of the next line.
  private mutating func lineError(
    at offset: Int, lineStart: Int, message: String, hint: String? = nil
  ) -> ScanError {
    let error = ScanError(
      row: line, column: UTF8Input.column(source, rowStart: lineStart, offset: offset),
      message: message, hint: hint, isRecoverable: true)
    let end = source.count
    var p = min(max(offset, lineStart), end)
    if let base = source.baseAddress, p < end, let found = memchr(base + p, 0x0A, end - p) {
      p = base.distance(to: UnsafeRawPointer(found)) + 1
    } else {
      p = end
    }
    position = p
    line += 1
    return error
  }

  /// The line and column of `offset`, counting from `start` (line 1).
  static func location(of offset: Int, in bytes: UnsafeRawBufferPointer, from start: Int) -> (line: Int, column: Int) {
    var line = 1
    var lineStart = start
    var i = start
    let stop = min(offset, bytes.count)
    while i < stop {
      if bytes[i] == 0x0A {
        line += 1
        lineStart = i + 1
      }
      i += 1
    }
    return (line, UTF8Input.column(bytes, rowStart: lineStart, offset: offset))
  }
}
