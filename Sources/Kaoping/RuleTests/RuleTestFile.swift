/// A `*.test.yaml` file read and validated before any case runs (§13.2): a file with any
/// problem (an unknown key, a wrong shape, a case without rules) is not run at all.
struct RuleTestFile {
  var path: String
  var cases: [RuleTestCase]

  /// The file, or nil with the diagnostics that explain why it did not load; `text` for
  /// rendering those diagnostics with their source line.
  static func load(path: String) -> (file: RuleTestFile?, diagnostics: [Diagnostic], text: String?) {
    let bytes: [UInt8]
    do {
      bytes = try FileReader.bytes(atPath: path)
    } catch {
      return (nil, [Diagnostic(code: .unreadableFile, message: error.description, file: path)], nil)
    }
    let (document, found) = YAMLLoader().load(bytes: bytes, file: path)
    if found.hasErrors { return (nil, found, document?.text) }
    guard let document, let root = document.root else {
      return (nil, [Diagnostic(code: .emptyFile, message: "the test file is empty", file: path,
                               hint: "a test file holds kaoping: 1, rules: FILE and a list of cases")], document?.text)
    }
    var parser = RuleTestParser(path: path, text: document.text)
    let file = parser.file(root)
    let diagnostics = Diagnostic.sorted(found + parser.reader.diagnostics)
    if diagnostics.hasErrors { return (nil, diagnostics, document.text) }
    return (file, diagnostics, document.text)
  }
}

/// One case, ready to run.
struct RuleTestCase {
  var name: String
  /// The line of the case's list item.
  var line: Int
  /// The rule file, resolved against the test file's folder.
  var rules: String
  /// The inline roster (the case's, else the file's); nil for the rule file's own subjects.
  var roster: RawFile?
  /// The case's facts, named after the test file, rows numbered from 1 in list order.
  var facts: RawFile
  var expectation: Expectation
}

/// What a case expects: an error, or values to compare.
struct Expectation {
  /// `error: CODE`, with the line of its key.
  var error: (code: String, line: Int)?
  /// The values written under `expect`, in file order.
  var checks: [ExpectedValue] = []
}

/// One key written under `expect` with the value it must have.
struct ExpectedValue {
  /// The key's path under `expect` (`subjects.A.total`).
  var path: String
  /// The line of the key.
  var line: Int
  var probe: Probe
  var value: Expected

  /// Where in a result the actual value is read.
  enum Probe {
    /// A subject's field in a scope; `subjectPath`/`subjectLine` name the subject's key and
    /// `scopeLine` the key that chose the scope (for "no such subject/scope" mismatches).
    case subject(scope: String, scopeLine: Int, scopePath: String, id: String, subjectLine: Int, subjectPath: String, field: SubjectField)
    case accounting(String)
    case rejected
  }

  enum SubjectField: Equatable {
    case total
    case rank
    case groupSize
    case grade
    case name
    case group
    case outcomes
    case indicator(String)
  }

  enum Expected {
    case amount(ExactDecimal)
    case integer(Int)
    case text(String)
    /// A grade id, or nil for `grade: null` (no grade).
    case grade(String?)
    /// Outcome ids, compared as a set.
    case ids([String])
    /// Rejected facts by id, each with the code when written; compared as a set.
    case rejected([(fact: String, code: String?)])
  }
}

/// Reads the YAML of a test file into cases, reporting every problem.
struct RuleTestParser {
  let path: String
  var reader: NodeReader

  init(path: String, text: String) {
    self.path = path
    self.reader = NodeReader(file: path, text: text)
  }

  /// A path written in the test file, relative to the test file's folder.
  private func resolve(_ relative: String) -> String {
    if relative.hasPrefix("/") { return relative }
    guard let slash = path.lastIndex(of: "/") else { return relative }
    return String(path[...slash]) + relative
  }

  private static let caseKeys = ["name", "rules", "subjects", "facts", "expect"]
  private static let expectKeys = ["scope", "subjects", "scopes", "accounting", "rejected", "error"]
  private static let subjectKeys = ["total", "rank", "group_size", "grade", "outcomes", "indicators", "name", "group"]
  private static let accountingKeys = ["facts", "applied", "unmatched", "rejected"]

  mutating func file(_ root: YAMLNode) -> RuleTestFile? {
    guard let top = reader.mapping(root, "the test file", allowed: ["kaoping", "rules", "subjects", "cases"], required: ["kaoping", "cases"])
    else { return nil }
    if let version = top["kaoping"], version.scalar?.text != "1" || version.scalar?.isPlain != true {
      reader.error(.unsupportedVersion, "this engine reads rule tests of format version 1", at: version, hint: "write kaoping: 1")
    }
    let defaultRules = top["rules"].flatMap { reader.text($0, "rules") }
    let defaultRoster = top["subjects"].flatMap { records($0, what: "subjects") }
    guard let casesNode = top["cases"], let items = reader.list(casesNode, "cases") else { return nil }
    if items.isEmpty {
      reader.error(.malformedTest, "the test file has no cases", at: casesNode)
    }
    var cases: [RuleTestCase] = []
    var names: [String: Int] = [:]
    for item in items {
      guard let fields = reader.mapping(item, "a case", allowed: Self.caseKeys, required: ["name", "expect"]) else { continue }
      let name = fields["name"].flatMap { reader.text($0, "name") }
      if let name, let nameNode = fields["name"] {
        if let first = names[name] {
          reader.error(.malformedTest, "two cases are named '\(name)' (the first is at line \(first))", at: nameNode,
                       hint: "give every case its own name so that failures can be told apart")
        } else {
          names[name] = item.start.line
        }
      }
      let rules = fields["rules"].flatMap { reader.text($0, "rules") } ?? defaultRules
      if rules == nil {
        reader.error(.malformedTest, "the case names no rule file", at: fields.keys["name"] ?? item,
                     hint: "add rules: FILE to the case or at the top of the test file")
      }
      var roster = defaultRoster
      if let node = fields["subjects"] { roster = records(node, what: "subjects") }
      var facts: RawFile? = nil
      if let node = fields["facts"] { facts = records(node, what: "facts") }
      var expected: Expectation? = nil
      if let node = fields["expect"] { expected = expectation(node) }
      guard let name, let rules, let expected else { continue }
      cases.append(RuleTestCase(
        name: name, line: item.start.line, rules: resolve(rules), roster: roster,
        facts: facts ?? RawFile(path: path, bytes: [], columns: [], hasHeader: false, records: []),
        expectation: expected))
    }
    return RuleTestFile(path: path, cases: cases)
  }

  /// An inline list of records, as a raw input file named after the test file.
  private mutating func records(_ node: YAMLNode, what: String) -> RawFile? {
    guard let items = reader.list(node, what) else { return nil }
    var records: [RawRecord] = []
    var columns: [String] = []
    for (index, item) in items.enumerated() {
      guard let entries = item.mapping else {
        reader.error(.wrongShape, "each of \(what) must be a mapping of field names to values, not \(reader.describe(item))", at: item,
                     hint: "write - { id: …, subject: …, type: … }")
        continue
      }
      var values: [(column: String, value: RawValue)] = []
      for entry in entries {
        guard let key = entry.key.scalar?.text else {
          reader.error(.wrongShape, "a field name must be text", at: entry.key)
          continue
        }
        if !columns.contains(key) { columns.append(key) }
        switch entry.value.kind {
        case .scalar(let scalar):
          if reader.isNull(entry.value) {
            values.append((key, .null))
          } else {
            values.append((key, entry.value.tag == .str || !scalar.isPlain ? .string(scalar.text) : .plain(scalar.text)))
          }
        case .sequence, .mapping:
          values.append((key, .nested))
        }
      }
      records.append(RawRecord(row: index + 1, values: values))
    }
    return RawFile(path: path, bytes: [], columns: columns, hasHeader: false, records: records)
  }

  private mutating func expectation(_ node: YAMLNode) -> Expectation? {
    guard let fields = reader.mapping(node, "expect", allowed: Self.expectKeys) else { return nil }
    var expectation = Expectation()
    if let codeNode = fields["error"], let code = reader.text(codeNode, "error") {
      if Self.isCode(code) {
        expectation.error = (code, (fields.keys["error"] ?? codeNode).start.line)
      } else {
        reader.error(.malformedTest, "error must be a diagnostic code like K301, not '\(code)'", at: codeNode)
      }
      let others = fields.order.filter { $0 != "error" }
      if let other = others.first, let key = fields.keys[other] {
        reader.error(.malformedTest, "a case that expects an error has no result to compare, so '\(other)' cannot be checked", at: key,
                     hint: "split it into two cases: one with error:, one with the expected values")
      }
      return expectation
    }
    let scopeNode = fields["scope"]
    let scope = scopeNode.flatMap { reader.text($0, "scope") } ?? "annual"
    if let subjects = fields["subjects"] {
      let scopeLine = (fields.keys["scope"] ?? fields.keys["subjects"] ?? subjects).start.line
      expectation.checks += self.subjects(subjects, scope: scope, scopeLine: scopeLine, scopePath: "scope", path: "subjects")
    }
    if let scopes = fields["scopes"] {
      if let entries = scopes.mapping {
        for entry in entries {
          guard let name = reader.text(entry.key, "a scope") else { continue }
          guard let inner = reader.mapping(entry.value, "scopes.\(name)", allowed: ["subjects"], required: ["subjects"]),
            let subjects = inner["subjects"]
          else { continue }
          expectation.checks += self.subjects(
            subjects, scope: name, scopeLine: entry.key.start.line, scopePath: "scopes.\(name)", path: "scopes.\(name).subjects")
        }
      } else {
        reader.error(.wrongShape, "scopes must be a mapping of scope ids to { subjects: … }, not \(reader.describe(scopes))", at: scopes)
      }
    }
    if let accounting = fields["accounting"],
      let entries = reader.mapping(accounting, "accounting", allowed: Self.accountingKeys)
    {
      for key in entries.order {
        guard let value = entries[key], let keyNode = entries.keys[key], let count = reader.integer(value, "accounting.\(key)") else { continue }
        expectation.checks.append(ExpectedValue(
          path: "accounting.\(key)", line: keyNode.start.line, probe: .accounting(key), value: .integer(count)))
      }
    }
    if let rejected = fields["rejected"], let items = reader.list(rejected, "rejected") {
      var facts: [(fact: String, code: String?)] = []
      for item in items {
        guard let entry = reader.mapping(item, "a rejected fact", allowed: ["fact", "code"], required: ["fact"]),
          let fact = entry["fact"].flatMap({ reader.text($0, "fact") })
        else { continue }
        var code: String? = nil
        if let codeNode = entry["code"], let text = reader.text(codeNode, "code") {
          if Self.isCode(text) { code = text } else {
            reader.error(.malformedTest, "code must be a diagnostic code like K401, not '\(text)'", at: codeNode)
          }
        }
        facts.append((fact, code))
      }
      let line = (fields.keys["rejected"] ?? rejected).start.line
      expectation.checks.append(ExpectedValue(path: "rejected", line: line, probe: .rejected, value: .rejected(facts)))
    }
    return expectation
  }

  private mutating func subjects(
    _ node: YAMLNode, scope: String, scopeLine: Int, scopePath: String, path: String
  ) -> [ExpectedValue] {
    guard let entries = node.mapping else {
      reader.error(.wrongShape, "\(path) must be a mapping of subject ids to expected values, not \(reader.describe(node))", at: node,
                   hint: "write \(path): { A: { total: 1020, rank: 1 } }")
      return []
    }
    var checks: [ExpectedValue] = []
    for entry in entries {
      guard let id = reader.text(entry.key, "a subject id") else { continue }
      let prefix = "\(path).\(id)"
      guard let fields = reader.mapping(entry.value, prefix, allowed: Self.subjectKeys) else { continue }
      func probe(_ field: ExpectedValue.SubjectField) -> ExpectedValue.Probe {
        .subject(scope: scope, scopeLine: scopeLine, scopePath: scopePath, id: id, subjectLine: entry.key.start.line,
                 subjectPath: prefix, field: field)
      }
      for key in fields.order {
        guard let value = fields[key], let keyNode = fields.keys[key] else { continue }
        let line = keyNode.start.line
        let keyPath = "\(prefix).\(key)"
        switch key {
        case "total":
          if let amount = reader.decimal(value, keyPath) {
            checks.append(ExpectedValue(path: keyPath, line: line, probe: probe(.total), value: .amount(amount)))
          }
        case "rank", "group_size":
          if let number = reader.integer(value, keyPath) {
            checks.append(ExpectedValue(path: keyPath, line: line, probe: probe(key == "rank" ? .rank : .groupSize), value: .integer(number)))
          }
        case "grade":
          if reader.isNull(value) {
            checks.append(ExpectedValue(path: keyPath, line: line, probe: probe(.grade), value: .grade(nil)))
          } else if let grade = reader.text(value, keyPath) {
            checks.append(ExpectedValue(path: keyPath, line: line, probe: probe(.grade), value: .grade(grade)))
          }
        case "name", "group":
          if let text = reader.text(value, keyPath) {
            checks.append(ExpectedValue(path: keyPath, line: line, probe: probe(key == "name" ? .name : .group), value: .text(text)))
          }
        case "outcomes":
          if let items = reader.list(value, keyPath) {
            let ids = items.compactMap { reader.text($0, "an outcome id") }
            checks.append(ExpectedValue(path: keyPath, line: line, probe: probe(.outcomes), value: .ids(ids)))
          }
        case "indicators":
          guard let indicators = value.mapping else {
            reader.error(.wrongShape, "\(keyPath) must be a mapping of indicator ids to amounts, not \(reader.describe(value))", at: value)
            continue
          }
          for indicator in indicators {
            guard let indicatorID = reader.text(indicator.key, "an indicator id") else { continue }
            let indicatorPath = "\(keyPath).\(indicatorID)"
            if let amount = reader.decimal(indicator.value, indicatorPath) {
              checks.append(ExpectedValue(
                path: indicatorPath, line: indicator.key.start.line, probe: probe(.indicator(indicatorID)), value: .amount(amount)))
            }
          }
        default:
          continue
        }
      }
    }
    return checks
  }

  /// `K` and three digits.
  static func isCode(_ text: String) -> Bool {
    let scalars = Array(text.utf8)
    return scalars.count == 4 && scalars[0] == UInt8(ascii: "K")
      && scalars.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
  }
}
