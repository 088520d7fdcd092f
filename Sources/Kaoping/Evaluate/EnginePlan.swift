/// What the engine works out once per run from the rules: nodes by index, per-fact
/// nodes with their expressions and scorers, and which fact types expressions read.
///
/// Expressions are compiled again against the run's own object types (the ones its
/// records are built with), so that they read fields by position; the program is the
/// one the rule check compiled, from the same text in an equal environment.
struct EnginePlan: Sendable {
  /// Every node, in document order (parents before their children).
  let nodes: [NodePlan]
  /// Children of each node (indexes into `nodes`).
  let children: [[Int]]
  /// Top-level nodes.
  let topLevel: [Int]
  /// Per node: for each ranking-group index, whether it applies; nil: to everyone.
  let applies: [[Bool]?]
  let perFact: [PerFactPlan]
  /// Per fact type: whether some per-fact node names it in `cancelled_by`.
  let cancelling: [Bool]
  /// How score expressions use each fact type's list (`facts.T`), and the records to give them.
  let scoreLists: [ListRecords]
  /// The same, as plain values for the hot loop.
  let scoreListPlans: [ListPlan]
  /// Per outcome: the fact types its `when` and `only_if` may read (their lists).
  let outcomeTypes: [[Bool]]
  /// The fact types some outcome may read (their facts are kept per subject).
  let outcomeTypeUnion: [Bool]
  /// Per outcome: its `when` and `only_if`, compiled (nil: none, or not compiled).
  let outcomeWhen: [CompiledExpression?]
  let outcomeOnlyIf: [CompiledExpression?]
  /// Fact types a score or outcome expression reads (for the accounting, §3).
  let readTypes: [Bool]
  let scopeNames: [String]
  var annual: Int { scopeNames.count - 1 }
  /// The object type of each fact type's records.
  let objects: [ObjectType?]
  /// Per fact type, per declared field: whether it is an int (its null is `FactSlot.intNull`).
  let slotIsInt: [[Bool]]
  /// Aggregates over fact lists that score expressions read (`FactAggregates.swift`),
  /// in activation slots from `aggregateBase`.
  let aggregates: [FactAggregate]
  let aggregateBase: Int
  /// Per aggregate, as plain values: its kind and how to key its predicate's results.
  let aggregateKinds: [FactAggregate.Kind]
  let aggregateKeys: [FactAggregate.KeyPlan?]
  /// Unretained: `aggregates` holds them.
  let aggregateRows: [Unmanaged<RowPredicate>?]
  /// The iterating aggregates by type, flat: `iterating[iteratingStart[t]..<iteratingStart[t + 1]]`.
  let iterating: [Int]
  let iteratingStart: [Int]
  /// Per fact type: whether some aggregate (of any kind) is over its list.
  let aggregateTypes: [Bool]
  /// Per node: its score expressions with aggregates as variables (nil: as written).
  let scoreAggregates: [ScoreAggregates?]

  struct ScoreAggregates: Sendable {
    var value: AggregateExpression?
    var points: AggregateExpression?
    var tiers: [AggregateExpression?]
  }

  /// The records a fact type's list holds for an expression.
  enum ListRecords: Sendable {
    /// The list is not read (left empty).
    case none
    /// A whole record per fact.
    case whole
    /// A record per fact with only these object slots (and the type) filled, the
    /// expressions reading nothing else of them.
    case partial(slots: [Int])

    var isRead: Bool {
      if case .none = self { return false }
      return true
    }

    init(_ use: FactListUse) {
      switch use {
      case .none: self = .none
      case .whole: self = .whole
      case .fields(let slots): self = slots.contains(0) ? .whole : .partial(slots: slots)
      }
    }
  }

  /// How to make the records of a list (no reference-counted parts).
  struct ListPlan: Sendable {
    enum Mode: UInt8, Sendable {
      case none
      case whole
      /// Records with the `fill` slots, shared by facts that agree on the key parts.
      case shared
    }

    var mode: Mode = .none
    /// The key: object slots (1 subject, 3 date, 4 source, 5 note, 6… declared fields).
    var partCount = 0
    var parts: (Int16, Int16, Int16, Int16) = (0, 0, 0, 0)
    /// Whether each key part is an int field (whose null is `FactSlot.intNull`).
    var partIsInt: (Bool, Bool, Bool, Bool) = (false, false, false, false)
    /// The object slots to fill (besides the type).
    var fill: UInt64 = 0

    init(_ records: ListRecords, type: FactType, store: FactStore, slotCount: Int) {
      switch records {
      case .none: mode = .none
      case .whole: mode = .whole
      case .partial(let slots):
        let key = slots.filter { $0 != 2 }
        guard key.count <= 4, slotCount <= 64, !(key.contains(1) && !store.subjectText.isEmpty) else {
          mode = .whole
          return
        }
        for (index, slot) in key.enumerated() {
          let isInt = slot >= 6 && SlotKind(type.fields[slot - 6].type) == .int
          if isInt && !store.intMinSlots.isEmpty {
            mode = .whole  // a null and Int64.min read alike in the slot
            return
          }
          switch index {
          case 0: parts.0 = Int16(slot); partIsInt.0 = isInt
          case 1: parts.1 = Int16(slot); partIsInt.1 = isInt
          case 2: parts.2 = Int16(slot); partIsInt.2 = isInt
          default: parts.3 = Int16(slot); partIsInt.3 = isInt
          }
          fill |= 1 << UInt64(slot)
        }
        partCount = key.count
        mode = .shared
      }
    }
  }

  /// One node, for evaluation (a class: handing it around copies nothing).
  final class NodePlan: Sendable {
    let id: String
    let weight: ExactDecimal?
    let max: ExactDecimal?
    let min: ExactDecimal?
    let kind: Kind

    enum Kind: Sendable {
      /// A bonus or deduction: its index in `perFact`.
      case perFact(Int, cap: ExactDecimal?, isDeduction: Bool)
      case score(ScoreRule)
      case parts(PartsRule.Combine)
    }

    init(_ node: Indicator, perFact: Int?, environments: RuleEnvironments) {
      id = node.id
      weight = node.weight
      max = node.max
      min = node.min
      switch node.kind {
      case .bonus(let rule), .deduction(let rule):
        kind = .perFact(perFact ?? -1, cap: rule.cap, isDeduction: node.isDeduction)
      case .score(var score):
        score.value = EnginePlan.recompiled(score.value, environments.score)
        switch score.rule {
        case .points(let points): score.rule = .points(EnginePlan.recompiled(points, environments.scorePoints))
        case .tiers(var tiers):
          for index in tiers.indices {
            if case .expression(let expression) = tiers[index].points {
              tiers[index].points = .expression(EnginePlan.recompiled(expression, environments.scorePoints))
            }
          }
          score.rule = .tiers(tiers)
        }
        kind = .score(score)
      case .parts(let parts): kind = .parts(parts.combine)
      }
    }
  }

  final class PerFactPlan: Sendable {
    let node: Int
    let nodeID: String
    let isDeduction: Bool
    /// The fact type it reads (the first with that id).
    let type: Int?
    let object: ObjectType?
    let when: FactExpression?
    let points: Points
    /// The expression of `points` or of a table's `by` (nil when not compiled).
    let pointsExpression: FactExpression?
    let table: PointsTable?
    let hasCap: Bool
    /// Per fact type: whether it is this node's `cancelled_by`.
    let cancelledBy: [Bool]
    let scorers: [String]?

    enum Points: Sendable {
      case fixed(ExactDecimal)
      case expression
      case table
    }

    init(node: Int, indicator: Indicator, rule: PerFactRule, rules: RuleSet, environments: RuleEnvironments, store: FactStore) {
      self.node = node
      nodeID = indicator.id
      isDeduction = indicator.isDeduction
      let type = rules.factTypes.firstIndex { $0.id == rule.facts }
      self.type = type
      object = type.flatMap { environments.factObjects[rules.factTypes[$0].id] }
      let environment = environments.perFact[rule.facts]
      func plan(_ expression: RuleExpression?) -> FactExpression? {
        guard let type, let expression = EnginePlan.recompiled(expression, environment), let compiled = expression.compiled
        else { return nil }
        return FactExpression(expression, compiled: compiled, type: rules.factTypes[type], store: store)
      }
      when = plan(rule.when)
      switch rule.points {
      case .fixed(let value):
        points = .fixed(value)
        pointsExpression = nil
        self.table = nil
      case .expression(let expression):
        points = .expression
        pointsExpression = plan(expression)
        self.table = nil
      case .table(let pointsTable):
        points = .table
        pointsExpression = plan(pointsTable.by)
        self.table = pointsTable
      }
      hasCap = rule.cap != nil
      cancelledBy = rules.factTypes.map { $0.id == rule.cancelledBy }
      scorers = rule.scorers
    }
  }

  /// The expression compiled against `environment` (unchanged when it was not compiled).
  static func recompiled(_ expression: RuleExpression?, _ environment: ExprEnvironment?) -> RuleExpression? {
    guard var expression, expression.compiled != nil, let environment else { return expression }
    if let again = try? CompiledExpression(expression.source, environment: environment) { expression.compiled = again }
    return expression
  }

  static func recompiled(_ expression: RuleExpression, _ environment: ExprEnvironment) -> RuleExpression {
    recompiled(.some(expression), environment) ?? expression
  }

  init(rules: RuleSet, environments: RuleEnvironments, store: FactStore, groupIDs: [String], readTypes: Set<Int>) {
    var indicators: [Indicator] = []
    var children: [[Int]] = []
    // A node applies to a group when it and every ancestor do (`applies_to` of a parts
    // node covers its whole subtree, selection of facts included).
    var inherited: [[String]?] = []
    func walk(_ list: [Indicator], within: [String]?) -> [Int] {
      var indexes: [Int] = []
      for node in list {
        let index = indicators.count
        indexes.append(index)
        indicators.append(node)
        children.append([])
        var groups = within
        if let own = node.appliesTo { groups = within.map { outer in own.filter { outer.contains($0) } } ?? own }
        inherited.append(groups)
        if case .parts(let parts) = node.kind { children[index] = walk(parts.children, within: groups) }
      }
      return indexes
    }
    topLevel = walk(rules.indicators, within: nil)
    self.children = children
    applies = inherited.map { groups in
      guard let groups else { return nil }
      return groupIDs.map { groups.contains($0) }
    }
    var perFact: [PerFactPlan] = []
    var perFactOfNode = [Int?](repeating: nil, count: indicators.count)
    for (index, node) in indicators.enumerated() {
      guard let rule = node.perFactRule else { continue }
      perFactOfNode[index] = perFact.count
      perFact.append(PerFactPlan(node: index, indicator: node, rule: rule, rules: rules, environments: environments, store: store))
    }
    self.perFact = perFact
    nodes = indicators.enumerated().map { NodePlan($1, perFact: perFactOfNode[$0], environments: environments) }
    var cancelling = [Bool](repeating: false, count: rules.factTypes.count)
    for plan in perFact {
      for (type, flag) in plan.cancelledBy.enumerated() where flag { cancelling[type] = true }
    }
    self.cancelling = cancelling
    // How score and outcome expressions use the fact lists.
    let objects = rules.factTypes.map { environments.factObjects[$0.id] }
    self.objects = objects
    slotIsInt = rules.factTypes.map { type in type.fields.map { SlotKind($0.type) == .int } }
    var scoreUse = [FactListUse](repeating: .none, count: rules.factTypes.count)
    for node in indicators {
      guard case .score(let score) = node.kind else { continue }
      var sources = [score.value.source]
      switch score.rule {
      case .points(let points): sources.append(points.source)
      case .tiers(let tiers):
        for tier in tiers { if case .expression(let e) = tier.points { sources.append(e.source) } }
      }
      for (type, use) in FactListUse.uses(sources, types: rules.factTypes, objects: objects).enumerated() {
        scoreUse[type] = scoreUse[type].union(use)
      }
    }
    var analysis = AggregateAnalysis(
      types: rules.factTypes, objects: objects, store: store, base: environments.scorePoints.variableCount)
    var scoreAggregates: [ScoreAggregates?] = []
    for node in nodes {
      guard case .score(let score) = node.kind else {
        scoreAggregates.append(nil)
        continue
      }
      var found = ScoreAggregates(value: analysis.analyse(score.value, environment: environments.score), points: nil, tiers: [])
      switch score.rule {
      case .points(let points): found.points = analysis.analyse(points, environment: environments.scorePoints)
      case .tiers(let tiers):
        found.tiers = tiers.map { tier in
          if case .expression(let expression) = tier.points {
            return analysis.analyse(expression, environment: environments.scorePoints)
          }
          return nil
        }
      }
      let any = found.value != nil || found.points != nil || found.tiers.contains { $0 != nil }
      scoreAggregates.append(any ? found : nil)
    }
    self.scoreAggregates = scoreAggregates
    aggregates = analysis.aggregates
    aggregateBase = analysis.base
    aggregateKinds = analysis.aggregates.map(\.kind)
    aggregateKeys = analysis.aggregates.map(\.keyPlan)
    aggregateRows = analysis.aggregates.map { $0.row.map { Unmanaged.passUnretained($0) } }
    var iterating: [Int] = []
    var iteratingStart = [0]
    for type in rules.factTypes.indices {
      iterating += analysis.aggregates.indices.filter { analysis.aggregates[$0].type == type && analysis.aggregates[$0].iterates }
      iteratingStart.append(iterating.count)
    }
    self.iterating = iterating
    self.iteratingStart = iteratingStart
    aggregateTypes = rules.factTypes.indices.map { type in analysis.aggregates.contains { $0.type == type } }
    scoreLists = scoreUse.map { ListRecords($0) }
    scoreListPlans = rules.factTypes.indices.map { type in
      ListPlan(ListRecords(scoreUse[type]), type: rules.factTypes[type], store: store, slotCount: objects[type]?.fields.count ?? 0)
    }
    let outcomeTypes = rules.outcomes.map { outcome in
      FactListUse.uses([outcome.when?.source, outcome.onlyIf?.source].compactMap { $0 }, types: rules.factTypes,
                       objects: objects).map { $0 != .none }
    }
    self.outcomeTypes = outcomeTypes
    outcomeTypeUnion = (0..<rules.factTypes.count).map { type in outcomeTypes.contains { $0[type] } }
    outcomeWhen = rules.outcomes.map { EnginePlan.recompiled($0.when, environments.outcome)?.compiled }
    outcomeOnlyIf = rules.outcomes.map { EnginePlan.recompiled($0.onlyIf, environments.outcome)?.compiled }
    scopeNames = rules.periods.map(\.id) + ["annual"]
    self.readTypes = (0..<rules.factTypes.count).map { readTypes.contains($0) }
  }
}
