import Foundation
import Testing

/// `kaoping check RULES --facts F --subjects S`: the inputs read and typed against the rules
/// as `eval` reads them, without evaluating.
@Suite struct CheckInputsTests {
  static let rules = """
    kaoping: 1
    id: demo
    groups: [{ id: g1 }]
    facts:
      award:
        fields:
          level: { type: enum, values: [national, provincial] }
    indicators:
      - { id: awards, bonus: { facts: award, points: { by: fact.level, table: { national: 20, provincial: 10 } } } }

    """

  /// A directory with the rule file, a roster and the given files; removed afterwards.
  func withFiles(_ files: [String: String], _ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kaoping-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    var all = files
    if all["rules.yaml"] == nil { all["rules.yaml"] = Self.rules }
    if all["subjects.csv"] == nil { all["subjects.csv"] = "id,name,group\nD01,一处,g1\nD02,二处,g1\n" }
    for (name, text) in all {
      try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    try body(directory.path)
  }

  @Test func cleanInputsExitZeroAndPrintNothing() throws {
    try withFiles(["facts.csv": "id,subject,type,date,level\nf1,D01,award,2024-03-01,national\n"]) { dir in
      let result = try runKaoping(
        ["check", "rules.yaml", "--facts", "facts.csv", "--subjects", "subjects.csv"], currentDirectory: dir)
      #expect(result.status == 0)
      #expect(result.stderr == "")
    }
  }

  @Test func rejectedFactsAreWarningsWithTheirRow() throws {
    let facts = "id,subject,type,date,level\nf1,D01,award,2024-03-01,national\nf2,D09,award,2024-03-01,national\nf3,D02,award,2024-03-01,galactic\n"
    try withFiles(["facts.csv": facts]) { dir in
      let result = try runKaoping(
        ["check", "rules.yaml", "--facts", "facts.csv", "--subjects", "subjects.csv"], currentDirectory: dir)
      #expect(result.status == 0)
      #expect(result.stderr == """
        facts.csv:3:1: warning: fact f2 is rejected: the subject 'D09' is not in the roster [K403]
        f2,D09,award,2024-03-01,national
        ^
        facts.csv:4:1: warning: fact f3 is rejected: field level: 'galactic' is not one of national, provincial [K404]
        f3,D02,award,2024-03-01,galactic
        ^

        """)
      let strict = try runKaoping(
        ["check", "rules.yaml", "--facts", "facts.csv", "--subjects", "subjects.csv", "--warnings-as-errors",
         "--format", "json"], currentDirectory: dir)
      #expect(strict.status == 2)
      #expect(strict.stdout.contains(#"{"file": "facts.csv", "line": 3, "column": 1, "severity": "warning", "code": "K403""#))
    }
  }

  @Test func unknownColumnPointsAtTheHeaderCell() throws {
    try withFiles(["facts.csv": "\u{FEFF}id,subject,type,date,等级,levle\nf1,D01,award,2024-03-01,x,national\n"]) { dir in
      let result = try runKaoping(
        ["check", "rules.yaml", "--facts", "facts.csv", "--subjects", "subjects.csv"], currentDirectory: dir)
      #expect(result.status == 2)
      #expect(result.stderr.contains("facts.csv:1:22: error: the column '等级' is not a field of any fact type [K420]\n"))
      #expect(result.stderr.contains("facts.csv:1:25: error: the column 'levle' is not a field of any fact type [K420]\n"))
      #expect(result.stderr.contains("  hint: did you mean 'level'?\n"))
      // The caret under the cell: the header line without its byte order mark.
      #expect(result.stderr.contains("id,subject,type,date,等级,levle\n                          ^\n"))
    }
  }

  @Test func rosterProblemsAndMissingRosterNameTheirFile() throws {
    try withFiles(["facts.csv": "id,subject,type,date,level\n", "dup.csv": "id,name,group\nD01,a,g1\nD01,b,g1\n"]) { dir in
      let duplicate = try runKaoping(
        ["check", "rules.yaml", "--facts", "facts.csv", "--subjects", "dup.csv"], currentDirectory: dir)
      #expect(duplicate.status == 2)
      #expect(duplicate.stderr.hasPrefix("dup.csv:3:1: error: the subject id 'D01' appears twice [K430]\nD01,b,g1\n^\n"))
      let missing = try runKaoping(["check", "rules.yaml", "--facts", "facts.csv"], currentDirectory: dir)
      #expect(missing.status == 2)
      #expect(missing.stderr.hasPrefix("rules.yaml: error: no roster: the rule file has no subjects and no --subjects file was given [K431]\n"))
      // eval names the rule file too.
      let eval = try runKaoping(["eval", "rules.yaml", "--facts", "facts.csv"], currentDirectory: dir)
      #expect(eval.status == 2)
      #expect(eval.stderr.hasPrefix("rules.yaml: error: no roster"))
    }
  }

  @Test func unreadableInputExitsTwoAndRuleErrorsComeFirst() throws {
    try withFiles(["broken.yaml": "kaoping: 1\nid: [\n"]) { dir in
      let unreadable = try runKaoping(
        ["check", "rules.yaml", "--facts", "missing.csv", "--subjects", "subjects.csv"], currentDirectory: dir)
      #expect(unreadable.status == 2)
      #expect(unreadable.stderr.hasPrefix("missing.csv: error: cannot read missing.csv"))
      let broken = try runKaoping(
        ["check", "broken.yaml", "--facts", "subjects.csv", "--subjects", "subjects.csv"], currentDirectory: dir)
      #expect(broken.status == 1)
    }
  }
}
