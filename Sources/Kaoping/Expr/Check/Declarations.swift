// The signatures of CEL's standard functions and Kaoping's additions, as the
// checker sees them. Operators (`_+_`, `_==_`, `_<_`, `_[_]`, `@in`, …) are
// checked by dedicated rules in the checker for better messages; their
// overloads are listed here too where generic resolution applies.

struct Overload: Sendable {
  var params: [ExprType]
  var result: ExprType

  /// Whether a parameter or the result mentions a type parameter.
  let isGeneric: Bool

  init(_ params: [ExprType], _ result: ExprType) {
    self.params = params
    self.result = result
    func generic(_ t: ExprType) -> Bool {
      switch t {
      case .typeParam: return true
      case .list(let e): return generic(e)
      case .map(let k, let v): return generic(k) || generic(v)
      default: return false
      }
    }
    isGeneric = params.contains(where: generic) || generic(result)
  }
}

/// A function: its overloads for global calls `f(x, y)` and for receiver calls
/// `x.f(y)` (where the receiver is the first parameter).
struct FunctionDecl: Sendable {
  var name: String
  var function: Function
  var global: [Overload]
  var receiver: [Overload]
}

enum Declarations {
  private static let a = ExprType.typeParam("A")
  private static let k = ExprType.typeParam("K")
  private static let v = ExprType.typeParam("V")

  static let arithmetic: [Function: [Overload]] = [
    .add: [
      Overload([.int, .int], .int), Overload([.uint, .uint], .uint),
      Overload([.double, .double], .double), Overload([.string, .string], .string),
      Overload([.bytes, .bytes], .bytes), Overload([.list(a), .list(a)], .list(a)),
    ],
    .subtract: numeric3,
    .multiply: numeric3,
    .divide: numeric3,
    .remainder: [Overload([.int, .int], .int), Overload([.uint, .uint], .uint)],
  ]

  private static let numeric3 = [
    Overload([.int, .int], .int), Overload([.uint, .uint], .uint),
    Overload([.double, .double], .double),
  ]

  static let negate = [Overload([.int], .int), Overload([.double], .double)]

  /// Named functions by the name a call uses (`size`, `math.round`).
  static let functions: [String: FunctionDecl] = {
    var table: [String: FunctionDecl] = [:]
    func add(_ f: Function, global: [Overload] = [], receiver: [Overload] = []) {
      table[f.rawValue] = FunctionDecl(name: f.rawValue, function: f, global: global, receiver: receiver)
    }
    let sizes = [
      Overload([.string], .int), Overload([.bytes], .int), Overload([.list(a)], .int),
      Overload([.map(k, v)], .int),
    ]
    add(.size, global: sizes, receiver: sizes)
    let stringTest = [Overload([.string, .string], .bool)]
    add(.contains, receiver: stringTest)
    add(.startsWith, receiver: stringTest)
    add(.endsWith, receiver: stringTest)
    add(.matches, global: stringTest, receiver: stringTest)
    let numbersIn: [ExprType] = [.int, .uint, .double, .string]
    add(.int, global: numbersIn.map { Overload([$0], .int) })
    add(.uint, global: numbersIn.map { Overload([$0], .uint) })
    add(.double, global: numbersIn.map { Overload([$0], .double) })
    add(
      .string,
      global: [ExprType.int, .uint, .double, .string, .bytes, .bool, .date].map { Overload([$0], .string) })
    add(.bytes, global: [Overload([.bytes], .bytes), Overload([.string], .bytes)])
    add(.bool, global: [Overload([.bool], .bool), Overload([.string], .bool)])
    add(.type, global: [Overload([a], .type)])
    add(.dyn, global: [Overload([a], .dyn)])
    add(.date, global: [Overload([.string], .date), Overload([.date], .date)])
    add(.days, global: [Overload([.date, .date], .int)])
    add(.workdays, global: [Overload([.date, .date], .int)])
    let keepType = [
      Overload([.list(.int)], .int), Overload([.list(.uint)], .uint),
      Overload([.list(.double)], .double),
    ]
    for f in [Function.sum, .max, .min] { add(f, global: keepType, receiver: keepType) }
    let average = [
      Overload([.list(.int)], .double), Overload([.list(.uint)], .double),
      Overload([.list(.double)], .double),
    ]
    add(.avg, global: average, receiver: average)
    let oneNumber: [ExprType] = [.int, .uint, .double]
    add(
      .round,
      global: oneNumber.map { Overload([$0], .double) } + oneNumber.map { Overload([$0, .int], .double) })
    add(.floor, global: oneNumber.map { Overload([$0], .double) })
    add(.ceil, global: oneNumber.map { Overload([$0], .double) })
    add(.abs, global: oneNumber.map { Overload([$0], $0) })
    return table
  }()

  /// The names a user may call, sorted (for suggestions).
  static let publicNames: [String] = functions.keys.filter { !$0.hasPrefix("@") }.sorted()

  /// Namespaces of qualified function names (`math` in `math.round`).
  static let namespaces: Set<String> = ["math"]
}
