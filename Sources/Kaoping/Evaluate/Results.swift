// The results of evaluating a rule file on a roster and facts (spec §13.1): what every
// report writer reads. Amounts are exact decimals already rounded to `decimals`.

/// Everything one evaluation produced.
public struct EvaluationResult: Sendable {
  /// The rule file: its id, title and the sha256 of its bytes.
  public var rules: RulesInfo
  /// The roster and fact files, in command-line order.
  public var inputs: [InputInfo]
  /// The scopes written: periods in file order, then `annual`.
  public var scopes: [ScopeResult]
  public var accounting: Accounting
  /// Rejected facts, sorted by (file order, row).
  public var rejected: [RejectedFact]
  /// Input warnings, one per kind, with a count.
  public var warnings: [InputWarning]
  /// The scale of amounts (fraction digits).
  public var decimals: Int
  /// The ids of the top-level indicators, in file order (CSV columns).
  public var topLevelIndicators: [String]
  /// The names of groups by id (for tables); may miss ids.
  public var groupNames: [String: String]
  /// The names of outcomes and grades by id (for tables); may miss ids.
  public var outcomeNames: [String: String]
  public var gradeNames: [String: String]

  public init(
    rules: RulesInfo, inputs: [InputInfo], scopes: [ScopeResult], accounting: Accounting,
    rejected: [RejectedFact], warnings: [InputWarning], decimals: Int, topLevelIndicators: [String],
    groupNames: [String: String] = [:], outcomeNames: [String: String] = [:], gradeNames: [String: String] = [:]
  ) {
    self.rules = rules
    self.inputs = inputs
    self.scopes = scopes
    self.accounting = accounting
    self.rejected = rejected
    self.warnings = warnings
    self.decimals = decimals
    self.topLevelIndicators = topLevelIndicators
    self.groupNames = groupNames
    self.outcomeNames = outcomeNames
    self.gradeNames = gradeNames
  }
}

/// The rule file a result was produced from.
public struct RulesInfo: Sendable, Hashable {
  public var id: String
  public var title: String?
  public var sha256: String

  public init(id: String, title: String?, sha256: String) {
    self.id = id
    self.title = title
    self.sha256 = sha256
  }
}

/// One input file of a run.
public struct InputInfo: Sendable, Hashable {
  public enum Role: String, Sendable, Hashable {
    case subjects
    case facts
  }

  public var role: Role
  /// The path as given on the command line.
  public var path: String
  public var sha256: String
  public var records: Int

  public init(role: Role, path: String, sha256: String, records: Int) {
    self.role = role
    self.path = path
    self.sha256 = sha256
    self.records = records
  }
}

/// The results of one scope (a period or `annual`).
public struct ScopeResult: Sendable {
  /// `Q1`, …, or `annual`.
  public var scope: String
  /// Subjects in roster order.
  public var subjects: [SubjectResult]

  public init(scope: String, subjects: [SubjectResult]) {
    self.scope = scope
    self.subjects = subjects
  }
}

/// One subject's result in one scope.
public struct SubjectResult: Sendable {
  public var id: String
  public var name: String
  public var group: String
  public var total: ExactDecimal
  public var rank: Int
  public var groupSize: Int
  /// The grade id, or nil when none fits or the file has no grades.
  public var grade: String?
  /// Flags in file order of the outcomes.
  public var outcomes: [OutcomeFlag]
  /// Every node's value, nested ones too, in document order.
  public var indicators: [IndicatorValue]
  /// The ledger; empty in an annual scope formed by weights.
  public var items: [LedgerItem]
  /// In an annual scope formed by weights: each period's weight and total.
  public var periods: [PeriodContribution]?

  public init(
    id: String, name: String, group: String, total: ExactDecimal, rank: Int, groupSize: Int, grade: String?,
    outcomes: [OutcomeFlag], indicators: [IndicatorValue], items: [LedgerItem], periods: [PeriodContribution]? = nil
  ) {
    self.id = id
    self.name = name
    self.group = group
    self.total = total
    self.rank = rank
    self.groupSize = groupSize
    self.grade = grade
    self.outcomes = outcomes
    self.indicators = indicators
    self.items = items
    self.periods = periods
  }
}

/// A node's value in a scope.
public struct IndicatorValue: Sendable, Hashable {
  public var id: String
  public var value: ExactDecimal

  public init(id: String, value: ExactDecimal) {
    self.id = id
    self.value = value
  }
}

/// An outcome flag with its reason (§10).
public struct OutcomeFlag: Sendable, Hashable {
  public var id: String
  public var reason: String

  public init(id: String, reason: String) {
    self.id = id
    self.reason = reason
  }
}

/// A period's share of a weighted annual total.
public struct PeriodContribution: Sendable, Hashable {
  public var period: String
  public var weight: ExactDecimal
  public var total: ExactDecimal

  public init(period: String, weight: ExactDecimal, total: ExactDecimal) {
    self.period = period
    self.weight = weight
    self.total = total
  }
}

/// One line of a subject's ledger: items always add up to total − base.
public struct LedgerItem: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    /// Points of one fact (`fact` key).
    case fact(String)
    /// The cap adjustment of a bonus or deduction.
    case cap
    /// The difference a weighted parent makes to its children's sum.
    case weighted
    /// The clamp of a node's `max`.
    case max
    /// The clamp of a node's `min`.
    case min
    /// A score node's item (carries `value`).
    case score
  }

  public var indicator: String
  public var kind: Kind
  /// A score node's value (written plain, rounded to 6 fraction digits when longer).
  public var value: ExactDecimal?
  public var points: ExactDecimal
  /// The id of the fact that cancelled this one (the smallest, when several did).
  public var cancelledBy: String?

  public init(indicator: String, kind: Kind, value: ExactDecimal? = nil, points: ExactDecimal, cancelledBy: String? = nil) {
    self.indicator = indicator
    self.kind = kind
    self.value = value
    self.points = points
    self.cancelledBy = cancelledBy
  }
}

/// How the input facts ended (§3): facts = applied + unmatched + rejected.
public struct Accounting: Sendable, Hashable {
  public var facts: Int
  public var applied: Int
  public var unmatched: Int
  public var rejected: Int

  public init(facts: Int, applied: Int, unmatched: Int, rejected: Int) {
    self.facts = facts
    self.applied = applied
    self.unmatched = unmatched
    self.rejected = rejected
  }
}

/// A fact that was rejected, with where it came from and why.
public struct RejectedFact: Sendable, Hashable {
  /// The fact's id (or `FILE:ROW`).
  public var fact: String
  public var file: String
  public var row: Int
  public var code: DiagnosticCode
  public var reason: String

  public init(fact: String, file: String, row: Int, code: DiagnosticCode, reason: String) {
    self.fact = fact
    self.file = file
    self.row = row
    self.code = code
    self.reason = reason
  }
}

/// An input warning of one kind, with how many facts or columns it concerns.
public struct InputWarning: Sendable, Hashable {
  public var code: DiagnosticCode
  public var message: String
  public var facts: Int

  public init(code: DiagnosticCode, message: String, facts: Int) {
    self.code = code
    self.message = message
    self.facts = facts
  }
}

extension EvaluationResult {
  /// The result with only the scopes `selection` names: `all`, `annual` or a period id;
  /// nil when no scope has that id.
  public func selectingScope(_ selection: String) -> EvaluationResult? {
    if selection == "all" { return self }
    guard let scope = scopes.first(where: { $0.scope == selection }) else { return nil }
    var copy = self
    copy.scopes = [scope]
    return copy
  }
}
