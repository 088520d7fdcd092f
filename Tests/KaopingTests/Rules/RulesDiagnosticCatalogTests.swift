import Foundation
import Testing

/// `docs/diagnostics.md` lists every code the sources can emit, each with its meaning and
/// one real example; the rule-file examples are the goldens of the broken files.
@Suite struct RulesDiagnosticCatalogTests {
  /// The text of every Swift file under `Sources/`.
  static func sourceFiles() throws -> [(path: String, text: String)] {
    let root = packageRoot + "/Sources"
    let enumerator = try #require(FileManager.default.enumerator(atPath: root))
    var files: [(String, String)] = []
    while let next = enumerator.nextObject() as? String {
      guard next.hasSuffix(".swift") else { continue }
      files.append((next, try String(contentsOfFile: root + "/" + next, encoding: .utf8)))
    }
    return files.sorted { $0.0 < $1.0 }
  }

  /// Every `K` + three digits inside a string literal of a line that is not a comment.
  static func codesInStringLiterals(_ text: String) throws -> Set<String> {
    let literal = try NSRegularExpression(pattern: #""(?:[^"\\\n]|\\.)*""#)
    let code = try NSRegularExpression(pattern: #"\bK[0-9]{3}\b"#)
    var codes: Set<String> = []
    for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
      let line = String(line)
      for match in literal.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
        guard let range = Range(match.range, in: line) else { continue }
        let inside = String(line[range])
        for found in code.matches(in: inside, range: NSRange(inside.startIndex..., in: inside)) {
          if let r = Range(found.range, in: inside) { codes.insert(String(inside[r])) }
        }
      }
    }
    return codes
  }

  /// The catalog split into sections by `### Kxxx` heading.
  static func catalog() throws -> [(code: String, body: String)] {
    let text = try String(contentsOfFile: packageRoot + "/docs/diagnostics.md", encoding: .utf8)
    var sections: [(String, String)] = []
    for chunk in text.components(separatedBy: "\n### ").dropFirst() {
      let heading = chunk.prefix { $0 != "\n" }
      let code = String(heading.prefix(4))
      let body = String(chunk.dropFirst(heading.count)).components(separatedBy: "\n## ")[0]
      sections.append((code, body))
    }
    return sections
  }

  /// The ```text blocks of a section.
  static func examples(_ body: String) -> [String] {
    body.components(separatedBy: "```text\n").dropFirst().compactMap { $0.components(separatedBy: "\n```").first }
  }

  @Test func everyCodeInTheSourcesIsInTheCatalog() throws {
    var constants: Set<String> = []
    var literals: Set<String> = []
    let constant = try NSRegularExpression(pattern: #"static let \w+: DiagnosticCode = "(K[0-9]{3})""#)
    for (_, text) in try Self.sourceFiles() {
      literals.formUnion(try Self.codesInStringLiterals(text))
      for match in constant.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
        if let range = Range(match.range(at: 1), in: text) { constants.insert(String(text[range])) }
      }
    }
    // The scan finds what it should: the constants of every range, and the expression
    // codes, which are plain string literals.
    #expect(constants.count >= 70)
    #expect(constants.isSubset(of: literals))
    #expect(["K001", "K100", "K202", "K221", "K301", "K350", "K401", "K501", "K601"].allSatisfy(literals.contains))
    let listed = Set(try Self.catalog().map(\.code))
    let missing = literals.subtracting(listed).sorted()
    #expect(missing.isEmpty, "docs/diagnostics.md lacks \(missing.joined(separator: ", "))")
  }

  @Test func everyCodeHasItsMeaningAndOneRealExample() throws {
    let sections = try Self.catalog()
    #expect(sections.count >= 90)
    #expect(sections.map(\.code) == sections.map(\.code).sorted(), "codes in order")
    #expect(Set(sections.map(\.code)).count == sections.count, "each code once")
    for (code, body) in sections {
      #expect(code.wholeMatch(of: /K[0-9]{3}/) != nil, "heading \(code)")
      let meaning = body.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n\n").first ?? ""
      #expect(meaning.count > 20, "\(code) has no meaning")
      let examples = Self.examples(body)
      if body.contains("Reserved: declared, but not emitted") {
        #expect(examples.isEmpty, "\(code)")
        continue
      }
      #expect(examples.count == 1, "\(code) needs exactly one example")
      // The example shows the code as Kaoping prints it: `[K102]`, or `"code": "K450"` in JSON.
      #expect(examples.allSatisfy { $0.contains("[\(code)]") || $0.contains("\"code\": \"\(code)\"") }, "\(code)")
    }
  }

  @Test func ruleFileExamplesAreTheGoldens() throws {
    var checked = 0
    for (code, body) in try Self.catalog() {
      for example in Self.examples(body) where example.hasPrefix("broken/") {
        let name = String(example.prefix { $0 != ":" }.dropFirst("broken/".count).dropLast(".yaml".count))
        let golden = try String(contentsOfFile: ruleFixtures + "/broken/\(name).expected", encoding: .utf8)
        #expect(example + "\n" == golden, "\(code): the example differs from broken/\(name).expected")
        checked += 1
      }
    }
    #expect(checked >= 50)
  }
}
