import Foundation
import Testing

/// The runner against §13 of the specification: the synopsis, the exit status of each
/// stage, and diagnostics with their source line and caret.
@Suite struct RunnerContractTests {
  private static let city = ["Rules/city_units.yaml", "--subjects", "Examples/city_units/subjects.csv"]
  private static let facts = ["--facts", "Examples/city_units/facts.csv"]

  /// Runs `kaoping` in the repository root.
  private func run(_ arguments: [String]) throws -> RunResult {
    try runKaoping(arguments, currentDirectory: CIVerbs.repositoryRoot)
  }

  /// Runs `kaoping` with its standard output on `/dev/full`, where every write fails.
  private func runToFullDevice(_ arguments: [String]) throws -> (status: Int32, stderr: String)? {
    guard let full = FileHandle(forWritingAtPath: "/dev/full") else { return nil }
    let process = Process()
    process.executableURL = kaopingBinary
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: CIVerbs.repositoryRoot)
    let err = Pipe()
    process.standardOutput = full
    process.standardError = err
    try process.run()
    let data = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  // §13 synopsis: `eval RULES --facts FILE...`, `explain RULES --facts FILE...`,
  // `diff OLD NEW --facts FILE...` — the fact files are not optional (unlike `check`).
  @Test func evalExplainAndDiffNeedFacts() throws {
    let eval = try run(["eval"] + Self.city)
    #expect(eval.status == 64)
    #expect(eval.stdout == "")
    #expect(eval.stderr.contains("--facts"))
    #expect(try run(["explain"] + Self.city + ["--subject", "U01"]).status == 64)
    #expect(try run(["diff", "Rules/city_units.yaml"] + Self.city).status == 64)
    // check still takes the fact files as an option.
    #expect(try run(["check", "Rules/city_units.yaml"]).status == 0)
  }

  // §13: "stages run in order and the first failing one decides: usage 64; …; evaluation 1".
  // An unknown --scope is a usage error even when the evaluation would fail.
  @Test func anUnknownScopeIsAUsageErrorBeforeEvaluating() throws {
    let base = [
      "eval", evalFixture("errors.yaml"), "--facts", evalFixture("errors_both.facts.csv"), "--subjects",
      evalFixture("errors.subjects.csv"),
    ]
    #expect(try run(base).status == 1)
    let result = try run(base + ["--scope", "Q9"])
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("Error: unknown scope 'Q9'; the scopes are all, H1, H2, annual\n"))
    #expect(!result.stderr.contains("[K501]"))
    // With --strict and rejected facts (exit 2 otherwise), too.
    let strict = try run([
      "eval", evalFixture("rejections.yaml"), "--facts", evalFixture("rejections.facts.csv"), "--subjects",
      evalFixture("ab.subjects.csv"), "--strict", "--scope", "H1",
    ])
    #expect(strict.status == 64)
    #expect(try run(["explain"] + Self.city + Self.facts + ["--subject", "U01", "--scope", "H1"]).status == 64)
  }

  // §13: "writing output 74" — also when the output is standard output.
  @Test func aFailedWriteToStandardOutputExits74() throws {
    guard let eval = try runToFullDevice(["eval"] + Self.city + Self.facts + ["--format", "csv"]) else { return }
    #expect(eval.status == 74)
    #expect(eval.stderr.hasPrefix("<stdout>: error: cannot write standard output: "))
    #expect(eval.stderr.hasSuffix(" [K013]\n"))
    #expect(try runToFullDevice(["test", "Rules"])?.status == 74)
    #expect(try runToFullDevice(["check", "Rules/city_units.yaml", "--format", "json"])?.status == 74)
    #expect(try runToFullDevice(["expr", "1 + 2"])?.status == 74)
    #expect(try runToFullDevice(["explain"] + Self.city + Self.facts + ["--subject", "U01"])?.status == 74)
    // An earlier failing stage still decides: a rule file with errors is 1.
    let broken = try runToFullDevice(["check", "Tests/KaopingTests/Fixtures/civerbs/diff/broken.yaml", "--format", "json"])
    #expect(broken?.status == 1)
  }

  // §13: "stages run in order and the first failing one decides: …; reading a file 2; the
  // rules 1" — a rule file with errors and a fact file that cannot be read is 2, with both
  // reported (as `check` does).
  @Test func anUnreadableInputOutranksRuleErrors() throws {
    let broken = "Tests/KaopingTests/Fixtures/civerbs/diff/broken.yaml"
    let eval = try run(["eval", broken, "--facts", "no-such.csv"])
    #expect(eval.status == 2)
    #expect(eval.stderr.contains("[K301]"))
    #expect(eval.stderr.contains("no-such.csv: error: cannot read no-such.csv: no such file [K001]\n"))
    #expect(try run(["explain", broken, "--facts", "no-such.csv", "--subject", "D1"]).status == 2)
    // diff: NEW does not check and OLD cannot be read.
    let diff = try run(["diff", "no-such.yaml", broken, "--facts", "Tests/KaopingTests/Fixtures/civerbs/diff/facts.csv"])
    #expect(diff.status == 2)
    #expect(diff.stderr.contains("no-such.yaml: error: cannot read no-such.yaml: no such file [K001]\n"))
    // With readable inputs the rule errors decide (1).
    #expect(try run(["eval", broken, "--facts", "Tests/KaopingTests/Fixtures/civerbs/diff/facts.csv"]).status == 1)
  }

  // §13: "writing output 74"; `--output` is written only on success. A write failure has a
  // code of its own (K013), not K001 ("a file cannot be read": a code never changes meaning).
  @Test func anOutputFileThatCannotBeWrittenExits74WithK013() throws {
    let folder = try CIVerbs.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let target = folder.appendingPathComponent("missing/result.json").path
    let result = try run(["eval"] + Self.city + Self.facts + ["--format", "json", "--output", target])
    #expect(result.status == 74)
    #expect(result.stdout == "")
    #expect(result.stderr == "\(target): error: cannot write \(target): No such file or directory [K013]\n")
    // A failing run leaves an existing output file as it was.
    let existing = folder.appendingPathComponent("result.json")
    try "before\n".write(to: existing, atomically: true, encoding: .utf8)
    let failing = try run(["eval"] + Self.city + ["--facts", "no-such.csv", "--output", existing.path])
    #expect(failing.status == 2)
    #expect(try String(contentsOf: existing, encoding: .utf8) == "before\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["result.json"])
  }

  // §13: diagnostics print with "the source line and a caret under the column" — in eval
  // as in check.
  @Test func evalInputDiagnosticsShowTheSourceLineAndCaret() throws {
    let file = evalFixture("inputs_badcolumn.facts.csv")
    let result = try run([
      "eval", evalFixture("inputs.yaml"), "--facts", file, "--subjects", evalFixture("ab.subjects.csv"),
    ])
    #expect(result.status == 2)
    #expect(result.stderr == """
      \(file):1:22: error: the column 'levle' is not a field of any fact type [K420]
      id,subject,type,date,levle
                           ^
        hint: did you mean 'level'?

      """)
  }

  // §3: with --strict one `FILE:ROW: error: MESSAGE [CODE]` line per rejected fact, sorted
  // by (file argument order, row).
  @Test func strictRejectionsAreOneLineEach() throws {
    let file = evalFixture("rejections.facts.csv")
    let result = try run([
      "eval", evalFixture("rejections.yaml"), "--facts", file, "--subjects", evalFixture("ab.subjects.csv"), "--strict",
    ])
    #expect(result.status == 2)
    #expect(result.stdout == "")
    #expect(result.stderr.hasPrefix("""
      \(file):3: error: fact f2 is rejected: source '组织部' is the name of scorer 'organization'; write the id 'organization' [K411]
      \(file):4: error: fact f3 is rejected: no source: awards is scored only by organization [K411]

      """))
  }

  // §13: "roster and facts 2 (…, rejected facts with --strict); evaluation 1" — with
  // --strict a rejected fact decides before the evaluation errors.
  @Test func strictRejectionsOutrankEvaluationErrors() throws {
    let folder = try CIVerbs.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let facts = folder.appendingPathComponent("facts.csv").path
    let both = try String(contentsOfFile: evalFixture("errors_both.facts.csv"), encoding: .utf8)
    try (both + "r9,Z,rating,2023-02-01,1,\n").write(toFile: facts, atomically: true, encoding: .utf8)
    let arguments = ["eval", evalFixture("errors.yaml"), "--facts", facts, "--subjects", evalFixture("errors.subjects.csv")]
    let lenient = try run(arguments)
    #expect(lenient.status == 1)
    #expect(lenient.stderr.contains("[K501]"))
    let strict = try run(arguments + ["--strict"])
    #expect(strict.status == 2)
    #expect(strict.stderr == """
      \(facts):5: error: fact r9 is rejected: the subject 'Z' is not in the roster [K403]

      """)
  }

  // §13: an evaluation error is a diagnostic in the rule file; an amount beyond the decimal
  // range (no expression to blame) points at its node.
  @Test func anAmountOverflowPointsAtItsNode() throws {
    let rules = evalFixture("overflow.yaml")
    let result = try run([
      "eval", rules, "--facts", evalFixture("overflow_amount.facts.csv"), "--subjects",
      evalFixture("overflow_small.subjects.csv"),
    ])
    #expect(result.status == 1)
    #expect(result.stdout == "")
    #expect(result.stderr.hasPrefix("\(rules):14:5: error: scope annual, subject A, gains: an amount is beyond the decimal range"))
    #expect(result.stderr.contains("[K502]\n  - id: gains\n    ^\n"))
  }
}
