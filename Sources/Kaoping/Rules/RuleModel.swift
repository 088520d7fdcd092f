// The rule model: what a checked rule file says, as Swift values (spec §1–§11).
// Every type here is immutable after loading and safe to share between threads.

/// A checked rule file.
public struct RuleSet: Sendable {
  /// The `kaoping:` format version (always 1 for now).
  public var formatVersion: Int
  public var id: String
  public var title: String?
  /// Every subject starts from this (default 0).
  public var base: ExactDecimal
  /// The scale of every amount, 0...6 (default 2).
  public var decimals: Int
  /// The working-day calendar, when the file declares one (or `covers` can be derived).
  public var calendar: WorkCalendar?
  /// Periods in file order; empty when the file declares none.
  public var periods: [Period]
  public var annual: AnnualMode
  /// Groups in file order; when the file declares none, there is one group `all`.
  public var groups: [Group]
  /// Whether the file declared `groups` (rosters then need a `group` column).
  public var declaresGroups: Bool
  /// Typed roster attributes visible to expressions as `subject.NAME`.
  public var attributes: [Attribute]
  /// The inline roster, if any.
  public var subjects: [SubjectRecord]?
  /// Fact types in file order.
  public var factTypes: [FactType]
  public var scorers: [Scorer]
  /// The top-level indicators (the rule graph's roots), in file order.
  public var indicators: [Indicator]
  public var ranking: Ranking
  public var outcomes: [Outcome]
  public var grades: [Grade]
  /// What the decoder could not read, so that checks do not report follow-on problems.
  var decodeNotes = DecodeNotes()

  /// The fact type named `id`.
  public func factType(_ id: String) -> FactType? { factTypes.first { $0.id == id } }

  /// Every indicator, nested ones too, in document order.
  public var allIndicators: [Indicator] {
    var result: [Indicator] = []
    func walk(_ nodes: [Indicator]) {
      for node in nodes {
        result.append(node)
        if case .parts(let parts) = node.kind { walk(parts.children) }
      }
    }
    walk(indicators)
    return result
  }
}

/// Where something was written in a rule file (1-based line and column).
public struct RuleLocation: Sendable, Hashable {
  public var file: String
  public var line: Int
  public var column: Int
}

/// Where the parts of one entry of a rule file were written: the value of key `KEY` at
/// `self["KEY"]`, the key itself at `self["KEY:"]`, the N-th item of a list value at
/// `self["KEY.N"]` and the key `K` of a mapping value at `self["KEY.K"]`. Diagnostics use
/// it to point at the offending token rather than at the entry.
struct SourcePlaces: Sendable, Hashable {
  var entries: [String: RuleLocation] = [:]

  subscript(_ key: String) -> RuleLocation? { entries[key] }

  /// The place of `key`, or `fallback` when it was not written.
  func at(_ key: String, or fallback: RuleLocation) -> RuleLocation { entries[key] ?? fallback }

  /// The place of the `index`-th item of the list under `key` (or of the value itself when
  /// a single scalar stands for a list of one).
  func item(_ key: String, _ index: Int, or fallback: RuleLocation) -> RuleLocation {
    entries["\(key).\(index)"] ?? entries[key] ?? fallback
  }
}

/// What the decoder found but could not read, so that the checks after it report the
/// mistake once and not again as a follow-on problem elsewhere.
struct DecodeNotes: Sendable, Hashable {
  /// Some indicator (or part of one) could not be read: what it reads is unknown, so
  /// "nothing reads this fact type" and "no cancelled_by names it" are not reported.
  var incompleteIndicators = false
  /// Every period id written, also of periods whose dates could not be read.
  var periodIDs: [String] = []
  /// Every grade id written, also of grades that could not be read.
  var gradeIDs: [String] = []
  /// Every group id written, also of groups that could not be read.
  var groupIDs: [String] = []
  /// Fact fields (`TYPE.FIELD`) and attributes whose type could not be read: expressions
  /// see them as `dyn`.
  var untypedFields: Set<String> = []
  var untypedAttributes: Set<String> = []
  /// Sections that were written but could not be read (or, for `facts`, are missing):
  /// references into them and expressions reading them are not checked.
  var factTypesUnreadable = false
  var groupsUnreadable = false
  var periodsUnreadable = false
  var gradesUnreadable = false
  var scorersUnreadable = false
  var attributesUnreadable = false
  /// Fact types whose fields could not be read: expressions see their facts as `dyn`.
  var untypedFactTypes: Set<String> = []
  /// Where `annual:` and its weights were written.
  var annualPlaces = SourcePlaces()
  /// Whether every annual weight was written as a percentage.
  var annualWeightsInPercent = false
  /// Whether every annual weight could be read (their sum is checked only then).
  var annualWeightsReadable = true
}

/// An assessment period, e.g. a quarter.
public struct Period: Sendable, Hashable {
  public var id: String
  public var name: String?
  public var from: CELDate
  public var to: CELDate
  public var location: RuleLocation
  var places = SourcePlaces()
}

/// How the annual scope is formed (§5).
public enum AnnualMode: Sendable, Hashable {
  /// All facts of all periods evaluated as one scope.
  case facts
  /// Each node's annual value is the weighted sum of its period values.
  case weights([(period: String, weight: ExactDecimal)])

  public static func == (a: AnnualMode, b: AnnualMode) -> Bool {
    switch (a, b) {
    case (.facts, .facts): return true
    case (.weights(let x), .weights(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.period == $1.period && $0.weight == $1.weight }
    default: return false
    }
  }

  public func hash(into hasher: inout Hasher) {
    switch self {
    case .facts: hasher.combine(0)
    case .weights(let list):
      hasher.combine(1)
      for entry in list {
        hasher.combine(entry.period)
        hasher.combine(entry.weight)
      }
    }
  }
}

/// A ranking group (a category of subjects).
public struct Group: Sendable, Hashable {
  public var id: String
  public var name: String?
  /// Where the group is declared (nil for the implicit group `all`).
  public var location: RuleLocation?
  var places = SourcePlaces()
}

/// A declared roster attribute.
public struct Attribute: Sendable, Hashable {
  public var id: String
  public var type: FieldType
  public var optional: Bool
}

/// One subject of an inline roster, with its attribute values as written.
public struct SubjectRecord: Sendable, Hashable {
  public var id: String
  public var name: String?
  public var group: String?
  /// Attribute values as text, by attribute id (typed when the roster is loaded).
  public var attributes: [String: String]
  public var location: RuleLocation
  var places = SourcePlaces()
}

/// The type of a fact field or roster attribute (§3).
public enum FieldType: Sendable, Hashable, CustomStringConvertible {
  case string
  case int
  case decimal
  case bool
  case date
  /// One of the listed values (free text).
  case enumeration([String])

  public var description: String {
    switch self {
    case .string: "string"
    case .int: "int"
    case .decimal: "decimal"
    case .bool: "bool"
    case .date: "date"
    case .enumeration: "enum"
    }
  }

  /// The expression type of a value of this field type.
  var exprType: ExprType {
    switch self {
    case .string, .enumeration: .string
    case .int: .int
    case .decimal: .double
    case .bool: .bool
    case .date: .date
    }
  }
}

/// A declared fact type.
public struct FactType: Sendable, Hashable {
  public var id: String
  public var name: String?
  /// Declared fields in file order (built-in fields are not listed).
  public var fields: [Field]
  public var location: RuleLocation

  /// A declared field.
  public struct Field: Sendable, Hashable {
    public var id: String
    public var type: FieldType
    public var optional: Bool
    public var location: RuleLocation
    /// The written type could not be read (a problem already reported): expressions see `dyn`.
    var untyped = false
  }

  /// The field named `id`.
  public func field(_ id: String) -> Field? { fields.first { $0.id == id } }
}

/// A scorer: a department entitled to score some indicators (谁部署谁赋分).
public struct Scorer: Sendable, Hashable {
  public var id: String
  public var name: String
}

/// A CEL expression written in a rule file, with where it was written.
public struct RuleExpression: Sendable {
  /// The expression text (the YAML scalar's value).
  public var source: String
  public var location: RuleLocation
  /// Maps a Unicode-scalar offset in `source` to a position in the file.
  let positions: ScalarPositions
  /// The checked and compiled form.
  var compiled: CompiledExpression?

  /// The position in the file of `offset` (Unicode scalars into `source`).
  func location(ofOffset offset: Int) -> RuleLocation {
    let (line, column) = positions.position(of: offset)
    return RuleLocation(file: location.file, line: line, column: column)
  }
}

/// An indicator: a node of the rule graph (§8).
public struct Indicator: Sendable {
  public var id: String
  public var name: String?
  /// The weight under a weighted parent (a fraction; percentages are converted).
  public var weight: ExactDecimal?
  /// Groups the node applies to; `nil` for all.
  public var appliesTo: [String]?
  public var max: ExactDecimal?
  public var min: ExactDecimal?
  public var kind: Kind
  public var location: RuleLocation
  var places = SourcePlaces()
  /// Whether the weight was written as a percentage (messages and the dump show it so).
  var weightInPercent = false

  public enum Kind: Sendable {
    case bonus(PerFactRule)
    case deduction(PerFactRule)
    case score(ScoreRule)
    case parts(PartsRule)
  }

  /// The name of the node's kind as written in the file.
  public var kindName: String {
    switch kind {
    case .bonus: "bonus"
    case .deduction: "deduction"
    case .score: "score"
    case .parts: "parts"
    }
  }
}

/// A `bonus` or `deduction`: points per selected fact.
public struct PerFactRule: Sendable {
  /// The fact type read.
  public var facts: String
  public var when: RuleExpression?
  public var points: Points
  public var cap: ExactDecimal?
  public var scorers: [String]?
  public var cancelledBy: String?
  var places = SourcePlaces()
}

/// How many points a fact gives.
public enum Points: Sendable {
  case fixed(ExactDecimal)
  case expression(RuleExpression)
  case table(PointsTable)
}

/// `points: {by: EXPR, table: {KEY: number}, default: number}`.
public struct PointsTable: Sendable {
  public var by: RuleExpression
  /// Keys in file order, with their points.
  public var entries: [(key: String, points: ExactDecimal)]
  public var defaultPoints: ExactDecimal?
  var places = SourcePlaces()

  /// The points for `key`, falling back to the default.
  public func points(for key: String) -> ExactDecimal? {
    entries.first { $0.key == key }?.points ?? defaultPoints
  }
}

/// A `score` node: points from a per-subject value.
public struct ScoreRule: Sendable {
  public var value: RuleExpression
  public var rule: Rule

  public enum Rule: Sendable {
    case points(RuleExpression)
    case tiers([Tier])
  }
}

/// One tier of a score: `min` inclusive (nil for the catch-all last tier).
public struct Tier: Sendable {
  public var min: ExactDecimal?
  public var points: TierPoints
  public var location: RuleLocation
  var places = SourcePlaces()
  /// Whether `min` was written but could not be read.
  var minUnreadable = false
  /// `min` as written (`98%`), for messages.
  var minText: String?
}

/// The points of a tier: a number or an expression over `value`.
public enum TierPoints: Sendable {
  case fixed(ExactDecimal)
  case expression(RuleExpression)
}

/// A `parts` node combining its children.
public struct PartsRule: Sendable {
  public enum Combine: String, Sendable, Hashable {
    case sum
    case weighted
  }

  public var combine: Combine
  public var children: [Indicator]
  /// Whether `combine` was written but could not be read (its weights are then not checked).
  var combineUnreadable = false
}

/// How subjects are ranked (§9).
public struct Ranking: Sendable, Hashable {
  public enum Within: String, Sendable, Hashable { case group, all }
  public enum Order: String, Sendable, Hashable { case desc, asc }
  public enum Ties: String, Sendable, Hashable { case shared, dense }

  public var within: Within = .group
  public var order: Order = .desc
  public var ties: Ties = .shared
}

/// A flag on ranked results (§10).
public struct Outcome: Sendable {
  public enum Scope: String, Sendable, Hashable { case periods, annual }
  public enum Rounding: String, Sendable, Hashable { case ceil, floor, round }
  public enum BoundaryTies: String, Sendable, Hashable { case exclude, include }

  /// `bottom: k` or `bottom: p%`.
  public enum Bottom: Sendable, Hashable {
    case count(Int)
    /// A percentage, as a fraction (5% is 0.05).
    case share(ExactDecimal)
  }

  public var id: String
  public var name: String?
  public var scope: Scope
  public var bottom: Bottom?
  /// The text of `bottom` as written (for reasons, e.g. `5%`).
  public var bottomText: String?
  public var rounding: Rounding
  public var boundaryTies: BoundaryTies
  public var when: RuleExpression?
  public var onlyIf: RuleExpression?
  public var denyGrades: [String]
  public var forceGrade: String?
  public var location: RuleLocation
  var places = SourcePlaces()
}

/// A grade (§11).
public struct Grade: Sendable, Hashable {
  public var id: String
  public var name: String?
  public var min: ExactDecimal?
  /// The quota as a fraction of the ranking group (20% is 0.2).
  public var quota: ExactDecimal?
  public var location: RuleLocation
  var places = SourcePlaces()
  /// Whether `min` was written but could not be read.
  var minUnreadable = false
}

extension Indicator {
  /// The rule of a `bonus` or `deduction` node.
  public var perFactRule: PerFactRule? {
    switch kind {
    case .bonus(let rule), .deduction(let rule): rule
    default: nil
    }
  }

  /// Whether the node is a `deduction` (its items are negative).
  public var isDeduction: Bool {
    if case .deduction = kind { return true }
    return false
  }
}
