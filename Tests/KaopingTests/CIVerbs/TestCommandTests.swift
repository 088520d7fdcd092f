import Foundation
import Testing

/// `kaoping test` (§13.2).
@Suite struct CIVerbsTestCommandTests {
  /// A folder holding `rules` as `city_units.yaml` and the city_units cases as `city_units.test.yaml`.
  private func cityUnitsFolder(rules: String) throws -> URL {
    let folder = try CIVerbs.temporaryFolder()
    try CIVerbs.copy(rules, to: folder, as: "city_units.yaml")
    try CIVerbs.copy(CIVerbs.fixture("test/city_units.cases.yaml"), to: folder, as: "city_units.test.yaml")
    return folder
  }

  @Test func passingFolderExitsZero() throws {
    let folder = try cityUnitsFolder(rules: "Rules/city_units.yaml")
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runKaoping(["test"], currentDirectory: folder.path)
    #expect(result.stdout == "3 passed, 0 failed\n")
    #expect(result.stderr == "")
    #expect(result.status == 0)
  }

  @Test func brokenCopyOfARuleFileFailsWithReadableDifferences() throws {
    let folder = try cityUnitsFolder(rules: CIVerbs.fixture("test/broken/city_units.yaml"))
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runKaoping(["test", "."], currentDirectory: folder.path)
    #expect(result.stdout == """
      city_units.test.yaml:16: case "国家级表彰加30分": subjects.A.total: expected 1030.00, got 1025.00
      city_units.test.yaml:20: case "国家级表彰加30分": subjects.A.indicators.commendations: expected 30.00, got 25.00
      city_units.test.yaml:20: case "国家级表彰加30分": subjects.A.indicators.excellence: expected 30.00, got 25.00
      city_units.test.yaml:33: case "表彰加分封顶60分": scopes.Q1.subjects.A.total: expected 1030.00, got 1025.00
      1 passed, 2 failed

      """)
    #expect(result.stderr == "")
    #expect(result.status == 1)
  }

  @Test func brokenCopyAsJSON() throws {
    let folder = try cityUnitsFolder(rules: CIVerbs.fixture("test/broken/city_units.yaml"))
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runKaoping(["test", "--format", "json"], currentDirectory: folder.path)
    #expect(result.stdout == """
      {
        "format": "kaoping-test/1",
        "files": ["city_units.test.yaml"],
        "cases": [
          {"file": "city_units.test.yaml", "line": 10, "name": "国家级表彰加30分", "status": "failed", "mismatches": [
            {"line": 16, "path": "subjects.A.total", "expected": "1030.00", "got": "1025.00"},
            {"line": 20, "path": "subjects.A.indicators.commendations", "expected": "30.00", "got": "25.00"},
            {"line": 20, "path": "subjects.A.indicators.excellence", "expected": "30.00", "got": "25.00"}
          ]},
          {"file": "city_units.test.yaml", "line": 24, "name": "表彰加分封顶60分", "status": "failed", "mismatches": [
            {"line": 33, "path": "scopes.Q1.subjects.A.total", "expected": "1030.00", "got": "1025.00"}
          ]},
          {"file": "city_units.test.yaml", "line": 35, "name": "非赋分主体报送的加分无效", "status": "passed", "mismatches": []}
        ],
        "diagnostics": [],
        "passed": 1,
        "failed": 2
      }

      """)
    #expect(result.status == 1)
  }

  @Test func errorExpectationsAndEveryKindOfMismatch() throws {
    let folder = CIVerbs.repositoryRoot + "/" + CIVerbs.fixture("test/errors")
    let result = try runKaoping(["test", "errors.test.yaml"], currentDirectory: folder)
    let file = "errors.test.yaml"
    let rules = "unknown_fact.yaml"
    #expect(result.stdout == """
      \(file):9: case "期望另一个错误码": error: expected K302, got K301 unknown fact type 'prize' (\(rules):7:35)
      \(file):10: case "规则有错却期望结果": rules: expected rules that check, got K301 unknown fact type 'prize' (\(rules):7:35)
      \(file):15: case "规则无误却期望错误": error: expected K301, got no error
      \(file):31: case "未知的主体、指标与期间": scope: expected a scope Q1, got the scopes annual
      \(file):37: case "未知的主体、指标与期间": scopes.annual.subjects.C: expected a subject C, got no such subject in the roster
      \(file):38: case "未知的主体、指标与期间": scopes.annual.subjects.A.total: expected 105.001, got 105.00
      \(file):38: case "未知的主体、指标与期间": scopes.annual.subjects.A.grade: expected good, got null
      \(file):38: case "未知的主体、指标与期间": scopes.annual.subjects.A.outcomes: expected [flagged], got []
      \(file):38: case "未知的主体、指标与期间": scopes.annual.subjects.A.indicators.award: expected 5.00, got no indicator award (did you mean 'awards'?)
      \(file):39: case "未知的主体、指标与期间": rejected: expected [x1 K401], got [x1 K403]
      3 passed, 4 failed

      """)
    #expect(result.status == 1)
  }

  @Test func malformedTestFileIsADiagnosticCountedAsFailed() throws {
    let path = CIVerbs.fixture("test/malformed")
    let result = try CIVerbs.run(["test", path])
    let file = path + "/malformed.test.yaml"
    #expect(result.stdout == "0 passed, 1 failed\n")
    #expect(result.stderr == """
      \(file):7:14: error: unknown key 'totl' in subjects.A [K102]
              A: { totl: 1020 }
                   ^
        hint: did you mean 'total'?
      \(file):8:5: error: a case needs 'expect' [K101]
        - name: 缺少期望
          ^

      """)
    #expect(result.status == 1)
    let json = try CIVerbs.run(["test", path, "--format", "json"])
    #expect(json.status == 1)
    #expect(json.stderr == "")
    #expect(json.stdout.contains("""
        "diagnostics": [
          {"file": "\(file)", "line": 7, "column": 14, "severity": "error", "code": "K102", "message": "unknown key 'totl' in subjects.A", "hint": "did you mean 'total'?"},
      """))
    #expect(json.stdout.hasSuffix("\"passed\": 0,\n  \"failed\": 1\n}\n"))
  }

  @Test func noTestFileExitsOne() throws {
    let folder = try CIVerbs.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try runKaoping(["test"], currentDirectory: folder.path)
    #expect(result.stdout == "0 passed, 0 failed\n")
    #expect(result.stderr == """
      .: error: no *.test.yaml file found under '.' [K602]
        hint: rule tests are files named NAME.test.yaml beside the rule files they test

      """)
    #expect(result.status == 1)
    let missing = try runKaoping(["test", "no-such-folder"], currentDirectory: folder.path)
    #expect(missing.status == 1)
    #expect(missing.stderr.hasPrefix("no-such-folder: error: no *.test.yaml file found under 'no-such-folder' [K602]"))
  }

  // §13.2: `kaoping test [PATH...]` finds test files under each PATH; a PATH that does not
  // exist fails the run even when the others hold passing tests.
  @Test func aPathThatDoesNotExistFailsTheRun() throws {
    let result = try CIVerbs.run(["test", "Rules", "Rules/no-such.test.yaml"])
    #expect(result.status == 1)
    #expect(result.stdout.hasSuffix(" passed, 0 failed\n"))
    #expect(result.stderr == """
      Rules/no-such.test.yaml: error: no *.test.yaml file found under 'Rules/no-such.test.yaml' [K602]
        hint: the path does not exist

      """)
  }

  // A case that fails with K502 (an amount beyond the decimal range) names K502, not K501.
  @Test func anEvaluationErrorIsReportedWithItsOwnCode() throws {
    let folder = try CIVerbs.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try CIVerbs.copy("Tests/KaopingTests/Fixtures/eval/overflow.yaml", to: folder, as: "overflow.yaml")
    try """
      kaoping: 1
      rules: overflow.yaml
      subjects: [ { id: A, big: 1 } ]
      cases:
        - name: huge
          facts:
            - { id: g1, subject: A, type: gain, x: 9e6144 }
            - { id: g2, subject: A, type: gain, x: 9e6144 }
          expect: { error: K501 }

      """.write(to: folder.appendingPathComponent("overflow.test.yaml"), atomically: true, encoding: .utf8)
    let result = try runKaoping(["test"], currentDirectory: folder.path)
    #expect(result.status == 1)
    #expect(result.stdout.hasPrefix(
      "overflow.test.yaml:9: case \"huge\": error: expected K501, got K502 scope annual, subject A, gains: an amount is beyond"))
  }

  @Test func unknownFormatIsAUsageError() throws {
    #expect(try CIVerbs.run(["test", "--format", "xml"]).status == 64)
  }
}
