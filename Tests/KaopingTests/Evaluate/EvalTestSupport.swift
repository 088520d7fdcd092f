import Foundation
import Testing

@testable import Kaoping

/// The path of a file under `Tests/KaopingTests/Fixtures/eval`.
func evalFixture(_ name: String) -> String {
  fixturePath("eval/" + name)
}

/// The repository root (for `Rules/` and `Examples/`).
let repositoryRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path

/// Runs one `*.test.yaml` under Fixtures/eval and expects all its `passed` cases to pass.
func expectRuleTests(_ file: String, passed: Int, sourceLocation: SourceLocation = #_sourceLocation) {
  let report = RuleTests.run(paths: [evalFixture(file)])
  #expect(report.files.count == 1, "test file not found: \(file)", sourceLocation: sourceLocation)
  #expect(report.failed == 0, "\(report.summary)\n\(report.text + report.diagnosticText)", sourceLocation: sourceLocation)
  #expect(report.passed == passed, "\(report.summary)\n\(report.text + report.diagnosticText)", sourceLocation: sourceLocation)
}

struct EvaluationFailed: Error, CustomStringConvertible {
  var description: String
}

/// Evaluates a rule file under Fixtures/eval on fact files (and a roster file) under it.
func evaluate(
  _ rules: String, facts: [String], subjects: String? = nil, threads: Int = 1
) throws -> EvaluationResult {
  switch evaluateProblem(rules, facts: facts, subjects: subjects, threads: threads) {
  case .success(let result): return result
  case .failure(let problem): throw EvaluationFailed(description: "\(problem)")
  }
}

func evaluateProblem(
  _ rules: String, facts: [String], subjects: String? = nil, threads: Int = 1
) -> Result<EvaluationResult, EvaluationProblem> {
  let loaded = RuleFiles.load(path: evalFixture(rules))
  let request = EvaluationRequest(
    rules: loaded, factPaths: facts.map(evalFixture), subjectsPath: subjects.map(evalFixture), threads: threads)
  return Evaluation.run(request)
}

extension EvaluationResult {
  func scope(_ id: String) -> ScopeResult? {
    scopes.first { $0.scope == id }
  }

  func subject(_ id: String, in scope: String = "annual") -> SubjectResult? {
    self.scope(scope)?.subjects.first { $0.id == id }
  }

  /// One subject's ledger as compact lines (see `line(_:)`).
  func ledger(_ id: String, in scope: String = "annual") -> [String] {
    subject(id, in: scope)?.items.map { line($0) } ?? ["no subject \(id) in \(scope)"]
  }

  /// `indicator fact|kind [value=V] points [cancelled_by=ID]`, amounts at `decimals`.
  func line(_ item: LedgerItem) -> String {
    var parts = [item.indicator]
    switch item.kind {
    case .fact(let id): parts.append(id)
    case .cap: parts.append("cap")
    case .weighted: parts.append("weighted")
    case .max: parts.append("max")
    case .min: parts.append("min")
    case .score: parts.append("score")
    }
    if let value = item.value { parts.append("value=\(value)") }
    parts.append(item.points.formatted(fractionDigits: decimals))
    if let by = item.cancelledBy { parts.append("cancelled_by=\(by)") }
    return parts.joined(separator: " ")
  }

  /// One subject's indicator values as `id=amount`, in result order.
  func indicatorValues(_ id: String, in scope: String = "annual") -> [String] {
    subject(id, in: scope)?.indicators.map { "\($0.id)=\($0.value.formatted(fractionDigits: decimals))" } ?? []
  }

  /// Rejected facts as `fact row code`, in result order.
  var rejectedLines: [String] {
    rejected.map { "\($0.fact) \($0.row) \($0.code)" }
  }
}

extension SubjectResult {
  /// The sum of the ledger's points.
  var itemSum: ExactDecimal {
    items.reduce(ExactDecimal.zero) { (try? $0.adding($1.points)) ?? $0 }
  }
}

/// A decimal from text (test literals).
func dec(_ text: String) -> ExactDecimal {
  guard let value = ExactDecimal(parsing: text) else { fatalError("not a decimal: \(text)") }
  return value
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kaoping-eval-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  return directory
}
