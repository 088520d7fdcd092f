// The productions of the CEL grammar (cel-spec `doc/langdef.md`):
//
//   Expr           = ConditionalOr ["?" ConditionalOr ":" Expr] ;
//   ConditionalOr  = [ConditionalOr "||"] ConditionalAnd ;
//   ConditionalAnd = [ConditionalAnd "&&"] Relation ;
//   Relation       = [Relation Relop] Addition ;
//   Addition       = [Addition ("+" | "-")] Multiplication ;
//   Multiplication = [Multiplication ("*" | "/" | "%")] Unary ;
//   Unary          = Member | "!" {"!"} Member | "-" {"-"} Member ;
//   Member         = Primary | Member "." SELECTOR ["(" [ExprList] ")"] | Member "[" Expr "]" ;
//   Primary        = ["."] IDENT ["(" [ExprList] ")"] | "(" Expr ")"
//                  | "[" [ExprList] [","] "]" | "{" [MapInits] [","] "}"
//                  | ["."] SELECTOR { "." SELECTOR } "{" [FieldInits] [","] "}" | LITERAL ;
//
// The five binary levels are parsed by one operator-precedence loop (`parseChain`), so
// that each level of parentheses costs only a few small stack frames: `(` recurses
// through `parseExpr` → `parseChain` → `parsePostfix` → `parseExpr`.

extension Parser {
  /// A binary operator waiting for its right operand in `parseChain`.
  struct PendingOperator {
    var precedence: Int
    var function: String
    var offset: Int
    var id: Int32
  }

  // MARK: - Top level

  /// The whole source: one expression followed by the end.
  mutating func parseAll() throws(Abort) -> Expr {
    if peek.kind == .eof {
      throw fail(SyntaxCode.syntax, "the expression is empty", at: 0)
    }
    let expr = try parseExpr()
    if peek.kind != .eof {
      throw trailingToken()
    }
    return expr
  }

  @inline(never)
  mutating func trailingToken() -> Abort {
    let token = peek
    let before = issues.count
    let abort = unexpected(token)
    guard issues.count > before else { return abort }
    if token.kind == .doubleLit && src[token.start] == "." {
      // `a.1`: lexed as the number `.1`.
      let digits = text(token.start + 1, token.end)
      issues[issues.count - 1].hint =
        "a field name cannot start with a digit; to index a list, write [\(digits)]"
      return abort
    }
    switch token.kind {
    case .ident, .intLit, .uintLit, .doubleLit, .string, .bytes, .kwTrue, .kwFalse,
      .kwNull, .lparen, .lbracket, .lbrace, .bang:
      if issues[issues.count - 1].hint == nil {
        issues[issues.count - 1].hint =
          "is an operator such as '&&' or '+' missing before \(describe(token))?"
      }
    default:
      break
    }
    return abort
  }

  // MARK: - Operators

  /// `Expr = ConditionalOr ["?" ConditionalOr ":" Expr]`
  mutating func parseExpr() throws(Abort) -> Expr {
    try deeper(peek.start)
    defer { depth -= 1 }
    let condition = try parseChain()
    guard peek.kind == .question else { return condition }
    return try parseConditional(condition)
  }

  /// The `? then : else` part of a conditional.
  mutating func parseConditional(_ condition: Expr) throws(Abort) -> Expr {
    let question = advance()
    let id = try newID(question.start)
    let then = try parseChain()
    guard peek.kind == .colon else {
      throw unexpected(peek, expected: "':' for the '?' at \(position(question.start))")
    }
    advance()
    let otherwise = try parseExpr()
    return Expr(
      id: id, offset: question.start,
      kind: .call(function: "_?_:_", target: nil, args: [condition, then, otherwise]))
  }

  /// Precedence and function name of a binary operator.
  @inline(__always)
  func binaryOperator(_ kind: TokenKind) -> (precedence: Int, function: String)? {
    switch kind {
    case .or: return (1, "_||_")
    case .and: return (2, "_&&_")
    case .eq: return (3, "_==_")
    case .ne: return (3, "_!=_")
    case .lt: return (3, "_<_")
    case .le: return (3, "_<=_")
    case .gt: return (3, "_>_")
    case .ge: return (3, "_>=_")
    case .kwIn: return (3, "@in")
    case .plus: return (4, "_+_")
    case .minus: return (4, "_-_")
    case .star: return (5, "_*_")
    case .slash: return (5, "_/_")
    case .percent: return (5, "_%_")
    default: return nil
    }
  }

  /// `ConditionalOr`: unary operands joined by binary operators, by operator
  /// precedence. Relations, additions and multiplications are left-associative, and
  /// each of their operators counts as one nesting level. `&&` and `||` chains are
  /// balanced trees, as in cel-go (`a && b && c && d` is `(a && b) && (c && d)`).
  mutating func parseChain() throws(Abort) -> Expr {
    let first = try parseUnary()
    guard binaryOperator(peek.kind) != nil else { return first }
    var values = [first]
    var operators: [PendingOperator] = []
    var counted = 0
    defer { depth -= counted }
    while let (precedence, function) = binaryOperator(peek.kind) {
      let op = advance()
      if precedence >= 3 {
        counted += 1
        try deeper(op.start)
      }
      // Left-associative levels reduce equal precedence at once; `&&`/`||` collect.
      while let top = operators.last,
        top.precedence > precedence || (top.precedence == precedence && precedence >= 3)
      {
        reduce(&values, &operators)
      }
      operators.append(
        PendingOperator(
          precedence: precedence, function: function, offset: op.start,
          id: try newID(op.start)))
      values.append(try parseUnary())
    }
    while !operators.isEmpty {
      reduce(&values, &operators)
    }
    return values.first ?? first
  }

  /// Replaces the top operator and its operands by one call; a run of `&&` (or `||`)
  /// becomes one balanced tree.
  func reduce(_ values: inout [Expr], _ operators: inout [PendingOperator]) {
    guard let op = operators.popLast() else { return }
    if op.precedence <= 2 {
      var run = [op]
      while let top = operators.last, top.precedence == op.precedence {
        run.append(top)
        operators.removeLast()
      }
      let termCount = run.count + 1
      guard values.count >= termCount else { return }
      let terms = Array(values.suffix(termCount))
      values.removeLast(termCount)
      run.reverse()
      values.append(balance(op.function, terms, run, 0, run.count - 1))
      return
    }
    guard values.count >= 2, let right = values.popLast(), let left = values.popLast() else {
      return
    }
    values.append(
      Expr(
        id: op.id, offset: op.offset,
        kind: .call(function: op.function, target: nil, args: [left, right])))
  }

  /// A balanced tree of `function` over `terms[lo...hi + 1]` joined by `ops[lo...hi]`
  /// (cel-go's `balancer`: for three terms, `(a && b) && c`).
  func balance(
    _ function: String, _ terms: [Expr], _ ops: [PendingOperator], _ lo: Int, _ hi: Int
  ) -> Expr {
    let mid = (lo + hi + 1) / 2
    let left = mid == lo ? terms[mid] : balance(function, terms, ops, lo, mid - 1)
    let right = mid == hi ? terms[mid + 1] : balance(function, terms, ops, mid + 1, hi)
    return Expr(
      id: ops[mid].id, offset: ops[mid].offset,
      kind: .call(function: function, target: nil, args: [left, right]))
  }

  /// `Unary = Member | "!" {"!"} Member | "-" {"-"} Member`.
  @inline(__always)
  mutating func parseUnary() throws(Abort) -> Expr {
    let kind = peek.kind
    if kind == .bang || kind == .minus {
      return try parsePrefixed()
    }
    return try parsePostfix(negative: nil)
  }

  /// Prefix operators, each one nesting level. A `-` directly before an int or double
  /// literal is folded into the literal (cel-go), so that `-9223372036854775808` is the
  /// int literal `Int64.min`.
  mutating func parsePrefixed() throws(Abort) -> Expr {
    var ops: [Token] = []
    defer { depth -= ops.count }
    while peek.kind == .bang || peek.kind == .minus {
      let op = advance()
      ops.append(op)
      try deeper(op.start)
    }
    var negative: Token? = nil
    if let last = ops.last, last.kind == .minus,
      peek.kind == .intLit || peek.kind == .doubleLit
    {
      negative = last
    }
    let count = negative == nil ? ops.count : ops.count - 1
    var ids: [Int32] = []
    ids.reserveCapacity(count)
    for op in ops.prefix(count) {
      ids.append(try newID(op.start))
    }
    var expr = try parsePostfix(negative: negative)
    var i = count - 1
    while i >= 0 {
      let op = ops[i]
      expr = Expr(
        id: ids[i], offset: op.start,
        kind: .call(function: op.kind == .bang ? "!_" : "-_", target: nil, args: [expr]))
      i -= 1
    }
    return expr
  }

  // MARK: - Members and primaries

  /// A primary followed by selections, receiver calls and indexes:
  /// `Member = Primary | Member "." SELECTOR ["(" [ExprList] ")"] | Member "[" Expr "]"`,
  /// plus message construction `a.b.T{…}` (parsed, then reported as unsupported).
  mutating func parsePostfix(negative: Token?) throws(Abort) -> Expr {
    let start = peek
    var expr: Expr
    if start.kind == .lparen {
      advance()
      expr = try parseExpr()
      try expectCloser(.rparen, opener: start)
    } else {
      expr = try parsePrimary(negative: negative)
    }
    guard peek.kind == .dot || peek.kind == .lbracket || peek.kind == .lbrace else {
      return expr
    }
    // Whether `expr` is a (qualified) name, which `{` may follow.
    var isName = false
    if case .ident = expr.kind, start.kind == .ident || start.kind == .dot { isName = true }
    var chain = 0
    defer { depth -= chain }
    while true {
      switch peek.kind {
      case .dot:
        chain += 1
        try deeper(peek.start)
        expr = try parseSelection(expr)
        if case .select = expr.kind {} else { isName = false }
      case .lbracket:
        chain += 1
        try deeper(peek.start)
        expr = try parseIndex(expr)
        isName = false
      case .lbrace where isName:
        expr = try parseMessage(start: start.start)
        isName = false
      default:
        return expr
      }
    }
  }

  /// `"." SELECTOR ["(" [ExprList] ")"]` after `operand`.
  mutating func parseSelection(_ operand: Expr) throws(Abort) -> Expr {
    let dot = advance()
    let nameToken = peek
    guard nameToken.kind == .ident else {
      throw badSelector(nameToken, dot: dot)
    }
    advance()
    let name = text(nameToken)
    guard peek.kind == .lparen else {
      return try node(.select(operand: operand, field: name, testOnly: false), at: dot.start)
    }
    let open = advance()
    let id = try newID(nameToken.start)
    let args = try parseArguments(open)
    return try receiverCall(name, target: operand, args: args, offset: nameToken.start, id: id)
  }

  @inline(never)
  mutating func badSelector(_ token: Token, dot: Token) -> Abort {
    switch token.kind {
    case .question:
      return fail(
        SyntaxCode.unsupported, "optional field selection '.?' is not supported",
        at: dot.start)
    case .kwTrue, .kwFalse, .kwNull, .kwIn:
      return fail(
        SyntaxCode.syntax, "'\(text(token))' cannot be used as a field name", at: token.start)
    default:
      if index >= 2, tokens[index - 2].kind == .intLit, tokens[index - 2].end == dot.start {
        // `1.` is not a number in CEL.
        let before = issues.count
        let abort = unexpected(token)
        if issues.count > before {
          issues[issues.count - 1].hint =
            "write a number with a fraction as \(text(tokens[index - 2])).0"
        }
        return abort
      }
      return unexpected(token, expected: "a field name after '.'")
    }
  }

  /// `"[" Expr "]"` after `operand`.
  mutating func parseIndex(_ operand: Expr) throws(Abort) -> Expr {
    let open = advance()
    if peek.kind == .question {
      throw fail(SyntaxCode.unsupported, "optional index '[?…]' is not supported", at: peek.start)
    }
    let id = try newID(open.start)
    let index = try parseExpr()
    try expectCloser(.rbracket, opener: open)
    return Expr(
      id: id, offset: open.start,
      kind: .call(function: "_[_]", target: nil, args: [operand, index]))
  }

  /// Primary expressions other than parentheses: names, global calls, lists, maps and
  /// literals.
  mutating func parsePrimary(negative: Token?) throws(Abort) -> Expr {
    let token = peek
    switch token.kind {
    case .intLit, .uintLit, .doubleLit, .string, .bytes, .kwTrue, .kwFalse, .kwNull:
      advance()
      return try literal(token, negative: negative)
    case .ident:
      advance()
      return try nameOrCall(text(token), token, offset: token.start)
    case .dot:
      advance()
      let nameToken = peek
      guard nameToken.kind == .ident else {
        throw unexpected(nameToken, expected: "a name after the leading '.'")
      }
      advance()
      return try nameOrCall("." + text(nameToken), nameToken, offset: token.start)
    case .lbracket:
      return try parseList()
    case .lbrace:
      return try parseMap()
    case .kwIn:
      throw fail(
        SyntaxCode.syntax, "unexpected 'in'", at: token.start,
        hint: "'in' needs a value on its left, e.g. x in [1, 2]")
    default:
      throw unexpected(token)
    }
  }

  /// `"[" [ExprList] [","] "]"`
  mutating func parseList() throws(Abort) -> Expr {
    let open = advance()
    if peek.kind == .question {
      throw fail(
        SyntaxCode.unsupported, "optional list elements '[?…]' are not supported",
        at: peek.start)
    }
    let id = try newID(open.start)
    var elements: [Expr] = []
    while peek.kind != .rbracket {
      elements.append(try parseExpr())
      guard peek.kind == .comma else { break }
      advance()
    }
    try expectCloser(.rbracket, opener: open, or: "',' or ']'")
    return Expr(id: id, offset: open.start, kind: .list(elements))
  }

  /// `"{" [MapInits] [","] "}"`
  mutating func parseMap() throws(Abort) -> Expr {
    let open = advance()
    let id = try newID(open.start)
    var entries: [Expr.MapEntry] = []
    while peek.kind != .rbrace {
      if peek.kind == .question {
        throw fail(
          SyntaxCode.unsupported, "optional map entries '{?…}' are not supported",
          at: peek.start)
      }
      let key = try parseExpr()
      guard peek.kind == .colon else {
        throw unexpected(peek, expected: "':' after the map key")
      }
      let colon = advance()
      let value = try parseExpr()
      entries.append(Expr.MapEntry(key: key, value: value, offset: colon.start))
      guard peek.kind == .comma else { break }
      advance()
    }
    try expectCloser(.rbrace, opener: open, or: "',' or '}'")
    return Expr(id: id, offset: open.start, kind: .map(entries))
  }

  /// Identifiers that may not be used as names (cel-spec RESERVED minus the keywords,
  /// which are separate tokens).
  static let reservedWords: Set<String> = [
    "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let",
    "loop", "package", "namespace", "return", "var", "void", "while",
  ]

  /// An identifier or a global call `name(args)` (maybe the `has` macro); `token` is the
  /// name token (after a leading `.`, if any) and `offset` that of the whole name.
  mutating func nameOrCall(_ name: String, _ token: Token, offset: Int) throws(Abort) -> Expr {
    let leadingDot = offset != token.start
    if Parser.reservedWords.contains(leadingDot ? String(name.dropFirst()) : name) {
      reportReserved(token)
    }
    guard peek.kind == .lparen else {
      return try node(.ident(name), at: offset)
    }
    let open = advance()
    let id = try newID(offset)
    let args = try parseArguments(open)
    if name == "has" && args.count == 1 {
      return try expandHas(args[0], offset: offset, id: id)
    }
    return Expr(id: id, offset: offset, kind: .call(function: name, target: nil, args: args))
  }

  @inline(never)
  mutating func reportReserved(_ token: Token) {
    report(
      SyntaxCode.reservedIdentifier,
      "'\(text(token))' is a reserved word and cannot be used as a name", at: token.start,
      hint: "choose another name")
  }

  /// `[ExprList] ")"` after `open`.
  mutating func parseArguments(_ open: Token) throws(Abort) -> [Expr] {
    var args: [Expr] = []
    if peek.kind == .rparen {
      advance()
      return args
    }
    while true {
      if peek.kind == .rparen, let last = previous, last.kind == .comma {
        throw fail(
          SyntaxCode.syntax, "unexpected ')'", at: peek.start, hint: "remove the ',' before ')'")
      }
      args.append(try parseExpr())
      guard peek.kind == .comma else { break }
      advance()
    }
    try expectCloser(.rparen, opener: open, or: "',' or ')'")
    return args
  }

  /// Message construction `T{f: e, …}` (the name starts at `start`): parsed for syntax
  /// errors, then reported as unsupported (K209). Returns a placeholder.
  mutating func parseMessage(start: Int) throws(Abort) -> Expr {
    let open = advance()
    while peek.kind != .rbrace {
      if peek.kind == .question { advance() }
      let field = peek
      guard field.kind == .ident else {
        throw unexpected(field, expected: "a field name")
      }
      advance()
      guard peek.kind == .colon else {
        throw unexpected(peek, expected: "':' after the field name")
      }
      advance()
      _ = try parseExpr()
      guard peek.kind == .comma else { break }
      advance()
    }
    try expectCloser(.rbrace, opener: open, or: "',' or '}'")
    var typeName = ""
    for scalar in src[start..<open.start] where scalar.value > 0x20 {
      typeName.unicodeScalars.append(scalar)
    }
    report(
      SyntaxCode.unsupported, "creating messages with '\(typeName){…}' is not supported",
      at: start, hint: "use a map literal {'key': value} instead")
    return try node(.literal(.null), at: start)
  }
}
