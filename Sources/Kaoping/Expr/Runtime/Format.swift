// Text forms of values: CEL's `string(double)`, double round-trip text, and a
// CEL-literal rendering for messages and `kaoping expr --format text`.

enum DoubleText {
  /// The shortest digits that read back as `d`: sign, digits without leading or
  /// trailing zeros, and `point` such that the value is `0.digits × 10^point`.
  /// `nil` for NaN and infinities.
  static func shortestDigits(_ d: Double) -> (negative: Bool, digits: [UInt8], point: Int)? {
    guard d.isFinite else { return nil }
    let negative = d.sign == .minus
    if d == 0 { return (negative, [], 0) }
    // Swift's description is the shortest round-trip form: "123.45",
    // "1.5e-07", "1e+100".
    let text = Array(d.magnitude.description.utf8)
    var mantissa: [UInt8] = []
    var pointInMantissa: Int?
    var exponent = 0
    var i = 0
    while i < text.count {
      let c = text[i]
      if c == UInt8(ascii: ".") {
        pointInMantissa = mantissa.count
      } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
        var sign = 1
        var j = i + 1
        if j < text.count && (text[j] == UInt8(ascii: "+") || text[j] == UInt8(ascii: "-")) {
          if text[j] == UInt8(ascii: "-") { sign = -1 }
          j += 1
        }
        var e = 0
        while j < text.count && text[j] >= UInt8(ascii: "0") && text[j] <= UInt8(ascii: "9") && e < 100_000 {
          e = e * 10 + Int(text[j] - UInt8(ascii: "0"))
          j += 1
        }
        exponent = sign * e
        break
      } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
        mantissa.append(c - UInt8(ascii: "0"))
      }
      i += 1
    }
    var point = (pointInMantissa ?? mantissa.count) + exponent
    // Strip leading zeros (moving the point) and trailing zeros.
    var start = 0
    while start < mantissa.count && mantissa[start] == 0 {
      start += 1
      point -= 1
    }
    var end = mantissa.count
    while end > start && mantissa[end - 1] == 0 { end -= 1 }
    return (negative, Array(mantissa[start..<end]), point)
  }

  /// `string(d)` in CEL: Go's `%g` with the shortest digits (as cel-go):
  /// `123.456`, `-0.0045`, `1e+06`, `1.5e-07`, `+Inf`, `NaN`.
  static func celString(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
    guard let (negative, digits, point) = shortestDigits(d) else { return "NaN" }
    var out = negative ? "-" : ""
    if digits.isEmpty { return out + "0" }
    let exp = point - 1
    if exp < -4 || exp >= 6 {
      out.append(Character(Unicode.Scalar(digits[0] + UInt8(ascii: "0"))))
      if digits.count > 1 {
        out += "."
        for digit in digits.dropFirst() { out.append(Character(Unicode.Scalar(digit + 48))) }
      }
      out += exp < 0 ? "e-" : "e+"
      let e = exp < 0 ? -exp : exp
      if e < 10 { out += "0" }
      out += String(e)
      return out
    }
    return out + plain(digits: digits, point: point)
  }

  /// Digits and point in plain notation, without sign: `0.0045`, `123.456`, `100`.
  static func plain(digits: [UInt8], point: Int) -> String {
    var out = ""
    func digit(_ d: UInt8) { out.append(Character(Unicode.Scalar(d + UInt8(ascii: "0")))) }
    if point <= 0 {
      out += "0."
      out += String(repeating: "0", count: -point)
      for d in digits { digit(d) }
    } else if point >= digits.count {
      for d in digits { digit(d) }
      out += String(repeating: "0", count: point - digits.count)
    } else {
      for d in digits[..<point] { digit(d) }
      out += "."
      for d in digits[point...] { digit(d) }
    }
    return out
  }

  /// The typed-JSON text of a double: the shortest form that reads back as the
  /// same double (`1.5`, `1e+100`, `-0.0`), or `NaN`, `Infinity`, `-Infinity`.
  static func roundTrip(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
    return d.description
  }

  /// Reads a double the way CEL's `double(string)` does: decimal or exponent
  /// notation, and `NaN`, `inf`, `Infinity` with an optional sign.
  static func parse(_ text: String) -> Double? {
    if text.isEmpty || text.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "_") }) {
      return nil
    }
    return Double(text)
  }
}

extension Value {
  /// The value written as a CEL literal would be (for messages and text output):
  /// `"abc"`, `b"\x00"`, `3u`, `1.5`, `[1, 2]`, `{"a": 1}`, `date("2023-01-31")`.
  var literalText: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .uint(let u): return "\(u)u"
    case .double(let d):
      if d.isNaN { return "NaN" }
      if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
      return d.description
    case .decimal(let d): return d.description
    case .string(let s): return quoteCEL(s)
    case .bytes(let b): return "b" + quoteCELBytes(b)
    case .date(let d): return "date(\"\(d)\")"
    case .list(let items): return "[" + items.map(\.literalText).joined(separator: ", ") + "]"
    case .map(let m):
      return "{" + m.entries.map { "\($0.0.literalText): \($0.1.literalText)" }.joined(separator: ", ")
        + "}"
    case .type(let t): return t.runtimeName
    case .object(let record):
      let fields = zip(record.type.fields, record.fields).map { "\($0.0.name): \($0.1.literalText)" }
      return record.type.name + "{" + fields.joined(separator: ", ") + "}"
    case .error(let e): return "error(\(quoteCEL(e.message)))"
    }
  }
}

/// A CEL double-quoted string literal for `text`.
func quoteCEL(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    default:
      if scalar.value < 0x20 || scalar.value == 0x7F {
        out += "\\x" + hex2(UInt8(scalar.value))
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out + "\""
}

/// A CEL double-quoted bytes literal body for `bytes` (printable ASCII as is).
func quoteCELBytes(_ bytes: [UInt8]) -> String {
  var out = "\""
  for b in bytes {
    switch b {
    case UInt8(ascii: "\""): out += "\\\""
    case UInt8(ascii: "\\"): out += "\\\\"
    case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b))
    default: out += "\\x" + hex2(b)
    }
  }
  return out + "\""
}

func hex2(_ b: UInt8) -> String {
  let digits = Array("0123456789ABCDEF".unicodeScalars)
  return String(digits[Int(b >> 4)]) + String(digits[Int(b & 0xF)])
}
