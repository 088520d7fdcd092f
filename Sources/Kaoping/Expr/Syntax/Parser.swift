// The CEL parser: a recursive-descent parser over the tokens of `Lexer`, producing the
// AST of `Expr/AST.swift`, with macros expanded and bounded nesting.
//
// Issue codes (stable; K201–K219 are reserved for syntax):
//   K201  unexpected character (incl. full-width and look-alike characters, lone `=`,
//         `&`, `|`, curly quotes, invisible spaces, non-ASCII names)
//   K202  syntax error: unexpected token, missing closing bracket, empty expression
//   K203  unterminated string or bytes literal
//   K204  invalid escape sequence or code point in a string or bytes literal
//   K205  invalid number literal (malformed, or out of range for int, uint or double)
//   K206  reserved word used as an identifier (`if`, `let`, `var`, …)
//   K207  invalid macro use (`has(x)` without a field selection; a macro variable that
//         is not a simple name)
//   K208  expression nests too deeply (more than `maxDepth` levels)
//   K209  unsupported syntax: message construction `T{f: v}`, optional syntax `a.?b`
//   K210  expression too large (more than `maxNodes` nodes)

/// The outcome of parsing one CEL expression.
struct ParseResult: Sendable, Equatable {
  /// The parsed expression; `nil` exactly when `issues` contains an error.
  var expr: Expr?
  /// Every issue found, sorted by offset. Lexical errors are all reported; parsing
  /// proper stops at the first syntax error, but errors that do not disturb the
  /// structure (bad escapes, out-of-range numbers, reserved words, macro misuse,
  /// unsupported syntax) do not stop it.
  var issues: [ExprIssue]
}

/// Parses CEL (cel-spec `doc/langdef.md`) into `Expr`.
enum CELParser {
  /// Parses CEL source. Never traps. Returns the expression, or every syntax error it
  /// finds (at least the first) as issues with codes K201–K210 (listed at the top of
  /// `Parser.swift`). Offsets are Unicode-scalar offsets into `source`.
  ///
  /// - Parameters:
  ///   - maxDepth: the deepest nesting accepted (parentheses, brackets, operators,
  ///     unary chains, member chains); deeper input gives K208.
  ///   - maxNodes: the most AST nodes accepted; larger input gives K210.
  static func parse(_ source: String, maxDepth: Int = 250, maxNodes: Int = 100_000)
    -> ParseResult
  {
    let src = Array(source.unicodeScalars)
    let (tokens, lexIssues) = Lexer.tokenize(src)
    var parser = Parser(src: src, tokens: tokens, maxDepth: maxDepth, maxNodes: maxNodes)
    var expr: Expr? = nil
    do {
      expr = try parser.parseAll()
    } catch {
      expr = nil
    }
    var issues = lexIssues
    for issue in parser.issues where !issues.contains(issue) {
      issues.append(issue)
    }
    if !lexIssues.isEmpty && !parser.issues.isEmpty {
      // Stable sort by offset (insertion sort: the lists are short and nearly sorted).
      var i = 1
      while i < issues.count {
        let item = issues[i]
        var j = i - 1
        while j >= 0 && issues[j].offset > item.offset {
          issues[j + 1] = issues[j]
          j -= 1
        }
        issues[j + 1] = item
        i += 1
      }
    }
    if issues.contains(where: { $0.severity == .error }) {
      expr = nil
    }
    return ParseResult(expr: expr, issues: issues)
  }
}

/// The recursive-descent parser proper. Use `CELParser.parse`.
struct Parser {
  /// Thrown to stop parsing at a syntax error (already recorded in `issues`).
  struct Abort: Error {}

  let src: [Unicode.Scalar]
  let tokens: [Token]
  let maxDepth: Int
  let maxNodes: Int
  /// Index of the next token; never past the final `.eof`.
  var index = 0
  var issues: [ExprIssue] = []
  var nextID: Int32 = 1
  var nodeCount = 0
  var depth = 0
  /// At most this many issues are recorded by the parser.
  let maxIssues = 50

  init(src: [Unicode.Scalar], tokens: [Token], maxDepth: Int, maxNodes: Int) {
    self.src = src
    self.tokens = tokens.isEmpty ? [Token(kind: .eof, start: src.count, end: src.count)] : tokens
    self.maxDepth = max(1, maxDepth)
    self.maxNodes = max(1, maxNodes)
  }

  // MARK: - Tokens

  var peek: Token { tokens[index] }

  @discardableResult
  mutating func advance() -> Token {
    let token = tokens[index]
    if index < tokens.count - 1 { index += 1 }
    return token
  }

  /// The token before the current one, if any.
  var previous: Token? { index > 0 ? tokens[index - 1] : nil }

  func text(_ token: Token) -> String {
    text(token.start, token.end)
  }

  func text(_ start: Int, _ end: Int) -> String {
    var view = String.UnicodeScalarView()
    let lo = max(0, min(start, src.count))
    view.append(contentsOf: src[lo..<max(lo, min(end, src.count))])
    return String(view)
  }

  // MARK: - Issues

  /// Records a non-fatal error.
  mutating func report(_ code: String, _ message: String, at offset: Int, hint: String? = nil) {
    guard issues.count < maxIssues else { return }
    issues.append(ExprIssue(code: code, message: message, offset: offset, hint: hint))
  }

  /// Records a fatal error and returns the `Abort` to throw.
  mutating func fail(
    _ code: String, _ message: String, at offset: Int, hint: String? = nil
  ) -> Abort {
    report(code, message, at: offset, hint: hint)
    return Abort()
  }

  /// How a token is shown in messages: `'text'` (shortened), or `end of expression`.
  func describe(_ token: Token) -> String {
    if token.kind == .eof { return "end of expression" }
    let limit = 24
    if token.end - token.start > limit {
      return "'" + text(token.start, token.start + limit) + "…'"
    }
    return "'" + text(token) + "'"
  }

  /// `column N`, or `line L, column N` in multi-line source (both 1-based).
  func position(_ offset: Int) -> String {
    var line = 1
    var lineStart = 0
    var i = 0
    let end = min(offset, src.count)
    while i < end {
      let v = src[i].value
      if v == 0x0A || (v == 0x0D && (i + 1 >= src.count || src[i + 1].value != 0x0A)) {
        line += 1
        lineStart = i + 1
      }
      i += 1
    }
    let column = offset - lineStart + 1
    return line == 1 ? "column \(column)" : "line \(line), column \(column)"
  }

  /// A fatal "unexpected token" error, with a hint where one helps. A token that is
  /// already a lexical error is not reported twice.
  mutating func unexpected(_ token: Token, expected: String? = nil) -> Abort {
    if token.kind == .invalid { return Abort() }
    if token.kind == .eof {
      var hint = expected.map { "expected " + $0 }
      if hint == nil, let last = previous, last.kind != .eof {
        hint = "something is missing after \(describe(last))"
      }
      return fail(SyntaxCode.syntax, "unexpected end of expression", at: token.start, hint: hint)
    }
    var hint = expected.map { "expected " + $0 }
    if token.kind == .ident {
      switch text(token) {
      case "and": hint = "use '&&' instead of 'and'"
      case "or": hint = "use '||' instead of 'or'"
      case "AND": hint = "use '&&' instead of 'AND'"
      case "OR": hint = "use '||' instead of 'OR'"
      default: break
      }
    }
    if let last = previous, last.kind == .ident, text(last) == "not" || text(last) == "NOT" {
      hint = "use '!' instead of '\(text(last))'"
    }
    if token.kind == .rparen && expected == nil {
      hint = "there is no matching '('"
    } else if token.kind == .rbracket && expected == nil {
      hint = "there is no matching '['"
    } else if token.kind == .rbrace && expected == nil {
      hint = "there is no matching '{'"
    }
    return fail(
      SyntaxCode.syntax, "unexpected \(describe(token))", at: token.start, hint: hint)
  }

  /// Consumes the closing token `kind` of the bracket `opener`, or fails.
  mutating func expectCloser(_ kind: TokenKind, opener: Token, or alternatives: String? = nil)
    throws(Abort)
  {
    if peek.kind == kind {
      advance()
      return
    }
    let closer: String
    switch kind {
    case .rparen: closer = "')'"
    case .rbracket: closer = "']'"
    default: closer = "'}'"
    }
    let open = "the \(describe(opener)) at \(position(opener.start))"
    let token = peek
    if token.kind == .eof {
      throw fail(
        SyntaxCode.syntax, "missing \(closer) to close \(open)", at: token.start)
    }
    let what = alternatives.map { "\($0)" } ?? closer
    throw unexpected(token, expected: "\(what) to close \(open)")
  }

  // MARK: - Limits

  mutating func newID(_ offset: Int) throws(Abort) -> Int32 {
    nodeCount += 1
    if nodeCount > maxNodes {
      throw fail(
        SyntaxCode.tooLarge, "the expression is too large (more than \(maxNodes) parts)",
        at: offset, hint: "split it into smaller expressions")
    }
    let id = nextID
    nextID &+= 1
    return id
  }

  mutating func node(_ kind: Expr.Kind, at offset: Int) throws(Abort) -> Expr {
    Expr(id: try newID(offset), offset: offset, kind: kind)
  }

  /// Enters one nesting level; fails beyond `maxDepth`.
  mutating func deeper(_ offset: Int) throws(Abort) {
    depth += 1
    if depth > maxDepth {
      throw fail(
        SyntaxCode.tooDeep, "the expression nests too deeply (more than \(maxDepth) levels)",
        at: offset, hint: "split it into smaller expressions")
    }
  }

  // MARK: - Expressions

  /// The whole source: one expression followed by the end.
  mutating func parseAll() throws(Abort) -> Expr {
    if peek.kind == .eof {
      throw fail(SyntaxCode.syntax, "the expression is empty", at: 0)
    }
    let expr = try parseExpr()
    if peek.kind != .eof {
      let token = peek
      let before = issues.count
      let abort = unexpected(token)
      switch token.kind {
      case .ident, .intLit, .uintLit, .doubleLit, .string, .bytes, .kwTrue, .kwFalse,
        .kwNull, .lparen, .lbracket, .lbrace, .bang:
        if issues.count > before && issues[issues.count - 1].hint == nil {
          issues[issues.count - 1].hint =
            "is an operator such as '&&' or '+' missing before \(describe(token))?"
        }
      default:
        break
      }
      throw abort
    }
    return expr
  }

  /// `Expr = ConditionalOr ["?" ConditionalOr ":" Expr]`
  mutating func parseExpr() throws(Abort) -> Expr {
    try deeper(peek.start)
    defer { depth -= 1 }
    let condition = try parseOr()
    guard peek.kind == .question else { return condition }
    let question = advance()
    let id = try newID(question.start)
    let then = try parseOr()
    guard peek.kind == .colon else {
      throw unexpected(
        peek, expected: "':' for the '?' at \(position(question.start))")
    }
    advance()
    let otherwise = try parseExpr()
    return Expr(
      id: id, offset: question.start,
      kind: .call(function: "_?_:_", target: nil, args: [condition, then, otherwise]))
  }

  /// `ConditionalOr = [ConditionalOr "||"] ConditionalAnd`, balanced as cel-go does.
  mutating func parseOr() throws(Abort) -> Expr {
    let first = try parseAnd()
    guard peek.kind == .or else { return first }
    var terms = [first]
    var ops: [(offset: Int, id: Int32)] = []
    while peek.kind == .or {
      let op = advance()
      ops.append((op.start, try newID(op.start)))
      terms.append(try parseAnd())
    }
    return balance("_||_", terms, ops, 0, ops.count - 1)
  }

  /// `ConditionalAnd = [ConditionalAnd "&&"] Relation`, balanced as cel-go does.
  mutating func parseAnd() throws(Abort) -> Expr {
    let first = try parseBinary(3)
    guard peek.kind == .and else { return first }
    var terms = [first]
    var ops: [(offset: Int, id: Int32)] = []
    while peek.kind == .and {
      let op = advance()
      ops.append((op.start, try newID(op.start)))
      terms.append(try parseBinary(3))
    }
    return balance("_&&_", terms, ops, 0, ops.count - 1)
  }

  /// A balanced tree of `function` over `terms[lo...hi + 1]` joined by `ops[lo...hi]`
  /// (cel-go's `balancer`: for three terms, `(a && b) && c`).
  func balance(
    _ function: String, _ terms: [Expr], _ ops: [(offset: Int, id: Int32)], _ lo: Int,
    _ hi: Int
  ) -> Expr {
    let mid = (lo + hi + 1) / 2
    let left = mid == lo ? terms[mid] : balance(function, terms, ops, lo, mid - 1)
    let right = mid == hi ? terms[mid + 1] : balance(function, terms, ops, mid + 1, hi)
    return Expr(
      id: ops[mid].id, offset: ops[mid].offset,
      kind: .call(function: function, target: nil, args: [left, right]))
  }

  /// Precedence and function name of a binary operator below `&&`.
  func binaryOperator(_ kind: TokenKind) -> (precedence: Int, function: String)? {
    switch kind {
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

  /// Relation (3), Addition (4) and Multiplication (5), all left-associative, by
  /// precedence climbing. Each operator of a chain counts as one nesting level.
  mutating func parseBinary(_ minPrecedence: Int) throws(Abort) -> Expr {
    var left = try parseUnary()
    var chain = 0
    defer { depth -= chain }
    while let (precedence, function) = binaryOperator(peek.kind), precedence >= minPrecedence {
      let op = advance()
      chain += 1
      try deeper(op.start)
      let id = try newID(op.start)
      let right = precedence < 5 ? try parseBinary(precedence + 1) : try parseUnary()
      left = Expr(
        id: id, offset: op.start, kind: .call(function: function, target: nil, args: [left, right]))
    }
    return left
  }

  /// `Unary = Member | "!" {"!"} Member | "-" {"-"} Member`. A `-` directly before an
  /// int or double literal is folded into the literal (cel-go), so that
  /// `-9223372036854775808` is the int literal `Int64.min`.
  mutating func parseUnary() throws(Abort) -> Expr {
    let first = peek.kind
    guard first == .bang || first == .minus else { return try parseMember(negative: nil) }
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
    var expr = try parseMember(negative: negative)
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

  /// `Member = Primary | Member "." SELECTOR ["(" [ExprList] ")"] | Member "[" Expr "]"`,
  /// plus message construction `a.b.T{…}` (parsed, then reported as unsupported).
  mutating func parseMember(negative: Token?) throws(Abort) -> Expr {
    let startToken = peek
    var expr = try parsePrimary(negative: negative)
    // Whether `expr` is a (qualified) name, which `{` may follow.
    var isName: Bool
    if case .ident = expr.kind { isName = startToken.kind == .ident || startToken.kind == .dot }
    else { isName = false }
    var chain = 0
    defer { depth -= chain }
    while true {
      switch peek.kind {
      case .dot:
        let dot = advance()
        chain += 1
        try deeper(dot.start)
        let nameToken = peek
        switch nameToken.kind {
        case .ident:
          break
        case .question:
          throw fail(
            SyntaxCode.unsupported, "optional field selection '.?' is not supported",
            at: dot.start)
        case .kwTrue, .kwFalse, .kwNull, .kwIn:
          throw fail(
            SyntaxCode.syntax, "'\(text(nameToken))' cannot be used as a field name",
            at: nameToken.start)
        default:
          throw unexpected(nameToken, expected: "a field name after '.'")
        }
        advance()
        let name = text(nameToken)
        if peek.kind == .lparen {
          let open = advance()
          let id = try newID(nameToken.start)
          let args = try parseArguments(open)
          expr = try receiverCall(name, target: expr, args: args, offset: nameToken.start, id: id)
          isName = false
        } else {
          expr = try node(
            .select(operand: expr, field: name, testOnly: false), at: dot.start)
        }
      case .lbracket:
        let open = advance()
        chain += 1
        try deeper(open.start)
        if peek.kind == .question {
          throw fail(
            SyntaxCode.unsupported, "optional index '[?…]' is not supported", at: peek.start)
        }
        let id = try newID(open.start)
        let index = try parseExpr()
        try expectCloser(.rbracket, opener: open)
        expr = Expr(
          id: id, offset: open.start,
          kind: .call(function: "_[_]", target: nil, args: [expr, index]))
        isName = false
      case .lbrace where isName:
        expr = try parseMessage(name: expr, start: startToken.start)
        isName = false
      default:
        return expr
      }
    }
  }

  /// Primary expressions: names, global calls, parentheses, lists, maps, literals.
  mutating func parsePrimary(negative: Token?) throws(Abort) -> Expr {
    let token = peek
    switch token.kind {
    case .intLit, .uintLit, .doubleLit, .string, .bytes, .kwTrue, .kwFalse, .kwNull:
      advance()
      return try literal(token, negative: negative)
    case .ident:
      advance()
      return try nameOrCall(text(token), token)
    case .dot:
      advance()
      let nameToken = peek
      guard nameToken.kind == .ident else {
        throw unexpected(nameToken, expected: "a name after the leading '.'")
      }
      advance()
      return try nameOrCall("." + text(nameToken), nameToken)
    case .lparen:
      advance()
      let expr = try parseExpr()
      try expectCloser(.rparen, opener: token)
      return expr
    case .lbracket:
      advance()
      if peek.kind == .question {
        throw fail(
          SyntaxCode.unsupported, "optional list elements '[?…]' are not supported",
          at: peek.start)
      }
      let id = try newID(token.start)
      var elements: [Expr] = []
      while peek.kind != .rbracket {
        elements.append(try parseExpr())
        guard peek.kind == .comma else { break }
        advance()
      }
      try expectCloser(.rbracket, opener: token, or: "',' or ']'")
      return Expr(id: id, offset: token.start, kind: .list(elements))
    case .lbrace:
      advance()
      let id = try newID(token.start)
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
      try expectCloser(.rbrace, opener: token, or: "',' or '}'")
      return Expr(id: id, offset: token.start, kind: .map(entries))
    case .kwIn:
      throw fail(
        SyntaxCode.syntax, "unexpected 'in'", at: token.start,
        hint: "'in' needs a value on its left, e.g. x in [1, 2]")
    default:
      throw unexpected(token)
    }
  }

  /// Identifiers that may not be used as names (cel-spec RESERVED minus the keywords).
  static let reservedWords: Set<String> = [
    "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let",
    "loop", "package", "namespace", "return", "var", "void", "while",
  ]

  /// An identifier or a global call `name(args)` (maybe the `has` macro); `token` is the
  /// name token (after a leading `.`, if any).
  mutating func nameOrCall(_ name: String, _ token: Token) throws(Abort) -> Expr {
    let bare = name.hasPrefix(".") ? String(name.dropFirst()) : name
    if Parser.reservedWords.contains(bare) {
      report(
        SyntaxCode.reservedIdentifier,
        "'\(bare)' is a reserved word and cannot be used as a name", at: token.start,
        hint: "choose another name")
    }
    let offset = name.hasPrefix(".") ? token.start - 1 : token.start
    guard peek.kind == .lparen else {
      return try node(.ident(name), at: offset)
    }
    let open = advance()
    let id = try newID(offset)
    let args = try parseArguments(open)
    if name == "has" && args.count == 1 {
      return try expandHas(args[0], offset: offset)
    }
    return Expr(id: id, offset: offset, kind: .call(function: name, target: nil, args: args))
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
          SyntaxCode.syntax, "unexpected ')'", at: peek.start,
          hint: "remove the ',' before ')'")
      }
      args.append(try parseExpr())
      guard peek.kind == .comma else { break }
      advance()
    }
    try expectCloser(.rparen, opener: open, or: "',' or ')'")
    return args
  }

  /// Message construction `T{f: e, …}`: parsed for syntax errors, then reported as
  /// unsupported (K209). Returns a placeholder.
  mutating func parseMessage(name: Expr, start: Int) throws(Abort) -> Expr {
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
