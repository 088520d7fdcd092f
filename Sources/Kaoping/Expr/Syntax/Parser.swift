// The CEL parser: a recursive-descent parser over the tokens of `Lexer`, producing the
// AST of `Expr/AST.swift`, with macros expanded and bounded nesting.
// The issue codes are listed on `CELParser`.

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
///
/// Issue codes (stable; K201–K219 are reserved for syntax, K211–K219 still unused).
/// Each issue has a `message` naming the offending text (e.g. `unexpected ')'`) and,
/// where it helps, a `hint` (e.g. `use '==' to compare; CEL has no assignment`).
///
/// - K201: unexpected character: full-width and look-alike characters (`（` → hint
///   `use the ASCII '(' instead`), curly quotes, invisible spaces, non-ASCII names,
///   a lone `=`, `&` or `|`, and other characters outside the grammar.
/// - K202: syntax error: unexpected token, missing closing bracket
///   (`missing ')' to close the '(' at column N`), empty expression; hints for
///   `and`/`or`/`not`.
/// - K203: unterminated string or bytes literal (only the first is reported).
/// - K204: invalid escape sequence or code point in a string or bytes literal.
/// - K205: invalid number literal: malformed (`1e`, `0xg`, `12ab`), or out of range for
///   int, uint or double.
/// - K206: reserved word used as an identifier (`if`, `let`, `var`, …).
/// - K207: invalid macro use: `has()` of something other than a field selection; a
///   macro variable that is not a simple name.
/// - K208: the expression nests more than `maxDepth` levels.
/// - K209: unsupported syntax: message construction `T{f: v}`, optional syntax `a.?b`,
///   `[?x]`, `{?k: v}`.
/// - K210: the expression has more than `maxNodes` nodes.
///
/// Stack use grows with nesting: in release builds about 1 KB per level (so about
/// 250 KB at the default `maxDepth`), several times more in debug builds.
enum CELParser {
  /// Parses CEL source. Never traps. Returns the expression, or every syntax error it
  /// finds (at least the first) as issues with codes K201–K210 (listed above).
  /// Offsets are Unicode-scalar offsets into `source`.
  ///
  /// - Parameters:
  ///   - maxDepth: the deepest nesting accepted (parentheses, brackets, operators,
  ///     unary chains, member chains); deeper input gives K208.
  ///   - maxNodes: the most AST nodes accepted; larger input gives K210.
  static func parse(_ source: String, maxDepth: Int = 250, maxNodes: Int = 100_000)
    -> ParseResult
  {
    var src: [Unicode.Scalar] = []
    src.reserveCapacity(source.utf8.count)
    for scalar in source.unicodeScalars {
      src.append(scalar)
    }
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
    if issues.count > 1 {
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
    Parser.string(src, start, end)
  }

  /// The text of `src[start..<end]` (clamped), with a fast path for ASCII.
  static func string(_ src: [Unicode.Scalar], _ start: Int, _ end: Int) -> String {
    let lo = max(0, min(start, src.count))
    let hi = max(lo, min(end, src.count))
    var i = lo
    while i < hi && src[i].value < 0x80 { i += 1 }
    if i == hi {
      return String(unsafeUninitializedCapacity: hi - lo) { buffer in
        var k = 0
        for j in lo..<hi {
          buffer[k] = UInt8(truncatingIfNeeded: src[j].value)
          k += 1
        }
        return k
      }
    }
    var result = String()
    result.reserveCapacity((hi - lo) * 3)
    for j in lo..<hi {
      result.unicodeScalars.append(src[j])
    }
    return result
  }

  // MARK: - Issues
  //
  // Error paths are kept out of line (`@inline(never)`), so that the recursive parsing
  // functions keep small stack frames.

  /// Records a non-fatal error.
  @inline(never)
  mutating func report(_ code: String, _ message: String, at offset: Int, hint: String? = nil) {
    guard issues.count < maxIssues else { return }
    issues.append(ExprIssue(code: code, message: message, offset: offset, hint: hint))
  }

  /// Records a fatal error and returns the `Abort` to throw.
  @inline(never)
  mutating func fail(
    _ code: String, _ message: String, at offset: Int, hint: String? = nil
  ) -> Abort {
    report(code, message, at: offset, hint: hint)
    return Abort()
  }

  /// How a token is shown in messages: `'text'` (shortened), or `end of expression`.
  /// String and bytes literals are shown as written, e.g. `string 'b'`.
  func describe(_ token: Token) -> String {
    if token.kind == .eof { return "end of expression" }
    let limit = 24
    let shown =
      token.end - token.start > limit
      ? text(token.start, token.start + limit) + "…" : text(token)
    switch token.kind {
    case .string: return "string " + shown
    case .bytes: return "bytes " + shown
    default: return "'" + shown + "'"
    }
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
  @inline(never)
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
    if expected == nil {
      switch token.kind {
      case .rparen: hint = "there is no matching '('"
      case .rbracket: hint = "there is no matching '['"
      case .rbrace: hint = "there is no matching '{'"
      default: break
      }
    }
    return fail(
      SyntaxCode.syntax, "unexpected \(describe(token))", at: token.start, hint: hint)
  }

  /// Consumes the closing token `kind` of the bracket `opener`, or fails.
  @inline(__always)
  mutating func expectCloser(_ kind: TokenKind, opener: Token, or alternatives: String? = nil)
    throws(Abort)
  {
    guard peek.kind == kind else {
      throw missingCloser(kind, opener: opener, or: alternatives)
    }
    advance()
  }

  @inline(never)
  mutating func missingCloser(_ kind: TokenKind, opener: Token, or alternatives: String?)
    -> Abort
  {
    let closer: String
    switch kind {
    case .rparen: closer = "')'"
    case .rbracket: closer = "']'"
    default: closer = "'}'"
    }
    let open = "the \(describe(opener)) at \(position(opener.start))"
    let token = peek
    if token.kind == .eof {
      return fail(SyntaxCode.syntax, "missing \(closer) to close \(open)", at: token.start)
    }
    return unexpected(token, expected: "\(alternatives ?? closer) to close \(open)")
  }

  // MARK: - Limits

  @inline(__always)
  mutating func newID(_ offset: Int) throws(Abort) -> Int32 {
    nodeCount += 1
    if nodeCount > maxNodes { throw tooLarge(offset) }
    let id = nextID
    nextID &+= 1
    return id
  }

  @inline(never)
  mutating func tooLarge(_ offset: Int) -> Abort {
    fail(
      SyntaxCode.tooLarge, "the expression is too large (more than \(maxNodes) parts)",
      at: offset, hint: "split it into smaller expressions")
  }

  mutating func node(_ kind: Expr.Kind, at offset: Int) throws(Abort) -> Expr {
    Expr(id: try newID(offset), offset: offset, kind: kind)
  }

  /// Enters one nesting level; fails beyond `maxDepth`.
  @inline(__always)
  mutating func deeper(_ offset: Int) throws(Abort) {
    depth += 1
    if depth > maxDepth { throw tooDeep(offset) }
  }

  @inline(never)
  mutating func tooDeep(_ offset: Int) -> Abort {
    fail(
      SyntaxCode.tooDeep, "the expression nests too deeply (more than \(maxDepth) levels)",
      at: offset, hint: "split it into smaller expressions")
  }
}
