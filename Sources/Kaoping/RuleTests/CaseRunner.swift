/// Runs one case and compares the keys written under `expect` (§13.2).
enum CaseRunner {
  static func run(_ testCase: RuleTestCase, file: String, rules loaded: LoadedRules, threads: Int) -> RuleTestCaseResult {
    var result = RuleTestCaseResult(file: file, line: testCase.line, name: testCase.name, mismatches: [])
    let expectation = testCase.expectation
    func mismatch(_ line: Int, _ path: String, expected: String, got: String) {
      result.mismatches.append(RuleTestMismatch(line: line, path: path, expected: expected, got: got))
    }
    let errorLine = expectation.error?.line ?? testCase.line

    guard let rules = loaded.rules else {
      let errors = loaded.diagnostics.filter { $0.severity == .error }
      if let expected = expectation.error {
        if !errors.contains(where: { $0.code.rawValue == expected.code }) {
          mismatch(errorLine, "error", expected: expected.code, got: describe(errors))
        }
      } else {
        mismatch(testCase.line, "rules", expected: "rules that check", got: describe(errors))
      }
      return result
    }

    let outcome = Evaluation.runDetailed(
      rules: rules, ruleBytes: loaded.bytes, rosterFile: testCase.roster, factFiles: [testCase.facts], threads: threads)
    let evaluated: EvaluationResult
    switch outcome {
    case .failure(let problem):
      let codes: [String]
      let text: String
      switch problem {
      case .rules(let diagnostics), .unreadable(let diagnostics), .inputs(let diagnostics):
        let errors = diagnostics.filter { $0.severity == .error }
        codes = errors.map(\.code.rawValue)
        text = describe(errors)
      case .evaluation(let errors):
        codes = errors.map(\.code.rawValue)
        text = errors.first.map { "\($0.code.rawValue) \($0.description)" + (errors.count > 1 ? " (and \(errors.count - 1) more)" : "") } ?? "no error"
      }
      if let expected = expectation.error {
        if !codes.contains(expected.code) { mismatch(errorLine, "error", expected: expected.code, got: text) }
      } else {
        mismatch(testCase.line, "evaluation", expected: "a result", got: text)
      }
      return result
    case .success(let detailed):
      evaluated = detailed.result
    }
    if let expected = expectation.error {
      mismatch(errorLine, "error", expected: expected.code, got: "no error")
      return result
    }
    var comparer = Comparer(result: evaluated)
    for check in expectation.checks {
      if let found = comparer.compare(check) {
        mismatch(found.line, found.path, expected: found.expected, got: found.got)
      }
    }
    return result
  }

  /// The first error (code, message and position) and how many more there are.
  private static func describe(_ errors: [Diagnostic]) -> String {
    guard let first = errors.first else { return "no error" }
    var text = "\(first.code.rawValue) \(first.message)"
    if first.line > 0 { text += " (\(first.file):\(first.line):\(first.column))" } else { text += " (\(first.file))" }
    if errors.count > 1 { text += " and \(errors.count - 1) more error\(errors.count == 2 ? "" : "s")" }
    return text
  }
}

/// Reads actual values from a result and compares them with expected ones.
struct Comparer {
  let result: EvaluationResult
  /// Missing scopes and subjects already reported (one mismatch each, not one per key).
  private var reported: Set<String> = []

  init(result: EvaluationResult) {
    self.result = result
  }

  private func amount(_ value: ExactDecimal) -> String {
    value.formatted(fractionDigits: Swift.max(result.decimals, value.scale))
  }

  private static func list(_ ids: [String]) -> String { "[" + ids.joined(separator: ", ") + "]" }

  /// The mismatch of one expected value, or nil when it holds.
  mutating func compare(_ check: ExpectedValue) -> RuleTestMismatch? {
    func mismatch(_ expected: String, _ got: String) -> RuleTestMismatch {
      RuleTestMismatch(line: check.line, path: check.path, expected: expected, got: got)
    }
    switch check.probe {
    case .accounting(let key):
      guard case .integer(let want) = check.value else { return nil }
      let accounting = result.accounting
      let counts = ["facts": accounting.facts, "applied": accounting.applied, "unmatched": accounting.unmatched, "rejected": accounting.rejected]
      let got = counts[key] ?? 0
      return got == want ? nil : mismatch("\(want)", "\(got)")

    case .rejected:
      guard case .rejected(let want) = check.value else { return nil }
      let byID = Dictionary(result.rejected.map { ($0.fact, $0.code.rawValue) }, uniquingKeysWith: { a, _ in a })
      let wantIDs = want.map(\.fact).sorted()
      let gotIDs = result.rejected.map(\.fact).sorted()
      let codesHold = want.allSatisfy { entry in entry.code.map { byID[entry.fact] == $0 } ?? true }
      if wantIDs == gotIDs && codesHold { return nil }
      let expected = want.sorted { $0.fact < $1.fact }.map { entry in entry.code.map { "\(entry.fact) \($0)" } ?? entry.fact }
      let got = result.rejected.sorted { $0.fact < $1.fact }.map { "\($0.fact) \($0.code.rawValue)" }
      return mismatch(Self.list(expected), Self.list(got))

    case .subject(let scope, let scopeLine, let scopePath, let id, let subjectLine, let subjectPath, let field):
      guard let scopeResult = result.scopes.first(where: { $0.scope == scope }) else {
        guard reported.insert("scope \(scopePath)").inserted else { return nil }
        return RuleTestMismatch(
          line: scopeLine, path: scopePath, expected: "a scope \(scope)", got: "the scopes \(result.scopes.map(\.scope).joined(separator: ", "))")
      }
      guard let subject = scopeResult.subjects.first(where: { $0.id == id }) else {
        guard reported.insert("subject \(subjectPath)").inserted else { return nil }
        return RuleTestMismatch(line: subjectLine, path: subjectPath, expected: "a subject \(id)", got: "no such subject in the roster")
      }
      switch (field, check.value) {
      case (.total, .amount(let want)):
        return subject.total == want ? nil : mismatch(amount(want), amount(subject.total))
      case (.rank, .integer(let want)):
        return subject.rank == want ? nil : mismatch("\(want)", "\(subject.rank)")
      case (.groupSize, .integer(let want)):
        return subject.groupSize == want ? nil : mismatch("\(want)", "\(subject.groupSize)")
      case (.grade, .grade(let want)):
        return subject.grade == want ? nil : mismatch(want ?? "null", subject.grade ?? "null")
      case (.name, .text(let want)):
        return subject.name == want ? nil : mismatch(want, subject.name)
      case (.group, .text(let want)):
        return subject.group == want ? nil : mismatch(want, subject.group)
      case (.outcomes, .ids(let want)):
        let got = subject.outcomes.map(\.id)
        return Set(want) == Set(got) ? nil : mismatch(Self.list(want), Self.list(got))
      case (.indicator(let indicator), .amount(let want)):
        guard let got = subject.indicators.first(where: { $0.id == indicator })?.value else {
          let hint = Suggest.closest(to: indicator, among: subject.indicators.map(\.id)).map { " (did you mean '\($0)'?)" } ?? ""
          return mismatch(amount(want), "no indicator \(indicator)\(hint)")
        }
        return got == want ? nil : mismatch(amount(want), amount(got))
      default:
        return nil
      }
    }
  }
}
