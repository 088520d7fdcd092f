// The public face of the expression engine: compile an expression once against
// an environment, then evaluate it many times.

/// A CEL expression parsed, type-checked and compiled against an
/// `ExprEnvironment`, ready to evaluate many times.
///
/// ```swift
/// var env = ExprEnvironment(profile: .rule)
/// let fact = env.declare("fact", .object(delayType))
/// let when = try CompiledExpression("fact.days > 3", environment: env)
/// var activation = Activation(for: env)
/// activation[fact] = .object(record)
/// let result = when.evaluate(activation)   // .bool(true), or .error(…)
/// ```
///
/// Checking the result type (a condition must be `bool`, points a number) is
/// the caller's: see `resultType`.
public struct CompiledExpression: Sendable {
  /// The expression text.
  public let source: String
  /// The static type of the result (`dyn` when only known at run time).
  public let resultType: ExprType
  let root: Node
  let localCount: Int
  /// The most comprehension iterations one evaluation may take.
  var iterationLimit = comprehensionBudget

  /// Parses, checks and compiles `source`.
  /// - Throws: the parse or check problems, each with a stable code.
  public init(_ source: String, environment: ExprEnvironment) throws(ExprCompileError) {
    let (compiled, issues) = CompiledExpression.build(source, environment: environment)
    guard let compiled else {
      throw ExprCompileError(problems: issues.filter { $0.severity == .error }.map(ExprCompileError.Problem.init))
    }
    self = compiled
  }

  init(source: String, resultType: ExprType, root: Node, localCount: Int) {
    self.source = source
    self.resultType = resultType
    self.root = root
    self.localCount = localCount
  }

  /// Evaluates the expression. Never throws and never traps: failures (integer
  /// overflow, division by zero, a missing map key…) are `.error` values.
  public func evaluate(_ activation: Activation) -> Value {
    var context = EvalContext(
      variables: activation.values,
      locals: localCount == 0 ? [] : Array(repeating: .null, count: localCount),
      budget: iterationLimit)
    return root.eval(&context)
  }

  /// The result when it does not depend on any variable (folded at compile
  /// time), e.g. for `points: 20`.
  public var constantValue: Value? { root.constantValue }
}

/// Why an expression did not compile.
public struct ExprCompileError: Error, Sendable, CustomStringConvertible {
  /// One problem: a stable code (K201–K219 syntax, K220–K259 types), a message,
  /// an optional hint, and where (in Unicode scalars from the start of the
  /// expression).
  public struct Problem: Sendable, Hashable {
    /// `K201`–`K219` syntax, `K220`–`K259` types (see `Checker`).
    public var code: String
    /// What is wrong, in words a policy officer can act on.
    public var message: String
    /// What to write instead, when there is something specific to suggest.
    public var hint: String?
    /// Unicode scalars from the start of the expression to the offending token.
    public var offset: Int

    init(_ issue: ExprIssue) {
      code = issue.code
      message = issue.message
      hint = issue.hint
      offset = issue.offset
    }
  }

  /// Every problem found, in source order.
  public var problems: [Problem]

  public var description: String {
    problems.map { "\($0.offset + 1): \($0.message) [\($0.code)]" }.joined(separator: "\n")
  }
}

extension CompiledExpression {
  /// Parses, checks and compiles; the expression is `nil` when an issue is an
  /// error (unless `lenient`, where check problems become run-time errors).
  static func build(
    _ source: String, environment: ExprEnvironment, lenient: Bool = false
  ) -> (CompiledExpression?, [ExprIssue]) {
    let parsed = CELParser.parse(source)
    guard let ast = parsed.expr else { return (nil, parsed.issues) }
    let (compiled, issues) = build(ast: ast, source: source, environment: environment, lenient: lenient)
    return (compiled, parsed.issues + issues)
  }

  /// Checks and compiles a parsed expression.
  static func build(
    ast: Expr, source: String, environment: ExprEnvironment, lenient: Bool = false
  ) -> (CompiledExpression?, [ExprIssue]) {
    let checker = Checker(environment: environment, lenient: lenient)
    let (checked, type) = checker.checkExpression(ast)
    let issues = checker.issues
    if !lenient && issues.contains(where: { $0.severity == .error }) {
      return (nil, issues)
    }
    let root = Compiler(environment: environment).compile(checked)
    return (
      CompiledExpression(source: source, resultType: type, root: root, localCount: checker.localCount),
      issues
    )
  }
}

extension ExprIssue {
  /// The issue as a diagnostic for an expression given on its own (file
  /// `<expr>`), with line and column computed from the offset.
  func diagnostic(file: String, source: String) -> Diagnostic {
    var line = 1
    var column = 1
    var i = 0
    for scalar in source.unicodeScalars {
      if i >= offset { break }
      if scalar == "\n" {
        line += 1
        column = 1
      } else {
        column += 1
      }
      i += 1
    }
    return Diagnostic(
      severity == .error ? .error : .warning, code: DiagnosticCode(rawValue: code), message: message, file: file,
      line: line, column: column, hint: hint)
  }
}
