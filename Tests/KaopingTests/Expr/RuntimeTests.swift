import Testing

@testable import Kaoping

/// The pieces under the evaluator: JSON, typed JSON, dates, number text.
@Suite struct RuntimeTests {
  // MARK: JSON

  @Test func jsonReadsEveryKindOfValue() throws {
    let v = try JSONReader.parse(#" {"a": [1, -2.5e3, true, false, null, "x\u00e9\ud83d\ude00\n\"\\\/"], "b": {}} "#)
    #expect(
      v
        == .object([
          ("a", .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null, .string("xé😀\n\"\\/")])),
          ("b", .object([])),
        ]))
    #expect(try JSONReader.parse("[]") == .array([]))
    #expect(try JSONReader.parse("\"名\"") == .string("名"))
  }

  @Test(arguments: [
    ("", 1, 1), ("[1,]", 1, 4), ("{\"a\" 1}", 1, 6), ("01", 1, 2), ("1.", 1, 3), ("-", 1, 2), ("[1] x", 1, 5),
    ("\"a\nb\"", 1, 3), ("\"\\ud800\"", 1, 2), ("\"\\x\"", 1, 2), ("tru", 1, 1), ("[\n  1,\n  ?]", 3, 3),
    ("\"é\" 1", 1, 5), ("{\"a\":1,}", 1, 8), ("+1", 1, 1),
  ])
  func jsonRejectsWithLineAndColumn(_ text: String, _ line: Int, _ column: Int) {
    do {
      _ = try JSONReader.parse(text)
      Issue.record("accepted \(text)")
    } catch {
      #expect(error.line == line && error.column == column, "\(text): \(error)")
    }
  }

  @Test func jsonNestingIsBounded() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(throws: JSONSyntaxError.self) { try JSONReader.parse(deep) }
  }

  @Test func jsonWriterEscapes() {
    #expect(JSONWriter.quote("a\"b\\c/é名\u{1}\n") == #""a\"b\\c/é名\u0001\n""#)
    #expect(JSONWriter.write(.object([("k", .array([.null, .bool(true), .number("1.5")]))])) == #"{"k":[null,true,1.5]}"#)
  }

  // MARK: Typed JSON

  @Test(arguments: [
    #"{"int":"-3"}"#, #"{"uint":"18446744073709551615"}"#, #"{"double":"1.5"}"#, #"{"double":"1e+100"}"#,
    #"{"double":"-0.0"}"#, #"{"double":"NaN"}"#, #"{"double":"Infinity"}"#, #"{"double":"-Infinity"}"#,
    #"{"double":"5e-324"}"#, #"{"string":"a\"é"}"#, #"{"bytes":"AP8="}"#, #"{"bool":false}"#, #"{"null":null}"#,
    #"{"list":[{"int":"1"},{"list":[]}]}"#, #"{"map":[[{"string":"k"},{"int":"1"}],[{"int":"2"},{"bool":true}]]}"#,
    #"{"type":"list"}"#, #"{"type":"null_type"}"#, #"{"date":"2023-01-31"}"#, #"{"error":"boom"}"#,
  ])
  func typedJSONRoundTrips(_ text: String) throws {
    let value = try TypedJSON.decode(JSONReader.parse(text), profile: .cel)
    #expect(TypedJSON.encodeText(value) == text)
  }

  @Test func typedJSONInTheRuleProfileIsExact() throws {
    let value = try TypedJSON.decode(JSONReader.parse(#"{"double":"0.10"}"#), profile: .rule)
    #expect(TypedJSON.encodeText(value) == #"{"double":"0.1"}"#)
    #expect(throws: TypedJSONError.self) { try TypedJSON.decode(JSONReader.parse(#"{"double":"NaN"}"#), profile: .rule) }
    let big = try TypedJSON.decode(JSONReader.parse(#"{"double":"1e+100"}"#), profile: .rule)
    #expect(TypedJSON.encodeText(big) == #"{"double":"1"# + String(repeating: "0", count: 100) + #""}"#)
  }

  @Test(arguments: [
    #"{"int":"x"}"#, #"{"int":"1","uint":"1"}"#, #"{}"#, #"{"nope":1}"#, #"{"bytes":"A"}"#, #"{"date":"2023-02-30"}"#,
    #"{"map":[[{"int":"1"},{"int":"1"}],[{"uint":"1"},{"int":"2"}]]}"#, #"{"map":[[{"double":"1.5"},{"int":"1"}]]}"#,
    #"{"double":"1.5.5"}"#, #"{"double":"+1"}"#, #"{"list":{}}"#, #"[1]"#, #"{"type":"dyn"}"#,
  ])
  func typedJSONRejects(_ text: String) throws {
    let json = try JSONReader.parse(text)
    #expect(throws: TypedJSONError.self) { try TypedJSON.decode(json, profile: .cel) }
  }

  @Test func declaredTypesFollowTheValues() throws {
    func type(_ text: String) throws -> ExprType {
      TypedJSON.staticType(of: try TypedJSON.decode(JSONReader.parse(text), profile: .cel))
    }
    #expect(try type(#"{"list":[{"int":"1"},{"int":"2"}]}"#) == .list(.int))
    #expect(try type(#"{"list":[{"int":"1"},{"string":"2"}]}"#) == .list(.dyn))
    #expect(try type(#"{"list":[]}"#) == .list(.dyn))
    #expect(try type(#"{"map":[[{"string":"a"},{"int":"1"}]]}"#) == .map(.string, .int))
    #expect(try type(#"{"null":null}"#) == .null)
  }

  @Test func base64() {
    for n in 0..<40 {
      let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
      #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }
    #expect(Base64.encode(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw==")
    #expect(Base64.decode("YW55IGNhcm5hbCBwbGVhcw") == nil)
    #expect(Base64.decode("Y!==") == nil)
  }

  // MARK: Dates

  @Test func datesParsePrintAndCount() throws {
    let d = try #require(CELDate(parsing: "2023-01-31"))
    #expect(d.description == "2023-01-31")
    #expect(d.daysSinceEpoch == 19388)
    #expect(d.isoWeekday == 2)
    #expect(CELDate(daysSinceEpoch: 0).description == "1970-01-01")
    #expect(CELDate(daysSinceEpoch: -1).description == "1969-12-31")
    #expect(CELDate(parsing: "0001-01-01")?.description == "0001-01-01")
    #expect(CELDate(parsing: "9999-12-31")?.description == "9999-12-31")
    for bad in ["2023-02-29", "2023-13-01", "2023-00-10", "0000-01-01", "2023-1-01", " 2023-01-01", "2023/01/01", "２０２３-01-01"] {
      #expect(CELDate(parsing: bad) == nil, "\(bad)")
    }
    #expect(CELDate(parsing: "2024-02-29") != nil)
    #expect(CELDate(parsing: "1900-02-29") == nil)
    #expect(CELDate(parsing: "2000-02-29") != nil)
    // Every day of four centuries round-trips.
    var day = try #require(CELDate(parsing: "1900-01-01"))
    let end = try #require(CELDate(parsing: "2300-01-01"))
    while day < end {
      #expect(CELDate(parsing: day.description) == day)
      day = try #require(day.adding(days: 1))
    }
    #expect(CELDate(daysSinceEpoch: .max).adding(days: 1) == nil)
  }

  // MARK: Numbers as text

  @Test(arguments: [
    (123.456, "123.456"), (-4.5e-3, "-0.0045"), (1e6, "1e+06"), (123456.0, "123456"), (0.0001, "0.0001"),
    (0.00001, "1e-05"), (0.0, "0"), (-0.0, "-0"), (1.5e300, "1.5e+300"), (Double.infinity, "+Inf"),
    (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (100.0, "100"), (1.0 / 3.0, "0.3333333333333333"),
  ])
  func celStringOfDoubles(_ d: Double, _ text: String) {
    #expect(DoubleText.celString(d) == text)
  }

  @Test func valuesPrintAsLiterals() {
    var map = MapValue()
    try? map.insert(key: .string("k"), value: .list([.uint(1), .bytes([0, 65]), .null]))
    #expect(Value.map(map).literalText == #"{"k": [1u, b"\x00A", null]}"#)
    #expect(Value.string("a\"\n").literalText == #""a\"\n""#)
    #expect(Value.date(CELDate(daysSinceEpoch: 0)).literalText == #"date("1970-01-01")"#)
  }

  @Test func mapsCompareKeysByScalars() throws {
    var map = MapValue()
    try map.insert(key: .string("Am\u{E9}lie"), value: .int(1))
    try map.insert(key: .string("Ame\u{301}lie"), value: .int(2))
    #expect(map.count == 2)
    #expect(throws: EvalError.self) { try map.insert(key: .double(1), value: .null) }
    try map.insert(key: .uint(UInt64.max), value: .int(3))
    #expect(map[.uint(UInt64.max)] != nil)
    #expect(map[.double(18_446_744_073_709_551_615.0)] == nil)
  }

  /// `{…}[key]` on a constant map of string keys takes a fast path that scans the keys;
  /// it must give exactly what the general lookup gives, error messages included.
  @Test func constantTableLookupsMatchTheGeneralPath() throws {
    let table = #"{"national": 20, "provincial": 10, "Am\u00e9lie": 1, "Ame\u0301lie": 2}"#
    let cases: [(Value, String)] = [
      (.string("national"), #"{"int":"20"}"#), (.string("provincial"), #"{"int":"10"}"#),
      (.string("Am\u{E9}lie"), #"{"int":"1"}"#), (.string("Ame\u{301}lie"), #"{"int":"2"}"#),
    ]
    for (key, json) in cases {
      let result = evaluate("\(table)[k]", variables: [TestVariable(name: "k", type: .dyn, value: key)])
      #expect((try? result.get()).map(TypedJSON.encodeText) == json, "\(key.literalText)")
    }
    // A key that is absent, or not a string: the general path's errors.
    for key in [Value.string("city"), .int(1), .null] {
      let fast = try evaluate("\(table)[k]", variables: [TestVariable(name: "k", type: .dyn, value: key)]).get()
      let general = Ops.index(try evaluate(table).get(), key)
      guard case .error(let a) = fast, case .error(let b) = general else {
        Issue.record("\(key.literalText): expected an error, got \(fast.literalText)")
        continue
      }
      #expect(a.message == b.message)
    }
    // The node is used for small maps of string keys only.
    var map = MapValue()
    try map.insert(key: .string("a"), value: .int(1))
    #expect(IndexConstStringMapNode(map: map, key: ConstNode(.string("a"))) != nil)
    try map.insert(key: .int(2), value: .int(2))
    #expect(IndexConstStringMapNode(map: map, key: ConstNode(.string("a"))) == nil)
  }
}
