import Testing

@testable import Kaoping

// MARK: - Helpers

/// The printed AST, or `ERROR K2xx@offset …` for each issue.
private func printed(_ source: String) -> String {
  let result = CELParser.parse(source)
  if let expr = result.expr {
    return ExprPrinter.print(expr)
  }
  return "ERROR " + result.issues.map { "\($0.code)@\($0.offset)" }.joined(separator: " ")
}

private func parsed(_ source: String) -> Expr? {
  CELParser.parse(source).expr
}

private func literal(_ source: String) -> Expr.Literal? {
  guard let expr = parsed(source), case .literal(let value) = expr.kind else { return nil }
  return value
}

/// Every node of `expr`, in pre-order.
private func nodes(_ expr: Expr) -> [Expr] {
  var out: [Expr] = []
  var stack = [expr]
  while let e = stack.popLast() {
    out.append(e)
    switch e.kind {
    case .literal, .ident:
      break
    case .select(let operand, _, _):
      stack.append(operand)
    case .call(_, let target, let args):
      stack.append(contentsOf: args.reversed())
      if let target { stack.append(target) }
    case .list(let elements):
      stack.append(contentsOf: elements.reversed())
    case .map(let entries):
      for entry in entries.reversed() {
        stack.append(entry.value)
        stack.append(entry.key)
      }
    case .comprehension(let c):
      stack.append(contentsOf: [c.result, c.loopStep, c.loopCondition, c.accuInit, c.iterRange])
    }
  }
  return out
}

// MARK: - Printed ASTs

private let printedCases: [(String, String)] = [
  // Arithmetic precedence and associativity.
  ("1 + 2 * 3", "_+_(1, _*_(2, 3))"),
  ("(1 + 2) * 3", "_*_(_+_(1, 2), 3)"),
  ("1 - 2 - 3", "_-_(_-_(1, 2), 3)"),
  ("1 - (2 - 3)", "_-_(1, _-_(2, 3))"),
  ("8 / 4 / 2", "_/_(_/_(8, 4), 2)"),
  ("7 % 3 * 2", "_*_(_%_(7, 3), 2)"),
  ("a + b - c", "_-_(_+_(a, b), c)"),
  ("a * b + c * d", "_+_(_*_(a, b), _*_(c, d))"),
  ("a + b * c - d / e % f", "_-_(_+_(a, _*_(b, c)), _%_(_/_(d, e), f))"),
  ("a-1", "_-_(a, 1)"),
  ("a - -1", "_-_(a, -1)"),
  // Relations: one level, left-associative.
  ("a < b", "_<_(a, b)"),
  ("a <= b", "_<=_(a, b)"),
  ("a > b", "_>_(a, b)"),
  ("a >= b", "_>=_(a, b)"),
  ("a == b", "_==_(a, b)"),
  ("a != b", "_!=_(a, b)"),
  ("a < b == c", "_==_(_<_(a, b), c)"),
  ("a == b != c", "_!=_(_==_(a, b), c)"),
  ("a + 1 < b * 2", "_<_(_+_(a, 1), _*_(b, 2))"),
  ("a in b", "@in(a, b)"),
  ("a + 1 in [2]", "@in(_+_(a, 1), [2])"),
  ("a in b == c", "_==_(@in(a, b), c)"),
  ("'x' in {'x': 1}", "@in(\"x\", {\"x\": 1})"),
  // Logical operators.
  ("a && b", "_&&_(a, b)"),
  ("a || b", "_||_(a, b)"),
  ("a && b || c", "_||_(_&&_(a, b), c)"),
  ("a || b && c", "_||_(a, _&&_(b, c))"),
  ("a && b && c", "_&&_(_&&_(a, b), c)"),
  ("a && b && c && d", "_&&_(_&&_(a, b), _&&_(c, d))"),
  ("a || b || c", "_||_(_||_(a, b), c)"),
  ("a < b && c == d", "_&&_(_<_(a, b), _==_(c, d))"),
  ("!a && b", "_&&_(!_(a), b)"),
  // Conditional: right-associative, lowest precedence.
  ("a ? b : c", "_?_:_(a, b, c)"),
  ("a ? b : c ? d : e", "_?_:_(a, b, _?_:_(c, d, e))"),
  ("(a ? b : c) ? d : e", "_?_:_(_?_:_(a, b, c), d, e)"),
  ("a ? (b ? c : d) : e", "_?_:_(a, _?_:_(b, c, d), e)"),
  ("a || b ? c && d : e + 1", "_?_:_(_||_(a, b), _&&_(c, d), _+_(e, 1))"),
  // Unary chains and negative literals.
  ("!a", "!_(a)"),
  ("!!a", "!_(!_(a))"),
  ("-a", "-_(a)"),
  ("--a", "-_(-_(a))"),
  ("!-a", "!_(-_(a))"),
  ("-a * b", "_*_(-_(a), b)"),
  ("-a.b", "-_(a.b)"),
  ("-1", "-1"),
  ("- 1", "-1"),
  ("--1", "-_(-1)"),
  ("-(1)", "-_(1)"),
  ("-1.5", "-1.5"),
  ("-5u", "-_(5u)"),
  ("-1 * 2", "_*_(-1, 2)"),
  ("!true", "!_(true)"),
  // Members, indexes, calls.
  ("a.b.c", "a.b.c"),
  ("a[0]", "_[_](a, 0)"),
  ("a.b[1].c", "_[_](a.b, 1).c"),
  ("a[b[c]]", "_[_](a, _[_](b, c))"),
  ("a['k'][0]", "_[_](_[_](a, \"k\"), 0)"),
  ("f()", "f()"),
  ("f(x)", "f(x)"),
  ("f(x, y + 1)", "f(x, _+_(y, 1))"),
  ("a.b(c)", "a.b(c)"),
  ("a.b()", "a.b()"),
  ("math.round(x, 2)", "math.round(x, 2)"),
  ("a.b.c(d)", "a.b.c(d)"),
  ("a.b(c).d(e)", "a.b(c).d(e)"),
  ("f(x)[0].y", "_[_](f(x), 0).y"),
  ("x.size() > 0", "_>_(x.size(), 0)"),
  ("'abc'.size()", "\"abc\".size()"),
  ("[1, 2][0]", "_[_]([1, 2], 0)"),
  ("{1: 2}[1]", "_[_]({1: 2}, 1)"),
  ("(a + b).c", "_+_(a, b).c"),
  (".a.b", ".a.b"),
  (".f(x)", ".f(x)"),
  ("a.if", "a.if"),
  ("a.as.while", "a.as.while"),
  ("timestamp('2024-01-01T00:00:00Z')", "timestamp(\"2024-01-01T00:00:00Z\")"),
  ("_x1._y", "_x1._y"),
  ("1.abs()", "1.abs()"),
  ("-1.abs()", "-1.abs()"),
  // Lists and maps, with trailing commas.
  ("[]", "[]"),
  ("[1]", "[1]"),
  ("[1, 2,]", "[1, 2]"),
  ("[[1], [2, 3]]", "[[1], [2, 3]]"),
  ("{}", "{}"),
  ("{'a': 1, 'b': 2,}", "{\"a\": 1, \"b\": 2}"),
  ("{a: b}", "{a: b}"),
  ("{1: [2], 'k': {true: null}}", "{1: [2], \"k\": {true: null}}"),
  ("{1u: 2.0, -1: 'x' + 'y'}", "{1u: 2.0, -1: _+_(\"x\", \"y\")}"),
  // Literals.
  ("123", "123"),
  ("007", "7"),
  ("0x1F", "31"),
  ("0x1f", "31"),
  ("0x1Fu", "31u"),
  ("123u", "123u"),
  ("123U", "123u"),
  ("9223372036854775807", "9223372036854775807"),
  ("-9223372036854775808", "-9223372036854775808"),
  ("-0x8000000000000000", "-9223372036854775808"),
  ("18446744073709551615u", "18446744073709551615u"),
  ("0xFFFFFFFFFFFFFFFFu", "18446744073709551615u"),
  ("1.5", "1.5"),
  ("1e10", "1e10"),
  ("1.5e-3", "1.5e-3"),
  ("1E+2", "1E+2"),
  (".5", ".5"),
  ("0.0", "0.0"),
  ("-1.5e3", "-1.5e3"),
  ("true", "true"),
  ("false", "false"),
  ("null", "null"),
  ("'a'", "\"a\""),
  ("\"a\"", "\"a\""),
  ("''", "\"\""),
  ("'''x''x'''", "\"x''x\""),
  ("'\"\"'", "\"\\\"\\\"\""),
  ("r'\\n'", "\"\\\\n\""),
  ("b'abc'", "b\"abc\""),
  ("b'\\xff'", "b\"\\xff\""),
  // Comments and whitespace.
  ("1 + // one\n 2", "_+_(1, 2)"),
  ("\t1\r\n+\u{0C}2 // end", "_+_(1, 2)"),
  // Macros.
  ("has(a.b)", "a.b~test-only"),
  ("has(a.b.c)", "a.b.c~test-only"),
  ("has(a[0].b)", "_[_](a, 0).b~test-only"),
  (
    "[1].all(x, x > 0)",
    "__comprehension__(x, [1], @result, true, @not_strictly_false(@result), _&&_(@result, _>_(x, 0)), @result)"
  ),
  (
    "l.exists(x, x == 2)",
    "__comprehension__(x, l, @result, false, @not_strictly_false(!_(@result)), _||_(@result, _==_(x, 2)), @result)"
  ),
  (
    "l.exists_one(x, x)",
    "__comprehension__(x, l, @result, 0, true, _?_:_(x, _+_(@result, 1), @result), _==_(@result, 1))"
  ),
  (
    "l.map(x, x * 2)",
    "__comprehension__(x, l, @result, [], true, _+_(@result, [_*_(x, 2)]), @result)"
  ),
  (
    "l.map(x, x > 0, x * 2)",
    "__comprehension__(x, l, @result, [], true, _?_:_(_>_(x, 0), _+_(@result, [_*_(x, 2)]), @result), @result)"
  ),
  (
    "l.filter(x, x > 0)",
    "__comprehension__(x, l, @result, [], true, _?_:_(_>_(x, 0), _+_(@result, [x]), @result), @result)"
  ),
  (
    "a.all(x, x.exists(y, y))",
    "__comprehension__(x, a, @result, true, @not_strictly_false(@result), _&&_(@result, __comprehension__(y, x, @result, false, @not_strictly_false(!_(@result)), _||_(@result, y), @result)), @result)"
  ),
  // Not macros: wrong argument count, or not a receiver call.
  ("a.all(x)", "a.all(x)"),
  ("a.map(x, y, z, w)", "a.map(x, y, z, w)"),
  ("all(a, b)", "all(a, b)"),
  ("a.has(b)", "a.has(b)"),
  ("has(a, b)", "has(a, b)"),
  ("has()", "has()"),
]

@Test func printedASTs() {
  #expect(printedCases.count >= 80)
  for (source, expected) in printedCases {
    #expect(printed(source) == expected, "source: \(source)")
  }
}

// MARK: - Literal values

@Test func stringLiteralValues() {
  let cases: [(String, String)] = [
    ("'\\u00e9'", "é"),
    ("\"\\x41\"", "A"),
    ("'\\X41'", "A"),
    ("'\\101'", "A"),
    ("'\\303\\277'", "Ã¿"),
    ("'\\377'", "ÿ"),
    ("'\\xFF'", "ÿ"),
    ("'\\\\ \\? \\\" \\' \\` \\a \\b \\f \\n \\r \\t \\v'",
      "\\ ? \" ' ` \u{07} \u{08} \u{0C} \n \r \t \u{0B}"),
    ("'\\U0001F600'", "😀"),
    ("'\\uD83D\\uDE00'", "😀"),
    ("r'a\\nb'", "a\\nb"),
    ("R\"\\d+\\.\\d\"", "\\d+\\.\\d"),
    ("'''line1\nline2'''", "line1\nline2"),
    ("\"\"\"a\"b\n\"c\"\"\"", "a\"b\n\"c"),
    ("'''a\\tb'''", "a\tb"),
    ("r'''a\\tb'''", "a\\tb"),
    ("'城关'", "城关"),
    ("'it\\'s'", "it's"),
    ("\"\"", ""),
  ]
  for (source, expected) in cases {
    #expect(literal(source) == .string(expected), "source: \(source)")
  }
}

@Test func bytesLiteralValues() {
  let cases: [(String, [UInt8])] = [
    ("b'\\xff'", [0xFF]),
    ("b'ÿ'", [0xC3, 0xBF]),
    ("b\"\\303\\277\"", [0xC3, 0xBF]),
    ("b'\\377'", [0xFF]),
    ("b'abc'", [97, 98, 99]),
    ("B'a'", [97]),
    ("rb'\\x'", [0x5C, 0x78]),
    ("br'\\x'", [0x5C, 0x78]),
    ("BR'a'", [97]),
    ("Rb'a'", [97]),
    ("b'''a\nb'''", [97, 10, 98]),
    ("b''", []),
    ("b'城'", [0xE5, 0x9F, 0x8E]),
    ("b'\\n\\000'", [10, 0]),
  ]
  for (source, expected) in cases {
    #expect(literal(source) == .bytes(expected), "source: \(source)")
  }
}

@Test func numberLiteralValues() {
  #expect(literal("-9223372036854775808") == .int(Int64.min))
  #expect(literal("9223372036854775807") == .int(Int64.max))
  #expect(literal("0") == .int(0))
  #expect(literal("0x7fffffffffffffff") == .int(Int64.max))
  #expect(literal("18446744073709551615u") == .uint(UInt64.max))
  #expect(literal("0u") == .uint(0))
  #expect(literal("1.5") == .double(1.5, text: "1.5"))
  #expect(literal("-1.5") == .double(-1.5, text: "-1.5"))
  #expect(literal("- 2.25") == .double(-2.25, text: "-2.25"))
  #expect(literal(".5") == .double(0.5, text: ".5"))
  #expect(literal("1e10") == .double(1e10, text: "1e10"))
  #expect(literal("1.5e-3") == .double(1.5e-3, text: "1.5e-3"))
  #expect(literal("2E3") == .double(2000, text: "2E3"))
  #expect(literal("true") == .bool(true))
  #expect(literal("null") == .null)
}

// MARK: - Offsets and ids

@Test func nodeOffsets() throws {
  // '城关' == x.y : the `==` is at scalar offset 5.
  let e = try #require(parsed("'城关' == x.y"))
  #expect(e.offset == 5)
  guard case .call("_==_", nil, let args) = e.kind else {
    Issue.record("not an equality: \(e)")
    return
  }
  #expect(args[0].offset == 0)
  #expect(args[1].offset == 9)  // the `.`
  if case .select(let operand, "y", false) = args[1].kind {
    #expect(operand.offset == 8)
  } else {
    Issue.record("not a select")
  }

  let offsets: [(String, Int)] = [
    ("a + b", 2),
    ("  a", 2),
    ("f(x)", 0),
    ("a.b(c)", 2),
    ("a  .  b", 3),
    ("a[0]", 1),
    ("[1]", 0),
    ("{1: 2}", 0),
    ("-1", 0),
    ("- 1", 0),
    ("-x", 0),
    ("a ? b : c", 2),
    ("a && b && c", 7),
    ("has(a.b)", 0),
    ("l.all(x, x)", 2),
    (".a", 0),
    (". a", 0),
    (".f(x)", 0),
    ("'é' + '城关市' + x", 12),
    ("'''\n\n''' == 1", 9),
  ]
  for (source, offset) in offsets {
    #expect(parsed(source)?.offset == offset, "source: \(source)")
  }
  let map = try #require(parsed("{1: 2, 3 : 4}"))
  if case .map(let entries) = map.kind {
    #expect(entries.map(\.offset) == [2, 9])
  } else {
    Issue.record("not a map")
  }
}

@Test func macroNodesUseTheMacroOffset() throws {
  let e = try #require(parsed("items.exists_one(x, x > 1)"))
  guard case .comprehension(let c) = e.kind else {
    Issue.record("not a comprehension")
    return
  }
  #expect(e.offset == 6)
  #expect(c.iterVar == "x")
  #expect(c.iterVar2 == nil)
  #expect(c.accuVar == comprehensionAccumulator)
  #expect(c.iterRange.kind == .ident("items"))
  #expect(c.accuInit.kind == .literal(.int(0)))
  #expect(c.loopCondition.kind == .literal(.bool(true)))
  #expect(ExprPrinter.print(c.result) == "_==_(@result, 1)")
  for node in nodes(c.accuInit) + nodes(c.loopCondition) + nodes(c.result) {
    #expect(node.offset == 6)
  }
  // The predicate keeps its own offsets.
  if case .call("_?_:_", nil, let args) = c.loopStep.kind {
    #expect(args[0].offset == 22)
  } else {
    Issue.record("not a conditional step")
  }
}

@Test func idsAreUniqueAndStartAtOne() throws {
  let sources = [
    "a.b(c)[d] + -e * f(g, [h, {i: j}]) ? k.all(x, x > 0) : l.map(y, y < 1, y.z)",
    "has(a.b) && c.filter(x, x.exists_one(y, y)) || d",
  ]
  for source in sources {
    let e = try #require(parsed(source))
    let ids = nodes(e).map(\.id)
    #expect(Set(ids).count == ids.count, "source: \(source)")
    #expect(ids.min() == 1)
  }
  let simple = try #require(parsed("a + b"))
  #expect(nodes(simple).map(\.id).sorted() == [1, 2, 3])
}

// MARK: - Errors

/// (source, code, offset) of the first issue.
private let errorCases: [(String, String, Int)] = [
  ("", "K202", 0),
  ("   ", "K202", 0),
  ("1 +", "K202", 3),
  ("(1 + 2", "K202", 6),
  ("f(1, 2", "K202", 6),
  ("f(1 2)", "K202", 4),
  ("[1, 2", "K202", 5),
  ("{1: 2", "K202", 5),
  ("{1 2}", "K202", 3),
  ("a)", "K202", 1),
  ("a b", "K202", 2),
  ("1 2", "K202", 2),
  ("a and b", "K202", 2),
  ("a or b", "K202", 2),
  ("not a", "K202", 4),
  ("a ? b", "K202", 5),
  ("a ? b ? c : d : e", "K202", 6),
  ("f(1,)", "K202", 4),
  ("[,]", "K202", 1),
  ("a.", "K202", 2),
  ("a..b", "K202", 2),
  ("a.in", "K202", 2),
  ("a.true", "K202", 2),
  ("x[", "K202", 2),
  ("x[1", "K202", 3),
  ("in", "K202", 0),
  ("* 2", "K202", 0),
  ("a = 1", "K201", 2),
  ("a & b", "K201", 2),
  ("a | b", "K201", 2),
  ("（1 + 2)", "K201", 0),
  ("a ＝＝ b", "K201", 2),
  ("“hello” == a", "K201", 0),
  ("分数 > 60", "K201", 0),
  ("a\u{00A0}+ b", "K201", 1),
  ("1 + ;", "K201", 4),
  ("a # b", "K201", 2),
  ("a ≤ b", "K201", 2),
  ("'城关' == = 1", "K201", 8),
  ("'abc", "K203", 0),
  ("'abc\n' + 1", "K203", 0),
  ("'''abc", "K203", 0),
  ("x + r\"abc", "K203", 4),
  ("'\\q'", "K204", 1),
  ("'\\x4'", "K204", 1),
  ("'\\uD800'", "K204", 1),
  ("'\\U00110000'", "K204", 1),
  ("b'\\u00e9'", "K204", 2),
  ("'\\400'", "K204", 1),
  ("'\\19'", "K204", 1),
  ("'城关\\d'", "K204", 3),
  ("9223372036854775808", "K205", 0),
  ("-9223372036854775809", "K205", 0),
  ("x + 0x8000000000000000", "K205", 4),
  ("18446744073709551616u", "K205", 0),
  ("0x10000000000000000u", "K205", 0),
  ("1e400", "K205", 0),
  ("1e", "K205", 0),
  ("0xg", "K205", 0),
  ("0X1F", "K205", 0),
  ("12abc", "K205", 0),
  ("1.5u", "K205", 0),
  ("if", "K206", 0),
  ("a + let", "K206", 4),
  ("var.x", "K206", 0),
  ("while(1)", "K206", 0),
  ("has(a)", "K207", 4),
  ("has(f(a))", "K207", 4),
  ("l.all(1, true)", "K207", 6),
  ("l.map(x.y, 1)", "K207", 7),
  ("l.filter(.x, true)", "K207", 9),
  ("Foo{a: 1}", "K209", 0),
  ("a.b.Foo{}", "K209", 0),
  (".Foo{a: 1, b: 2,}", "K209", 0),
  ("a.?b", "K209", 1),
  ("[?a]", "K209", 1),
  ("1.", "K202", 2),
  ("1. + 2", "K202", 3),
  ("has(f('\\q'))", "K207", 4),
]

@Test func errorCodesAndOffsets() {
  #expect(errorCases.count >= 30)
  for (source, code, offset) in errorCases {
    let result = CELParser.parse(source)
    #expect(result.expr == nil, "source: \(source)")
    let first = result.issues.first
    #expect(first?.code == code, "source: \(source) issues: \(result.issues)")
    #expect(first?.offset == offset, "source: \(source) issues: \(result.issues)")
    #expect(first?.severity == .error)
  }
}

@Test func errorMessagesAndHints() throws {
  func issue(_ source: String) -> ExprIssue? { CELParser.parse(source).issues.first }
  #expect(issue("(1 + 2")?.message == "missing ')' to close the '(' at column 1")
  #expect(issue("x + f(1, (2\n)")?.message == "missing ')' to close the '(' at column 6")
  #expect(issue("a)")?.message == "unexpected ')'")
  #expect(issue("'abc")?.message.contains("unterminated string") == true)
  #expect(issue("'abc\n'")?.hint?.contains("'''") == true)
  #expect(issue("（1)")?.message == "unexpected full-width '（'")
  #expect(issue("（1)")?.hint == "use the ASCII '(' instead")
  for (char, ascii) in [
    ("：", ":"), ("（", "("), ("）", ")"), ("，", ","), ("＝", "="), ("！", "!"),
  ] {
    #expect(issue("a \(char) b")?.hint == "use the ASCII '\(ascii)' instead", "\(char)")
  }
  #expect(issue("a “ b")?.hint == "use the ASCII '\"' instead")
  #expect(issue("a ” b")?.hint == "use the ASCII '\"' instead")
  #expect(issue("“优秀” == a")?.hint == "use straight quotes: \"优秀\"")
  #expect(issue("a = 1")?.hint == "use '==' to compare; CEL has no assignment")
  #expect(issue("a and b")?.hint == "use '&&' instead of 'and'")
  #expect(issue("a or b")?.hint == "use '||' instead of 'or'")
  #expect(issue("not a")?.hint == "use '!' instead of 'not'")
  #expect(issue("a & b")?.hint == "use '&&' for logical and")
  #expect(issue("a | b")?.hint == "use '||' for logical or")
  #expect(issue("a b")?.message == "unexpected 'b'")
  #expect(issue("1 +")?.message == "unexpected end of expression")
  #expect(issue("1 +")?.hint == "something is missing after '+'")
  #expect(issue("if")?.message == "'if' is a reserved word and cannot be used as a name")
  #expect(issue("has(a)")?.message == "invalid argument to has() macro")
  #expect(issue("Foo{}")?.message.contains("not supported") == true)
  #expect(issue("9223372036854775808")?.message.contains("invalid int literal") == true)
  #expect(issue("'\\q'")?.message == "invalid escape sequence '\\q'")
  #expect(issue("f(1,)")?.hint == "remove the ',' before ')'")
  #expect(issue("x * 1.")?.hint == "write a number with a fraction as 1.0")
  #expect(issue("'a' 'b'")?.message == "unexpected string 'b'")
  #expect(issue("a.b.1")?.hint?.contains("write [1]") == true)
  #expect(issue("'\\400'")?.message.contains("octal escapes range from 000 to 377") == true)
  #expect(issue("a\n  && (b")?.message == "missing ')' to close the '(' at line 2, column 6")
}

@Test func severalErrorsAreReported() {
  // Lexical errors are all reported, even after the first syntax error.
  let lexical = CELParser.parse("a ＝＝ b && c ； d")
  #expect(lexical.issues.map(\.offset) == [2, 3, 12])
  // Errors that do not disturb the structure do not stop parsing.
  let values = CELParser.parse("'\\q' + '\\z' + 99999999999999999999 + if")
  #expect(values.issues.map(\.code) == ["K204", "K204", "K205", "K206"])
  #expect(values.issues.map(\.offset) == [1, 8, 14, 37])
  // An unterminated string is reported once, not again for the quote that closes it.
  let strings = CELParser.parse("'abc\n' + 1")
  #expect(strings.issues.map(\.code) == ["K203"])
  // A syntax error after a bad escape is also found.
  let both = CELParser.parse("'\\q' + )")
  #expect(both.issues.map(\.code) == ["K204", "K202"])
  #expect(both.expr == nil)
}

// MARK: - Limits

@Test func deepNestingIsAnErrorNotACrash() {
  let n = 100_000
  let inputs = [
    String(repeating: "(", count: n),
    String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n),
    String(repeating: "-", count: n) + "1",
    String(repeating: "!", count: n) + "a",
    String(repeating: "[", count: n),
    String(repeating: "[", count: n) + String(repeating: "]", count: n),
    String(repeating: "{1: ", count: n),
    "a" + String(repeating: ".b", count: n),
    "a" + String(repeating: "[0]", count: n),
    "a" + String(repeating: ".f()", count: n),
    String(repeating: "f(", count: n),
    "1" + String(repeating: " + 1", count: n),
    "1" + String(repeating: " * 1", count: n),
    "1" + String(repeating: " < 1", count: n),
    String(repeating: "a ? b : ", count: n) + "c",
    String(repeating: "-(", count: n),
    String(repeating: "l.all(x, ", count: n),
  ]
  for input in inputs {
    let result = CELParser.parse(input)
    #expect(result.expr == nil)
    #expect(result.issues.first?.code == "K208", "input starts with \(input.prefix(12))")
  }
}

@Test func longFlatChainsHitTheSizeLimit() {
  let n = 60_000
  for op in [" && ", " || "] {
    let input = "a" + String(repeating: op + "a", count: n)
    let result = CELParser.parse(input)
    #expect(result.issues.first?.code == "K210")
  }
  let list = "[" + String(repeating: "1, ", count: 200_000) + "]"
  #expect(CELParser.parse(list).issues.first?.code == "K210")
  // Balanced && chains stay shallow, so long ones within the size limit parse.
  let ok = "a" + String(repeating: " && a", count: 5_000)
  #expect(CELParser.parse(ok).expr != nil)
}

@Test func nestingWithinTheLimitParses() {
  let n = 200
  let parens = String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n)
  #expect(printed(parens) == "1")
  let lists = String(repeating: "[", count: n) + String(repeating: "]", count: n)
  #expect(CELParser.parse(lists).expr != nil)
  let unary = String(repeating: "!", count: n) + "a"
  #expect(CELParser.parse(unary).expr != nil)
  // maxDepth is configurable.
  #expect(CELParser.parse("((1))", maxDepth: 3).expr != nil)
  #expect(CELParser.parse("(((1)))", maxDepth: 3).issues.first?.code == "K208")
  #expect(CELParser.parse("[1, 2, 3]", maxNodes: 3).issues.first?.code == "K210")
  #expect(CELParser.parse("[1, 2, 3]", maxNodes: 4).expr != nil)
}

@Test func pathologicalInputsStayFast() {
  // Each of these would take minutes if any part of the lexer or parser were quadratic.
  let n = 200_000
  let inputs = [
    String(repeating: "“", count: n),
    String(repeating: "‘a", count: n),
    String(repeating: "#", count: n),
    String(repeating: "城", count: n),
    String(repeating: "'", count: n),
    String(repeating: "'''", count: n),
    String(repeating: "\"", count: n) + "'",
    "'" + String(repeating: "\\q", count: n) + "'",
    String(repeating: "1", count: n),
    String(repeating: "a", count: n),
    String(repeating: "// c\n", count: n),
    "[" + String(repeating: "a.b(c)[0], ", count: n / 10) + "]",
    String(repeating: "（", count: n),
    String(repeating: "\u{00A0}", count: n),
  ]
  let clock = ContinuousClock()
  for input in inputs {
    var result = CELParser.parse("1")
    let elapsed = clock.measure { result = CELParser.parse(input) }
    #expect(elapsed < .seconds(20), "input starts with \(input.prefix(8))")
    #expect(result.expr != nil || !result.issues.isEmpty)
    #expect(result.issues.count <= 100)
  }
}

// MARK: - Fuzz

/// SplitMix64, for reproducible pseudo-random tests.
private struct ParserFuzzRandom {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ n: Int) -> Int {
    Int(truncatingIfNeeded: next() % UInt64(max(1, n)))
  }
}

private let fuzzFragments: [String] = [
  "a", "b.c", "x", "1", "0x1F", "2u", "1.5", ".5", "1e3", "-", "+", "*", "/", "%", "!",
  "==", "!=", "<", "<=", ">", ">=", "&&", "||", "?", ":", "in", "(", ")", "[", "]", "{",
  "}", ",", ".", "'s'", "\"t\"", "'''m\nl'''", "r'\\d'", "b'\\xff'", "'\\u00e9'", "'",
  "\"", "\\", "true", "false", "null", "has(", "all(", "exists(", "map(", "filter(",
  ".all(", ".map(x,", "if", "let", "城关", "（", "＝", "“", " ", "\n", "// c\n", "=", "&",
  "|", "9223372036854775808", "-9223372036854775808", "18446744073709551616u", "'\\",
  "'\\x", "'\\u12", "Foo{", "a.?b", "#", "\u{00A0}", "😀", "e", "u", "0x", "`",
]

@Test func fuzzNeverTraps() {
  var rng = ParserFuzzRandom(state: 0x5EED_CE1_2024)
  let seeds = printedCases.map(\.0) + errorCases.map(\.0)
  var withExpr = 0
  for round in 0..<20_000 {
    var source: String
    if round % 2 == 0 {
      // Token soup.
      source = ""
      for _ in 0..<(1 + rng.below(16)) {
        source += fuzzFragments[rng.below(fuzzFragments.count)]
        if rng.below(3) == 0 { source += " " }
      }
    } else {
      // A mutated valid (or invalid) expression.
      var scalars = Array(seeds[rng.below(seeds.count)].unicodeScalars)
      for _ in 0..<(1 + rng.below(3)) {
        let position = rng.below(scalars.count + 1)
        switch rng.below(4) {
        case 0 where !scalars.isEmpty:
          let end = min(scalars.count, position + 1 + rng.below(4))
          if position < end { scalars.removeSubrange(position..<end) }
        case 1:
          scalars.insert(
            contentsOf: fuzzFragments[rng.below(fuzzFragments.count)].unicodeScalars,
            at: position)
        case 2 where !scalars.isEmpty:
          let from = rng.below(scalars.count)
          scalars.insert(scalars[from], at: position)
        default:
          if position < scalars.count, let s = Unicode.Scalar(UInt32(rng.below(0x80))) {
            scalars[position] = s
          }
        }
      }
      var view = String.UnicodeScalarView()
      view.append(contentsOf: scalars)
      source = String(view)
    }
    let result = CELParser.parse(source)
    if let expr = result.expr {
      withExpr += 1
      #expect(!result.issues.contains { $0.severity == .error }, "source: \(source)")
      _ = ExprPrinter.print(expr)
    } else {
      #expect(!result.issues.isEmpty, "source: \(source)")
    }
    let count = source.unicodeScalars.count
    for issue in result.issues {
      #expect(issue.offset >= 0 && issue.offset <= count, "source: \(source)")
      #expect(issue.code.hasPrefix("K2"), "source: \(source)")
    }
  }
  #expect(withExpr > 1_000)
}
