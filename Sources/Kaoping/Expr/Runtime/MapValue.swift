#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

// CEL maps: keys of type bool, int, uint or string; numeric keys are equal
// across int and uint (and a double index finds the integral key it equals).

/// A CEL map. Entries keep the order in which they were added.
public struct MapValue: Sendable {
  /// The keys, in insertion order.
  public private(set) var keys: [Value] = []
  /// The values, parallel to `keys`.
  public private(set) var values: [Value] = []
  private var index: [MapKey: Int] = [:]

  /// An empty map.
  public init() {}

  /// The number of entries.
  public var count: Int { keys.count }

  /// Adds an entry. Throws when the key is not a bool, int, uint or string, or
  /// when an equal key is already present.
  public mutating func insert(key: Value, value: Value) throws(EvalError) {
    guard let mapKey = MapKey(key) else {
      throw EvalError("unsupported key type: \(key.typeName) cannot be a map key")
    }
    guard index[mapKey] == nil else {
      throw EvalError("repeated key \(key.literalText) in map")
    }
    index[mapKey] = keys.count
    keys.append(key)
    values.append(value)
  }

  /// The value for a key, comparing numbers by value (`{1: 'a'}[1u]` finds
  /// `'a'`); `nil` when absent.
  public subscript(key: Value) -> Value? {
    guard let mapKey = MapKey(lookup: key), let position = index[mapKey] else { return nil }
    return values[position]
  }

  /// The value for a string key.
  subscript(string key: String) -> Value? {
    guard let position = index[.string(ScalarString(key))] else { return nil }
    return values[position]
  }

  /// The entries in insertion order.
  public var entries: Zip2Sequence<[Value], [Value]> { zip(keys, values) }
}

/// A string compared and hashed by its Unicode scalars (UTF-8 bytes), never by
/// canonical equivalence: CEL does not normalize strings.
struct ScalarString: Hashable, Sendable {
  let text: String

  init(_ text: String) { self.text = text }

  static func == (a: ScalarString, b: ScalarString) -> Bool { scalarsEqual(a.text, b.text) }

  func hash(into hasher: inout Hasher) {
    var copy = text
    copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
  }
}

/// The normalized form of a map key.
enum MapKey: Hashable, Sendable {
  case bool(Bool)
  /// Every int, and every uint up to `Int64.max`.
  case int(Int64)
  /// A uint above `Int64.max`.
  case uint(UInt64)
  case string(ScalarString)

  /// The key for a value stored in a map; `nil` for a type that cannot be a key.
  init?(_ value: Value) {
    switch value {
    case .bool(let b): self = .bool(b)
    case .int(let i): self = .int(i)
    case .uint(let u): self = u <= UInt64(Int64.max) ? .int(Int64(u)) : .uint(u)
    case .string(let s): self = .string(ScalarString(s))
    default: return nil
    }
  }

  /// The key a lookup with this value finds: also a double or decimal whose
  /// value is integral.
  init?(lookup value: Value) {
    switch value {
    case .double(let d):
      guard let key = MapKey.integral(d) else { return nil }
      self = key
    case .decimal(let d):
      guard d.isInteger else { return nil }
      if let i = try? d.int64Value() {
        self = .int(i)
      } else if let u = try? d.uint64Value() {
        self = .uint(u)
      } else {
        return nil
      }
    default:
      self.init(value)
    }
  }

  static func integral(_ d: Double) -> MapKey? {
    guard d.isFinite, d.rounded(.towardZero) == d else { return nil }
    if d >= -9_223_372_036_854_775_808.0 && d < 9_223_372_036_854_775_808.0 {
      return .int(Int64(d))
    }
    if d >= 0 && d < 18_446_744_073_709_551_616.0 {
      return .uint(UInt64(d))
    }
    return nil
  }
}

// MARK: - Strings as sequences of Unicode scalars

/// Whether two strings hold the same Unicode scalars (the same UTF-8 bytes).
@inline(__always)
func scalarsEqual(_ a: String, _ b: String) -> Bool {
  let count = a.utf8.count
  guard count == b.utf8.count else { return false }
  let fast = a.utf8.withContiguousStorageIfAvailable { pa in
    b.utf8.withContiguousStorageIfAvailable { pb in bytesEqual(pa, pb) }
  }
  if let fast, let result = fast { return result }
  return a.utf8.elementsEqual(b.utf8)
}

/// Byte equality of two buffers of the same length.
@inline(__always)
func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
  guard a.count == b.count else { return false }
  guard let pa = a.baseAddress, let pb = b.baseAddress else { return true }
  return memcmp(pa, pb, a.count) == 0
}

/// Code-point order of two strings (UTF-8 byte order is code-point order):
/// negative, zero or positive.
func scalarsCompare(_ a: String, _ b: String) -> Int {
  var a = a
  var b = b
  return a.withUTF8 { pa in
    b.withUTF8 { pb in
      let n = min(pa.count, pb.count)
      var i = 0
      while i < n {
        if pa[i] != pb[i] { return pa[i] < pb[i] ? -1 : 1 }
        i += 1
      }
      return pa.count == pb.count ? 0 : (pa.count < pb.count ? -1 : 1)
    }
  }
}

/// Runs `body` over the UTF-8 bytes of both strings (copying only strings
/// that are not stored contiguously).
@inline(__always)
func withBytes<R>(
  _ a: String, _ b: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> R
) -> R {
  let fast = a.utf8.withContiguousStorageIfAvailable { pa in
    b.utf8.withContiguousStorageIfAvailable { pb in body(pa, pb) }
  }
  if let fast, let result = fast { return result }
  return Array(a.utf8).withUnsafeBufferPointer { pa in Array(b.utf8).withUnsafeBufferPointer { pb in body(pa, pb) } }
}

/// Whether `haystack` contains `needle`, scalar by scalar.
func scalarsContain(_ haystack: String, _ needle: String) -> Bool {
  withBytes(haystack, needle, byteSearch)
}

func scalarsHavePrefix(_ text: String, _ prefix: String) -> Bool {
  withBytes(text, prefix) { t, p in
    p.count <= t.count && bytesEqual(UnsafeBufferPointer(rebasing: t.prefix(p.count)), p)
  }
}

func scalarsHaveSuffix(_ text: String, _ suffix: String) -> Bool {
  withBytes(text, suffix) { t, s in
    s.count <= t.count && bytesEqual(UnsafeBufferPointer(rebasing: t.suffix(s.count)), s)
  }
}

/// Naive substring search over bytes; UTF-8 is self-synchronizing, so a byte
/// match of valid UTF-8 is a scalar match.
func byteSearch(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
  let n = needle.count
  if n == 0 { return true }
  let h = haystack.count
  if n > h { return false }
  let first = needle[0]
  var i = 0
  while i <= h - n {
    if haystack[i] == first {
      var j = 1
      while j < n && haystack[i + j] == needle[j] { j += 1 }
      if j == n { return true }
    }
    i += 1
  }
  return false
}
