import Foundation
import Testing

/// `kaoping expr`, end to end through the built binary.
@Suite struct ExprCommandTests {
  @Test func textShowsTheValueAndItsType() throws {
    let r = try runKaoping(["expr", "(0.95 - 3693.0 / 4000.0) * 100"])
    #expect(r.status == 0)
    #expect(r.stdout == "2.675 (double)\n")
    #expect(r.stderr == "")
    #expect(try runKaoping(["expr", "[1, 2].map(x, x * 2)"]).stdout == "[2, 4] (list(int))\n")
    #expect(try runKaoping(["expr", "{'a': b'\\x00'}"]).stdout == "{\"a\": b\"\\x00\"} (map(string, bytes))\n")
    #expect(try runKaoping(["expr", "dyn('x')"]).stdout == "\"x\" (string)\n")
    #expect(try runKaoping(["expr", "date('2023-01-31')"]).stdout == "date(\"2023-01-31\") (date)\n")
  }

  @Test func jsonIsOneLineOfTypedJSON() throws {
    let r = try runKaoping(["expr", "0.1 + 0.2", "--format", "json"])
    #expect(r.stdout == "{\"double\":\"0.3\"}\n")
    let cel = try runKaoping(["expr", "0.1 + 0.2", "--profile", "cel", "--format", "json"])
    #expect(cel.stdout == "{\"double\":\"0.30000000000000004\"}\n")
    let map = try runKaoping(["expr", "{'名': [1u, null]}", "--format", "json"])
    #expect(map.stdout == "{\"map\":[[{\"string\":\"名\"},{\"list\":[{\"uint\":\"1\"},{\"null\":null}]}]]}\n")
  }

  @Test func expressionsMayStartWithDashes() throws {
    // The argument parser would read `---19` as an unknown option.
    #expect(try runKaoping(["expr", "---19", "--format", "json"]).stdout == "{\"int\":\"-19\"}\n")
    #expect(try runKaoping(["expr", "--format", "json", "--profile", "cel", "-x", "--var", #"x={"int":"2"}"#]).stdout
      == "{\"int\":\"-2\"}\n")
    #expect(try runKaoping(["expr", "--format=json", "-1"]).stdout == "{\"int\":\"-1\"}\n")
  }

  @Test func variablesAreTypedJSON() throws {
    let r = try runKaoping([
      "expr", "days * 0.5 + size(names)", "--var", #"days={"int":"3"}"#, "--var",
      #"names={"list":[{"string":"a"},{"string":"b"}]}"#, "--format", "json",
    ])
    #expect(r.status == 0)
    #expect(r.stdout == "{\"double\":\"3.5\"}\n")
    let dotted = try runKaoping(["expr", "a.b + 1", "--var", #"a.b={"int":"1"}"#])
    #expect(dotted.stdout == "2 (int)\n")
  }

  @Test func anEvaluationErrorIsAResult() throws {
    let r = try runKaoping(["expr", "1 / 0", "--profile", "cel", "--format", "json"])
    #expect(r.status == 0)
    #expect(r.stdout == "{\"error\":\"division by zero\"}\n")
    let text = try runKaoping(["expr", "{'a': 1}['b']"])
    #expect(text.status == 0)
    #expect(text.stdout == "error: no such key: \"b\"\n")
  }

  @Test func aCheckErrorPrintsACaretAndExitsOne() throws {
    let r = try runKaoping(["expr", "days * 0.5", "--profile", "cel", "--var", #"days={"int":"3"}"#])
    #expect(r.status == 1)
    #expect(r.stdout == "")
    #expect(
      r.stderr == """
        <expr>:1:6: error: cannot multiply int by double [K225]
        days * 0.5
             ^
          hint: write double(days) * 0.5

        """)
    let wide = try runKaoping(["expr", "'名字' + 1"])
    #expect(wide.status == 1)
    #expect(wide.stderr.contains("'名字' + 1\n       ^\n"))
  }

  @Test func aParseErrorExitsOne() throws {
    let r = try runKaoping(["expr", "1 +"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("<expr>:1:"))
  }

  @Test func expressionsMayStartWithAMinus() throws {
    #expect(try runKaoping(["expr", "-1 + 3"]).stdout == "2 (int)\n")
    #expect(try runKaoping(["expr", "--profile", "cel", "-(0.0)", "--format", "json"]).stdout == "{\"double\":\"-0.0\"}\n")
    #expect(try runKaoping(["expr", "--", "---1"]).stdout == "-1 (int)\n")
  }

  @Test func usageErrorsExit64() throws {
    #expect(try runKaoping(["expr", "x", "--var", "x=3"]).status == 64)
    #expect(try runKaoping(["expr", "x", "--var", "x"]).status == 64)
    #expect(try runKaoping(["expr", "x", "--var", #"1x={"int":"1"}"#]).status == 64)
    #expect(try runKaoping(["expr", "x", "--var", #"x={"double":"NaN"}"#]).status == 64)
    let twice = try runKaoping(["expr", "x", "--var", #"x={"int":"1"}"#, "--var", #"x={"int":"2"}"#])
    #expect(twice.status == 64)
    #expect(twice.stderr.contains("--var x is given more than once"))
    #expect(try runKaoping(["expr", "x", "--var", #"x={"double":"NaN"}"#, "--profile", "cel"]).status == 0)
    #expect(try runKaoping(["expr", "1", "--profile", "fast"]).status == 64)
    #expect(try runKaoping(["expr", "1", "--format", "xml"]).status == 64)
    #expect(try runKaoping(["expr"]).status == 64)
    #expect(try runKaoping(["expr", "1", "2"]).status == 64)
    let r = try runKaoping(["expr", "x", "--var", "x=3"])
    #expect(r.stderr == "kaoping expr: --var x: a typed value is an object with one member, like {\"int\":\"3\"}; got 3\n")
  }
}
