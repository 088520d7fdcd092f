// The CEL type checker.

/// Infers the type of every node of a parsed expression, resolves names and
/// overloads, and reports what cannot succeed.
///
/// Problems are reported as `ExprIssue`s with these stable codes (a code never
/// changes meaning):
///
/// | Code | Problem | Example |
/// | ---- | ------- | ------- |
/// | K220 | unknown name | `fcat.days` — "unknown name 'fcat'" (did you mean 'fact'?) |
/// | K221 | unknown field of an object type | `fact.dayz` — "unknown field 'dayz' of fact type delay" |
/// | K222 | field selection on a value without fields | `fact.days.value` — "an int has no fields" |
/// | K223 | unknown function | `lenght(x)` — "unknown function 'lenght'" |
/// | K224 | a function that cannot take these arguments | `size(1)`, `'a'.int()` |
/// | K225 | arithmetic mixing number types (CEL profile) | `fact.days * 0.5` — "cannot multiply int by double" |
/// | K226 | `int / int` (rule profile) | `3 / 4` |
/// | K227 | comparing values that cannot be compared | `fact.date < "2023-06-30"` |
/// | K228 | a `? :` condition that is not bool | `fact.days ? 1 : 2` |
/// | K229 | `? :` results of different types | `x ? 'a' : 1` |
/// | K230 | `&&`, `||` or `!` on a value that is not bool | `fact.days && true` |
/// | K231 | indexing a value that has no index | `'abc'[0]` |
/// | K232 | an index of the wrong type | `[1, 2]['a']` |
/// | K233 | a map key type CEL does not allow | `{1.5: 'a'}` |
/// | K234 | `in` with incompatible sides | `'a' in [1, 2]` |
/// | K235 | an operator on values it does not apply to | `'a' - 'b'`, `'n' + 1` |
/// | K236 | a macro over a value that is neither list nor map | `fact.days.all(x, x > 0)` |
/// | K237 | an invalid date literal | `date("2023-02-30")` |
/// | K238 | an invalid regular expression literal | `x.matches('(')` |
/// | K239 | `workdays()` without a calendar | |
/// | K240 | an aggregate over values that are not numbers | `sum(['a'])` |
/// | K241 | a number literal with more than 34 significant digits (rule profile) | |
///
/// Codes K250–K259 are left to callers that require a result type:
/// K250 "a condition must be bool", K251 "must be a number".
final class Checker {
  let environment: ExprEnvironment
  /// When lenient (CEL's "disable check"), problems are recorded but do not
  /// stop compilation: ill-typed operations fail at run time instead.
  let lenient: Bool
  private(set) var issues: [ExprIssue] = []
  /// The number of comprehension variable slots used.
  private(set) var localCount = 0

  private var substitution: [String: ExprType] = [:]
  private var freshCounter = 0
  private var scopes: [[String: (slot: Int, type: ExprType)]] = []

  init(environment: ExprEnvironment, lenient: Bool = false) {
    self.environment = environment
    self.lenient = lenient
  }

  private var ruleProfile: Bool { environment.profile == .rule }

  /// Checks a whole expression: the checked form and its result type (with
  /// uninferred type parameters as `dyn`).
  func checkExpression(_ e: Expr) -> (Checked, ExprType) {
    let (checked, type) = check(e)
    return (checked, finalized(type))
  }

  // MARK: - Issues

  private func report(_ code: String, _ message: String, at offset: Int, hint: String? = nil) {
    issues.append(ExprIssue(code: code, message: message, offset: offset, hint: hint))
  }

  /// "an int", "a date", "a list(int)".
  static func describe(_ t: ExprType) -> String {
    switch t {
    case .int: return "an int"
    case .uint: return "a uint"
    case .double: return "a double"
    case .bool: return "a bool"
    case .string: return "a string"
    case .bytes: return "bytes"
    case .null: return "null"
    case .date: return "a date"
    case .list: return "a \(t)"
    case .map: return "a \(t)"
    case .type: return "a type"
    case .dyn: return "a dyn value"
    case .object(let o): return "a \(o.kind) \(o.name)"
    case .typeParam: return "a value"
    case .error: return "an invalid value"
    }
  }

  // MARK: - Types

  private func freshType() -> ExprType {
    freshCounter += 1
    return .typeParam("_T\(freshCounter)")
  }

  /// The type with bound parameters replaced.
  func resolve(_ t: ExprType) -> ExprType {
    switch t {
    case .typeParam(let name):
      if let bound = substitution[name] { return resolve(bound) }
      return t
    case .list(let e): return .list(resolve(e))
    case .map(let k, let v): return .map(resolve(k), resolve(v))
    default: return t
    }
  }

  private func finalized(_ t: ExprType) -> ExprType {
    switch resolve(t) {
    case .typeParam: return .dyn
    case .list(let e): return .list(finalized(e))
    case .map(let k, let v): return .map(finalized(k), finalized(v))
    case let other: return other
    }
  }

  private func shallow(_ t: ExprType) -> ExprType {
    var t = t
    while case .typeParam(let name) = t, let bound = substitution[name] { t = bound }
    return t
  }

  private func occurs(_ name: String, in t: ExprType) -> Bool {
    switch shallow(t) {
    case .typeParam(let n): return n == name
    case .list(let e): return occurs(name, in: e)
    case .map(let k, let v): return occurs(name, in: k) || occurs(name, in: v)
    default: return false
    }
  }

  private func unifyCore(_ a: ExprType, _ b: ExprType) -> Bool {
    // A parameter already bound to a type that meets `dyn` widens to `dyn`, so
    // that `[1] + [dyn(x)]` is a `list(dyn)`, not a `list(int)`.
    if case .typeParam(let n) = a, substitution[n] != nil, shallow(b) == .dyn {
      substitution[n] = .dyn
      return true
    }
    if case .typeParam(let n) = b, substitution[n] != nil, shallow(a) == .dyn {
      substitution[n] = .dyn
      return true
    }
    let a = shallow(a)
    let b = shallow(b)
    if a == b { return true }
    switch (a, b) {
    case (.typeParam(let n), _):
      if occurs(n, in: b) { return false }
      substitution[n] = b
      return true
    case (_, .typeParam(let n)):
      if occurs(n, in: a) { return false }
      substitution[n] = a
      return true
    case (.dyn, _), (_, .dyn), (.error, _), (_, .error):
      return true
    case (.list(let x), .list(let y)):
      return unifyCore(x, y)
    case (.map(let k1, let v1), .map(let k2, let v2)):
      return unifyCore(k1, k2) && unifyCore(v1, v2)
    default:
      return false
    }
  }

  /// Whether the two types can be the same type; binds type parameters when so.
  @discardableResult
  func unify(_ a: ExprType, _ b: ExprType) -> Bool {
    let saved = substitution
    if unifyCore(a, b) { return true }
    substitution = saved
    return false
  }

  private func isOpen(_ t: ExprType) -> Bool { shallow(t).isOpen }

  /// The more general of two unified types: `dyn` when either is.
  private func mostGeneral(_ a: ExprType, _ b: ExprType) -> ExprType {
    if shallow(a) == .dyn || shallow(b) == .dyn { return .dyn }
    return resolve(a)
  }

  /// Whether values of the two types can be compared with `==` (numbers across
  /// types, `null` with anything, collections element-wise).
  private func equalityCompatible(_ a: ExprType, _ b: ExprType) -> Bool {
    let x = shallow(a)
    let y = shallow(b)
    if x.isOpen || y.isOpen {
      unify(x, y)
      return true
    }
    if x == .null || y == .null { return true }
    if x.isNumeric && y.isNumeric { return true }
    switch (x, y) {
    case (.list(let p), .list(let q)): return equalityCompatible(p, q)
    case (.map(let k1, let v1), .map(let k2, let v2)):
      return equalityCompatible(k1, k2) && equalityCompatible(v1, v2)
    default:
      return unify(x, y)
    }
  }

  private func instantiate(_ overload: Overload) -> Overload {
    guard overload.isGeneric else { return overload }
    var renaming: [String: ExprType] = [:]
    func rename(_ t: ExprType) -> ExprType {
      switch t {
      case .typeParam(let n):
        if let r = renaming[n] { return r }
        let r = freshType()
        renaming[n] = r
        return r
      case .list(let e): return .list(rename(e))
      case .map(let k, let v): return .map(rename(k), rename(v))
      default: return t
      }
    }
    return Overload(overload.params.map(rename), rename(overload.result))
  }

  /// Resolves a call against overloads: the result type, or `nil` when none
  /// applies. Several matching overloads (through `dyn` arguments) give their
  /// common result type, or `dyn`.
  private func resolveOverloads(_ overloads: [Overload], _ argTypes: [ExprType]) -> ExprType? {
    let saved = substitution
    var results: [ExprType] = []
    var chosen = saved
    for overload in overloads where overload.params.count == argTypes.count {
      substitution = saved
      let o = instantiate(overload)
      var ok = true
      for (p, a) in zip(o.params, argTypes) where !unifyCore(p, a) {
        ok = false
        break
      }
      if ok {
        results.append(resolve(o.result))
        chosen = substitution
      }
    }
    guard let first = results.first else {
      substitution = saved
      return nil
    }
    if results.count == 1 {
      substitution = chosen
      return first
    }
    substitution = saved
    return results.allSatisfy { $0 == first } ? first : .dyn
  }

  // MARK: - Nodes

  func check(_ e: Expr) -> (Checked, ExprType) {
    switch e.kind {
    case .literal(let literal): return checkLiteral(literal, e)
    case .ident(let name): return checkIdent(name, e)
    case .select(let operand, let field, let testOnly):
      return checkSelect(e, operand: operand, field: field, testOnly: testOnly)
    case .call(let function, let target, let args):
      return checkCall(e, function: function, target: target, args: args)
    case .list(let items): return checkList(items)
    case .map(let entries): return checkMap(entries)
    case .comprehension(let c): return checkComprehension(e, c)
    }
  }

  private func checkLiteral(_ literal: Expr.Literal, _ e: Expr) -> (Checked, ExprType) {
    switch literal {
    case .null: return (.constant(.null), .null)
    case .bool(let b): return (.constant(.bool(b)), .bool)
    case .int(let i): return (.constant(.int(i)), .int)
    case .uint(let u): return (.constant(.uint(u)), .uint)
    case .double(let d, let text):
      guard ruleProfile else { return (.constant(.double(d)), .double) }
      if let exact = ExactDecimal(parsing: text) { return (.constant(.decimal(exact)), .double) }
      report(
        "K241", "\(text) cannot be held exactly: a number keeps at most 34 significant digits", at: e.offset,
        hint: "write fewer digits")
      return (.constant(.decimal(ExactDecimal(approximating: d) ?? .zero)), .double)
    case .string(let s): return (.constant(.string(s)), .string)
    case .bytes(let b): return (.constant(.bytes(b)), .bytes)
    }
  }

  private func lookupLocal(_ name: String) -> (slot: Int, type: ExprType)? {
    for scope in scopes.reversed() {
      if let v = scope[name] { return v }
    }
    return nil
  }

  private var knownNames: [String] {
    var names = environment.variableNames
    for scope in scopes { names.append(contentsOf: scope.keys) }
    return names + ExprType.typeNames
  }

  private func checkIdent(_ written: String, _ e: Expr) -> (Checked, ExprType) {
    let rootOnly = written.hasPrefix(".")
    let name = rootOnly ? String(written.dropFirst()) : written
    if !rootOnly, let local = lookupLocal(name) {
      return (.local(slot: local.slot, name: name), local.type)
    }
    if let variable = environment.variables[name] {
      return (.global(slot: variable.slot, name: name), variable.type)
    }
    if let t = ExprType.denoted(by: name) {
      return (.constant(.type(t)), .type)
    }
    report(
      "K220", "unknown name '\(name)'", at: e.offset,
      hint: Suggest.didYouMean(name, among: knownNames))
    return (.failure("unknown variable '\(name)'"), .error)
  }

  /// `a.b.c` as a dotted name, when the expression is only identifiers and
  /// selections.
  private func qualifiedName(_ e: Expr) -> String? {
    switch e.kind {
    case .ident(let name): return name
    case .select(let operand, let field, false): return qualifiedName(operand).map { "\($0).\(field)" }
    default: return nil
    }
  }

  /// The declared variable a dotted name denotes, unless its first part is a
  /// comprehension variable.
  private func qualifiedVariable(_ e: Expr) -> (name: String, variable: ExprEnvironment.Variable)? {
    guard var q = qualifiedName(e) else { return nil }
    if q.hasPrefix(".") {
      q.removeFirst()
    } else if let root = q.split(separator: ".").first, lookupLocal(String(root)) != nil {
      return nil
    }
    guard let v = environment.variables[q] else { return nil }
    return (q, v)
  }

  private func checkSelect(_ e: Expr, operand: Expr, field: String, testOnly: Bool) -> (Checked, ExprType) {
    if !testOnly, let (name, v) = qualifiedVariable(e) {
      return (.global(slot: v.slot, name: name), v.type)
    }
    let (c, t) = check(operand)
    let resultType: (ExprType) -> ExprType = { testOnly ? .bool : $0 }
    switch shallow(t) {
    case .object(let o):
      guard let slot = o.fieldIndex(of: field) else {
        report(
          "K221", "unknown field '\(field)' of \(o.kind) \(o.name)", at: e.offset,
          hint: Suggest.didYouMean(field, among: o.fields.map(\.name)))
        return (.select(c, field: field, testOnly: testOnly), .error)
      }
      if testOnly { return (.hasField(c, slot: slot, name: field, type: o), .bool) }
      return (.field(c, slot: slot, name: field, type: o), o.fields[slot].type)
    case .map(let k, let v):
      if unify(k, .string) {
        return (.select(c, field: field, testOnly: testOnly), resultType(v))
      }
      report(
        "K222", "the keys of this \(resolve(t)) are not strings, so '.\(field)' cannot select from it",
        at: e.offset, hint: "index it instead, like m[key]")
      return (.select(c, field: field, testOnly: testOnly), .error)
    case .dyn, .typeParam, .error:
      return (.select(c, field: field, testOnly: testOnly), resultType(.dyn))
    case let other:
      report("K222", "\(Checker.describe(other)) has no fields, so '.\(field)' cannot select from it", at: e.offset)
      return (.select(c, field: field, testOnly: testOnly), .error)
    }
  }

  private func checkList(_ items: [Expr]) -> (Checked, ExprType) {
    var checked: [Checked] = []
    var types: [ExprType] = []
    var element: ExprType?
    for item in items {
      let (c, t) = check(item)
      checked.append(c)
      types.append(t)
      element = join(element, t)
    }
    let elementType = element ?? freshType()
    if ruleProfile && shallow(elementType) == .double {
      checked = zip(checked, types).map { promoteIfInt($0, $1) }
    }
    return (.list(checked), .list(elementType))
  }

  /// The common type of two element types, as CEL joins list and map literal
  /// elements: the more general when they unify, `dyn` otherwise; in the rule
  /// profile int and double join to double.
  private func join(_ current: ExprType?, _ next: ExprType) -> ExprType {
    guard let current else { return next }
    if ruleProfile && isIntOrDouble(current) && isIntOrDouble(next) && shallow(current) != shallow(next) {
      return .double
    }
    if unify(current, next) { return mostGeneral(current, next) }
    return .dyn
  }

  private func isIntOrDouble(_ t: ExprType) -> Bool {
    let s = shallow(t)
    return s == .int || s == .double
  }

  private func promoteIfInt(_ c: Checked, _ t: ExprType) -> Checked {
    shallow(t) == .int ? .call(.promote, [c], offset: 0) : c
  }

  private func checkMap(_ entries: [Expr.MapEntry]) -> (Checked, ExprType) {
    var checked: [(key: Checked, value: Checked)] = []
    var valueTypes: [ExprType] = []
    var keyType: ExprType?
    var valueType: ExprType?
    for entry in entries {
      let (kc, kt) = check(entry.key)
      let (vc, vt) = check(entry.value)
      switch shallow(kt) {
      case .int, .uint, .bool, .string, .dyn, .typeParam, .error:
        break
      case let other:
        report(
          "K233", "a map key must be an int, uint, bool or string, but this is \(Checker.describe(other))",
          at: entry.key.offset)
      }
      checked.append((kc, vc))
      valueTypes.append(vt)
      keyType = join(keyType, kt)
      valueType = join(valueType, vt)
    }
    let k = keyType ?? freshType()
    let v = valueType ?? freshType()
    if ruleProfile && shallow(v) == .double {
      checked = zip(checked, valueTypes).map { ($0.key, promoteIfInt($0.value, $1)) }
    }
    return (.map(checked), .map(k, v))
  }

  private func checkComprehension(_ e: Expr, _ c: Expr.Comprehension) -> (Checked, ExprType) {
    let (range, rangeType) = check(c.iterRange)
    var iterType: ExprType
    var iterType2: ExprType?
    switch shallow(rangeType) {
    case .list(let element):
      iterType = element
      if c.iterVar2 != nil {
        iterType = .int
        iterType2 = element
      }
    case .map(let k, let v):
      iterType = k
      iterType2 = v
    case .dyn, .typeParam, .error:
      iterType = .dyn
      iterType2 = .dyn
    case let other:
      report(
        "K236", "a macro like all() or map() needs a list or a map, but this is \(Checker.describe(other))",
        at: e.offset)
      iterType = .error
      iterType2 = .error
    }
    let (initial, accuType) = check(c.accuInit)
    let iterSlot = allocateLocal()
    let iterSlot2 = c.iterVar2.map { _ in allocateLocal() }
    let accuSlot = allocateLocal()
    var scope: [String: (slot: Int, type: ExprType)] = [c.accuVar: (accuSlot, accuType)]
    scope[c.iterVar] = (iterSlot, iterType)
    if let name = c.iterVar2, let slot = iterSlot2 { scope[name] = (slot, iterType2 ?? .dyn) }
    scopes.append(scope)
    let (condition, _) = check(c.loopCondition)
    let (step, stepType) = check(c.loopStep)
    if !unify(accuType, stepType) {
      report("K224", "this macro's steps produce \(resolve(stepType)), not \(resolve(accuType))", at: e.offset)
    }
    scopes.removeLast()
    scopes.append([c.accuVar: (accuSlot, accuType)])
    let (result, resultType) = check(c.result)
    scopes.removeLast()
    let comprehension = CheckedComprehension(
      iterSlot: iterSlot, iterSlot2: iterSlot2, accuSlot: accuSlot, range: range, initial: initial,
      condition: condition, step: step, result: result)
    return (.comprehension(comprehension), resultType)
  }

  private func allocateLocal() -> Int {
    localCount += 1
    return localCount - 1
  }

  // MARK: - Calls

  /// Operators and special forms, by the name the parser gives them.
  private enum Special {
    case and, or, not, conditional, notStrictlyFalse, negate, index, `in`
    case arithmetic(Function)
    case equality(Function)
    case ordering(Function)
  }

  private static let specials: [String: (Special, arity: Int)] = [
    "_&&_": (.and, 2), "_||_": (.or, 2), "!_": (.not, 1), "_?_:_": (.conditional, 3),
    "@not_strictly_false": (.notStrictlyFalse, 1), "-_": (.negate, 1), "_[_]": (.index, 2), "@in": (.in, 2),
    "_+_": (.arithmetic(.add), 2), "_-_": (.arithmetic(.subtract), 2), "_*_": (.arithmetic(.multiply), 2),
    "_/_": (.arithmetic(.divide), 2), "_%_": (.arithmetic(.remainder), 2),
    "_==_": (.equality(.equals), 2), "_!=_": (.equality(.notEquals), 2),
    "_<_": (.ordering(.less), 2), "_<=_": (.ordering(.lessOrEqual), 2), "_>_": (.ordering(.greater), 2),
    "_>=_": (.ordering(.greaterOrEqual), 2),
  ]

  private func checkCall(_ e: Expr, function: String, target: Expr?, args: [Expr]) -> (Checked, ExprType) {
    if target == nil, let (special, arity) = Checker.specials[function], arity == args.count {
      switch special {
      case .and, .or: return checkLogical(e, function, args)
      case .not: return checkNot(e, args[0])
      case .conditional: return checkConditional(e, args)
      case .notStrictlyFalse:
        let (c, _) = check(args[0])
        return (.notStrictlyFalse(c), .bool)
      case .negate: return checkNegate(e, args[0])
      case .index: return checkIndex(e, args)
      case .in: return checkIn(e, args)
      case .arithmetic(let f): return checkArithmetic(e, f, args)
      case .equality(let f): return checkEquality(e, f, args)
      case .ordering(let f): return checkOrdering(e, f, args)
      }
    }
    // A qualified function name such as `math.round`.
    if let target, let q = qualifiedName(target), Declarations.namespaces.contains(q),
      lookupLocal(q) == nil, environment.variables[q] == nil
    {
      return checkNamedCall(e, name: "\(q).\(function)", receiver: nil, args: args)
    }
    return checkNamedCall(e, name: function, receiver: target, args: args)
  }

  private func checkNamedCall(_ e: Expr, name: String, receiver: Expr?, args: [Expr]) -> (Checked, ExprType) {
    var checkedArgs: [Checked] = []
    var argTypes: [ExprType] = []
    for arg in (receiver.map { [$0] } ?? []) + args {
      let (c, t) = check(arg)
      checkedArgs.append(c)
      argTypes.append(t)
    }
    guard let decl = Declarations.functions[name] else {
      report(
        "K223", "unknown function '\(name)'", at: e.offset,
        hint: Suggest.didYouMean(name, among: Declarations.publicNames))
      return (.failure("no such function '\(name)'"), .error)
    }
    let overloads = receiver == nil ? decl.global : decl.receiver
    if overloads.isEmpty {
      let hint =
        receiver == nil
        ? "call it on a value: x.\(name)(…)"
        : "call it as a function: \(name)(x)"
      report("K224", "'\(name)' cannot be called \(receiver == nil ? "as a function" : "on a value")", at: e.offset, hint: hint)
      return (.call(decl.function, checkedArgs, offset: e.offset), .error)
    }
    if argTypes.contains(where: { shallow($0) == .error }) {
      return (.call(decl.function, checkedArgs, offset: e.offset), .error)
    }
    guard let result = resolveOverloads(overloads, argTypes) else {
      reportNoOverload(e, name: name, decl: decl, overloads: overloads, argTypes: argTypes, receiver: receiver != nil)
      return (.call(decl.function, checkedArgs, offset: e.offset), .error)
    }
    checkConstantArguments(decl.function, args: receiver.map { [$0] + args } ?? args, offset: e.offset)
    return (.call(decl.function, checkedArgs, offset: e.offset), result)
  }

  private func reportNoOverload(
    _ e: Expr, name: String, decl: FunctionDecl, overloads: [Overload], argTypes: [ExprType], receiver: Bool
  ) {
    let shown = argTypes.map { "\(resolve($0))" }
    if [.sum, .avg, .max, .min].contains(decl.function), argTypes.count == 1 {
      report(
        "K240", "\(name)() needs a list of numbers, but this is \(Checker.describe(resolve(argTypes[0])))",
        at: e.offset)
      return
    }
    let arities = Set(overloads.map(\.params.count))
    let accepted = overloads.map { o -> String in
      let params = receiver ? Array(o.params.dropFirst()) : o.params
      let list = params.map { "\($0)" }.joined(separator: ", ")
      return receiver ? "\(o.params[0]).\(name)(\(list))" : "\(name)(\(list))"
    }
    if !arities.contains(argTypes.count) {
      let n = receiver ? argTypes.count - 1 : argTypes.count
      report(
        "K224", "'\(name)' cannot take \(n) argument\(n == 1 ? "" : "s")", at: e.offset,
        hint: "it accepts " + accepted.joined(separator: " or "))
      return
    }
    let what = receiver ? "\(shown[0]).\(name)(\(shown.dropFirst().joined(separator: ", ")))" : "\(name)(\(shown.joined(separator: ", ")))"
    report("K224", "no overload of '\(name)' applies to \(what)", at: e.offset, hint: "it accepts " + accepted.joined(separator: " or "))
  }

  /// Check-time validation of constant arguments: date literals, `workdays`
  /// without a calendar.
  private func checkConstantArguments(_ function: Function, args: [Expr], offset: Int) {
    switch function {
    case .date:
      if let first = args.first, case .literal(.string(let s)) = first.kind, CELDate(parsing: s) == nil {
        report(
          "K237", "\(quoteCEL(s)) is not a valid date", at: first.offset,
          hint: "write a real day as YYYY-MM-DD, like \"2023-01-31\"")
      }
    case .matches:
      if let pattern = args.last, args.count == 2, case .literal(.string(let s)) = pattern.kind {
        do {
          _ = try RE2Regex(s)
        } catch {
          report(
            "K238", "invalid regular expression \(quoteCEL(s)): \(error.message)", at: pattern.offset,
            hint: "matches() uses RE2 syntax; escape special characters with \\\\")
        }
      }
    case .workdays:
      if environment.calendar == nil {
        report(
          "K239", "workdays() needs a working-day calendar, and none is declared", at: offset,
          hint: "declare calendar.covers (and holidays) in the rule file")
      }
    default:
      break
    }
  }

  private func checkLogical(_ e: Expr, _ function: String, _ args: [Expr]) -> (Checked, ExprType) {
    let (a, ta) = check(args[0])
    let (b, tb) = check(args[1])
    let op = function == "_&&_" ? "&&" : "||"
    let inMacro = Checker.isAccumulator(args[0])
    for (side, t, arg) in [("left", ta, args[0]), ("right", tb, args[1])] {
      let s = shallow(t)
      if s != .bool && !s.isOpen {
        let message =
          inMacro
          ? "the condition of \(function == "_&&_" ? "all()" : "exists()") must be bool, but this is \(Checker.describe(resolve(t)))"
          : "'\(op)' needs bool values, but its \(side) side is \(Checker.describe(resolve(t)))"
        report("K230", message, at: arg.offset)
      }
    }
    return (function == "_&&_" ? .and(a, b) : .or(a, b), .bool)
  }

  /// Whether the expression is a macro's accumulator (`@result`), which only
  /// macro expansions mention.
  static func isAccumulator(_ e: Expr) -> Bool {
    if case .ident(comprehensionAccumulator) = e.kind { return true }
    return false
  }

  private func checkNot(_ e: Expr, _ arg: Expr) -> (Checked, ExprType) {
    let (a, t) = check(arg)
    let s = shallow(t)
    if s != .bool && !s.isOpen {
      report("K230", "'!' needs a bool, but this is \(Checker.describe(resolve(t)))", at: e.offset)
    }
    return (.call(.not, [a], offset: e.offset), .bool)
  }

  private func checkNegate(_ e: Expr, _ arg: Expr) -> (Checked, ExprType) {
    let (a, t) = check(arg)
    if shallow(t) == .error { return (.call(.negate, [a], offset: e.offset), .error) }
    guard let result = resolveOverloads(Declarations.negate, [t]) else {
      report("K235", "'-' cannot negate \(Checker.describe(resolve(t)))", at: e.offset,
             hint: shallow(t) == .uint ? "convert it first: -int(x)" : "only int and double values can be negated")
      return (.call(.negate, [a], offset: e.offset), .error)
    }
    return (.call(.negate, [a], offset: e.offset), result)
  }

  private func checkConditional(_ e: Expr, _ args: [Expr]) -> (Checked, ExprType) {
    let (c, tc) = check(args[0])
    let s = shallow(tc)
    if s != .bool && !s.isOpen {
      let inMacro = Checker.isAccumulator(args[2])
      report(
        "K228",
        inMacro
          ? "the condition of this macro (filter, map, exists_one) must be bool, but this is \(Checker.describe(resolve(tc)))"
          : "the condition of '? :' must be bool, but this is \(Checker.describe(resolve(tc)))",
        at: args[0].offset)
    }
    var (x, tx) = check(args[1])
    var (y, ty) = check(args[2])
    let result: ExprType
    if ruleProfile && isIntOrDouble(tx) && isIntOrDouble(ty) && shallow(tx) != shallow(ty) {
      x = promoteIfInt(x, tx)
      y = promoteIfInt(y, ty)
      result = .double
    } else if unify(tx, ty) {
      result = mostGeneral(tx, ty)
    } else if shallow(tx) == .null {
      result = ty
    } else if shallow(ty) == .null {
      result = tx
    } else {
      report(
        "K229",
        "the two results of '? :' have different types: \(resolve(tx)) and \(resolve(ty))", at: e.offset,
        hint: "make both results the same type, e.g. with string(…) or double(…)")
      result = .error
    }
    return (.conditional(c, x, y), result)
  }

  private static let arithmeticVerbs: [Function: (String, String)] = [
    .add: ("add", "and"), .subtract: ("subtract", "from"), .multiply: ("multiply", "by"),
    .divide: ("divide", "by"), .remainder: ("take the remainder of", "divided by"),
  ]

  private func checkArithmetic(_ e: Expr, _ f: Function, _ args: [Expr]) -> (Checked, ExprType) {
    let (a, ta) = check(args[0])
    let (b, tb) = check(args[1])
    let call = Checked.call(f, [a, b], offset: e.offset)
    let x = shallow(ta)
    let y = shallow(tb)
    if x == .error || y == .error { return (call, .error) }
    if ruleProfile {
      if f == .divide && x == .int && y == .int {
        let left = Unparse.text(args[0]) ?? "a"
        let right = Unparse.text(args[1]) ?? "b"
        report(
          "K226", "dividing an int by an int is not allowed in rule files (CEL would drop the fraction: 3 / 4 is 0)",
          at: e.offset,
          hint: "write double(\(left)) / \(right) for a fraction, int(double(\(left)) / \(right)) to truncate")
        return (call, .error)
      }
      if f != .remainder && isIntOrDouble(x) && isIntOrDouble(y) && x != y {
        return (call, .double)
      }
    }
    if let overloads = Declarations.arithmetic[f], let result = resolveOverloads(overloads, [ta, tb]) {
      return (call, result)
    }
    let (verb, joiner) = Checker.arithmeticVerbs[f] ?? ("combine", "and")
    let (first, second) = f == .subtract ? (resolve(tb), resolve(ta)) : (resolve(ta), resolve(tb))
    let message = "cannot \(verb) \(first) \(joiner) \(second)"
    if x.isNumeric && y.isNumeric {
      report("K225", message, at: e.offset, hint: numericFixHint(e, args, x, y))
    } else if f == .add && (x == .string || y == .string) {
      let fixed = fixedText(e, args, convertLeft: x != .string, with: "string")
      report("K235", message, at: e.offset, hint: fixed.map { "write \($0)" } ?? "convert the other value with string(…)")
    } else {
      report("K235", message, at: e.offset)
    }
    return (call, .error)
  }

  /// "write double(fact.days) * 0.5": converts the operand of the narrower
  /// type.
  private func numericFixHint(_ e: Expr, _ args: [Expr], _ x: ExprType, _ y: ExprType) -> String? {
    // Convert the int or uint side to the other side's type (double wins).
    let target: ExprType = (x == .double || y == .double) ? .double : .int
    let convertLeft = x != target
    return fixedText(e, args, convertLeft: convertLeft, with: "\(target)").map { "write \($0)" }
  }

  private func fixedText(_ e: Expr, _ args: [Expr], convertLeft: Bool, with conversion: String) -> String? {
    guard case .call(let function, nil, _) = e.kind else { return nil }
    var newArgs = args
    let i = convertLeft ? 0 : 1
    newArgs[i] = Expr(id: 0, offset: 0, kind: .call(function: conversion, target: nil, args: [args[i]]))
    return Unparse.text(Expr(id: 0, offset: 0, kind: .call(function: function, target: nil, args: newArgs)))
  }

  private func checkEquality(_ e: Expr, _ f: Function, _ args: [Expr]) -> (Checked, ExprType) {
    let (a, ta) = check(args[0])
    let (b, tb) = check(args[1])
    if !equalityCompatible(ta, tb) {
      reportIncomparable(e, args, ta, tb)
    }
    return (.call(f, [a, b], offset: e.offset), .bool)
  }

  private func reportIncomparable(_ e: Expr, _ args: [Expr], _ ta: ExprType, _ tb: ExprType) {
    let x = resolve(ta)
    let y = resolve(tb)
    var hint: String?
    if x == .date && y == .string, let s = Unparse.text(args[1]) {
      hint = "write date(\(s))"
    } else if x == .string && y == .date, let s = Unparse.text(args[0]) {
      hint = "write date(\(s))"
    }
    report("K227", "cannot compare \(Checker.describe(x)) with \(Checker.describe(y))", at: e.offset, hint: hint)
  }

  private func checkOrdering(_ e: Expr, _ f: Function, _ args: [Expr]) -> (Checked, ExprType) {
    let (a, ta) = check(args[0])
    let (b, tb) = check(args[1])
    let x = shallow(ta)
    let y = shallow(tb)
    let call = Checked.call(f, [a, b], offset: e.offset)
    func orderable(_ t: ExprType) -> Bool {
      switch t {
      case .int, .uint, .double, .string, .bytes, .bool, .date: return true
      default: return t.isOpen
      }
    }
    if x == .error || y == .error { return (call, .bool) }
    if x.isNumeric && y.isNumeric { return (call, .bool) }
    if orderable(x) && orderable(y) && (x == y || x.isOpen || y.isOpen) { return (call, .bool) }
    if x == y || (x.isOpen || y.isOpen) {
      let t = x.isOpen ? resolve(tb) : resolve(ta)
      report("K227", "\(Checker.describe(t)) cannot be ordered with \(Ops.displayName(f.rawValue))", at: e.offset,
             hint: "only numbers, strings, bytes, bools and dates have an order")
    } else {
      reportIncomparable(e, args, ta, tb)
    }
    return (call, .bool)
  }

  private func checkIndex(_ e: Expr, _ args: [Expr]) -> (Checked, ExprType) {
    let (a, ta) = check(args[0])
    let (i, ti) = check(args[1])
    let call = Checked.call(.index, [a, i], offset: e.offset)
    let index = shallow(ti)
    switch shallow(ta) {
    case .list(let element):
      if index == .int || index == .uint || index.isOpen { return (call, element) }
      report("K232", "a list index must be an int, but this is \(Checker.describe(resolve(ti)))", at: args[1].offset)
      return (call, .error)
    case .map(let k, let v):
      let key = shallow(k)
      if unify(k, ti) || (key.isNumeric && index.isNumeric && index != .double) || (key.isNumeric && index == .double) {
        return (call, v)
      }
      report(
        "K232", "the keys of this map are \(resolve(k)), but the index is \(Checker.describe(resolve(ti)))",
        at: args[1].offset)
      return (call, .error)
    case .dyn, .typeParam:
      return (call, .dyn)
    case .error:
      return (call, .error)
    case .string:
      report(
        "K231", "a string cannot be indexed: no overload for string index", at: e.offset,
        hint: "use startsWith(), endsWith(), contains() or matches() to look inside a string")
      return (call, .error)
    case let other:
      report("K231", "\(Checker.describe(other)) cannot be indexed", at: e.offset, hint: "only lists and maps have [ ]")
      return (call, .error)
    }
  }

  private func checkIn(_ e: Expr, _ args: [Expr]) -> (Checked, ExprType) {
    let (a, ta) = check(args[0])
    let (b, tb) = check(args[1])
    let call = Checked.call(.in, [a, b], offset: e.offset)
    switch shallow(tb) {
    case .list(let element):
      if !equalityCompatible(ta, element) {
        report(
          "K234", "cannot look for \(Checker.describe(resolve(ta))) in a \(resolve(tb))", at: e.offset)
      }
    case .map(let k, _):
      if !equalityCompatible(ta, k) {
        report(
          "K234", "cannot look for \(Checker.describe(resolve(ta))) among the keys of a \(resolve(tb))",
          at: e.offset)
      }
    case .dyn, .typeParam, .error:
      break
    case let other:
      report("K234", "'in' needs a list or a map on its right, but this is \(Checker.describe(other))", at: e.offset)
    }
    return (call, .bool)
  }
}
