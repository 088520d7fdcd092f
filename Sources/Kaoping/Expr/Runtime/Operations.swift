// The run-time behaviour of CEL's operators and standard functions, and of
// Kaoping's additions. Each function dispatches on the kinds of its argument
// values (so `dyn` operands work) and returns an error value instead of
// trapping: integer overflow, division by zero, out-of-range conversions.

/// The longest string, bytes or list that concatenation may build, so that a
/// doubling expression cannot exhaust memory.
let maxConcatenationSize = 1 << 24

enum Ops {
  // MARK: Errors

  static func noOverload(_ function: String, _ args: Value...) -> Value {
    for arg in args where arg.isError { return arg }
    let types = args.map(\.typeName).joined(separator: ", ")
    return .fail("no matching overload for '\(displayName(function))' applied to (\(types))")
  }

  static func overflow(_ op: String) -> Value { .fail("integer overflow in '\(op)'") }

  /// `_+_` → `+`, `@in` → `in`, other names unchanged.
  static func displayName(_ function: String) -> String {
    switch function {
    case "@in": return "in"
    case "_[_]": return "[]"
    case "_?_:_": return "? :"
    case "!_": return "!"
    case "-_": return "-"
    default:
      if function.hasPrefix("_") && function.hasSuffix("_") && function.count > 2 {
        return String(function.dropFirst().dropLast())
      }
      return function
    }
  }

  // MARK: Arithmetic

  static func add(_ a: Value, _ b: Value) -> Value {
    switch (a, b) {
    case (.int(let x), .int(let y)):
      let (r, o) = x.addingReportingOverflow(y)
      return o ? overflow("+") : .int(r)
    case (.uint(let x), .uint(let y)):
      let (r, o) = x.addingReportingOverflow(y)
      return o ? overflow("+") : .uint(r)
    case (.double(let x), .double(let y)):
      return .double(x + y)
    case (.string(let x), .string(let y)):
      guard x.utf8.count + y.utf8.count <= maxConcatenationSize else { return tooLong() }
      return .string(x + y)
    case (.bytes(let x), .bytes(let y)):
      guard x.count + y.count <= maxConcatenationSize else { return tooLong() }
      return .bytes(x + y)
    case (.list(let x), .list(let y)):
      guard x.count + y.count <= maxConcatenationSize else { return tooLong() }
      if x.isEmpty { return b }
      if y.isEmpty { return a }
      return .list(x + y)
    default:
      if let (x, y) = decimalPair(a, b) { return decimal { () throws(DecimalError) in try x.adding(y) } }
      return noOverload("_+_", a, b)
    }
  }

  static func tooLong() -> Value {
    .fail("result too long: concatenation beyond \(maxConcatenationSize) elements")
  }

  static func subtract(_ a: Value, _ b: Value) -> Value {
    switch (a, b) {
    case (.int(let x), .int(let y)):
      let (r, o) = x.subtractingReportingOverflow(y)
      return o ? overflow("-") : .int(r)
    case (.uint(let x), .uint(let y)):
      let (r, o) = x.subtractingReportingOverflow(y)
      return o ? overflow("-") : .uint(r)
    case (.double(let x), .double(let y)):
      return .double(x - y)
    default:
      if let (x, y) = decimalPair(a, b) { return decimal { () throws(DecimalError) in try x.subtracting(y) } }
      return noOverload("_-_", a, b)
    }
  }

  static func multiply(_ a: Value, _ b: Value) -> Value {
    switch (a, b) {
    case (.int(let x), .int(let y)):
      let (r, o) = x.multipliedReportingOverflow(by: y)
      return o ? overflow("*") : .int(r)
    case (.uint(let x), .uint(let y)):
      let (r, o) = x.multipliedReportingOverflow(by: y)
      return o ? overflow("*") : .uint(r)
    case (.double(let x), .double(let y)):
      return .double(x * y)
    default:
      if let (x, y) = decimalPair(a, b) { return decimal { () throws(DecimalError) in try x.multiplied(by: y) } }
      return noOverload("_*_", a, b)
    }
  }

  static func divide(_ a: Value, _ b: Value) -> Value {
    switch (a, b) {
    case (.int(let x), .int(let y)):
      if y == 0 { return .fail("division by zero") }
      let (r, o) = x.dividedReportingOverflow(by: y)
      return o ? overflow("/") : .int(r)
    case (.uint(let x), .uint(let y)):
      if y == 0 { return .fail("division by zero") }
      return .uint(x / y)
    case (.double(let x), .double(let y)):
      return .double(x / y)
    default:
      if let (x, y) = decimalPair(a, b) { return decimal { () throws(DecimalError) in try x.divided(by: y) } }
      return noOverload("_/_", a, b)
    }
  }

  static func remainder(_ a: Value, _ b: Value) -> Value {
    switch (a, b) {
    case (.int(let x), .int(let y)):
      if y == 0 { return .fail("modulus by zero") }
      let (r, o) = x.remainderReportingOverflow(dividingBy: y)
      return o ? overflow("%") : .int(r)
    case (.uint(let x), .uint(let y)):
      if y == 0 { return .fail("modulus by zero") }
      return .uint(x % y)
    default:
      return noOverload("_%_", a, b)
    }
  }

  static func negate(_ a: Value) -> Value {
    switch a {
    case .int(let x):
      let (r, o) = Int64(0).subtractingReportingOverflow(x)
      return o ? overflow("-") : .int(r)
    case .double(let x):
      return .double(-x)
    case .decimal(let x):
      return .decimal(x.negated())
    default:
      return noOverload("-_", a)
    }
  }

  static func not(_ a: Value) -> Value {
    if case .bool(let b) = a { return .bool(!b) }
    return noOverload("!_", a)
  }

  // MARK: Equality and ordering

  /// CEL's heterogeneous equality: numbers compare by value across int, uint
  /// and double; values of other different types are unequal; lists and maps
  /// compare element by element. NaN equals nothing.
  static func equal(_ a: Value, _ b: Value) -> Bool {
    // One switch on `a` and a pattern test on `b` (no tuple of two values to copy).
    switch a {
    case .string(let x):
      if case .string(let y) = b { return scalarsEqual(x, y) }
      return false
    case .int(let x):
      if case .int(let y) = b { return x == y }
      return compareNumbers(a, b) == .equal
    case .uint, .double, .decimal:
      return compareNumbers(a, b) == .equal
    case .bool(let x):
      if case .bool(let y) = b { return x == y }
      return false
    case .null:
      if case .null = b { return true }
      return false
    case .bytes(let x):
      if case .bytes(let y) = b { return x == y }
      return false
    case .date(let x):
      if case .date(let y) = b { return x == y }
      return false
    case .type(let x):
      if case .type(let y) = b { return x == y }
      return false
    case .list(let x):
      guard case .list(let y) = b, x.count == y.count else { return false }
      for i in x.indices where !equal(x[i], y[i]) { return false }
      return true
    case .map(let x):
      guard case .map(let y) = b, x.count == y.count else { return false }
      for (key, value) in x.entries {
        guard let other = y[key], equal(value, other) else { return false }
      }
      return true
    case .object(let x):
      guard case .object(let y) = b else { return false }
      if x === y { return true }
      guard x.type == y.type, x.fields.count == y.fields.count else { return false }
      for i in x.fields.indices where !equal(x.fields[i], y.fields[i]) { return false }
      return true
    case .error:
      return false
    }
  }

  enum Order { case less, equal, greater, unordered }

  /// Orders two numbers by value; `nil` when either is not a number.
  static func compareNumbers(_ a: Value, _ b: Value) -> Order? {
    switch (a, b) {
    case (.int(let x), .int(let y)): return order(x, y)
    case (.uint(let x), .uint(let y)): return order(x, y)
    case (.double(let x), .double(let y)): return orderDoubles(x, y)
    case (.int(let x), .uint(let y)):
      return x < 0 ? .less : order(UInt64(x), y)
    case (.uint(let x), .int(let y)):
      return y < 0 ? .greater : order(x, UInt64(y))
    case (.int(let x), .double(let y)): return compare(int: x, double: y)
    case (.double(let x), .int(let y)): return flip(compare(int: y, double: x))
    case (.uint(let x), .double(let y)): return compare(uint: x, double: y)
    case (.double(let x), .uint(let y)): return flip(compare(uint: y, double: x))
    case (.decimal(let x), .decimal(let y)): return order(x, y)
    case (.decimal(let x), .int(let y)): return order(x, ExactDecimal(y))
    case (.int(let x), .decimal(let y)): return order(ExactDecimal(x), y)
    case (.decimal(let x), .uint(let y)): return order(x, ExactDecimal(y))
    case (.uint(let x), .decimal(let y)): return order(ExactDecimal(x), y)
    case (.decimal(let x), .double(let y)): return orderDoubles(x.doubleValue, y)
    case (.double(let x), .decimal(let y)): return orderDoubles(x, y.doubleValue)
    default: return nil
    }
  }

  @inline(__always)
  static func order<T: Comparable>(_ x: T, _ y: T) -> Order {
    x < y ? .less : (x == y ? .equal : .greater)
  }

  static func orderDoubles(_ x: Double, _ y: Double) -> Order {
    if x < y { return .less }
    if x > y { return .greater }
    if x == y { return .equal }
    return .unordered
  }

  static func flip(_ o: Order) -> Order {
    switch o {
    case .less: return .greater
    case .greater: return .less
    default: return o
    }
  }

  // As cel-go: beyond the int range the double decides; within it the int is
  // converted to double (so 2^63 - 1 and 2^63 compare equal).
  static func compare(int x: Int64, double y: Double) -> Order {
    if y.isNaN { return .unordered }
    if y < -9_223_372_036_854_775_808.0 { return .greater }
    if y > 9_223_372_036_854_775_808.0 { return .less }
    return orderDoubles(Double(x), y)
  }

  static func compare(uint x: UInt64, double y: Double) -> Order {
    if y.isNaN { return .unordered }
    if y < 0 { return .greater }
    if y > 18_446_744_073_709_551_616.0 { return .less }
    return orderDoubles(Double(x), y)
  }

  /// The order of two values for `<` and friends; `nil` when no ordering
  /// overload applies.
  static func compare(_ a: Value, _ b: Value) -> Order? {
    switch (a, b) {
    case (.string(let x), .string(let y)):
      let c = scalarsCompare(x, y)
      return c < 0 ? .less : (c == 0 ? .equal : .greater)
    case (.bool(let x), .bool(let y)):
      return x == y ? .equal : (!x ? .less : .greater)
    case (.bytes(let x), .bytes(let y)):
      return x.lexicographicallyPrecedes(y) ? .less : (x == y ? .equal : .greater)
    case (.date(let x), .date(let y)):
      return order(x.daysSinceEpoch, y.daysSinceEpoch)
    default:
      return compareNumbers(a, b)
    }
  }

  static func less(_ a: Value, _ b: Value) -> Value {
    guard let o = compare(a, b) else { return noOverload("_<_", a, b) }
    return .bool(o == .less)
  }

  static func lessOrEqual(_ a: Value, _ b: Value) -> Value {
    guard let o = compare(a, b) else { return noOverload("_<=_", a, b) }
    return .bool(o == .less || o == .equal)
  }

  static func greater(_ a: Value, _ b: Value) -> Value {
    guard let o = compare(a, b) else { return noOverload("_>_", a, b) }
    return .bool(o == .greater)
  }

  static func greaterOrEqual(_ a: Value, _ b: Value) -> Value {
    guard let o = compare(a, b) else { return noOverload("_>=_", a, b) }
    return .bool(o == .greater || o == .equal)
  }

  static func equals(_ a: Value, _ b: Value) -> Value {
    if a.isError { return a }
    if b.isError { return b }
    return .bool(equal(a, b))
  }

  static func notEquals(_ a: Value, _ b: Value) -> Value {
    if a.isError { return a }
    if b.isError { return b }
    return .bool(!equal(a, b))
  }

  // MARK: Collections

  static func index(_ a: Value, _ b: Value) -> Value {
    switch a {
    case .list(let items):
      let position: Int64
      switch b {
      case .int(let i): position = i
      case .uint(let u):
        guard let i = Int64(exactly: u) else { return indexOutOfRange(b, items.count) }
        position = i
      case .double(let d):
        guard let i = Int64(exactly: d) else { return .fail("invalid list index \(b.literalText)") }
        position = i
      case .decimal(let d):
        guard d.isInteger, let i = try? d.int64Value() else {
          return .fail("invalid list index \(b.literalText)")
        }
        position = i
      default:
        return noOverload("_[_]", a, b)
      }
      guard position >= 0 && position < Int64(items.count) else {
        return indexOutOfRange(b, items.count)
      }
      return items[Int(position)]
    case .map(let m):
      if b.isError { return b }
      if let v = m[b] { return v }
      return .fail("no such key: \(b.literalText)")
    default:
      return noOverload("_[_]", a, b)
    }
  }

  static func indexOutOfRange(_ index: Value, _ count: Int) -> Value {
    .fail("index out of range: \(index.literalText) (the list has \(count) elements)")
  }

  static func contained(_ a: Value, _ b: Value) -> Value {
    switch b {
    case .list(let items):
      if a.isError { return a }
      for item in items where equal(a, item) { return .bool(true) }
      return .bool(false)
    case .map(let m):
      if a.isError { return a }
      return .bool(m[a] != nil)
    default:
      return noOverload("@in", a, b)
    }
  }

  static func size(_ a: Value) -> Value {
    switch a {
    case .string(let s): return .int(Int64(s.unicodeScalars.count))
    case .bytes(let b): return .int(Int64(b.count))
    case .list(let l): return .int(Int64(l.count))
    case .map(let m): return .int(Int64(m.count))
    default: return noOverload("size", a)
    }
  }

  /// Builds a map from evaluated keys and values.
  static func makeMap(_ pairs: [(Value, Value)]) -> Value {
    var map = MapValue()
    for (key, value) in pairs {
      if key.isError { return key }
      if value.isError { return value }
      do {
        try map.insert(key: key, value: value)
      } catch {
        return .error(error)
      }
    }
    return .map(map)
  }

  // MARK: Strings

  static func contains(_ a: Value, _ b: Value) -> Value {
    guard case .string(let s) = a, case .string(let t) = b else { return noOverload("contains", a, b) }
    return .bool(scalarsContain(s, t))
  }

  static func startsWith(_ a: Value, _ b: Value) -> Value {
    guard case .string(let s) = a, case .string(let t) = b else {
      return noOverload("startsWith", a, b)
    }
    return .bool(scalarsHavePrefix(s, t))
  }

  static func endsWith(_ a: Value, _ b: Value) -> Value {
    guard case .string(let s) = a, case .string(let t) = b else {
      return noOverload("endsWith", a, b)
    }
    return .bool(scalarsHaveSuffix(s, t))
  }

  // MARK: Conversions

  static func toInt(_ a: Value) -> Value {
    switch a {
    case .int: return a
    case .uint(let u):
      guard let i = Int64(exactly: u) else { return rangeError(a, "int") }
      return .int(i)
    case .double(let d):
      // As cel-go: the bounds themselves are out of range.
      guard d.isFinite, d > -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 else {
        return rangeError(a, "int")
      }
      return .int(Int64(d.rounded(.towardZero)))
    case .decimal(let d):
      guard let i = try? d.int64Value() else { return rangeError(a, "int") }
      return .int(i)
    case .string(let s):
      guard let i = Int64(s) else { return .fail("cannot convert \(a.literalText) to int") }
      return .int(i)
    default:
      return noOverload("int", a)
    }
  }

  static func toUint(_ a: Value) -> Value {
    switch a {
    case .uint: return a
    case .int(let i):
      guard let u = UInt64(exactly: i) else { return rangeError(a, "uint") }
      return .uint(u)
    case .double(let d):
      guard d.isFinite, d > -1, d < 18_446_744_073_709_551_616.0 else {
        return rangeError(a, "uint")
      }
      return .uint(UInt64(d.rounded(.towardZero)))
    case .decimal(let d):
      guard let u = try? d.uint64Value() else { return rangeError(a, "uint") }
      return .uint(u)
    case .string(let s):
      guard let u = UInt64(s) else { return .fail("cannot convert \(a.literalText) to uint") }
      return .uint(u)
    default:
      return noOverload("uint", a)
    }
  }

  static func rangeError(_ a: Value, _ target: String) -> Value {
    .fail("range error: \(a.literalText) does not fit in \(target)")
  }

  static func toDouble(_ a: Value) -> Value {
    switch a {
    case .double: return a
    case .decimal(let d): return .double(d.doubleValue)
    case .int(let i): return .double(Double(i))
    case .uint(let u): return .double(Double(u))
    case .string(let s):
      guard let d = DoubleText.parse(s) else { return .fail("cannot convert \(a.literalText) to double") }
      return .double(d)
    default:
      return noOverload("double", a)
    }
  }

  static func toString(_ a: Value) -> Value {
    switch a {
    case .string: return a
    case .int(let i): return .string(String(i))
    case .uint(let u): return .string(String(u))
    case .double(let d): return .string(DoubleText.celString(d))
    case .decimal(let d): return .string(d.description)
    case .bool(let b): return .string(b ? "true" : "false")
    case .date(let d): return .string(d.description)
    case .bytes(let b):
      guard let s = String(validating: b, as: UTF8.self) else {
        return .fail("invalid UTF-8 in bytes converted to string")
      }
      return .string(s)
    case .type(let t): return .string(t.runtimeName)
    default:
      return noOverload("string", a)
    }
  }

  static func toBytes(_ a: Value) -> Value {
    switch a {
    case .bytes: return a
    case .string(let s): return .bytes(Array(s.utf8))
    default: return noOverload("bytes", a)
    }
  }

  static func toBool(_ a: Value) -> Value {
    switch a {
    case .bool: return a
    case .string(let s):
      switch s {
      case "true", "TRUE", "True", "t", "1": return .bool(true)
      case "false", "FALSE", "False", "f", "0": return .bool(false)
      default: return .fail("cannot convert \(a.literalText) to bool")
      }
    default:
      return noOverload("bool", a)
    }
  }

  static func typeOf(_ a: Value) -> Value {
    if a.isError { return a }
    return .type(a.runtimeType)
  }

  // MARK: Dates

  static func toDate(_ a: Value) -> Value {
    switch a {
    case .date: return a
    case .string(let s):
      guard let d = CELDate(parsing: s) else {
        return .fail("invalid date \(a.literalText): write YYYY-MM-DD, a real day")
      }
      return .date(d)
    default:
      return noOverload("date", a)
    }
  }

  static func days(_ a: Value, _ b: Value) -> Value {
    guard case .date(let x) = a, case .date(let y) = b else { return noOverload("days", a, b) }
    return .int(Int64(y.daysSinceEpoch) - Int64(x.daysSinceEpoch))
  }

  static func workdays(_ a: Value, _ b: Value, calendar: WorkCalendar?) -> Value {
    guard case .date(let x) = a, case .date(let y) = b else { return noOverload("workdays", a, b) }
    guard let calendar else { return .fail("workdays() needs a calendar, and none is declared") }
    do {
      return .int(try calendar.workdays(from: x, to: y))
    } catch {
      return .error(error)
    }
  }

  // MARK: Aggregates

  /// The common numeric kind of a list's elements (int and decimal together
  /// are decimal), or the error that the list holds something else.
  enum NumberKind: String { case int, uint, double, decimal }

  static func numberKind(_ function: String, _ items: [Value]) -> Result<NumberKind?, EvalError> {
    var kind: NumberKind?
    for item in items {
      let k: NumberKind
      switch item {
      case .int: k = .int
      case .uint: k = .uint
      case .double: k = .double
      case .decimal: k = .decimal
      case .error(let e): return .failure(e)
      default:
        return .failure(
          EvalError("\(function)() needs a list of numbers, but it holds \(item.typeName) \(item.literalText)"))
      }
      guard let current = kind, current != k else {
        kind = k
        continue
      }
      if (current == .int && k == .decimal) || (current == .decimal && k == .int) {
        kind = .decimal
        continue
      }
      return .failure(
        EvalError("\(function)() needs numbers of one type, but the list mixes \(current.rawValue) and \(k.rawValue)"))
    }
    return .success(kind)
  }

  static func asDecimal(_ v: Value) -> ExactDecimal? {
    switch v {
    case .int(let i): return ExactDecimal(i)
    case .uint(let u): return ExactDecimal(u)
    case .decimal(let d): return d
    default: return nil
    }
  }

  static func decimalSum(_ items: [Value]) -> Result<ExactDecimal, EvalError> {
    var total = ExactDecimal.zero
    for item in items {
      guard let d = asDecimal(item) else { continue }
      do {
        total = try total.adding(d)
      } catch {
        return .failure(EvalError(error.description))
      }
    }
    return .success(total)
  }

  static func sum(_ a: Value) -> Value {
    guard case .list(let items) = a else { return noOverload("sum", a) }
    switch numberKind("sum", items) {
    case .failure(let e): return .error(e)
    case .success(nil): return .int(0)
    case .success(.int):
      var total: Int64 = 0
      for case .int(let x) in items {
        let (r, o) = total.addingReportingOverflow(x)
        if o { return overflow("sum") }
        total = r
      }
      return .int(total)
    case .success(.uint):
      var total: UInt64 = 0
      for case .uint(let x) in items {
        let (r, o) = total.addingReportingOverflow(x)
        if o { return overflow("sum") }
        total = r
      }
      return .uint(total)
    case .success(.double):
      var total = 0.0
      for case .double(let x) in items { total += x }
      return .double(total)
    case .success(.decimal):
      switch decimalSum(items) {
      case .success(let d): return .decimal(d)
      case .failure(let e): return .error(e)
      }
    }
  }

  /// `avg`: a double in the CEL profile, an exact decimal in the rule profile
  /// (`exact`).
  static func average(_ a: Value, exact: Bool) -> Value {
    guard case .list(let items) = a else { return noOverload("avg", a) }
    switch numberKind("avg", items) {
    case .failure(let e): return .error(e)
    case .success(nil): return .fail("avg() of an empty list")
    case .success(let kind):
      if exact || kind == .decimal {
        guard kind != .double else { return .fail("avg() of doubles in the rule profile") }
        switch decimalSum(items) {
        case .failure(let e): return .error(e)
        case .success(let total):
          return decimal { () throws(DecimalError) in try total.divided(by: ExactDecimal(items.count)) }
        }
      }
      var total = 0.0
      for item in items {
        switch item {
        case .int(let x): total += Double(x)
        case .uint(let x): total += Double(x)
        case .double(let x): total += x
        default: break
        }
      }
      return .double(total / Double(items.count))
    }
  }

  static func extreme(_ a: Value, function: String, wantGreater: Bool) -> Value {
    guard case .list(let items) = a else { return noOverload(function, a) }
    switch numberKind(function, items) {
    case .failure(let e): return .error(e)
    case .success(nil): return .fail("\(function)() of an empty list")
    case .success(let kind):
      var best = items[0]
      for item in items.dropFirst() {
        switch compareNumbers(item, best) {
        case .unordered?:
          if case .double(let d) = item, d.isNaN { return item }
          if case .double(let d) = best, d.isNaN { return best }
        case .greater? where wantGreater: best = item
        case .less? where !wantGreater: best = item
        default: break
        }
      }
      if kind == .decimal, let d = asDecimal(best) { return .decimal(d) }
      return best
    }
  }

  // MARK: math

  static func abs(_ a: Value) -> Value {
    switch a {
    case .int(let x):
      if x == .min { return overflow("math.abs") }
      return .int(x < 0 ? -x : x)
    case .uint: return a
    case .double(let d): return .double(Swift.abs(d))
    case .decimal(let d): return .decimal(d.magnitude)
    default: return noOverload("math.abs", a)
    }
  }

  /// `math.floor` and `math.ceil`: a decimal out in the rule profile
  /// (`exact`), a double in the CEL profile.
  static func roundToInteger(_ a: Value, _ function: String, _ rule: DecimalRoundingRule, exact: Bool) -> Value {
    switch a {
    case .decimal(let d): return .decimal(d.rounded(rule))
    case .double(let d): return .double(d.rounded(rule == .down ? .down : .up))
    case .int, .uint:
      if exact, let d = asDecimal(a) { return .decimal(d) }
      if case .int(let x) = a { return .double(Double(x)) }
      if case .uint(let x) = a { return .double(Double(x)) }
      return noOverload(function, a)
    default: return noOverload(function, a)
    }
  }

  /// `math.round(x, digits)`: half away from zero at `digits` fraction digits
  /// (negative digits round to tens, hundreds…). Doubles round as the decimal
  /// they print as, so `math.round(2.675, 2)` is `2.68`.
  static func round(_ a: Value, _ digits: Value, exact: Bool) -> Value {
    guard case .int(let n) = digits else { return noOverload("math.round", a, digits) }
    guard n >= -40 && n <= 40 else {
      return .fail("math.round: \(n) digits is out of range (-40 to 40)")
    }
    let scale = Int(n)
    switch a {
    case .decimal(let d): return .decimal(d.rounded(scale: scale, .halfAwayFromZero))
    case .int, .uint:
      guard let d = asDecimal(a) else { return noOverload("math.round", a, digits) }
      let r = d.rounded(scale: scale, .halfAwayFromZero)
      return exact ? .decimal(r) : .double(r.doubleValue)
    case .double(let x):
      guard let d = ExactDecimal(approximating: x) else { return a }
      let r = d.rounded(scale: scale, .halfAwayFromZero).doubleValue
      return .double(x.sign == .minus && r == 0 ? -0.0 : r)
    default: return noOverload("math.round", a, digits)
    }
  }

  // MARK: Decimals

  static func decimal(_ body: () throws(DecimalError) -> ExactDecimal) -> Value {
    do {
      return .decimal(try body())
    } catch {
      return .fail(error.description)
    }
  }

  /// Both operands as decimals, when one is a decimal and the other an int or
  /// a decimal (rule profile promotion).
  @inline(__always)
  static func decimalPair(_ a: Value, _ b: Value) -> (ExactDecimal, ExactDecimal)? {
    switch (a, b) {
    case (.decimal(let x), .decimal(let y)): return (x, y)
    case (.decimal(let x), .int(let y)): return (x, ExactDecimal(y))
    case (.int(let x), .decimal(let y)): return (ExactDecimal(x), y)
    default: return nil
    }
  }

  /// Rule profile: a number as an exact decimal (int promotion).
  static func promote(_ a: Value) -> Value {
    asDecimal(a).map { .decimal($0) } ?? a
  }

  /// `double(x)` in the rule profile: an exact decimal.
  static func toDecimal(_ a: Value) -> Value {
    switch a {
    case .decimal: return a
    case .int, .uint: return promote(a)
    case .double(let d):
      guard let x = ExactDecimal(approximating: d) else { return .fail("\(a.literalText) has no decimal value") }
      return .decimal(x)
    case .string(let s):
      guard let d = ExactDecimal(parsing: s) else {
        return .fail("cannot convert \(a.literalText) to a decimal number")
      }
      return .decimal(d)
    default:
      return noOverload("double", a)
    }
  }
}

extension Ops {
  /// `matches`: RE2 syntax, partial match (a substring matches), linear time.
  /// An invalid pattern is an evaluation error.
  static func matches(_ a: Value, _ b: Value) -> Value {
    guard case .string(let text) = a, case .string(let pattern) = b else { return noOverload("matches", a, b) }
    do {
      return .bool(try RE2Regex(pattern).matches(text))
    } catch {
      return .fail("invalid regular expression \(quoteCEL(pattern)): \(error.message)")
    }
  }
}

/// `matches` with a constant pattern, compiled once.
final class MatchesNode: Node, @unchecked Sendable {
  let operand: Node
  let regex: RE2Regex
  init(_ operand: Node, _ regex: RE2Regex) {
    self.operand = operand
    self.regex = regex
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let v = operand.eval(&c)
    guard case .string(let text) = v else { return v.isError ? v : Ops.noOverload("matches", v) }
    return .bool(regex.matches(text))
  }
}
