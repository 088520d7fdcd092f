// The typed JSON encoding of values (spec §12.4): `{"int":"3"}`,
// `{"double":"1.5"}`, `{"list":[…]}`, `{"map":[[K,V],…]}`, `{"error":"…"}`.

/// Why a typed JSON value could not be read.
struct TypedJSONError: Error, Sendable, Equatable, CustomStringConvertible {
  var message: String
  var description: String { message }
}

enum TypedJSON {
  // MARK: Encoding

  /// The typed JSON of a value. Doubles are written so they read back as the
  /// same double (`1.5`, `1e+100`, `NaN`); records as maps from field name to
  /// value.
  static func encode(_ value: Value) -> JSONValue {
    switch value {
    case .null: return .object([("null", .null)])
    case .bool(let b): return .object([("bool", .bool(b))])
    case .int(let i): return .object([("int", .string(String(i)))])
    case .uint(let u): return .object([("uint", .string(String(u)))])
    case .double(let d): return .object([("double", .string(DoubleText.roundTrip(d)))])
    case .decimal(let d): return .object([("double", .string(d.description))])
    case .string(let s): return .object([("string", .string(s))])
    case .bytes(let b): return .object([("bytes", .string(Base64.encode(b)))])
    case .date(let d): return .object([("date", .string(d.description))])
    case .list(let items): return .object([("list", .array(items.map(encode)))])
    case .map(let m):
      return .object([("map", .array(m.entries.map { .array([encode($0.0), encode($0.1)]) }))])
    case .type(let t): return .object([("type", .string(t.runtimeName))])
    case .object(let record):
      let entries = zip(record.type.fields, record.fields).map { field, value in
        JSONValue.array([encode(.string(field.name)), encode(value)])
      }
      return .object([("map", .array(entries))])
    case .error(let e): return .object([("error", .string(e.message))])
    }
  }

  /// One line of typed JSON text.
  static func encodeText(_ value: Value) -> String {
    JSONWriter.write(encode(value))
  }

  // MARK: Decoding

  /// Reads a typed JSON value. In the rule profile a double is an exact
  /// decimal, and `NaN` and infinities are refused.
  static func decode(_ json: JSONValue, profile: NumericProfile) throws(TypedJSONError) -> Value {
    guard case .object(let members) = json, members.count == 1, let member = members.first else {
      throw TypedJSONError(
        message: "a typed value is an object with one member, like {\"int\":\"3\"}; got \(JSONWriter.write(json))"
      )
    }
    let payload = member.value
    func text() throws(TypedJSONError) -> String {
      switch payload {
      case .string(let s): return s
      case .number(let n): return n
      default:
        throw TypedJSONError(message: "\"\(member.key)\" needs a string, like {\"\(member.key)\":\"…\"}")
      }
    }
    switch member.key {
    case "null":
      guard payload == .null else { throw TypedJSONError(message: "\"null\" needs null: {\"null\":null}") }
      return .null
    case "bool":
      guard case .bool(let b) = payload else {
        throw TypedJSONError(message: "\"bool\" needs true or false")
      }
      return .bool(b)
    case "int":
      let t = try text()
      guard let i = Int64(t) else { throw TypedJSONError(message: "not an int: \(t)") }
      return .int(i)
    case "uint":
      let t = try text()
      guard let u = UInt64(t) else { throw TypedJSONError(message: "not a uint: \(t)") }
      return .uint(u)
    case "double":
      let t = try text()
      return try decodeDouble(t, profile: profile)
    case "string":
      guard case .string(let s) = payload else { throw TypedJSONError(message: "\"string\" needs a string") }
      return .string(s)
    case "bytes":
      guard case .string(let s) = payload, let b = Base64.decode(s) else {
        throw TypedJSONError(message: "\"bytes\" needs a base64 string")
      }
      return .bytes(b)
    case "date":
      guard case .string(let s) = payload, let d = CELDate(parsing: s) else {
        throw TypedJSONError(message: "\"date\" needs a YYYY-MM-DD string of a real day")
      }
      return .date(d)
    case "type":
      guard case .string(let s) = payload, let t = ExprType.denoted(by: s) else {
        throw TypedJSONError(message: "\"type\" needs a type name such as \"int\" or \"list\"")
      }
      return .type(t)
    case "list":
      guard case .array(let items) = payload else { throw TypedJSONError(message: "\"list\" needs an array") }
      var values: [Value] = []
      values.reserveCapacity(items.count)
      for item in items { values.append(try decode(item, profile: profile)) }
      return .list(values)
    case "map":
      guard case .array(let entries) = payload else {
        throw TypedJSONError(message: "\"map\" needs an array of [key, value] pairs")
      }
      var map = MapValue()
      for entry in entries {
        guard case .array(let pair) = entry, pair.count == 2 else {
          throw TypedJSONError(message: "each \"map\" entry is a [key, value] pair")
        }
        let key = try decode(pair[0], profile: profile)
        let value = try decode(pair[1], profile: profile)
        do {
          try map.insert(key: key, value: value)
        } catch {
          throw TypedJSONError(message: error.message)
        }
      }
      return .map(map)
    case "error":
      guard case .string(let s) = payload else { throw TypedJSONError(message: "\"error\" needs a string") }
      return .error(EvalError(s))
    default:
      throw TypedJSONError(
        message: "unknown type tag \"\(member.key)\" (use int, uint, double, string, bytes, bool, null, list, map, type, date)"
      )
    }
  }

  static func decodeDouble(_ text: String, profile: NumericProfile) throws(TypedJSONError) -> Value {
    if profile == .rule {
      guard isJSONNumber(text), let d = ExactDecimal(parsing: text) else {
        throw TypedJSONError(
          message: "not a decimal: \(text) (the rule profile has no NaN or infinity, and keeps at most 34 significant digits)"
        )
      }
      return .decimal(d)
    }
    switch text {
    case "NaN": return .double(.nan)
    case "Infinity": return .double(.infinity)
    case "-Infinity": return .double(-.infinity)
    default: break
    }
    guard isJSONNumber(text), let d = Double(text) else {
      throw TypedJSONError(message: "not a double: \(text)")
    }
    return .double(d)
  }

  /// Whether the text is a JSON number (`-1.5e3`, no `+`, no leading zeros).
  static func isJSONNumber(_ text: String) -> Bool {
    guard case .number? = try? JSONReader.parse(text) else { return false }
    return true
  }

  // MARK: Static types

  /// The type to declare a variable with, given its value: element and entry
  /// types are the common type of the elements, or `dyn` when they differ or
  /// the collection is empty.
  static func staticType(of value: Value) -> ExprType {
    switch value {
    case .list(let items): return .list(commonType(items.map(staticType)))
    case .map(let m):
      return .map(commonType(m.keys.map(staticType)), commonType(m.values.map(staticType)))
    case .error: return .dyn
    default: return value.runtimeType
    }
  }

  private static func commonType(_ types: [ExprType]) -> ExprType {
    guard let first = types.first else { return .dyn }
    return types.allSatisfy { $0 == first } ? first : .dyn
  }
}

/// Standard base64 (RFC 4648 §4) with padding.
enum Base64 {
  private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i + 2 < bytes.count {
      let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(alphabet[Int(n >> 6 & 63)])
      out.append(alphabet[Int(n & 63)])
      i += 3
    }
    let rest = bytes.count - i
    if rest == 1 {
      let n = UInt32(bytes[i]) << 16
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(UInt8(ascii: "="))
      out.append(UInt8(ascii: "="))
    } else if rest == 2 {
      let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(alphabet[Int(n >> 6 & 63)])
      out.append(UInt8(ascii: "="))
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes padded base64; `nil` for anything else.
  static func decode(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 4 == 0 else { return nil }
    func value(_ c: UInt8) -> UInt32? {
      switch c {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(c - UInt8(ascii: "A"))
      case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(c - UInt8(ascii: "a") + 26)
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0") + 52)
      case UInt8(ascii: "+"): return 62
      case UInt8(ascii: "/"): return 63
      default: return nil
      }
    }
    var out: [UInt8] = []
    out.reserveCapacity(chars.count / 4 * 3)
    var i = 0
    while i < chars.count {
      let last = i + 4 == chars.count
      let pad = last ? (chars[i + 3] == UInt8(ascii: "=") ? (chars[i + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
      var n: UInt32 = 0
      for j in 0..<4 {
        if j >= 4 - pad {
          n <<= 6
          continue
        }
        guard let v = value(chars[i + j]) else { return nil }
        n = n << 6 | v
      }
      out.append(UInt8(truncatingIfNeeded: n >> 16))
      if pad < 2 { out.append(UInt8(truncatingIfNeeded: n >> 8)) }
      if pad < 1 { out.append(UInt8(truncatingIfNeeded: n)) }
      i += 4
    }
    return out
  }
}
