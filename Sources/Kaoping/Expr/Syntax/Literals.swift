// Decoding of literal tokens: numbers (with overflow checks) and strings and bytes
// (with escape processing). Problems are recorded as non-fatal issues and the literal
// is replaced by a placeholder, so that parsing goes on and finds further errors.

extension Parser {
  /// The literal node for `token`; `negative` is a `-` folded into an int or double.
  mutating func literal(_ token: Token, negative: Token?) throws(Abort) -> Expr {
    let offset = negative?.start ?? token.start
    let value: Expr.Literal
    switch token.kind {
    case .kwTrue: value = .bool(true)
    case .kwFalse: value = .bool(false)
    case .kwNull: value = .null
    case .intLit: value = decodeInt(token, negative: negative != nil, offset: offset)
    case .uintLit: value = decodeUint(token)
    case .doubleLit: value = decodeDouble(token, negative: negative != nil, offset: offset)
    default: value = decodeString(token)
    }
    return try node(.literal(value), at: offset)
  }

  // MARK: - Numbers

  /// The magnitude of the digits in `start..<end` (decimal, or hex after `0x`), or `nil`
  /// if it does not fit in 64 bits.
  func magnitude(_ start: Int, _ end: Int) -> UInt64? {
    var i = start
    var base: UInt64 = 10
    if end - start > 2 && src[i] == "0" && src[i + 1] == "x" {
      base = 16
      i += 2
    }
    var value: UInt64 = 0
    while i < end {
      let v = src[i].value
      let digit: UInt64
      switch v {
      case 0x30...0x39: digit = UInt64(v - 0x30)
      case 0x41...0x46: digit = UInt64(v - 0x41 + 10)
      case 0x61...0x66: digit = UInt64(v - 0x61 + 10)
      default: return nil
      }
      let (times, o1) = value.multipliedReportingOverflow(by: base)
      let (sum, o2) = times.addingReportingOverflow(digit)
      if o1 || o2 { return nil }
      value = sum
      i += 1
    }
    return value
  }

  mutating func decodeInt(_ token: Token, negative: Bool, offset: Int) -> Expr.Literal {
    let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
    if let m = magnitude(token.start, token.end), m <= limit {
      if negative {
        return .int(m == limit ? Int64.min : -Int64(m))
      }
      return .int(Int64(m))
    }
    let shown = (negative ? "-" : "") + text(token)
    report(
      SyntaxCode.invalidNumber, "invalid int literal '\(shown)': out of range",
      at: offset,
      hint: "int values range from -9223372036854775808 to 9223372036854775807; "
        + (negative ? "use a double instead" : "use a uint (suffix 'u') or a double instead"))
    return .int(0)
  }

  mutating func decodeUint(_ token: Token) -> Expr.Literal {
    if let m = magnitude(token.start, token.end - 1) {
      return .uint(m)
    }
    report(
      SyntaxCode.invalidNumber, "invalid uint literal '\(text(token))': out of range",
      at: token.start, hint: "uint values range from 0u to 18446744073709551615u")
    return .uint(0)
  }

  mutating func decodeDouble(_ token: Token, negative: Bool, offset: Int) -> Expr.Literal {
    let body = text(token)
    let literalText = negative ? "-" + body : body
    if let value = Double(literalText), value.isFinite {
      return .double(value, text: literalText)
    }
    report(
      SyntaxCode.invalidNumber, "invalid double literal '\(literalText)': out of range",
      at: offset)
    return .double(0, text: "0.0")
  }

  // MARK: - Strings and bytes

  /// Decodes a string or bytes token: prefixes `r`/`b` (any case, any order), single,
  /// double or triple quotes, and escape sequences unless raw.
  mutating func decodeString(_ token: Token) -> Expr.Literal {
    var i = token.start
    var raw = false
    var isBytes = false
    while i < token.end, src[i] != "\"", src[i] != "'" {
      if src[i].value | 0x20 == 0x72 { raw = true } else { isBytes = true }
      i += 1
    }
    guard i < token.end else { return isBytes ? .bytes([]) : .string("") }
    let quote = src[i]
    let triple = i + 2 < token.end && src[i + 1] == quote && src[i + 2] == quote
    let delimiter = triple ? 3 : 1
    let contentStart = i + delimiter
    let contentEnd = max(contentStart, token.end - delimiter)

    var hasEscape = false
    if !raw {
      var j = contentStart
      while j < contentEnd {
        if src[j] == "\\" {
          hasEscape = true
          break
        }
        j += 1
      }
    }
    if !hasEscape {
      if isBytes {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(contentEnd - contentStart)
        for scalar in src[contentStart..<contentEnd] {
          appendUTF8(scalar, to: &bytes)
        }
        return .bytes(bytes)
      }
      return .string(text(contentStart, contentEnd))
    }
    return decodeEscaped(contentStart, contentEnd, isBytes: isBytes)
  }

  func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
    if scalar.value < 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: scalar.value))
    } else {
      UTF8.encode(scalar) { bytes.append($0) }
    }
  }

  /// The value of `count` hex digits at `start`, if all present before `end`.
  func hexValue(_ start: Int, count: Int, end: Int) -> UInt32? {
    guard start + count <= end else { return nil }
    var value: UInt32 = 0
    var i = start
    while i < start + count {
      let v = src[i].value
      let digit: UInt32
      switch v {
      case 0x30...0x39: digit = v - 0x30
      case 0x41...0x46: digit = v - 0x41 + 10
      case 0x61...0x66: digit = v - 0x61 + 10
      default: return nil
      }
      value = value << 4 | digit
      i += 1
    }
    return value
  }

  /// Processes escapes in `start..<end`.
  mutating func decodeEscaped(_ start: Int, _ end: Int, isBytes: Bool) -> Expr.Literal {
    var scalars = String.UnicodeScalarView()
    var bytes: [UInt8] = []
    var failed = false
    var j = start

    func add(_ scalar: Unicode.Scalar) {
      if isBytes { appendUTF8(scalar, to: &bytes) } else { scalars.append(scalar) }
    }
    /// An escape that is a code point in strings and a byte in bytes (`\x`, octal).
    func addByteOrCodePoint(_ value: UInt32) {
      if isBytes {
        bytes.append(UInt8(truncatingIfNeeded: value))
      } else if let scalar = Unicode.Scalar(value) {
        scalars.append(scalar)
      }
    }

    while j < end {
      let c = src[j]
      if c != "\\" {
        add(c)
        j += 1
        continue
      }
      guard j + 1 < end else {
        report(
          SyntaxCode.invalidEscape, "invalid escape sequence '\\' at the end of the string",
          at: j, hint: "to write a backslash, use '\\\\'")
        failed = true
        break
      }
      let e = src[j + 1]
      switch e {
      case "\\", "?", "\"", "'", "`":
        add(e)
        j += 2
      case "a": add("\u{07}"); j += 2
      case "b": add("\u{08}"); j += 2
      case "f": add("\u{0C}"); j += 2
      case "n": add("\n"); j += 2
      case "r": add("\r"); j += 2
      case "t": add("\t"); j += 2
      case "v": add("\u{0B}"); j += 2
      case "x", "X":
        if let value = hexValue(j + 2, count: 2, end: end) {
          addByteOrCodePoint(value)
          j += 4
        } else {
          badEscape(j, 4, end, "'\\\(e)' needs two hexadecimal digits")
          failed = true
          j += 2
        }
      case "u", "U":
        let count = e == "u" ? 4 : 8
        guard let value = hexValue(j + 2, count: count, end: end) else {
          let digits = count == 4 ? "four" : "eight"
          badEscape(j, count + 2, end, "'\\\(e)' needs \(digits) hexadecimal digits")
          failed = true
          j += 2
          continue
        }
        if isBytes {
          report(
            SyntaxCode.invalidEscape,
            "'\\\(e)' escapes are not allowed in bytes literals", at: j,
            hint: "write the bytes with '\\x' escapes, or the character itself")
          failed = true
          j += 2 + count
          continue
        }
        var codePoint = value
        var length = 2 + count
        // A UTF-16 surrogate pair written as two \u escapes.
        if e == "u", value >= 0xD800, value <= 0xDBFF, j + 12 <= end,
          src[j + 6] == "\\", src[j + 7] == "u",
          let low = hexValue(j + 8, count: 4, end: end), low >= 0xDC00, low <= 0xDFFF
        {
          codePoint = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
          length = 12
        }
        if let scalar = Unicode.Scalar(codePoint) {
          scalars.append(scalar)
        } else {
          let name = Lexer.codePointName(codePoint)
          badEscape(j, length, end, "\(name) is not a valid Unicode code point")
          failed = true
        }
        j += length
      case "0", "1", "2", "3":
        let d1 = j + 2 < end ? src[j + 2].value : 0
        let d2 = j + 3 < end ? src[j + 3].value : 0
        if d1 >= 0x30 && d1 <= 0x37 && d2 >= 0x30 && d2 <= 0x37 {
          let value = (e.value - 0x30) << 6 | (d1 - 0x30) << 3 | (d2 - 0x30)
          addByteOrCodePoint(value)
          j += 4
        } else {
          badEscape(j, 4, end, "octal escapes have three digits 000 to 377")
          failed = true
          j += 2
        }
      case "4", "5", "6", "7":
        badEscape(j, 4, end, "octal escapes range from 000 to 377")
        failed = true
        j += 2
      default:
        report(
          SyntaxCode.invalidEscape, "invalid escape sequence '\(escapeText(j, 2, end))'",
          at: j, hint: "to write a backslash, use '\\\\' or a raw string r'…'")
        failed = true
        j += 2
      }
    }
    if failed {
      return isBytes ? .bytes([]) : .string("")
    }
    return isBytes ? .bytes(bytes) : .string(String(scalars))
  }

  /// Reports the invalid escape sequence at `start` (up to `length` scalars).
  @inline(never)
  mutating func badEscape(_ start: Int, _ length: Int, _ end: Int, _ reason: String) {
    report(
      SyntaxCode.invalidEscape,
      "invalid escape sequence '\(escapeText(start, length, end))': \(reason)", at: start)
  }

  /// The source text of an escape sequence, for messages.
  func escapeText(_ start: Int, _ length: Int, _ end: Int) -> String {
    var view = String.UnicodeScalarView()
    var i = start
    while i < min(start + length, end) {
      let scalar = src[i]
      if scalar.value < 0x20 { break }
      view.append(scalar)
      i += 1
    }
    return String(view)
  }
}
