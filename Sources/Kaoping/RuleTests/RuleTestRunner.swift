#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

extension DiagnosticCode {
  // MARK: Rule tests (K6xx)

  /// A test file that is malformed (wrong shape, a case without rules, a bad expectation).
  public static let malformedTest: DiagnosticCode = "K601"
  /// No `*.test.yaml` file was found.
  public static let noTests: DiagnosticCode = "K602"
}

/// Finds and runs `*.test.yaml` files (`kaoping test`, §13.2).
public enum RuleTests {
  /// Runs every `*.test.yaml` under `paths` (files or directories, recursively, in path
  /// order; the current directory when `paths` is empty).
  public static func run(paths: [String], threads: Int = 1) -> RuleTestReport {
    let roots = paths.isEmpty ? ["."] : paths
    var files: [String] = []
    var seen: Set<String> = []
    var missing: [Diagnostic] = []
    for path in roots {
      var info = stat()
      if stat(path, &info) != 0 {
        // Each PATH must exist: a mistyped one fails the run even when the others hold tests.
        missing.append(Diagnostic(
          code: .noTests, message: "no *.test.yaml file found under '\(path)'", file: path,
          hint: "the path does not exist"))
        continue
      }
      for found in TestFileFinder.find(under: path) {
        // `kaoping test` in a folder names its files as `x.test.yaml`, not `./x.test.yaml`.
        let file = path == "." && found.hasPrefix("./") ? String(found.dropFirst(2)) : found
        if seen.insert(file).inserted { files.append(file) }
      }
    }
    var report = RuleTestReport(files: files)
    report.diagnostics = missing
    if files.isEmpty && missing.isEmpty {
      let quoted = roots.map { "'\($0)'" }.joined(separator: ", ")
      report.diagnostics.append(Diagnostic(
        code: .noTests, message: "no *.test.yaml file found under \(quoted)", file: roots[0],
        hint: "rule tests are files named NAME.test.yaml beside the rule files they test"))
    }
    var cache = RuleFileCache()
    for file in files {
      let loaded = RuleTestFile.load(path: file)
      if let text = loaded.text { report.sources.add(file: file, text: text) }
      guard let testFile = loaded.file else {
        report.diagnostics += loaded.diagnostics
        report.brokenFiles += 1
        continue
      }
      for testCase in testFile.cases {
        let rules = cache.load(testCase.rules)
        report.cases.append(CaseRunner.run(testCase, file: file, rules: rules, threads: threads))
      }
    }
    return report
  }
}

/// Rule files loaded once per run, by resolved path.
struct RuleFileCache {
  private var loaded: [String: LoadedRules] = [:]

  mutating func load(_ path: String) -> LoadedRules {
    if let rules = loaded[path] { return rules }
    let rules = RuleFiles.load(path: path)
    loaded[path] = rules
    return rules
  }
}

/// What a run of rule tests found.
public struct RuleTestReport: Sendable {
  /// The test files found, in path order.
  public var files: [String]
  /// Every case of every test file that loaded, in file order.
  public var cases: [RuleTestCaseResult] = []
  /// Why test files did not load, and the error when no test file was found or a path
  /// does not exist.
  public var diagnostics: [Diagnostic] = []
  /// How many test files did not load (each counts as one failure).
  public var brokenFiles = 0
  /// The text of the test files, for rendering diagnostics with their source line.
  public var sources = SourceLines()

  public init(files: [String]) {
    self.files = files
  }

  public var passed: Int { cases.filter(\.passed).count }
  /// Failing cases plus test files that did not load.
  public var failed: Int { cases.filter { !$0.passed }.count + brokenFiles }

  /// The closing line: `N passed, N failed`.
  public var summary: String { "\(passed) passed, \(failed) failed" }

  /// Whether the run fails (exit 1): a failing case, a file that did not load, no file at
  /// all, or a path that does not exist.
  public var isFailure: Bool { failed > 0 || files.isEmpty || diagnostics.contains { $0.code == .noTests } }

  /// The text report for standard output: one line per mismatching key of each failing
  /// case (`FILE:LINE: case "NAME": PATH.TO.KEY: expected X, got Y`), then the summary.
  public var text: String {
    var out = ""
    for result in cases {
      for mismatch in result.mismatches {
        out += "\(result.file):\(mismatch.line): case \"\(result.name)\": \(mismatch.path): "
        out += "expected \(mismatch.expected), got \(mismatch.got)\n"
      }
    }
    out += summary + "\n"
    return out
  }

  /// The diagnostics of test files that did not load, for standard error.
  public var diagnosticText: String {
    Diagnostic.render(diagnostics, as: .text, sources: sources)
  }

  /// The JSON report (`kaoping test --format json`):
  ///
  /// ```json
  /// {
  ///   "format": "kaoping-test/1",
  ///   "files": ["Rules/a.test.yaml"],
  ///   "cases": [
  ///     {"file": "Rules/a.test.yaml", "line": 9, "name": "…", "status": "passed", "mismatches": []},
  ///     {"file": "Rules/a.test.yaml", "line": 30, "name": "…", "status": "failed", "mismatches": [
  ///       {"line": 41, "path": "subjects.A.total", "expected": "1020.00", "got": "1000.00"}
  ///     ]}
  ///   ],
  ///   "diagnostics": [
  ///     {"file": "…", "line": 3, "column": 5, "severity": "error", "code": "K102", "message": "…"}
  ///   ],
  ///   "passed": 1,
  ///   "failed": 1
  /// }
  /// ```
  /// Cases in run order; `line` of a case is the line of its list item, of a mismatch the
  /// line of the key under `expect`; `expected` and `got` are the texts of the text report.
  /// `diagnostics` are those of test files that did not load (each counted in `failed`)
  /// and of an empty search.
  public var json: String {
    var out = "{\n  \"format\": \"kaoping-test/1\",\n  \"files\": ["
    out += files.map { String.jsonLiteral($0) }.joined(separator: ", ")
    out += "],\n  \"cases\": ["
    for (index, result) in cases.enumerated() {
      out += index == 0 ? "\n" : ",\n"
      out += "    {\"file\": \(String.jsonLiteral(result.file)), \"line\": \(result.line), "
      out += "\"name\": \(String.jsonLiteral(result.name)), "
      out += "\"status\": \"\(result.passed ? "passed" : "failed")\", \"mismatches\": ["
      if !result.mismatches.isEmpty {
        for (position, mismatch) in result.mismatches.enumerated() {
          out += position == 0 ? "\n" : ",\n"
          out += "      {\"line\": \(mismatch.line), \"path\": \(String.jsonLiteral(mismatch.path)), "
          out += "\"expected\": \(String.jsonLiteral(mismatch.expected)), \"got\": \(String.jsonLiteral(mismatch.got))}"
        }
        out += "\n    "
      }
      out += "]}"
    }
    out += cases.isEmpty ? "],\n" : "\n  ],\n"
    out += "  \"diagnostics\": ["
    for (index, diagnostic) in diagnostics.enumerated() {
      out += index == 0 ? "\n" : ",\n"
      out += "    {\"file\": \(String.jsonLiteral(diagnostic.file)), \"line\": \(diagnostic.line), "
      out += "\"column\": \(diagnostic.column), \"severity\": \(String.jsonLiteral(diagnostic.severity.rawValue)), "
      out += "\"code\": \(String.jsonLiteral(diagnostic.code.rawValue)), \"message\": \(String.jsonLiteral(diagnostic.message))"
      if let hint = diagnostic.hint { out += ", \"hint\": \(String.jsonLiteral(hint))" }
      out += "}"
    }
    out += diagnostics.isEmpty ? "],\n" : "\n  ],\n"
    out += "  \"passed\": \(passed),\n  \"failed\": \(failed)\n}\n"
    return out
  }
}

/// The result of one case.
public struct RuleTestCaseResult: Sendable, Hashable {
  /// The test file, as found.
  public var file: String
  /// The line of the case's list item.
  public var line: Int
  public var name: String
  /// One entry per key under `expect` whose actual value differs; empty when the case passes.
  public var mismatches: [RuleTestMismatch]

  public var passed: Bool { mismatches.isEmpty }
}

/// One key whose expected value was not met.
public struct RuleTestMismatch: Sendable, Hashable {
  /// The line of the key in the test file.
  public var line: Int
  /// The key's path under `expect`, e.g. `subjects.A.total` or `scopes.Q1.subjects.A.rank`.
  public var path: String
  public var expected: String
  public var got: String
}

enum TestFileFinder {
  /// `*.test.yaml` files under a path, sorted by path.
  static func find(under path: String) -> [String] {
    find(under: path) { $0.hasSuffix(".test.yaml") }
  }

  /// Files under a path (the path itself when it is a file) whose name `matches`,
  /// recursively, sorted by path; hidden folders and build folders are skipped.
  static func find(under path: String, matching matches: (String) -> Bool) -> [String] {
    var info = stat()
    guard stat(path, &info) == 0 else { return [] }
    if (info.st_mode & S_IFMT) != S_IFDIR {
      return matches(path) ? [path] : []
    }
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var result: [String] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name.hasPrefix(".") { continue }
      let child = path.hasSuffix("/") ? path + name : path + "/" + name
      result += find(under: child, matching: matches)
    }
    return result.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }
}
