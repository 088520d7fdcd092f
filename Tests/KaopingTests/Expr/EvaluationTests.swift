import Testing

@testable import Kaoping

/// The CEL profile, operator by operator and function by function, from the
/// cel-spec language definition.
@Suite struct EvaluationTests {
  @Test(arguments: [
    // int64 arithmetic, with overflow and division by zero as errors
    ("40 + 2", Expected.value(#"{"int":"42"}"#)),
    ("9223372036854775807 + 1", .evalError),
    ("-9223372036854775808 - 1", .evalError),
    ("-9223372036854775808 / -1", .evalError),
    ("-9223372036854775808 % -1", .evalError),
    ("-9223372036854775808 * -1", .evalError),
    ("5000000000 * 5000000000", .evalError),
    ("-(-9223372036854775808)", .evalError),
    ("-9223372036854775808", .value(#"{"int":"-9223372036854775808"}"#)),
    ("1 / 0", .evalError),
    ("1 % 0", .evalError),
    ("-7 / 2", .value(#"{"int":"-3"}"#)),
    ("-7 % 2", .value(#"{"int":"-1"}"#)),
    ("7 % -2", .value(#"{"int":"1"}"#)),
    ("0x1F", .value(#"{"int":"31"}"#)),
    // uint64
    ("0u - 1u", .evalError),
    ("18446744073709551615u + 1u", .evalError),
    ("5000000000u * 5000000000u", .evalError),
    ("7u / 2u", .value(#"{"uint":"3"}"#)),
    ("7u % 0u", .evalError),
    ("7u / 0u", .evalError),
    ("-(1u)", .issue("K235")),
    // doubles are IEEE
    ("1.0 / 0.0", .value(#"{"double":"Infinity"}"#)),
    ("-1.0 / 0.0", .value(#"{"double":"-Infinity"}"#)),
    ("0.0 / 0.0", .value(#"{"double":"NaN"}"#)),
    ("0.1 + 0.2", .value(#"{"double":"0.30000000000000004"}"#)),
    ("-(0.0)", .value(#"{"double":"-0.0"}"#)),
    ("1e100", .value(#"{"double":"1e+100"}"#)),
    ("2.5 * 4.0 - 1.0", .value(#"{"double":"9.0"}"#)),
    ("1.5 % 1.0", .issue("K225")),
    // no mixed arithmetic in CEL
    ("1 + 1.0", .issue("K225")),
    ("1 + 1u", .issue("K225")),
    ("'a' + 1", .issue("K235")),
    ("'a' - 'b'", .issue("K235")),
    // strings and bytes
    ("'he' + 'llo'", .value(#"{"string":"hello"}"#)),
    ("size('πέντε')", .value(#"{"int":"5"}"#)),
    ("'🐱😀'.size()", .value(#"{"int":"2"}"#)),
    ("size(b'abc')", .value(#"{"int":"3"}"#)),
    ("b'ab' + b'c'", .value(#"{"bytes":"YWJj"}"#)),
    (#"'\u00e9' == 'é'"#, .value(#"{"bool":true}"#)),
    (#""\x41\101\u0041\U00000041""#, .value(#"{"string":"AAAA"}"#)),
    (#"'\a\b\f\n\r\t\v\"\'\\\?\`'"#, .value(#"{"string":"\u0007\u0008\u000C\n\r\t\u000B\"'\\?`"}"#)),
    (#"r'\n' == '\\n'"#, .value(#"{"bool":true}"#)),
    (#"size(r'\n')"#, .value(#"{"int":"2"}"#)),
    ("'''a\nb'''", .value(#"{"string":"a\nb"}"#)),
    (#"b'\377'"#, .value(#"{"bytes":"/w=="}"#)),
    (#"'\377'"#, .value(#"{"string":"ÿ"}"#)),
    ("'abc'[0]", .issue("K231")),
    // equality: heterogeneous numbers, collections
    ("1 == 1.0", .value(#"{"bool":true}"#)),
    ("1u == 1", .value(#"{"bool":true}"#)),
    ("-1 < 1u", .value(#"{"bool":true}"#)),
    ("1u < 2", .value(#"{"bool":true}"#)),
    ("2 > 1.5", .value(#"{"bool":true}"#)),
    ("[1, 2] == [1, 2]", .value(#"{"bool":true}"#)),
    ("[1, 2] == [2, 1]", .value(#"{"bool":false}"#)),
    ("[1, 2] != [1]", .value(#"{"bool":true}"#)),
    ("{'a': 1} == {'a': 1}", .value(#"{"bool":true}"#)),
    ("{'a': 1, 'b': 2} == {'b': 2, 'a': 1}", .value(#"{"bool":true}"#)),
    ("{'a': 1} == {'a': 2}", .value(#"{"bool":false}"#)),
    ("null == null", .value(#"{"bool":true}"#)),
    ("dyn(1) == 'a'", .value(#"{"bool":false}"#)),
    ("dyn([1]) == {}", .value(#"{"bool":false}"#)),
    ("'a' == 1", .issue("K227")),
    ("NaNs()", .issue("K223")),
    (#"'Am\u00E9lie' == 'Ame\u0301lie'"#, .value(#"{"bool":false}"#)),
    // ordering
    ("'a' < 'b'", .value(#"{"bool":true}"#)),
    ("'a' < 'B'", .value(#"{"bool":false}"#)),
    ("b'a' < b'b'", .value(#"{"bool":true}"#)),
    ("false < true", .value(#"{"bool":true}"#)),
    ("2 <= 2", .value(#"{"bool":true}"#)),
    ("3 >= 4", .value(#"{"bool":false}"#)),
    ("[1] < [2]", .issue("K227")),
    ("dyn(1) < 'a'", .evalError),
    ("1.0 < 0.0 / 0.0", .value(#"{"bool":false}"#)),
    // logic: commutative error absorption
    ("false && (1/0 > 0)", .value(#"{"bool":false}"#)),
    ("(1/0 > 0) && false", .value(#"{"bool":false}"#)),
    ("true && (1/0 > 0)", .evalError),
    ("(1/0 > 0) || true", .value(#"{"bool":true}"#)),
    ("true || (1/0 > 0)", .value(#"{"bool":true}"#)),
    ("false || (1/0 > 0)", .evalError),
    ("!true", .value(#"{"bool":false}"#)),
    ("!1", .issue("K230")),
    ("1 && true", .issue("K230")),
    // conditional
    ("true ? 1 : 2", .value(#"{"int":"1"}"#)),
    ("false ? 1/0 : 2", .value(#"{"int":"2"}"#)),
    ("1/0 > 1 ? 1 : 2", .evalError),
    ("1 ? 1 : 2", .issue("K228")),
    ("true ? 'a' : 1", .issue("K229")),
    // lists and maps
    ("[1, 2] + [3]", .value(#"{"list":[{"int":"1"},{"int":"2"},{"int":"3"}]}"#)),
    ("[1, 2, 3][1]", .value(#"{"int":"2"}"#)),
    ("[1, 2, 3][3]", .evalError),
    ("[1, 2, 3][-1]", .evalError),
    ("[1, 2]['a']", .issue("K232")),
    ("2 in [1, 2]", .value(#"{"bool":true}"#)),
    ("3 in [1, 2]", .value(#"{"bool":false}"#)),
    ("'a' in {'a': 1}", .value(#"{"bool":true}"#)),
    ("'a' in [1, 2]", .issue("K234")),
    ("1u in [1, 2]", .value(#"{"bool":true}"#)),
    ("{'a': 1}['a']", .value(#"{"int":"1"}"#)),
    ("{'a': 1}['b']", .evalError),
    ("{1: 'a'}[1u]", .value(#"{"string":"a"}"#)),
    ("{1u: 'a'}[1]", .value(#"{"string":"a"}"#)),
    ("{1: 'a'}[1.0]", .value(#"{"string":"a"}"#)),
    ("{'a': 1}.a", .value(#"{"int":"1"}"#)),
    ("{'a': 1}.b", .evalError),
    ("{1: 'a'}.a", .issue("K222")),
    ("{'a': 1, 'a': 2}", .evalError),
    ("{1: 'a', 1u: 'b'}", .evalError),
    ("{1.5: 'a'}", .issue("K233")),
    ("size({'a': 1, 'b': 2})", .value(#"{"int":"2"}"#)),
    ("[[1], []][0][0]", .value(#"{"int":"1"}"#)),
    ("[1, 'a']", .value(#"{"list":[{"int":"1"},{"string":"a"}]}"#)),
    // has() on maps
    ("has({'a': 1}.a)", .value(#"{"bool":true}"#)),
    ("has({'a': 1}.b)", .value(#"{"bool":false}"#)),
    ("has({'a': {'b': 1}}.a.b)", .value(#"{"bool":true}"#)),
    ("has({'a': {'b': 1}}.a.c)", .value(#"{"bool":false}"#)),
    ("has({'a': 1}.b.c)", .issue("K222")),
    ("has(dyn({'a': 1}).b.c)", .evalError),
    // macros
    ("[1, 2, 3].all(x, x > 0)", .value(#"{"bool":true}"#)),
    ("[1, 2, 3].exists(x, x > 2)", .value(#"{"bool":true}"#)),
    ("[1, 2, 3].exists_one(x, x > 1)", .value(#"{"bool":false}"#)),
    ("[1, 2, 3].map(x, x * x)", .value(#"{"list":[{"int":"1"},{"int":"4"},{"int":"9"}]}"#)),
    ("[1, 2, 3].map(x, x > 1, x * 10)", .value(#"{"list":[{"int":"20"},{"int":"30"}]}"#)),
    ("[1, 2, 3].filter(x, x != 2)", .value(#"{"list":[{"int":"1"},{"int":"3"}]}"#)),
    ("{'a': 1, 'b': 2}.all(k, k != 'c')", .value(#"{"bool":true}"#)),
    ("{'a': 1, 'b': 2}.map(k, k + k)", .value(#"{"list":[{"string":"aa"},{"string":"bb"}]}"#)),
    ("[1, 0].all(x, 1 / x > 0)", .evalError),
    ("[0, -1].all(x, 1 / x > 0)", .value(#"{"bool":false}"#)),
    ("[0, 1].exists(x, 1 / x > 0)", .value(#"{"bool":true}"#)),
    // nested comprehensions, shadowing
    ("[1, 2].all(x, [3, 4].exists(y, y > x))", .value(#"{"bool":true}"#)),
    ("[[1, 2], [3]].map(l, l.map(x, x * 2))", .value(#"{"list":[{"list":[{"int":"2"},{"int":"4"}]},{"list":[{"int":"6"}]}]}"#)),
    ("[1, 2].map(x, [10, 20].map(x, x + 1))", .value(#"{"list":[{"list":[{"int":"11"},{"int":"21"}]},{"list":[{"int":"11"},{"int":"21"}]}]}"#)),
    ("[1, 2].map(x, [10].map(y, x + y))[1][0]", .value(#"{"int":"12"}"#)),
    ("[1, 2, 3].filter(x, x > 1).map(x, x * 2).exists(x, x == 6)", .value(#"{"bool":true}"#)),
    ("1.all(x, x > 0)", .issue("K236")),
    // conversions
    ("int(42u)", .value(#"{"int":"42"}"#)),
    ("int(18446744073709551615u)", .evalError),
    ("int(-1.9)", .value(#"{"int":"-1"}"#)),
    ("int(1e99)", .evalError),
    ("int(0.0 / 0.0)", .evalError),
    ("int('42')", .value(#"{"int":"42"}"#)),
    ("int('4x')", .evalError),
    ("uint(42)", .value(#"{"uint":"42"}"#)),
    ("uint(-1)", .evalError),
    ("uint(2.9)", .value(#"{"uint":"2"}"#)),
    ("uint('7')", .value(#"{"uint":"7"}"#)),
    ("double(1)", .value(#"{"double":"1.0"}"#)),
    ("double(2u)", .value(#"{"double":"2.0"}"#)),
    ("double('1e3')", .value(#"{"double":"1000.0"}"#)),
    ("double('NaN')", .value(#"{"double":"NaN"}"#)),
    ("double('-inf')", .value(#"{"double":"-Infinity"}"#)),
    ("double('x')", .evalError),
    ("string(1)", .value(#"{"string":"1"}"#)),
    ("string(2u)", .value(#"{"string":"2"}"#)),
    ("string(1.5)", .value(#"{"string":"1.5"}"#)),
    ("string(1e21)", .value(#"{"string":"1e+21"}"#)),
    ("string(0.0001)", .value(#"{"string":"0.0001"}"#)),
    ("string(true)", .value(#"{"string":"true"}"#)),
    ("string(b'\\303\\277')", .value(#"{"string":"ÿ"}"#)),
    ("string(b'\\xff')", .evalError),
    ("bytes('ÿ')", .value(#"{"bytes":"w78="}"#)),
    ("bool('true')", .value(#"{"bool":true}"#)),
    ("bool('F')", .evalError),
    ("bool('f')", .value(#"{"bool":false}"#)),
    ("bool('TRUE')", .value(#"{"bool":true}"#)),
    ("type(1) == int", .value(#"{"bool":true}"#)),
    ("type(1u)", .value(#"{"type":"uint"}"#)),
    ("type('a') == string", .value(#"{"bool":true}"#)),
    ("type([1])", .value(#"{"type":"list"}"#)),
    ("type({})", .value(#"{"type":"map"}"#)),
    ("type(null)", .value(#"{"type":"null_type"}"#)),
    ("type(int)", .value(#"{"type":"type"}"#)),
    ("type(type(1)) == type(string)", .value(#"{"bool":true}"#)),
    ("type(1) == string", .value(#"{"bool":false}"#)),
    ("dyn(1) + 2", .value(#"{"int":"3"}"#)),
    ("dyn(1) + 2.0", .evalError),
    ("int(1, 2)", .issue("K224")),
    ("'a'.int()", .issue("K224")),
    ("size(1)", .issue("K224")),
    // string functions
    ("'hello'.contains('ell')", .value(#"{"bool":true}"#)),
    ("'hello'.startsWith('he')", .value(#"{"bool":true}"#)),
    ("'hello'.endsWith('lo')", .value(#"{"bool":true}"#)),
    ("'hello'.endsWith('he')", .value(#"{"bool":false}"#)),
    ("'hello'.matches('^h.*o$')", .value(#"{"bool":true}"#)),
    ("matches('hello', 'l+')", .value(#"{"bool":true}"#)),
    ("'hello'.matches('(')", .issue("K238")),
    ("'hello'.matches('(' + '')", .evalError),
    ("'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'.matches('(a*)*$')", .value(#"{"bool":true}"#)),
    ("'é'.contains('e')", .value(#"{"bool":false}"#)),
    // unknown names
    ("x", .issue("K220")),
    ("foo(1)", .issue("K223")),
  ])
  func celProfile(_ source: String, _ expected: Expected) {
    expect(source, expected, profile: .cel)
  }

  @Test func deepExpressionsEvaluate() {
    let ors = Array(repeating: "false", count: 32).joined(separator: " || ") + " || true"
    expect(ors, .value(#"{"bool":true}"#))
    let parens = String(repeating: "(", count: 32) + "7" + String(repeating: ")", count: 32)
    expect(parens, .value(#"{"int":"7"}"#))
    expect("--------------------------------19", .value(#"{"int":"19"}"#))
  }

  @Test func comprehensionsAreBounded() throws {
    // 100^4 iterations would be far beyond the budget: an error, not a hang.
    let range = "[" + (0..<100).map(String.init).joined(separator: ",") + "]"
    let source = "\(range).all(a, \(range).all(b, \(range).all(c, \(range).all(d, true))))"
    var compiled = try CompiledExpression(source, environment: ExprEnvironment(profile: .cel))
    #expect(compiled.iterationLimit == 10_000_000)
    compiled.iterationLimit = 5_000
    guard case .error(let e) = compiled.evaluate(Activation()) else {
      Issue.record("no error")
      return
    }
    #expect(e.message.contains("5000"))
  }

  @Test func concatenationIsBounded() {
    var source = "'aaaaaaaaaaaaaaaa'"
    for _ in 0..<24 { source = "[\(source)].map(x, x + x)[0]" }
    expect(source, .evalError)
  }

  @Test func variablesAndQualifiedNames() {
    let x = TestVariable(name: "x", type: .int, value: .int(3))
    expect("x * 2", .value(#"{"int":"6"}"#), variables: [x])
    let abc = TestVariable(name: "a.b.c", type: .string, value: .string("yeah"))
    var ab = MapValue()
    try? ab.insert(key: .string("c"), value: .string("oops"))
    let abMap = TestVariable(name: "a.b", type: .map(.string, .string), value: .map(ab))
    expect("a.b.c", .value(#"{"string":"yeah"}"#), variables: [abc, abMap])
    expect("a.b.c", .value(#"{"string":"oops"}"#), variables: [abMap])
    expect("a.b['c']", .value(#"{"string":"oops"}"#), variables: [abc, abMap])
    expect(".x", .value(#"{"int":"3"}"#), variables: [x])
    expect("[1].map(x, x)[0] + x", .value(#"{"int":"4"}"#), variables: [x])
  }

  @Test func resultTypes() {
    #expect(resultType("1 + 2") == .int)
    #expect(resultType("[1, 2].map(x, x * 2)") == .list(.int))
    #expect(resultType("[1, 'a']") == .list(.dyn))
    #expect(resultType("[]") == .list(.dyn))
    #expect(resultType("{'a': [1]}") == .map(.string, .list(.int)))
    #expect(resultType("{'a': 1}['a']") == .int)
    #expect(resultType("[[], [[]], [[[]]]]") == .list(.list(.list(.list(.dyn)))))
    #expect(resultType("dyn(1) + 1") == .int)
    #expect(resultType("dyn(1) + dyn(1)") == .dyn)
    #expect(resultType("type(1)") == .type)
    #expect(resultType("([] + [1] + [])[0]") == .int)
    #expect(resultType("[].map(x, x)") == .list(.dyn))
    #expect(ExprType.map(.string, .list(.int)).description == "map(string, list(int))")
  }
}
