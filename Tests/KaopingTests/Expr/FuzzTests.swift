import Testing

@testable import Kaoping

/// Generates random, mostly well-formed CEL expressions over ints, doubles,
/// strings, bytes, lists, maps, macros and operators (with a fixed seed).
struct ExpressionGenerator {
  var rng: SplitMix64

  mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
  mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
  mutating func pick(_ options: [String]) -> String { options[below(options.count)] }

  static let atoms = [
    "0", "1", "2", "-1", "7", "42", "9223372036854775807", "-9223372036854775808", "0x10", "0u", "1u", "3u",
    "18446744073709551615u", "0.0", "0.5", "1.5", "-2.25", "1e3", "1e308", "'a'", "'abc'", "''", "\"é名\"",
    "'\\u00e9'", "r'\\d+'", "b'ab'", "b'\\xff'", "true", "false", "null", "i", "d", "s", "l", "m", "x", "y",
    "int", "string", "list", "[]", "{}", "date('2023-01-31')",
  ]
  static let binary = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "in"]
  static let functions = [
    "size", "int", "uint", "double", "string", "bytes", "bool", "type", "dyn", "sum", "max", "min", "avg",
    "math.round", "math.floor", "math.ceil", "math.abs", "date", "days",
  ]
  static let methods = ["contains", "startsWith", "endsWith", "matches", "size"]
  static let macros = ["all", "exists", "exists_one", "map", "filter"]

  mutating func expression(depth: Int) -> String {
    if depth <= 0 || chance(25) { return pick(ExpressionGenerator.atoms) }
    let d = depth - 1
    switch below(13) {
    case 0, 1, 2:
      return "\(expression(depth: d)) \(pick(ExpressionGenerator.binary)) \(expression(depth: d))"
    case 3:
      return "\(pick(["-", "!"]))\(expression(depth: d))"
    case 4:
      return "\(expression(depth: d)) ? \(expression(depth: d)) : \(expression(depth: d))"
    case 5:
      return "[" + (0..<below(4)).map { _ in expression(depth: d) }.joined(separator: ", ") + "]"
    case 6:
      return "{" + (0..<below(3)).map { _ in "\(expression(depth: d)): \(expression(depth: d))" }.joined(separator: ", ")
        + "}"
    case 7:
      return "\(expression(depth: d))[\(expression(depth: d))]"
    case 8:
      let v = pick(["x", "y", "i"])
      let macro = pick(ExpressionGenerator.macros)
      let extra = macro == "map" && chance(30) ? ", \(expression(depth: d))" : ""
      return "\(expression(depth: d)).\(macro)(\(v), \(expression(depth: d))\(extra))"
    case 9:
      let args = (0..<(1 + below(2))).map { _ in expression(depth: d) }.joined(separator: ", ")
      return "\(pick(ExpressionGenerator.functions))(\(args))"
    case 10:
      return "\(expression(depth: d)).\(pick(ExpressionGenerator.methods))(\(expression(depth: d)))"
    case 11:
      let field = pick(["a", "b", "f"])
      return chance(50) ? "has(\(expression(depth: d)).\(field))" : "\(expression(depth: d)).\(field)"
    default:
      return "(\(expression(depth: d)))"
    }
  }

  /// Sometimes breaks the text: drops, duplicates or inserts a character.
  mutating func mutate(_ text: String) -> String {
    guard chance(10), !text.isEmpty else { return text }
    var scalars = Array(text.unicodeScalars)
    let i = below(scalars.count)
    switch below(3) {
    case 0: scalars.remove(at: i)
    case 1: scalars.insert(scalars[i], at: i)
    default: scalars.insert(pick(["(", "]", "'", ".", ",", "\\", "?"]).unicodeScalars.first ?? "(", at: i)
    }
    var out = ""
    out.unicodeScalars.append(contentsOf: scalars)
    return out
  }
}

@Suite struct FuzzTests {
  /// Whether a value may have the checker's static type (soundness).
  static func conforms(_ v: Value, _ t: ExprType) -> Bool {
    switch (v, t) {
    // `null` may stand for any type: optional fields, `cond ? x : null`.
    case (.error, _), (.null, _), (_, .dyn), (_, .typeParam), (_, .error): return true
    case (.int, .int), (.uint, .uint), (.double, .double), (.decimal, .double), (.bool, .bool), (.string, .string),
      (.bytes, .bytes), (.type, .type), (.date, .date):
      return true
    case (.list(let items), .list(let e)): return items.allSatisfy { conforms($0, e) }
    case (.map(let m), .map(let k, let e)):
      return m.keys.allSatisfy { conforms($0, k) } && m.values.allSatisfy { conforms($0, e) }
    default: return false
    }
  }

  @Test func randomExpressionsNeverCrashOrHang() {
    var generator = ExpressionGenerator(rng: SplitMix64(seed: 0x6B61_6F70_696E_67))
    var environments: [ExprEnvironment] = []
    var activation = Activation()
    for profile in [NumericProfile.cel, .rule] {
      var env = ExprEnvironment(profile: profile)
      env.declare("i", .int)
      env.declare("d", .double)
      env.declare("s", .string)
      env.declare("l", .list(.int))
      env.declare("m", .map(.string, .int))
      environments.append(env)
    }
    var map = MapValue()
    try? map.insert(key: .string("a"), value: .int(1))
    activation.values = [.int(3), .double(0.5), .string("abc"), .list([.int(1), .int(2)]), .map(map)]
    let decimalActivation = Activation([
      .int(3), .decimal(ExactDecimal(parsing: "0.5") ?? .zero), .string("abc"), .list([.int(1), .int(2)]), .map(map),
    ])
    var compiled = 0
    var errors = 0
    for n in 0..<100_000 {
      let text = generator.mutate(generator.expression(depth: 1 + generator.below(4)))
      let profileIndex = n % 2
      let lenient = n % 7 == 0
      let (expression, _) = CompiledExpression.build(
        text, environment: environments[profileIndex], lenient: lenient)
      guard var expression else { continue }
      compiled += 1
      expression.iterationLimit = 10_000
      let value = expression.evaluate(profileIndex == 0 ? activation : decimalActivation)
      if value.isError { errors += 1 }
      if !lenient && !FuzzTests.conforms(value, expression.resultType) {
        Issue.record("\(text): \(TypedJSON.encodeText(value)) is not a \(expression.resultType)")
      }
    }
    // The generator must exercise the evaluator, not only the parser.
    #expect(compiled > 20_000)
    #expect(errors < compiled)
  }
}
