// What an expression may refer to: declared variables, the numeric profile, and
// the working-day calendar.

/// How numbers with a fraction behave (spec §12.1).
public enum NumericProfile: String, Sendable, Hashable, CaseIterable {
  /// Rule files: numbers with a fraction are exact decimals, and int and
  /// decimal unify (the int is promoted).
  case rule
  /// Exactly CEL: IEEE doubles; int and double never mix in arithmetic.
  case cel
}

/// The declarations an expression is checked against. Each variable gets a
/// slot: the index of its value in an `Activation`.
public struct ExprEnvironment: Sendable {
  /// How numbers with a fraction behave.
  public var profile: NumericProfile
  /// The calendar `workdays()` counts with; without one, `workdays` is a
  /// check error.
  public var calendar: WorkCalendar?
  private(set) var variables: [String: Variable] = [:]
  private(set) var variableNames: [String] = []

  struct Variable: Sendable {
    var type: ExprType
    var slot: Int
  }

  /// An environment with no variables.
  public init(profile: NumericProfile = .rule, calendar: WorkCalendar? = nil) {
    self.profile = profile
    self.calendar = calendar
  }

  /// Declares a variable (a dotted name such as `a.b` is allowed) and returns
  /// its slot. Declaring a name again changes its type and keeps its slot.
  @discardableResult
  public mutating func declare(_ name: String, _ type: ExprType) -> Int {
    if let existing = variables[name] {
      variables[name] = Variable(type: type, slot: existing.slot)
      return existing.slot
    }
    let slot = variableNames.count
    variables[name] = Variable(type: type, slot: slot)
    variableNames.append(name)
    return slot
  }

  /// The slot of a declared variable.
  public func slot(of name: String) -> Int? { variables[name]?.slot }

  /// The declared type of a variable.
  public func type(of name: String) -> ExprType? { variables[name]?.type }

  /// The number of slots an `Activation` for this environment holds.
  public var variableCount: Int { variableNames.count }
}

/// The values of an environment's variables, by slot, for one evaluation.
/// Build one per fact by replacing the values that change.
public struct Activation: Sendable {
  /// The values by slot; a slot past the end evaluates to an error.
  public var values: [Value]

  /// An activation with these values by slot.
  public init(_ values: [Value] = []) {
    self.values = values
  }

  /// An activation for `environment` with every variable `null`.
  public init(for environment: ExprEnvironment) {
    values = Array(repeating: .null, count: environment.variableCount)
  }

  /// The value of the variable in `slot`.
  public subscript(slot: Int) -> Value {
    get { values[slot] }
    set { values[slot] = newValue }
  }
}
