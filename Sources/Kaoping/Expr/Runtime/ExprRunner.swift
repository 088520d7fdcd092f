// `kaoping expr`: one expression, with variables given as typed JSON, parsed,
// checked, evaluated and printed. The command is a thin shell around this, and
// the conformance tests run the same code.

/// Runs `kaoping expr 'EXPRESSION' [--var NAME=TYPED_JSON]… [--profile rule|cel]
/// [--format text|json]`.
public enum ExprRunner {
  /// How the result is printed.
  public enum OutputFormat: String, Sendable, CaseIterable {
    /// A human form: `2.675 (double)`.
    case text
    /// One line of typed JSON (spec §12.4): `{"double":"2.675"}`.
    case json
  }

  /// What the command prints and its exit status.
  public struct Outcome: Sendable, Equatable {
    /// 0 for a result (also an evaluation error), 1 for a parse or check error,
    /// 64 for a bad `--var`.
    public var exitCode: Int32
    /// The result, one line (empty on a parse, check or usage error).
    public var standardOutput: String
    /// Diagnostics.
    public var standardError: String
  }

  /// The name used for the expression in diagnostics.
  static let sourceName = "<expr>"

  /// Runs one expression.
  /// - Parameters:
  ///   - variables: `NAME=TYPED_JSON` definitions; each declares a variable of
  ///     the value's type (lists and maps get the common type of their
  ///     elements, or `dyn`).
  public static func run(
    expression: String, variables: [String], profile: NumericProfile = .rule, format: OutputFormat = .text
  ) -> Outcome {
    run(expression: expression, variables: variables, profile: profile, format: format, typeCheck: true)
  }

  /// - Parameter typeCheck: when false, type errors do not stop evaluation but
  ///   fail at run time (CEL's "disable check", for conformance cases).
  static func run(
    expression: String, variables: [String], profile: NumericProfile, format: OutputFormat, typeCheck: Bool
  ) -> Outcome {
    var environment = ExprEnvironment(profile: profile)
    var values: [Value] = []
    for definition in variables {
      switch parseVariable(definition, profile: profile) {
      case .failure(let error):
        return Outcome(exitCode: 64, standardOutput: "", standardError: "kaoping expr: \(error.message)\n")
      case .success(let (name, value)):
        let slot = environment.declare(name, TypedJSON.staticType(of: value))
        if slot < values.count {
          values[slot] = value
        } else {
          values.append(value)
        }
      }
    }
    let (compiled, issues) = CompiledExpression.build(expression, environment: environment, lenient: !typeCheck)
    var sources = SourceLines()
    sources.add(file: sourceName, text: expression)
    let diagnostics = issues.map { $0.diagnostic(file: sourceName, source: expression) }
    let errorText = Diagnostic.render(Diagnostic.sorted(diagnostics), as: .text, sources: sources)
    guard let compiled else {
      return Outcome(exitCode: 1, standardOutput: "", standardError: errorText)
    }
    let shown = typeCheck ? errorText : ""
    let value = compiled.evaluate(Activation(values))
    let output: String
    switch format {
    case .json: output = TypedJSON.encodeText(value)
    case .text: output = text(value, type: compiled.resultType)
    }
    return Outcome(exitCode: 0, standardOutput: output + "\n", standardError: shown)
  }

  /// `NAME=TYPED_JSON` → the name and the value.
  static func parseVariable(_ definition: String, profile: NumericProfile) -> Result<(String, Value), VariableError> {
    guard let equals = definition.firstIndex(of: "=") else {
      return .failure(VariableError("--var \(definition): write NAME=TYPED_JSON, like x={\"int\":\"3\"}"))
    }
    let name = String(definition[..<equals])
    let json = String(definition[definition.index(after: equals)...])
    guard isVariableName(name) else {
      return .failure(VariableError("--var \(definition): '\(name)' is not a variable name"))
    }
    let parsed: JSONValue
    do {
      parsed = try JSONReader.parse(json)
    } catch {
      return .failure(VariableError("--var \(name): invalid JSON at column \(error.column): \(error.message)"))
    }
    do {
      return .success((name, try TypedJSON.decode(parsed, profile: profile)))
    } catch {
      return .failure(VariableError("--var \(name): \(error.message)"))
    }
  }

  struct VariableError: Error {
    var message: String
    init(_ message: String) { self.message = message }
  }

  /// An identifier, or identifiers joined by dots (`a.b.c`).
  static func isVariableName(_ name: String) -> Bool {
    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
    return !parts.isEmpty
      && parts.allSatisfy { part in
        guard let first = part.unicodeScalars.first, first == "_" || first.isASCIILetter else { return false }
        return part.unicodeScalars.allSatisfy { $0 == "_" || $0.isASCIILetter || ("0"..."9").contains($0) }
      }
  }

  /// The text form: the value as CEL would write it, and its type.
  static func text(_ value: Value, type: ExprType) -> String {
    if case .error(let e) = value { return "error: \(e.message)" }
    let shownType: String
    switch type {
    case .dyn, .error, .typeParam: shownType = value.typeName
    default: shownType = type.description
    }
    return "\(value.literalText) (\(shownType))"
  }
}

extension Unicode.Scalar {
  fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
