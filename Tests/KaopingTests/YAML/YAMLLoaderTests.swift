import Testing
@testable import Kaoping

/// Loads `text`, expecting no errors, and returns the root node.
private func root(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> YAMLNode {
  let (document, diagnostics) = YAMLLoader().load(text, file: "t.yaml")
  #expect(diagnostics.isEmpty, "\(diagnostics)", sourceLocation: sourceLocation)
  return try #require(document?.root, sourceLocation: sourceLocation)
}

/// Loads `text`, expecting errors, and returns them.
private func errors(_ text: String, loader: YAMLLoader = YAMLLoader()) -> [Diagnostic] {
  let (document, diagnostics) = loader.load(text, file: "t.yaml")
  #expect(document?.root == nil)
  #expect(diagnostics.hasErrors)
  return diagnostics
}

private func plain(_ node: YAMLNode?) -> String? { node?.scalar?.text }

@Suite struct YAMLLoaderTests {
  @Test func positionsAreOneBasedAndCountScalars() throws {
    let node = try root("title: 城关区政府\nbase: 1000\nname: '考评' # c\nx: [a, 乙, c]\n")
    let entries = try #require(node.mapping)
    #expect(entries.map { $0.key.start.line } == [1, 2, 3, 4])
    #expect(entries[0].value.start.column == 8)
    #expect(entries[1].value.start == SourceMark(line: 2, column: 7, offset: 19))
    // After multi-byte characters, columns count scalars, not bytes.
    let list = try #require(entries[3].value.sequence)
    #expect(list.map(\.start.column) == [5, 8, 11])
    #expect(list.map(\.start.line) == [4, 4, 4])
  }

  @Test func plainAndQuotedScalarsAreTold() throws {
    let node = try root("a: no\nb: \"no\"\nc: 'yes'\nd: |\n  block\ne: >-\n  folded\n  text\nf:\n")
    #expect(node["a"]?.scalar == YAMLScalar(text: "no", style: .plain))
    #expect(node["b"]?.scalar == YAMLScalar(text: "no", style: .doubleQuoted))
    #expect(node["c"]?.scalar == YAMLScalar(text: "yes", style: .singleQuoted))
    #expect(node["d"]?.scalar == YAMLScalar(text: "block\n", style: .literal))
    #expect(node["e"]?.scalar == YAMLScalar(text: "folded text", style: .folded))
    #expect(node["f"]?.scalar == YAMLScalar(text: "", style: .plain))
    #expect(node["a"]?.scalar?.isPlain == true)
    #expect(node["b"]?.scalar?.isPlain == false)
  }

  @Test func anchorsAndAliases() throws {
    let node = try root("base: &b {x: 1, y: 2}\nother: *b\nlist: [&v 7, *v, *v]\n")
    #expect(plain(node["other"]?["x"]) == "1")
    #expect(plain(node["other"]?["y"]) == "2")
    #expect(node["list"]?.sequence?.compactMap(\.scalar?.text) == ["7", "7", "7"])
    // An alias carries the position of the anchored node.
    #expect(node["other"]?["x"]?.start.line == 1)
  }

  @Test func mergeKeysExplicitKeysWin() throws {
    let node = try root("""
      base: &base {cap: 50, points: 10, name: 基础}
      award:
        <<: *base
        points: 20
      """)
    let award = try #require(node["award"]?.mapping)
    #expect(award.compactMap(\.key.scalar?.text) == ["cap", "name", "points"])
    #expect(plain(node["award"]?["points"]) == "20")
    #expect(plain(node["award"]?["cap"]) == "50")
    #expect(award.first?.merged == true)
    #expect(award.last?.merged == false)
  }

  @Test func mergeKeyListFirstSourceWins() throws {
    let node = try root("""
      a: &a {x: 1, y: 1}
      b: &b {y: 2, z: 2}
      c:
        <<: [*a, *b]
        z: 3
      """)
    #expect(plain(node["c"]?["x"]) == "1")
    #expect(plain(node["c"]?["y"]) == "1")
    #expect(plain(node["c"]?["z"]) == "3")
  }

  @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
    let node = try root("a: &a {x: 1}\nb: {'<<': 5}\n")
    #expect(plain(node["b"]?["<<"]) == "5")
  }

  @Test func mergeOfAScalarIsAnError() {
    let found = errors("a: &a 5\nb:\n  <<: *a\n")
    #expect(found.map(\.code) == [.invalidMerge])
    #expect(found.first?.line == 3)
  }

  @Test func billionLaughsFailsFast() {
    var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1...9 {
      let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
      text += "a\(level): &a\(level) [\(refs)]\n"
    }
    let found = errors(text)
    #expect(found.map(\.code) == [.aliasExpansion])
    #expect(found.first?.line == 5)
  }

  @Test func aliasBoundIsConfigurable() {
    var loader = YAMLLoader()
    loader.maxAliasExpansion = 5
    let found = errors("a: &a [1, 2, 3]\nb: *a\nc: *a\n", loader: loader)
    #expect(found.map(\.code) == [.aliasExpansion])
    #expect(found.first?.line == 3)
  }

  @Test func undefinedAlias() {
    let found = errors("points: *2\n")
    #expect(found.map(\.code) == [.undefinedAlias])
    #expect(found.first?.line == 1)
    #expect(found.first?.column == 9)
  }

  @Test func duplicateKeysNameBothPositions() {
    let found = errors("id: a\nbase: 1\nid: b\nx:\n  y: 1\n  y: 2\n")
    #expect(found.map(\.code) == [.duplicateKey, .duplicateKey])
    #expect(found.map(\.line) == [3, 6])
    #expect(found[0].message == "duplicate key 'id'; it is already set at line 1, column 1")
    #expect(found[1].column == 3)
  }

  @Test(arguments: ["!!str", "!!int", "!!float", "!!bool", "!!null"])
  func coreTagsAreAllowed(tag: String) throws {
    let node = try root("a: \(tag) 5\n")
    #expect(node["a"]?.tag?.shorthand == tag)
  }

  @Test(arguments: ["a: !custom 5\n", "a: !!binary aGk=\n", "a: !fact.late\n", "a: !!map {x: 1}\n"])
  func otherTagsAreRejected(text: String) {
    let found = errors(text)
    #expect(found.map(\.code) == [.unsupportedTag])
    #expect(found.first?.line == 1)
  }

  @Test func secondDocumentIsRejected() {
    let found = errors("a: 1\n---\nb: 2\n")
    #expect(found.map(\.code) == [.secondDocument])
    #expect(found.first?.line == 2)
  }

  @Test func explicitSingleDocumentIsFine() throws {
    let node = try root("---\na: 1\n...\n")
    #expect(plain(node["a"]) == "1")
  }

  @Test func depthIsBounded() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    let found = errors(deep)
    #expect(found.map(\.code) == [.tooDeep])
    let nested = (0..<300).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
    #expect(errors(nested).map(\.code) == [.tooDeep])
  }

  @Test func depthWithinTheBoundLoads() throws {
    let text = String(repeating: "[", count: 150) + "1" + String(repeating: "]", count: 150)
    var node = try root(text)
    var depth = 0
    while let items = node.sequence, let first = items.first {
      node = first
      depth += 1
    }
    #expect(depth == 150)
    #expect(plain(node) == "1")
  }

  @Test func invalidUTF8IsReportedWithItsPosition() {
    let bytes: [UInt8] = Array("a: 1\nb: 城".utf8) + [0xFF, 0x41]
    let (_, found) = YAMLLoader().load(bytes: bytes, file: "t.yaml")
    #expect(found.map(\.code) == [.invalidUTF8])
    #expect(found.first?.line == 2)
    #expect(found.first?.column == 5)
    #expect(found.first?.message.contains("0xFF") == true)
  }

  @Test func gbkTextGetsAHint() {
    // "城关区" in GBK.
    let bytes: [UInt8] = Array("name: ".utf8) + [0xB3, 0xC7, 0xB9, 0xD8, 0xC7, 0xF8]
    let (_, found) = YAMLLoader().load(bytes: bytes, file: "t.yaml")
    #expect(found.first?.code == .invalidUTF8)
    #expect(found.first?.hint?.contains("GBK") == true)
  }

  @Test func truncatedOverlongAndSurrogateUTF8() {
    for bad: [UInt8] in [[0xE5, 0x9F], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
      #expect(bad.withUnsafeBytes { UTF8Input.firstInvalidOffset($0) } == 0)
    }
    #expect(Array("考评 ok 🙂".utf8).withUnsafeBytes { UTF8Input.firstInvalidOffset($0) } == nil)
  }

  @Test func byteOrderMarkIsSkipped() throws {
    let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a: 1\n".utf8)
    let (document, found) = YAMLLoader().load(bytes: bytes, file: "t.yaml")
    #expect(found.isEmpty)
    #expect(document?.root?["a"]?.start.column == 4)
  }

  @Test(arguments: [
    ("a: 'unterminated\n", 2),
    ("a: \"unterminated\nb: 2\n", 3),
    ("a: [1, 2\n", 2),
    ("a: {x: 1\n", 2),
  ])
  func truncatedDocuments(text: String, line: Int) {
    let found = errors(text)
    #expect(found.map(\.code) == [.yamlSyntax])
    #expect(found.first?.line == line)
    #expect(found.first?.hint != nil)
  }

  @Test func tabsForIndentation() {
    let found = errors("a:\n\tb: 1\n")
    #expect(found.map(\.code) == [.yamlSyntax])
    #expect(found.first?.line == 2)
    #expect(found.first?.hint?.contains("tabs") == true)
  }

  @Test func unquotedColonInExpressionGetsAHint() {
    let found = errors("when: fact.note == a: b\n")
    #expect(found.first?.code == .yamlSyntax)
    #expect(found.first?.hint?.contains("quoted") == true)
  }

  @Test func fullWidthColonGetsAHint() {
    let found = errors("when： fact.x\nb: 1\n")
    #expect(found.first?.hint == "line 1 holds a full-width '：'; use the ASCII ':'")
    // libyaml stumbles on line 2; the diagnostic points at the full-width colon.
    #expect(found.first?.line == 1 && found.first?.column == 5)
  }

  @Test(arguments: ["", "\n\n", "# only a comment\n"])
  func emptyFilesHaveNoRoot(text: String) {
    let (document, found) = YAMLLoader().load(text, file: "t.yaml")
    #expect(found.isEmpty)
    #expect(document != nil)
    #expect(document?.root == nil)
  }

  @Test func nonScalarKeysAreRejected() {
    let found = errors("? [a, b]\n: 1\n")
    #expect(found.map(\.code) == [.complexKey])
  }

  @Test func controlCharactersAreAYAMLError() {
    let found = errors("a: \u{01}\n")
    #expect(found.first?.code == .yamlSyntax)
    #expect(found.first?.line == 1)
  }

  @Test func randomBytesNeverTrap() {
    var rng = SplitMix64(seed: 42)
    let alphabet = Array("ab: -[]{}&*!|>'\"#\n\t ,?<<:城%@`\\".unicodeScalars)
    for _ in 0..<3000 {
      let length = Int(rng.next() % 60)
      var text = ""
      for _ in 0..<length { text.unicodeScalars.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
      let (document, diagnostics) = YAMLLoader().load(text, file: "fuzz.yaml")
      #expect(document != nil)
      if document?.root == nil && !text.isEmpty {
        // Either an empty stream or an error with a position.
        for d in diagnostics { #expect(d.line >= 1) }
      }
    }
  }
}
