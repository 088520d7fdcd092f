import Foundation
import Testing

/// `kaoping check --format github|json` on broken rule files: exit 1, diagnostics on
/// standard output (nothing on standard error), compared with goldens.
@Suite struct RulesCheckFormatTests {
  /// A file with seven errors, then one with a warning only, relative to the fixtures
  /// directory so that the output does not depend on the machine.
  static let files = ["several-mistakes.yaml", "broken/57-unread-fact-type.yaml"]

  @Test func github() throws {
    let result = try runKaoping(["check", "--format", "github"] + Self.files, currentDirectory: ruleFixtures)
    #expect(result.status == 1)
    #expect(result.stderr == "")
    Golden.check(result.stdout, golden: ruleFixtures + "/formats/check.github")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 8)
    #expect(lines.allSatisfy { $0.hasPrefix("::error file=") || $0.hasPrefix("::warning file=") })
    // The annotation of the bottom error escapes % (a workflow command would eat it).
    #expect(lines.contains { $0.hasPrefix("::error file=several-mistakes.yaml,line=55,col=13,title=K309::bottom must be a percentage between 0%25 and 100%25") })
    #expect(lines.last?.hasPrefix("::warning file=broken/57-unread-fact-type.yaml,line=31,col=3,title=K350::") == true)
  }

  @Test func json() throws {
    let result = try runKaoping(["check", "--format", "json"] + Self.files, currentDirectory: ruleFixtures)
    #expect(result.status == 1)
    #expect(result.stderr == "")
    Golden.check(result.stdout, golden: ruleFixtures + "/formats/check.json")
    let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    let items = try #require(parsed as? [[String: Any]])
    #expect(items.count == 8)
    #expect(items.map { $0["code"] as? String } == ["K102", "K103", "K304", "K301", "K221", "K309", "K306", "K350"])
    #expect(items.last?["severity"] as? String == "warning")
    #expect(items.first?["file"] as? String == "several-mistakes.yaml")
    #expect(items.first?["line"] as? Int == 3 && items.first?["column"] as? Int == 1)
  }

  @Test func warningsAloneExitZeroUnlessWarningsAreErrors() throws {
    let file = "broken/57-unread-fact-type.yaml"
    let plain = try runKaoping(["check", "--format", "json", file], currentDirectory: ruleFixtures)
    #expect(plain.status == 0)
    #expect(plain.stdout.contains("\"code\": \"K350\""))
    let strict = try runKaoping(["check", "--format", "json", "--warnings-as-errors", file], currentDirectory: ruleFixtures)
    #expect(strict.status == 1)
  }
}
