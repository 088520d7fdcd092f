// Macro expansion, as cel-go does it: `has(a.f)` becomes a test-only select, and the
// receiver macros `all`, `exists`, `exists_one`, `map` and `filter` become
// comprehensions over the accumulator `@result` (`comprehensionAccumulator`).
// Generated nodes get fresh ids and the offset of the macro name.

extension Parser {
  /// `has(e.f)` → `e.f~test-only`.
  /// `id` is the id of the `has` call, reused for the result.
  mutating func expandHas(_ arg: Expr, offset: Int, id: Int32) throws(Abort) -> Expr {
    if case .select(let operand, let field, false) = arg.kind {
      return Expr(
        id: id, offset: offset, kind: .select(operand: operand, field: field, testOnly: true))
    }
    report(
      SyntaxCode.invalidMacro, "invalid argument to has() macro", at: arg.offset,
      hint: "has() tests a field, e.g. has(order.discount)")
    return Expr(id: id, offset: offset, kind: .literal(.bool(false)))
  }

  /// A receiver call `target.name(args)`, expanded if it is a macro.
  mutating func receiverCall(
    _ name: String, target: Expr, args: [Expr], offset: Int, id: Int32
  ) throws(Abort) -> Expr {
    let isMacro: Bool
    switch name {
    case "all", "exists", "exists_one", "filter": isMacro = args.count == 2
    case "map": isMacro = args.count == 2 || args.count == 3
    default: isMacro = false
    }
    guard isMacro else {
      return Expr(id: id, offset: offset, kind: .call(function: name, target: target, args: args))
    }
    guard case .ident(let variable) = args[0].kind, !variable.hasPrefix(".") else {
      report(
        SyntaxCode.invalidMacro,
        "the first argument of \(name)() must be a simple variable name", at: args[0].offset,
        hint: "for example: items.\(name)(x, \(name == "map" ? "x * 2" : "x > 0"))")
      return Expr(id: id, offset: offset, kind: .literal(.bool(false)))
    }
    let accu = comprehensionAccumulator
    func ident(_ name: String) throws(Abort) -> Expr { try node(.ident(name), at: offset) }
    func call(_ function: String, _ args: [Expr]) throws(Abort) -> Expr {
      try node(.call(function: function, target: nil, args: args), at: offset)
    }
    func lit(_ literal: Expr.Literal) throws(Abort) -> Expr {
      try node(.literal(literal), at: offset)
    }

    let accuInit: Expr
    let condition: Expr
    let step: Expr
    let result: Expr
    switch name {
    case "all":
      accuInit = try lit(.bool(true))
      condition = try call("@not_strictly_false", [try ident(accu)])
      step = try call("_&&_", [try ident(accu), args[1]])
      result = try ident(accu)
    case "exists":
      accuInit = try lit(.bool(false))
      condition = try call("@not_strictly_false", [try call("!_", [try ident(accu)])])
      step = try call("_||_", [try ident(accu), args[1]])
      result = try ident(accu)
    case "exists_one":
      accuInit = try lit(.int(0))
      condition = try lit(.bool(true))
      step = try call(
        "_?_:_", [args[1], try call("_+_", [try ident(accu), try lit(.int(1))]), try ident(accu)])
      result = try call("_==_", [try ident(accu), try lit(.int(1))])
    case "map":
      accuInit = try node(.list([]), at: offset)
      condition = try lit(.bool(true))
      let transform = args[args.count - 1]
      let append = try call(
        "_+_", [try ident(accu), try node(.list([transform]), at: offset)])
      if args.count == 3 {
        step = try call("_?_:_", [args[1], append, try ident(accu)])
      } else {
        step = append
      }
      result = try ident(accu)
    default:  // filter
      accuInit = try node(.list([]), at: offset)
      condition = try lit(.bool(true))
      let append = try call(
        "_+_", [try ident(accu), try node(.list([try ident(variable)]), at: offset)])
      step = try call("_?_:_", [args[1], append, try ident(accu)])
      result = try ident(accu)
    }
    let comprehension = Expr.Comprehension(
      iterVar: variable, iterVar2: nil, iterRange: target, accuVar: accu, accuInit: accuInit,
      loopCondition: condition, loopStep: step, result: result)
    return Expr(id: id, offset: offset, kind: .comprehension(comprehension))
  }
}
