import Testing

@testable import Kaoping

/// What an expression is expected to give: a typed JSON value, any evaluation
/// error, or a check (or parse) error with a code.
enum Expected: Sendable, CustomStringConvertible {
  case value(String)
  case evalError
  case issue(String)

  var description: String {
    switch self {
    case .value(let json): return json
    case .evalError: return "an evaluation error"
    case .issue(let code): return "issue \(code)"
    }
  }
}

/// A variable for `evaluate`: its name, declared type and value.
struct TestVariable: Sendable {
  var name: String
  var type: ExprType
  var value: Value
}

/// Compiles and evaluates `source`; the typed JSON of the result, or the
/// codes of the compile problems.
func evaluate(
  _ source: String, profile: NumericProfile = .cel, variables: [TestVariable] = [], calendar: WorkCalendar? = nil
) -> Result<Value, ExprCompileError> {
  var environment = ExprEnvironment(profile: profile, calendar: calendar)
  var activation = Activation()
  for v in variables {
    let slot = environment.declare(v.name, v.type)
    if slot == activation.values.count { activation.values.append(v.value) } else { activation[slot] = v.value }
  }
  do {
    let compiled = try CompiledExpression(source, environment: environment)
    return .success(compiled.evaluate(activation))
  } catch {
    return .failure(error)
  }
}

/// Checks one expectation, recording a readable failure.
func expect(
  _ source: String, _ expected: Expected, profile: NumericProfile = .cel, variables: [TestVariable] = [],
  calendar: WorkCalendar? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
  let result = evaluate(source, profile: profile, variables: variables, calendar: calendar)
  switch (result, expected) {
  case (.success(let v), .value(let json)):
    #expect(TypedJSON.encodeText(v) == json, "\(source)", sourceLocation: sourceLocation)
  case (.success(let v), .evalError):
    #expect(v.isError, "\(source) gave \(TypedJSON.encodeText(v))", sourceLocation: sourceLocation)
  case (.failure(let e), .issue(let code)):
    #expect(e.problems.contains { $0.code == code }, "\(source): \(e)", sourceLocation: sourceLocation)
  case (.success(let v), .issue(let code)):
    Issue.record("\(source): expected \(code), got \(TypedJSON.encodeText(v))", sourceLocation: sourceLocation)
  case (.failure(let e), _):
    Issue.record("\(source): expected \(expected), got \(e)", sourceLocation: sourceLocation)
  }
}

/// The compile problems of `source` (empty when it compiles).
func problems(
  _ source: String, profile: NumericProfile = .cel, variables: [TestVariable] = [], calendar: WorkCalendar? = nil
) -> [ExprCompileError.Problem] {
  if case .failure(let e) = evaluate(source, profile: profile, variables: variables, calendar: calendar) {
    return e.problems
  }
  return []
}

/// The result type of `source`.
func resultType(_ source: String, profile: NumericProfile = .cel, variables: [TestVariable] = []) -> ExprType? {
  var environment = ExprEnvironment(profile: profile)
  for v in variables { environment.declare(v.name, v.type) }
  return try? CompiledExpression(source, environment: environment).resultType
}
