import Foundation
import Testing

@Suite struct CheckCommandTests {
  @Test func brokenYAMLPrintsCaretAndExitsOne() throws {
    let path = fixturePath("yaml/broken.yaml")
    let result = try runKaoping(["check", path])
    #expect(result.status == 1)
    #expect(result.stdout == "")
    #expect(result.stderr == """
      \(path):7:42: error: did not find expected ',' or ']' (while parsing a flow sequence at line 7, column 36) [K002]
          bonus: { facts: award, points: [1, 2 }
                                               ^
        hint: check the indentation and that every key is followed by ': '; quote values that start with [ { * & ! | > ' " % @ `

      """)
  }

  @Test func unreadableFileExitsTwo() throws {
    let result = try runKaoping(["check", "/nonexistent/rules.yaml"])
    #expect(result.status == 2)
    #expect(result.stderr == "/nonexistent/rules.yaml: error: cannot read /nonexistent/rules.yaml: no such file [K001]\n")
  }

  @Test func usageErrorExits64() throws {
    #expect(try runKaoping(["check"]).status == 64)
    #expect(try runKaoping(["check", "x.yaml", "--format", "xml"]).status == 64)
    #expect(try runKaoping(["no-such-verb"]).status == 64)
  }

  @Test func jsonAndGithubGoToStandardOutput() throws {
    let path = fixturePath("yaml/broken.yaml")
    let json = try runKaoping(["check", "--format", "json", path])
    #expect(json.status == 1)
    #expect(json.stderr == "")
    #expect(json.stdout.hasPrefix("[\n  {\"file\": \"\(path)\", \"line\": 7, \"column\": 42, \"severity\": \"error\", \"code\": \"K002\""))
    let github = try runKaoping(["check", "--format", "github", path])
    #expect(github.stdout.hasPrefix("::error file=\(path),line=7,col=42,title=K002::did not find expected"))
  }

  @Test func cleanFileExitsZero() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kaoping-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("ok.yaml")
    try "kaoping: 1\nid: ok\nfacts:\n  award: {}\nindicators:\n  - { id: awards, bonus: { facts: award, points: 5 } }\n".write(to: file, atomically: true, encoding: .utf8)
    let result = try runKaoping(["check", file.path])
    #expect(result.status == 0)
    #expect(result.stderr == "")
  }

  @Test func versionAndHelp() throws {
    let version = try runKaoping(["--version"])
    #expect(version.status == 0)
    #expect(version.stdout.split(separator: ".").count == 3)
    let help = try runKaoping(["--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("check"))
  }
}
