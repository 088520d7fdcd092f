/// The kinds of change `kaoping diff` reports (§13.3), in the order changes of one
/// subject are listed.
public enum ChangeKind: String, Sendable, CaseIterable, Comparable {
  case total
  case rank
  case grade
  case outcomes

  public static func < (a: ChangeKind, b: ChangeKind) -> Bool {
    (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
  }

  /// The kind named on the command line (`total`, `rank`, `grade`, `outcome` or `outcomes`).
  public init?(option: some StringProtocol) {
    switch option {
    case "total": self = .total
    case "rank": self = .rank
    case "grade": self = .grade
    case "outcome", "outcomes": self = .outcomes
    default: return nil
    }
  }
}

/// A subject's result in one scope, as far as a diff compares it.
public struct SubjectState: Sendable, Hashable {
  public var total: ExactDecimal
  public var rank: Int
  public var groupSize: Int
  public var grade: String?
  /// Flagged outcome ids, in file order.
  public var outcomes: [String]

  init(_ result: SubjectResult) {
    total = result.total
    rank = result.rank
    groupSize = result.groupSize
    grade = result.grade
    outcomes = result.outcomes.map(\.id)
  }
}

/// One subject's movement in one scope.
public struct SubjectChange: Sendable {
  public var scope: String
  public var subject: String
  public var name: String
  public var group: String
  /// The result before the change; nil when OLD has no such subject or scope.
  public var old: SubjectState?
  /// The result after the change; nil when NEW has no such subject or scope.
  public var new: SubjectState?

  /// Outcome ids flagged after but not before, in file order.
  public var gained: [String] {
    let before = old?.outcomes ?? []
    return (new?.outcomes ?? []).filter { !before.contains($0) }
  }

  /// Outcome ids flagged before but not after, in file order.
  public var lost: [String] {
    let after = new?.outcomes ?? []
    return (old?.outcomes ?? []).filter { !after.contains($0) }
  }

  /// The kinds of change, in `ChangeKind` order.
  public var kinds: [ChangeKind] {
    var kinds: [ChangeKind] = []
    if old?.total != new?.total { kinds.append(.total) }
    if old?.rank != new?.rank { kinds.append(.rank) }
    if old?.grade != new?.grade { kinds.append(.grade) }
    if !gained.isEmpty || !lost.isEmpty { kinds.append(.outcomes) }
    return kinds
  }

  /// NEW total minus OLD total, when both exist.
  public var delta: ExactDecimal? {
    guard let old, let new else { return nil }
    return try? new.total.subtracting(old.total)
  }
}

/// Counts of moved results, for one scope or for the whole diff.
public struct DiffCounts: Sendable, Hashable {
  /// Subjects (in one scope) whose result moved at all.
  public var moved = 0
  public var total = 0
  public var rank = 0
  public var grade = 0
  public var outcomes = 0
  /// Per outcome id, in the order outcomes are declared: subjects that gained and lost it.
  public var perOutcome: [(id: String, gained: Int, lost: Int)] = []

  public static func == (a: DiffCounts, b: DiffCounts) -> Bool {
    a.moved == b.moved && a.total == b.total && a.rank == b.rank && a.grade == b.grade && a.outcomes == b.outcomes
      && a.perOutcome.map(\.id) == b.perOutcome.map(\.id) && a.perOutcome.map(\.gained) == b.perOutcome.map(\.gained)
      && a.perOutcome.map(\.lost) == b.perOutcome.map(\.lost)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(moved)
    hasher.combine(total)
    hasher.combine(rank)
    hasher.combine(grade)
    hasher.combine(outcomes)
  }
}

/// The comparison of two results on the same inputs (`kaoping diff`, §13.3).
public struct ResultDiff: Sendable {
  /// How OLD and NEW are named in reports (the rule files' paths on the command line).
  public var oldLabel: String
  public var newLabel: String
  /// Subjects that moved, sorted by (scope order, roster order).
  public var changes: [SubjectChange]
  /// Every compared scope in order, with how many subjects it holds.
  public var scopes: [(scope: String, subjects: Int)]
  public var oldAccounting: Accounting
  public var newAccounting: Accounting
  public var decimals: Int
  /// Names of groups, outcomes and grades (NEW's, then OLD's), for reports.
  public var groupNames: [String: String]
  public var outcomeNames: [String: String]
  public var gradeNames: [String: String]
  /// Outcome ids in declaration order (NEW's, then OLD's), for the summary.
  private var outcomeOrder: [String]

  /// Compares two results scope by scope and subject by subject. Scopes are taken in
  /// NEW's order (then OLD's extra ones), subjects in roster order.
  /// `outcomeOrder` (the outcome ids as declared) orders the per-outcome summary; ids it
  /// does not name follow in order of first appearance.
  public init(
    old: EvaluationResult, new: EvaluationResult, oldLabel: String? = nil, newLabel: String? = nil, outcomeOrder declaredOutcomes: [String] = []
  ) {
    self.oldLabel = oldLabel ?? old.rules.id
    self.newLabel = newLabel ?? new.rules.id
    decimals = Swift.max(old.decimals, new.decimals)
    oldAccounting = old.accounting
    newAccounting = new.accounting
    groupNames = old.groupNames.merging(new.groupNames) { _, newer in newer }
    outcomeNames = old.outcomeNames.merging(new.outcomeNames) { _, newer in newer }
    gradeNames = old.gradeNames.merging(new.gradeNames) { _, newer in newer }

    var scopeOrder = new.scopes.map(\.scope)
    for scope in old.scopes where !scopeOrder.contains(scope.scope) { scopeOrder.append(scope.scope) }
    var changes: [SubjectChange] = []
    var scopes: [(scope: String, subjects: Int)] = []
    var outcomeOrder: [String] = []
    for id in declaredOutcomes where !outcomeOrder.contains(id) { outcomeOrder.append(id) }
    for name in scopeOrder {
      let before = old.scopes.first { $0.scope == name }?.subjects ?? []
      let after = new.scopes.first { $0.scope == name }?.subjects ?? []
      let oldByID = Dictionary(before.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
      let newIDs = Set(after.map(\.id))
      // NEW's roster order, then subjects only OLD has, in its order.
      let rows: [(old: SubjectResult?, new: SubjectResult?)] =
        after.map { (oldByID[$0.id], $0) } + before.filter { !newIDs.contains($0.id) }.map { ($0, nil) }
      scopes.append((name, rows.count))
      for row in rows {
        guard let any = row.new ?? row.old else { continue }
        for id in (row.old?.outcomes ?? []) + (row.new?.outcomes ?? []) where !outcomeOrder.contains(id.id) {
          outcomeOrder.append(id.id)
        }
        let change = SubjectChange(
          scope: name, subject: any.id, name: any.name, group: any.group,
          old: row.old.map(SubjectState.init), new: row.new.map(SubjectState.init))
        if !change.kinds.isEmpty { changes.append(change) }
      }
    }
    self.changes = changes
    self.scopes = scopes
    self.outcomeOrder = outcomeOrder
  }

  /// Whether a change of one of `kinds` exists.
  public func contains(any kinds: Set<ChangeKind>) -> Bool {
    changes.contains { !Set($0.kinds).isDisjoint(with: kinds) }
  }

  /// Counts over `changes` (all of them, or one scope's).
  public func counts(scope: String? = nil) -> DiffCounts {
    var counts = DiffCounts()
    var gained: [String: Int] = [:]
    var lost: [String: Int] = [:]
    for change in changes where scope == nil || change.scope == scope {
      let kinds = change.kinds
      counts.moved += 1
      if kinds.contains(.total) { counts.total += 1 }
      if kinds.contains(.rank) { counts.rank += 1 }
      if kinds.contains(.grade) { counts.grade += 1 }
      if kinds.contains(.outcomes) { counts.outcomes += 1 }
      for id in change.gained { gained[id, default: 0] += 1 }
      for id in change.lost { lost[id, default: 0] += 1 }
    }
    counts.perOutcome = outcomeOrder.compactMap { id in
      let g = gained[id] ?? 0
      let l = lost[id] ?? 0
      return g == 0 && l == 0 ? nil : (id, g, l)
    }
    return counts
  }

  /// The scopes that have changes, in order.
  var changedScopes: [(scope: String, subjects: Int)] {
    scopes.filter { scope in changes.contains { $0.scope == scope.scope } }
  }

  /// Distinct subjects that moved in some scope.
  public var movedSubjects: Int { Set(changes.map(\.subject)).count }

  // MARK: Pieces shared by the formats

  func amount(_ value: ExactDecimal) -> String { value.formatted(fractionDigits: decimals) }

  /// `+3.00`, `-3.00`, `0.00`.
  func signed(_ value: ExactDecimal) -> String {
    if value.isZero { return amount(.zero) }
    return value.isNegative ? amount(value) : "+" + amount(value)
  }

  func gradeName(_ id: String?) -> String {
    guard let id else { return "none" }
    return gradeNames[id] ?? id
  }

  func outcomeName(_ id: String) -> String { outcomeNames[id] ?? id }

  func groupName(_ id: String) -> String { groupNames[id] ?? id }

  /// Whether the results have groups worth a column (more than the implicit `all`).
  var showsGroups: Bool { changes.contains { $0.group != "all" } }

  static func arrow<T: Equatable>(_ old: T?, _ new: T?, _ show: (T?) -> String) -> String {
    old == new ? show(new) : "\(show(old)) → \(show(new))"
  }
}
