#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The outcome of running rule tests (`kaoping test`, §13.2).
public struct RuleTestReport: Sendable {
  /// One line per failing case (`FILE:LINE: case "NAME": PATH: expected X, got Y`) and
  /// the diagnostics of test files that did not load.
  public var failures: [String]
  public var passed: Int
  public var failed: Int
  /// The test files found, in path order.
  public var files: [String]

  /// The closing line: `N passed, N failed`.
  public var summary: String { "\(passed) passed, \(failed) failed" }
  /// Whether the run fails: a failing case, a file that did not load, or no file at all.
  public var isFailure: Bool { failed > 0 || files.isEmpty }
}

extension DiagnosticCode {
  // MARK: Rule tests (K6xx)

  /// A test file that is malformed (unknown key, wrong shape).
  public static let malformedTest: DiagnosticCode = "K601"
  /// No `*.test.yaml` file was found.
  public static let noTests: DiagnosticCode = "K602"
}

/// Finds and runs `*.test.yaml` files.
public enum RuleTests {
  /// Runs every `*.test.yaml` under `paths` (files or directories, recursively, in path order).
  public static func run(paths: [String], threads: Int = 1) -> RuleTestReport {
    var files: [String] = []
    for path in paths.isEmpty ? ["."] : paths {
      files += TestFileFinder.find(under: path)
    }
    var report = RuleTestReport(failures: [], passed: 0, failed: 0, files: files)
    if files.isEmpty {
      report.failures.append("error: no *.test.yaml file found under \(paths.joined(separator: ", ")) [K602]")
    }
    for file in files {
      var runner = TestFileRunner(path: file, threads: threads)
      runner.run()
      report.failures += runner.failures
      report.passed += runner.passed
      report.failed += runner.failed
    }
    return report
  }
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

/// Runs the cases of one test file.
struct TestFileRunner {
  let path: String
  let threads: Int
  var failures: [String] = []
  var passed = 0
  var failed = 0

  init(path: String, threads: Int) {
    self.path = path
    self.threads = threads
  }

  private var directory: String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return String(path[..<slash])
  }

  private func resolve(_ relative: String) -> String {
    relative.hasPrefix("/") ? relative : directory + "/" + relative
  }

  mutating func run() {
    let bytes: [UInt8]
    do {
      bytes = try FileReader.bytes(atPath: path)
    } catch {
      fileFailure([Diagnostic(code: .unreadableFile, message: error.description, file: path)], text: nil)
      return
    }
    let (document, found) = YAMLLoader().load(bytes: bytes, file: path)
    guard let document, let root = document.root, !found.hasErrors else {
      fileFailure(found.isEmpty ? [Diagnostic(code: .emptyFile, message: "the test file is empty", file: path)] : found,
                  text: document?.text)
      return
    }
    var reader = NodeReader(file: path, text: document.text)
    guard let top = reader.mapping(root, "the test file", allowed: ["kaoping", "rules", "subjects", "cases"], required: ["kaoping", "cases"]),
      let casesNode = top["cases"], let cases = reader.list(casesNode, "cases")
    else {
      fileFailure(reader.diagnostics, text: document.text)
      return
    }
    if let version = top["kaoping"], version.scalar?.text != "1" {
      reader.error(.unsupportedVersion, "this engine reads test format version 1", at: version)
    }
    var parsed: [(node: YAMLNode, name: String, rules: String?, subjects: YAMLNode?, facts: YAMLNode?, expect: YAMLNode)] = []
    for item in cases {
      guard let fields = reader.mapping(item, "a case", allowed: ["name", "rules", "subjects", "facts", "expect"], required: ["name", "expect"]),
        let name = fields["name"].flatMap({ reader.text($0, "name") }), let expect = fields["expect"]
      else { continue }
      parsed.append((item, name, fields["rules"].flatMap { reader.text($0, "rules") }, fields["subjects"], fields["facts"], expect))
    }
    let defaultRules = top["rules"].flatMap { reader.text($0, "rules") }
    if reader.diagnostics.hasErrors {
      fileFailure(reader.diagnostics, text: document.text)
      return
    }
    var rulesCache: [String: LoadedRules] = [:]
    for testCase in parsed {
      guard let rulesPath = testCase.rules ?? defaultRules else {
        fail(testCase.node, testCase.name, "rules", expected: "a rule file", got: "none (add rules: to the file or the case)")
        continue
      }
      let resolved = resolve(rulesPath)
      let loaded = rulesCache[resolved] ?? RuleFiles.load(path: resolved)
      rulesCache[resolved] = loaded
      var checker = CaseChecker(reader: reader, caseName: testCase.name, caseNode: testCase.node)
      checker.check(
        loaded: loaded, subjects: testCase.subjects ?? top["subjects"], facts: testCase.facts, expect: testCase.expect,
        threads: threads)
      reader = checker.reader
      if checker.failures.isEmpty && !checker.reader.diagnostics.hasErrors {
        passed += 1
      } else {
        failed += 1
        failures += checker.failures
        if checker.reader.diagnostics.hasErrors {
          failures.append(Diagnostic.render(checker.reader.diagnostics, as: .text))
          reader = NodeReader(file: path, text: document.text)
        }
      }
    }
  }

  private mutating func fileFailure(_ diagnostics: [Diagnostic], text: String?) {
    var sources = SourceLines()
    if let text { sources.add(file: path, text: text) }
    failures.append(Diagnostic.render(diagnostics, as: .text, sources: sources))
    failed += 1
  }

  private mutating func fail(_ node: YAMLNode, _ name: String, _ key: String, expected: String, got: String) {
    failures.append("\(path):\(node.start.line): case \"\(name)\": \(key): expected \(expected), got \(got)\n")
    failed += 1
  }
}

/// Evaluates one case and compares the keys written under `expect`.
struct CaseChecker {
  var reader: NodeReader
  let caseName: String
  let caseNode: YAMLNode
  var failures: [String] = []

  init(reader: NodeReader, caseName: String, caseNode: YAMLNode) {
    self.reader = reader
    self.caseName = caseName
    self.caseNode = caseNode
  }

  private mutating func mismatch(_ node: YAMLNode, _ key: String, expected: String, got: String) {
    failures.append("\(reader.file):\(node.start.line): case \"\(caseName)\": \(key): expected \(expected), got \(got)\n")
  }

  /// The records of an inline list of mappings, as a raw input file named after the test file.
  private mutating func rawFile(_ node: YAMLNode?, what: String) -> RawFile? {
    guard let node else { return nil }
    guard let items = reader.list(node, what) else { return nil }
    var records: [RawRecord] = []
    var columns: [String] = []
    for (index, item) in items.enumerated() {
      guard let entries = item.mapping else {
        reader.error(.malformedTest, "each of \(what) must be a mapping of field names to values", at: item)
        continue
      }
      var values: [(column: String, value: RawValue)] = []
      for entry in entries {
        guard let key = entry.key.scalar?.text else { continue }
        if !columns.contains(key) { columns.append(key) }
        switch entry.value.kind {
        case .scalar(let scalar):
          values.append((key, entry.value.tag == .str || !scalar.isPlain ? .string(scalar.text) : .plain(scalar.text)))
        default:
          values.append((key, .nested))
        }
      }
      records.append(RawRecord(row: index + 1, values: values))
    }
    return RawFile(path: reader.file, bytes: [], columns: columns, hasHeader: false, records: records)
  }

  mutating func check(loaded: LoadedRules, subjects: YAMLNode?, facts: YAMLNode?, expect: YAMLNode, threads: Int) {
    guard let fields = reader.mapping(expect, "expect", allowed: ["scope", "subjects", "scopes", "accounting", "rejected", "error"]) else {
      return
    }
    let expectedError = fields["error"].flatMap { reader.text($0, "error") }
    guard let rules = loaded.rules else {
      let codes = Set(loaded.diagnostics.filter { $0.severity == .error }.map(\.code.rawValue))
      if let expectedError {
        if !codes.contains(expectedError) {
          mismatch(fields.keys["error"] ?? expect, "error", expected: expectedError, got: codes.sorted().joined(separator: ", "))
        }
      } else {
        let first = loaded.diagnostics.first { $0.severity == .error }
        mismatch(caseNode, "rules", expected: "rules that check",
                 got: first.map { "\($0.code): \($0.message) (\($0.file):\($0.line):\($0.column))" } ?? "a file that cannot be read")
      }
      return
    }
    let roster = rawFile(subjects, what: "subjects")
    let factFile = rawFile(facts, what: "facts") ?? RawFile(path: reader.file, bytes: [], columns: [], hasHeader: false, records: [])
    let outcome = Evaluation.runDetailed(rules: rules, ruleBytes: loaded.bytes, rosterFile: roster, factFiles: [factFile], threads: threads)
    switch outcome {
    case .failure(let problem):
      var codes: [String] = []
      var text = ""
      switch problem {
      case .rules(let d), .unreadable(let d), .inputs(let d):
        codes = d.map(\.code.rawValue)
        text = d.first.map { "\($0.code): \($0.message)" } ?? ""
      case .evaluation(let errors):
        codes = ["K501"]
        text = errors.first.map(\.description) ?? ""
      }
      if let expectedError {
        if !codes.contains(expectedError) { mismatch(fields.keys["error"] ?? expect, "error", expected: expectedError, got: codes.joined(separator: ", ")) }
      } else {
        mismatch(caseNode, "evaluation", expected: "a result", got: text)
      }
      return
    case .success(let detailed):
      if let expectedError {
        mismatch(fields.keys["error"] ?? expect, "error", expected: expectedError, got: "no error")
        return
      }
      compare(detailed.result, fields)
    }
  }

  private mutating func compare(_ result: EvaluationResult, _ fields: Fields) {
    let scopeName = fields["scope"].flatMap { reader.text($0, "scope") } ?? "annual"
    if let subjects = fields["subjects"] {
      compareSubjects(result, scope: scopeName, subjects, path: "subjects")
    }
    if let scopes = fields["scopes"], let entries = scopes.mapping {
      for entry in entries {
        guard let scope = entry.key.scalar?.text,
          let inner = reader.mapping(entry.value, "scope \(scope)", allowed: ["subjects"]), let subjects = inner["subjects"]
        else { continue }
        compareSubjects(result, scope: scope, subjects, path: "scopes.\(scope).subjects")
      }
    }
    if let accounting = fields["accounting"],
      let expected = reader.mapping(accounting, "accounting", allowed: ["facts", "applied", "unmatched", "rejected"])
    {
      let actual = ["facts": result.accounting.facts, "applied": result.accounting.applied,
                    "unmatched": result.accounting.unmatched, "rejected": result.accounting.rejected]
      for key in expected.order {
        guard let node = expected[key], let want = reader.integer(node, key) else { continue }
        let got = actual[key] ?? 0
        if want != got { mismatch(node, "accounting.\(key)", expected: "\(want)", got: "\(got)") }
      }
    }
    if let rejectedNode = fields["rejected"], let items = reader.list(rejectedNode, "rejected") {
      var want: [String] = []
      for item in items {
        guard let entry = reader.mapping(item, "a rejected fact", allowed: ["fact", "code"], required: ["fact"]),
          let fact = entry["fact"].flatMap({ reader.text($0, "fact") })
        else { continue }
        let code = entry["code"].flatMap { reader.text($0, "code") }
        want.append(code.map { "\(fact) \($0)" } ?? fact)
      }
      let got = result.rejected.map { fact in
        want.contains(fact.fact) ? fact.fact : "\(fact.fact) \(fact.code)"
      }
      if want.sorted() != got.sorted() {
        mismatch(rejectedNode, "rejected", expected: "[\(want.joined(separator: ", "))]", got: "[\(got.joined(separator: ", "))]")
      }
    }
  }

  private mutating func compareSubjects(_ result: EvaluationResult, scope: String, _ node: YAMLNode, path: String) {
    guard let scopeResult = result.scopes.first(where: { $0.scope == scope }) else {
      mismatch(node, path, expected: "scope \(scope)", got: "scopes \(result.scopes.map(\.scope).joined(separator: ", "))")
      return
    }
    guard let entries = node.mapping else {
      reader.error(.malformedTest, "subjects must be a mapping of subject ids to expected values", at: node)
      return
    }
    for entry in entries {
      guard let id = entry.key.scalar?.text else { continue }
      guard let subject = scopeResult.subjects.first(where: { $0.id == id }) else {
        mismatch(entry.key, "\(path).\(id)", expected: "a subject \(id)", got: "no such subject in the roster")
        continue
      }
      guard let expected = reader.mapping(entry.value, "subject \(id)", allowed: [
        "total", "rank", "group_size", "grade", "outcomes", "indicators", "name", "group",
      ]) else { continue }
      let prefix = "\(path).\(id)"
      let decimals = result.decimals
      if let n = expected["total"], let want = reader.decimal(n, "total"), want != subject.total {
        mismatch(n, "\(prefix).total", expected: want.formatted(fractionDigits: decimals), got: subject.total.formatted(fractionDigits: decimals))
      }
      if let n = expected["rank"], let want = reader.integer(n, "rank"), want != subject.rank {
        mismatch(n, "\(prefix).rank", expected: "\(want)", got: "\(subject.rank)")
      }
      if let n = expected["group_size"], let want = reader.integer(n, "group_size"), want != subject.groupSize {
        mismatch(n, "\(prefix).group_size", expected: "\(want)", got: "\(subject.groupSize)")
      }
      if let n = expected["grade"] {
        let want = reader.isNull(n) ? nil : reader.text(n, "grade")
        if want != subject.grade { mismatch(n, "\(prefix).grade", expected: want ?? "null", got: subject.grade ?? "null") }
      }
      if let n = expected["name"], let want = reader.text(n, "name"), want != subject.name {
        mismatch(n, "\(prefix).name", expected: want, got: subject.name)
      }
      if let n = expected["group"], let want = reader.text(n, "group"), want != subject.group {
        mismatch(n, "\(prefix).group", expected: want, got: subject.group)
      }
      if let n = expected["outcomes"], let items = reader.list(n, "outcomes") {
        let want = Set(items.compactMap { reader.text($0, "an outcome id") })
        let got = Set(subject.outcomes.map(\.id))
        if want != got {
          mismatch(n, "\(prefix).outcomes", expected: "[\(want.sorted().joined(separator: ", "))]", got: "[\(got.sorted().joined(separator: ", "))]")
        }
      }
      if let n = expected["indicators"], let indicatorEntries = n.mapping {
        for indicator in indicatorEntries {
          guard let key = indicator.key.scalar?.text, let want = reader.decimal(indicator.value, "indicator \(key)") else { continue }
          guard let got = subject.indicators.first(where: { $0.id == key })?.value else {
            mismatch(indicator.key, "\(prefix).indicators.\(key)", expected: want.description, got: "no such indicator")
            continue
          }
          if got != want {
            mismatch(indicator.value, "\(prefix).indicators.\(key)", expected: want.formatted(fractionDigits: decimals),
                     got: got.formatted(fractionDigits: decimals))
          }
        }
      }
    }
  }
}
