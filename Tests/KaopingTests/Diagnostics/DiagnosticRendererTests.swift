import Testing
@testable import Kaoping

@Suite struct DiagnosticRendererTests {
  private let sources: SourceLines = {
    var lines = SourceLines()
    lines.add(file: "rules.yaml", text: "id: test\n  name: 城关区政府\n\twhen: x\n")
    return lines
  }()

  @Test func textWithCaretUnderWideCharacters() {
    let diagnostic = Diagnostic(
      code: "K102", message: "unknown key 'x'", file: "rules.yaml", line: 2, column: 12,
      hint: "did you mean 'name'?")
    #expect(diagnostic.renderedText(sources: sources) == """
      rules.yaml:2:12: error: unknown key 'x' [K102]
        name: 城关区政府
                    ^
        hint: did you mean 'name'?

      """)
  }

  @Test func caretKeepsTabs() {
    let diagnostic = Diagnostic(.warning, code: "K300", message: "m", file: "rules.yaml", line: 3, column: 8)
    #expect(diagnostic.renderedText(sources: sources) == "rules.yaml:3:8: warning: m [K300]\n\twhen: x\n\t      ^\n")
  }

  @Test func caretPastTheEndOfTheLine() {
    let diagnostic = Diagnostic(code: "K002", message: "m", file: "rules.yaml", line: 1, column: 11)
    #expect(diagnostic.renderedText(sources: sources).hasSuffix("id: test\n          ^\n"))
  }

  @Test func wholeFileDiagnosticHasNoPosition() {
    let diagnostic = Diagnostic(code: .unreadableFile, message: "cannot read x: no such file", file: "x")
    #expect(diagnostic.renderedText() == "x: error: cannot read x: no such file [K001]\n")
  }

  @Test func notesFollowTheHint() {
    let diagnostic = Diagnostic(code: "K004", message: "m", file: "f", line: 9, column: 1, hint: "h", notes: ["n1", "n2"])
    #expect(diagnostic.renderedText() == "f:9:1: error: m [K004]\n  hint: h\n  note: n1\n  note: n2\n")
  }

  @Test func jsonArray() {
    let diagnostics = [
      Diagnostic(code: "K004", message: "duplicate key 'a'", file: "规则.yaml", line: 2, column: 1),
      Diagnostic(.warning, code: "K301", message: "tab\there \"q\" \u{1}", file: "a/b.yaml", line: 3, column: 4, hint: "h"),
    ]
    #expect(Diagnostic.render(diagnostics, as: .json) == """
      [
        {"file": "规则.yaml", "line": 2, "column": 1, "severity": "error", "code": "K004", "message": "duplicate key 'a'"},
        {"file": "a/b.yaml", "line": 3, "column": 4, "severity": "warning", "code": "K301", "message": "tab\\there \\"q\\" \\u0001", "hint": "h"}
      ]

      """)
    #expect(Diagnostic.render([], as: .json) == "[]\n")
  }

  @Test func githubAnnotationsEscape() {
    let diagnostics = [
      Diagnostic(code: "K004", message: "50% off\nnext", file: "r,1:x.yaml", line: 2, column: 3),
      Diagnostic(.warning, code: "K301", message: "w", file: "r.yaml", line: 1, column: 1, hint: "h"),
    ]
    #expect(Diagnostic.render(diagnostics, as: .github) == """
      ::error file=r%2C1%3Ax.yaml,line=2,col=3,title=K004::50%25 off%0Anext
      ::warning file=r.yaml,line=1,col=1,title=K301::w (hint: h)

      """)
  }

  @Test func sortingFollowsFileArgumentOrderThenPosition() {
    let d = [
      Diagnostic(code: "K2", message: "", file: "b", line: 1, column: 1),
      Diagnostic(code: "K3", message: "", file: "a", line: 2, column: 1),
      Diagnostic(code: "K2", message: "", file: "a", line: 1, column: 5),
      Diagnostic(code: "K1", message: "", file: "a", line: 1, column: 5),
    ]
    let sorted = Diagnostic.sorted(d, fileOrder: ["b", "a"])
    #expect(sorted.map { "\($0.file)\($0.line)\($0.column)\($0.code)" } == ["b11K2", "a15K1", "a15K2", "a21K3"])
  }

  @Test func displayWidth() {
    #expect("城关区".displayWidth == 6)
    #expect("ab".displayWidth == 2)
    #expect("é".displayWidth == 1)
    #expect("（）".displayWidth == 4)
  }
}
