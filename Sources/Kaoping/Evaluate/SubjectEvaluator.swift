/// Evaluates subjects one at a time (§3 phases 2–3, §8), reusing its buffers and
/// remembering per-fact expression results across the subjects it is given. One per
/// worker thread.
struct SubjectEvaluator {
  let engine: Engine
  /// The table of the block of subjects being evaluated.
  var table: FactTable
  let plan: EnginePlan
  let rules: RuleSet

  /// Per per-fact node: what this worker remembers of its expressions' results.
  private var memory: [NodeMemory]

  // Per-subject state (indexed by the fact's position within the subject).
  private var start = 0
  private var count = 0
  /// Period of each fact (-1 without periods or outside them).
  private var period: [Int32] = []
  /// Index into `work.rejections`, or -1.
  private var rejection: [Int32] = []
  /// The facts by type: positions `typeStart[t]..<typeStart[t + 1]` of `byType` hold
  /// type t's facts in fact order (empty ranges when a row's type is out of range: then
  /// `bucketed` is false and loops go over every fact).
  private var typeStart: [Int] = []
  private var byType: [Int32] = []
  private var bucketed = false
  private var applied: [Bool] = []
  /// Per per-fact node: bit set for each fact it gave points (words of 64 facts).
  private var selected: [[UInt64]] = []
  /// Per per-fact node: (fact, scope, points outcome in `memory`) in fact order.
  private var decisions: [[(fact: Int32, scope: Int32, outcome: Int32)]] = []
  /// (node, fact) → the cancelling fact (table index) with the smallest id.
  private var cancelled: [Int: Int] = [:]
  /// Per per-fact node: bit set for each fact in `cancelled` (no lookup for the others).
  private var cancelledBits: [[UInt64]] = []
  /// Records built for this subject (`fact` objects), by position.
  private var records: [Value?] = []
  /// The positions in `records` set for this subject (cleared by `reset`).
  private var recordsSet: [Int32] = []
  private var subjectRecord: Value = .null
  /// Per fact type: records of list elements read only by field, shared by the facts that
  /// agree on those fields (the expressions cannot tell them apart).
  private let sharedRecords: [KeyedValues<Value>]
  private let packedRecords: [PackedRecords]
  private var work = Engine.SubjectWork()
  /// Facts of other subjects that phase 2 rejected (set by the engine when it evaluates a
  /// subject again to settle cancellations across subjects).
  var rejectedElsewhere: Set<FileRow> = []

  // Aggregates of score expressions (`FactAggregates.swift`).
  /// Per aggregate: its predicate's results remembered by the fields it reads, as
  /// 0 (false), 1 (true) or 2 + an index into `aggregateOthers` (errors, other values).
  private let aggregateMemory: [KeyedValues<Int32>]
  private let aggregatePacked: [PackedOutcomes]
  private var aggregateOthers: [[Value]]
  /// The scope `aggregateValues` and `typeCounts` hold (-1: none yet for this subject).
  private var aggregateScope = -1
  private var aggregateValues: [Value] = []
  /// Per fact type: its facts in `aggregateScope` (not rejected).
  private var typeCounts: [Int] = []
  /// Per aggregate, during the pass: the accumulator (`null`: no error yet for the
  /// counting kinds), the count, and whether the result is settled.
  private var aggregateAccumulators: [Value] = []
  private var aggregateCounts: [Int] = []
  private var aggregateSettled: [Bool] = []
  /// A predicate's value not remembered (outcome -1), for the step that reads it.
  private var aggregateScratch: Value = .null

  /// Remembered results of one bonus/deduction node's expressions, as small numbers:
  /// `when` → 1 (true), 0 (false), -1 - i (rejected with `reasons[i]`); points →
  /// an index into `outcomes` (the distinct results, points already rounded).
  struct NodeMemory {
    let when = KeyedValues<Int32>(limit: 1 << 16)
    let points = KeyedValues<Int32>(limit: 1 << 16)
    var reasons: [String] = []
    private var reasonIndex: [String: Int32] = [:]
    var outcomes: [PointsOutcome] = []
    private var pointsIndex: [ExactDecimal: Int32] = [:]
    var scorerAllowed: [Int32: Bool] = [:]

    enum PointsOutcome {
      /// Selected: its item's points (rounded; negative for a deduction) and its
      /// contribution to the node's sum (rounded, unsigned).
      case points(item: ExactDecimal, rounded: ExactDecimal)
      case rejected(String)
    }

    mutating func reason(_ text: String) -> Int32 {
      if let index = reasonIndex[text] { return index }
      let index = Int32(reasons.count)
      reasons.append(text)
      reasonIndex[text] = index
      return index
    }

    /// The outcome for points `value` (distinct values by number: only their rounding is used).
    mutating func outcome(points value: ExactDecimal, decimals: Int, deduction: Bool) -> Int32 {
      if let index = pointsIndex[value] { return index }
      let index = Int32(outcomes.count)
      let rounded = Engine.round(value, decimals: decimals)
      outcomes.append(.points(item: deduction ? rounded.negated() : rounded, rounded: rounded))
      pointsIndex[value] = index
      return index
    }

    mutating func outcome(rejected reason: String) -> Int32 {
      if let index = rejectedIndex[reason] { return index }
      let index = Int32(outcomes.count)
      outcomes.append(.rejected(reason))
      rejectedIndex[reason] = index
      return index
    }

    private var rejectedIndex: [String: Int32] = [:]
  }

  let decimals: Int
  let roster: Roster
  /// The object types this worker's records are built with (and its expressions read).
  let environments: RuleEnvironments

  /// A worker with its own object types and expressions compiled against them: the
  /// reference counts of shared type descriptions are not contended between threads.
  init(engine: Engine, table: FactTable) {
    self.engine = engine
    self.table = table
    rules = engine.rules
    decimals = engine.rules.decimals
    roster = engine.roster
    environments = RuleEnvironments(engine.rules)
    plan = EnginePlan(
      rules: engine.rules, environments: environments, store: table.store, groupIDs: engine.groupIDs,
      readTypes: engine.readTypes)
    memory = plan.perFact.map { _ in NodeMemory() }
    sharedRecords = engine.rules.factTypes.map { _ in KeyedValues(limit: 1 << 16) }
    packedRecords = engine.rules.factTypes.map { _ in PackedRecords(limit: 1 << 16) }
    selected = plan.perFact.map { _ in [] }
    cancelledBits = plan.perFact.map { _ in [] }
    decisions = plan.perFact.map { _ in [] }
    aggregateMemory = plan.aggregates.map { _ in KeyedValues(limit: 1 << 16) }
    aggregatePacked = plan.aggregates.map { _ in PackedOutcomes(limit: 1 << 16) }
    aggregateOthers = plan.aggregates.map { _ in [] }
  }

  // MARK: One subject

  mutating func evaluate(_ subject: Int) -> Engine.SubjectWork {
    let range = table.range(of: subject)
    start = range.lowerBound
    count = range.count
    work = Engine.SubjectWork()
    subjectRecord = .object(roster.subjects[subject].record)
    aggregateScope = -1
    reset()

    // Phase 2: every bonus/deduction node, every selected fact, every scope it is in.
    for k in plan.perFact.indices { decide(k, subject: subject) }

    // Phase 3: cancellation by `ref`.
    cancel(subject: subject)

    // Accounting: applied by nodes, by cancelling, or by a read type.
    for k in plan.perFact.indices {
      for entry in decisions[k] where rejection[Int(entry.fact)] < 0 { applied[Int(entry.fact)] = true }
    }
    for local in 0..<count where rejection[local] < 0 {
      let type = Int(table.rows[start + local].type)
      if applied[local] || plan.readTypes[type] { work.applied += 1 } else { work.unmatched += 1 }
      if plan.outcomeTypeUnion[type] { work.outcomeFacts.append((table.rows[start + local], table.id(start + local), period[local])) }
    }

    // Ledgers per scope.
    let scopeCount = plan.scopeNames.count
    work.scopes.reserveCapacity(scopeCount)
    for scope in 0..<scopeCount {
      if scope == plan.annual, case .weights(let weights) = rules.annual {
        work.scopes.append(engine.weightedAnnual(work.scopes, weights))
        continue
      }
      var state = Engine.ScopeWork()
      state.order.reserveCapacity(plan.nodes.count)
      state.items.reserveCapacity(itemEstimate(scope))
      var factsObject: Value? = nil
      var total = rules.base
      for node in plan.topLevel {
        let value = evaluateNode(node, subject: subject, scope: scope, factsObject: &factsObject, state: &state)
        total = add(total, value, at: "total", subject: subject, scope: scope)
      }
      state.total = total
      work.scopes.append(state)
    }
    let result = work
    work = Engine.SubjectWork()
    return result
  }

  private mutating func reset() {
    bucket()
    period.removeAll(keepingCapacity: true)
    rejection.removeAll(keepingCapacity: true)
    applied.removeAll(keepingCapacity: true)
    // Only the records built for the last subject are cleared (most subjects build none).
    for local in recordsSet where Int(local) < records.count { records[Int(local)] = nil }
    recordsSet.removeAll(keepingCapacity: true)
    cancelled.removeAll(keepingCapacity: true)
    rejection.append(contentsOf: repeatElement(-1, count: count))
    applied.append(contentsOf: repeatElement(false, count: count))
    if records.count < count { records.append(contentsOf: repeatElement(nil, count: count - records.count)) }
    let words = (count + 63) / 64
    for k in plan.perFact.indices {
      decisions[k].removeAll(keepingCapacity: true)
      selected[k].removeAll(keepingCapacity: true)
      selected[k].append(contentsOf: repeatElement(0, count: words))
      cancelledBits[k].removeAll(keepingCapacity: true)
      cancelledBits[k].append(contentsOf: repeatElement(0, count: words))
    }
    let periods = rules.periods
    if periods.isEmpty {
      period.append(contentsOf: repeatElement(-1, count: count))
      return
    }
    for local in 0..<count {
      var p: Int32 = -1
      if !periods.isEmpty {
        let days = table.rows[start + local].date
        if days != FactRow.noDate {
          let date = CELDate(daysSinceEpoch: days)
          if let index = periods.firstIndex(where: { $0.from <= date && date <= $0.to }) { p = Int32(index) }
        }
      }
      period.append(p)
    }
  }

  /// Sorts the subject's facts by type (a counting sort: fact order kept within a type).
  private mutating func bucket() {
    let typeCount = rules.factTypes.count
    let count = self.count
    let start = self.start
    typeStart.removeAll(keepingCapacity: true)
    typeStart.append(contentsOf: repeatElement(0, count: typeCount + 1))
    byType.removeAll(keepingCapacity: true)
    byType.append(contentsOf: repeatElement(0, count: count))
    bucketed = table.rows.withUnsafeBufferPointer { rows in
      typeStart.withUnsafeMutableBufferPointer { starts in
        byType.withUnsafeMutableBufferPointer { order in
          guard start >= 0, start + count <= rows.count else { return false }
          for local in 0..<count {
            let type = Int(rows[start + local].type)
            guard type >= 0, type < typeCount else { return false }
            starts[type + 1] += 1
          }
          for type in 0..<typeCount { starts[type + 1] += starts[type] }
          // Place from the back, so that each type's facts stay in fact order.
          var local = count - 1
          while local >= 0 {
            let type = Int(rows[start + local].type)
            starts[type + 1] -= 1
            order[starts[type + 1]] = Int32(truncatingIfNeeded: local)
            local -= 1
          }
          // Each starts[t + 1] now holds the start of type t: shift back to starts[t].
          for type in 0..<typeCount { starts[type] = starts[type + 1] }
          starts[typeCount] = count
          return true
        }
      }
    }
    if !bucketed {
      for index in typeStart.indices { typeStart[index] = 0 }
    }
  }

  /// Where the facts of `type` are in `byType` (their positions in the subject, in fact order).
  @inline(__always)
  private func bucket(of type: Int) -> Range<Int> {
    guard bucketed, type >= 0, type + 1 < typeStart.count else { return 0..<0 }
    return typeStart[type]..<typeStart[type + 1]
  }

  /// The scopes a fact is in (period index, or periods.count for annual).
  @inline(__always)
  private mutating func scopes(_ local: Int) -> (Int, Int)? {
    let annual = plan.annual
    if rules.periods.isEmpty { return (annual, -1) }
    let p = Int(period[local])
    guard p >= 0 else { return nil }
    switch rules.annual {
    case .facts: return (p, annual)
    case .weights: return (p, -1)
    }
  }

  @inline(__always)
  private mutating func inScope(_ local: Int, _ scope: Int) -> Bool {
    guard let (a, b) = scopes(local) else { return false }
    return a == scope || b == scope
  }

  private mutating func reject(_ local: Int, _ code: DiagnosticCode, _ reason: String) {
    guard rejection[local] < 0 else { return }
    rejection[local] = Int32(work.rejections.count)
    let row = table.rows[start + local]
    work.rejections.append((table.id(start + local), Int(row.file), Int(row.row), code, reason))
  }

  private mutating func itemEstimate(_ scope: Int) -> Int {
    var total = 0
    for k in plan.perFact.indices {
      for entry in decisions[k] where Int(entry.scope) == scope { total += 1 }
      if plan.perFact[k].hasCap { total += 1 }
    }
    return total + plan.nodes.count
  }

  // MARK: Phase 2

  private mutating func decide(_ k: Int, subject: Int) {
    let pf = plan.perFact[k]
    guard applies(pf.node, subject), let type = pf.type else { return }
    var rejectedHere = false
    // The node's memories and the store for the loop, unretained (no retain per fact):
    // `memory` and `table` keep them.
    let memos = Memos(
      when: .passUnretained(memory[k].when), points: .passUnretained(memory[k].points), store: .passUnretained(table.store))
    if bucketed {
      for position in bucket(of: type) {
        decideOne(k, pf, memos, local: Int(byType[position]), subject: subject, rejected: &rejectedHere)
      }
    } else {
      for local in 0..<count where table.rows[start + local].type == Int32(type) {
        decideOne(k, pf, memos, local: local, subject: subject, rejected: &rejectedHere)
      }
    }
    // Drop facts rejected in a later scope from earlier scopes.
    if rejectedHere { decisions[k].removeAll { rejection[Int($0.fact)] >= 0 } }
  }

  /// Node `k` on one fact of its type, in every scope the fact is in.
  @inline(__always)
  private mutating func decideOne(
    _ k: Int, _ pf: EnginePlan.PerFactPlan, _ memos: Memos, local: Int,
    subject: Int, rejected rejectedHere: inout Bool
  ) {
    if rejection[local] >= 0 { return }
    guard let (first, second) = scopes(local) else { return }
    for round in 0..<2 {
      let scope = round == 0 ? first : second
      if scope < 0 { break }
      let decision = decideFact(k, pf, memos, local: local, subject: subject, scope: scope)
      if decision >= 0 {
        switch memory[k].outcomes[Int(decision)] {
        case .rejected(let reason):
          reject(local, .factExpression, reason)
          rejectedHere = true
        case .points:
          decisions[k].append((Int32(local), Int32(scope), decision))
          selected[k][local >> 6] |= 1 << UInt64(local & 63)
        }
      } else if decision == Self.notSelected {
        continue
      } else {
        reject(local, .unauthorisedSource, pendingReason)
        rejectedHere = true
      }
      if rejection[local] >= 0 { break }
    }
  }

  /// A node's memo tables and the fact store, unretained for the hot loop.
  struct Memos {
    let when: Unmanaged<KeyedValues<Int32>>
    let points: Unmanaged<KeyedValues<Int32>>
    let store: Unmanaged<FactStore>
  }

  /// `decideFact` results other than an outcome index.
  private static let notSelected: Int32 = -1
  private static let unauthorised: Int32 = -2
  /// The reason of an `unauthorised` result.
  private var pendingReason = ""

  mutating func applies(_ node: Int, _ subject: Int) -> Bool {
    guard let groups = plan.applies[node] else { return true }
    return groups[roster.subjects[subject].groupIndex]
  }

  private mutating func factRecord(_ local: Int, subject: Int, object: ObjectType) -> Value {
    if let record = records[local] { return record }
    let record = Value.object(table.record(start + local, subject: subject, roster: roster, object: object))
    records[local] = record
    recordsSet.append(Int32(truncatingIfNeeded: local))
    return record
  }

  private mutating func evaluateFactExpression(
    _ expression: FactExpression, local: Int, subject: Int, scope: Int, object: ObjectType
  ) -> Value {
    let record = factRecord(local, subject: subject, object: object)
    return expression.compiled.evaluate(Activation([record, subjectRecord, .string(plan.scopeNames[scope])]))
  }

  /// What node `k` makes of a fact in a scope (§3 phase 2): an index into the node's
  /// `outcomes`, `notSelected`, or `unauthorised` (with `pendingReason`).
  private mutating func decideFact(
    _ k: Int, _ pf: EnginePlan.PerFactPlan, _ memos: Memos, local: Int,
    subject: Int, scope: Int
  ) -> Int32 {
    let fact = start + local
    guard let object = pf.object else { return Self.notSelected }
    if let when = pf.when {
      let key = memos.store._withUnsafeGuaranteedRef { when.key(table.rows[fact], $0, subject: subject, scope: scope) }
      var result: Int32
      if let key, let known = memos.when._withUnsafeGuaranteedRef({ $0.lookup(key) }) {
        result = known
      } else {
        switch evaluateFactExpression(when, local: local, subject: subject, scope: scope, object: object) {
        case .bool(true): result = 1
        case .bool(false): result = 0
        case .error(let error):
          result = -1 - memory[k].reason(
            "the when of \(pf.nodeID) failed: \(error.message) (`\(when.source.source.collapsingSpaces)`)")
        default:
          result = -1 - memory[k].reason(
            "the when of \(pf.nodeID) did not give true or false (`\(when.source.source.collapsingSpaces)`)")
        }
        if let key { memos.when._withUnsafeGuaranteedRef { $0.store(key, result) } }
      }
      if result == 0 { return Self.notSelected }
      if result < 0 { return memory[k].outcome(rejected: memory[k].reasons[Int(-1 - result)]) }
    }
    if let scorers = pf.scorers {
      let sourceID = table.rows[fact].source
      let allowed: Bool
      if let known = memory[k].scorerAllowed[sourceID] {
        allowed = known
      } else {
        allowed = scorers.contains(sourceID < 0 ? "" : table.store.pool.string(sourceID))
        memory[k].scorerAllowed[sourceID] = allowed
      }
      if !allowed {
        if sourceID < 0 {
          pendingReason = "no source: \(pf.nodeID) is scored only by \(scorers.joined(separator: ", "))"
          return Self.unauthorised
        }
        let source = table.store.pool.string(sourceID)
        if let byName = rules.scorers.first(where: { $0.name == source }) {
          if scorers.contains(byName.id) {
            pendingReason = "source '\(source)' is the name of scorer '\(byName.id)'; write the id '\(byName.id)'"
          } else {
            pendingReason =
              "source '\(source)' (scorer '\(byName.id)') may not score \(pf.nodeID) (谁部署谁赋分: only \(scorers.joined(separator: ", ")))"
          }
        } else {
          pendingReason = "source '\(source)' may not score \(pf.nodeID) (谁部署谁赋分: only \(scorers.joined(separator: ", ")))"
        }
        return Self.unauthorised
      }
    }
    switch pf.points {
    case .fixed(let value):
      if value.isNegative { return memory[k].outcome(rejected: Self.negative(pf.nodeID, value)) }
      return memory[k].outcome(points: value, decimals: decimals, deduction: pf.isDeduction)
    case .expression, .table:
      guard let expression = pf.pointsExpression else { return Self.notSelected }
      let key = memos.store._withUnsafeGuaranteedRef { expression.key(table.rows[fact], $0, subject: subject, scope: scope) }
      if let key, let known = memos.points._withUnsafeGuaranteedRef({ $0.lookup(key) }) { return known }
      let value = evaluateFactExpression(expression, local: local, subject: subject, scope: scope, object: object)
      let result = Self.points(value, pf, expression, &memory[k], engine)
      if let key { memos.points._withUnsafeGuaranteedRef { $0.store(key, result) } }
      return result
    }
  }

  private static func negative(_ nodeID: String, _ points: ExactDecimal, _ source: String? = nil) -> String {
    let expression = source.map { " (`\($0.collapsingSpaces)`)" } ?? ""
    return "the points of \(nodeID) are negative (\(points))\(expression); the sign comes from bonus or deduction"
  }

  /// The points outcome of a per-fact node from its expression's value.
  private static func points(
    _ value: Value, _ pf: EnginePlan.PerFactPlan, _ expression: FactExpression, _ memory: inout NodeMemory, _ engine: Engine
  ) -> Int32 {
    let nodeID = pf.nodeID
    let points: ExactDecimal
    switch pf.points {
    case .fixed(let fixed):
      points = fixed
    case .expression:
      guard let number = Engine.decimal(value) else {
        return memory.outcome(rejected:
          "the points of \(nodeID) failed: \(Engine.describe(value)) (`\(expression.source.source.collapsingSpaces)`)")
      }
      points = number
    case .table:
      guard let key = Engine.key(value) else {
        return memory.outcome(rejected:
          "the by of \(nodeID) failed: \(Engine.describe(value)) (`\(expression.source.source.collapsingSpaces)`)")
      }
      guard let found = pf.table?.points(for: key) else {
        return memory.outcome(rejected:
          "the table of \(nodeID) has no points for '\(key)' and no default (`\(expression.source.source.collapsingSpaces)`)")
      }
      points = found
    }
    if points.isNegative { return memory.outcome(rejected: negative(nodeID, points, expression.source.source)) }
    return memory.outcome(points: points, decimals: engine.rules.decimals, deduction: pf.isDeduction)
  }

  // MARK: Phase 3

  private mutating func cancel(subject: Int) {
    if bucketed {
      for type in plan.cancelling.indices where plan.cancelling[type] {
        for position in bucket(of: type) where rejection[Int(byType[position])] < 0 {
          cancel(Int(byType[position]), subject: subject)
        }
      }
    } else {
      for local in 0..<count where rejection[local] < 0 { cancel(local, subject: subject) }
    }
  }

  /// Cancellation by one fact's `ref`, when its type cancels.
  private mutating func cancel(_ local: Int, subject: Int) {
    let store = table.store
    let fact = start + local
    let row = table.rows[fact]
    let type = Int(row.type)
    guard plan.cancelling[type], let text = store.refText(row) else { return }
    // The fact its ref names: anywhere in the run, but cancelled only in this subject.
    let target = store.refTargets[text]
    var targetLocal = -1
    if let target {
      let record = target.record
      let (start, count) = (self.start, self.count)
      targetLocal = table.rows.withUnsafeBufferPointer { rows in
        guard start >= 0, start + count <= rows.count else { return -1 }
        for other in 0..<count where rows[start + other].file == record.file && rows[start + other].row == record.row {
          return other
        }
        return -1
      }
    }
    guard let target, !target.hasRef, !(targetLocal >= 0 && rejection[targetLocal] >= 0),
      !(targetLocal < 0 && rejectedElsewhere.contains(target.record))
    else {
      reject(local, .refNamesNoFact, "ref names no fact: no fact with id '\(store.pool.string(text))' can be cancelled")
      return
    }
    guard targetLocal >= 0 else {
      // Another subject's fact: nothing to cancel here, but it must have survived phase 2
      // in its own subject, which the engine settles after every subject's phase 2.
      work.crossTargets.append(target.record)
      return
    }
    // Cancels in every node that names this type and selected the target for this subject.
    for k in plan.perFact.indices where plan.perFact[k].cancelledBy[type] {
      guard selected[k][targetLocal >> 6] & (1 << UInt64(targetLocal & 63)) != 0 else { continue }
      let slot = k << 32 | targetLocal
      if let current = cancelled[slot] {
        if table.idLess(fact, current) { cancelled[slot] = fact }
      } else {
        cancelled[slot] = fact
        cancelledBits[k][targetLocal >> 6] |= 1 << UInt64(targetLocal & 63)
      }
      applied[local] = true
    }
  }

  // MARK: Ledger

  /// `a + b`; an amount beyond the decimal range is a run error (K502), never a silent result.
  private mutating func add(_ a: ExactDecimal, _ b: ExactDecimal, at node: String, subject: Int, scope: Int) -> ExactDecimal {
    do {
      return try a.adding(b)
    } catch {
      overflow(at: node, subject: subject, scope: scope)
      return a
    }
  }

  private mutating func overflow(at node: String, subject: Int, scope: Int) {
    let error = EvaluationError(
      scope: plan.scopeNames[scope], subject: roster.subjects[subject].id, node: node, expression: "",
      message: "an amount is beyond the decimal range (34 significant digits, exponent up to 6144)", code: .amountOverflow)
    if !work.errors.contains(error) { work.errors.append(error) }
  }

  /// Evaluates one node in one scope, appending its items; returns its value.
  private mutating func evaluateNode(
    _ index: Int, subject: Int, scope: Int, factsObject: inout Value?, state: inout Engine.ScopeWork
  ) -> ExactDecimal {
    let node = plan.nodes[index]
    let slot = state.order.count
    state.order.append(IndicatorValue(id: node.id, value: .zero))
    guard applies(index, subject) else {
      zeroDescendants(index, &state)
      return .zero
    }
    var value = ExactDecimal.zero
    switch node.kind {
    case .perFact(let k, let cap, let sign):
      var sum = ExactDecimal.zero
      if k >= 0 {
        let outcomes = memory[k].outcomes
        for entry in decisions[k] where Int(entry.scope) == scope && rejection[Int(entry.fact)] < 0 {
          let fact = start + Int(entry.fact)
          let local = Int(entry.fact)
          if cancelledBits[k][local >> 6] & (1 << UInt64(local & 63)) != 0, let by = cancelled[k << 32 | local] {
            state.items.append(LedgerItem(indicator: node.id, kind: .fact(table.id(fact)), points: .zero,
                                          cancelledBy: table.id(by)))
            continue
          }
          guard case .points(let item, let rounded) = outcomes[Int(entry.outcome)] else { continue }
          sum = add(sum, rounded, at: node.id, subject: subject, scope: scope)
          state.items.append(LedgerItem(indicator: node.id, kind: .fact(table.id(fact)), points: item))
        }
      }
      if let cap, sum > cap {
        let adjustment = Engine.subtract(cap, sum)
        state.items.append(LedgerItem(indicator: node.id, kind: .cap, points: sign ? adjustment.negated() : adjustment))
        sum = cap
      }
      value = sign ? sum.negated() : sum
    case .score(let score):
      value = evaluateScore(
        node.id, score, plan.scoreAggregates[index], subject: subject, scope: scope, factsObject: &factsObject,
        state: &state)
    case .parts(let combine):
      var childSum = ExactDecimal.zero
      var weighted = ExactDecimal.zero
      for child in plan.children[index] {
        let childValue = evaluateNode(child, subject: subject, scope: scope, factsObject: &factsObject, state: &state)
        childSum = add(childSum, childValue, at: node.id, subject: subject, scope: scope)
        if let weight = plan.nodes[child].weight {
          do {
            weighted = add(weighted, try childValue.multiplied(by: weight), at: node.id, subject: subject, scope: scope)
          } catch {
            overflow(at: node.id, subject: subject, scope: scope)
          }
        }
      }
      switch combine {
      case .sum:
        value = childSum
      case .weighted:
        value = Engine.round(weighted, decimals: decimals)
        let difference = Engine.subtract(value, childSum)
        if !difference.isZero {
          state.items.append(LedgerItem(indicator: node.id, kind: .weighted, points: difference))
        }
      }
    }
    if let max = node.max, value > max {
      state.items.append(LedgerItem(indicator: node.id, kind: .max, points: Engine.subtract(max, value)))
      value = max
    }
    if let min = node.min, value < min {
      state.items.append(LedgerItem(indicator: node.id, kind: .min, points: Engine.subtract(min, value)))
      value = min
    }
    state.order[slot].value = value
    return value
  }

  private func zeroDescendants(_ index: Int, _ state: inout Engine.ScopeWork) {
    for child in plan.children[index] {
      state.order.append(IndicatorValue(id: plan.nodes[child].id, value: .zero))
      zeroDescendants(child, &state)
    }
  }

  /// The `facts` object of this subject in a scope: per type, its facts (not rejected)
  /// in ledger order; lists no score expression reads are left empty, and lists whose
  /// elements are only read by field hold records with just those fields, shared.
  private mutating func factsObject(subject: Int, scope: Int) -> Value {
    let typeCount = rules.factTypes.count
    var counts = [Int](repeating: 0, count: typeCount)
    for local in 0..<count where rejection[local] < 0 && inScope(local, scope) {
      counts[Int(table.rows[start + local].type)] += 1
    }
    var lists = [[Value]](repeating: [], count: typeCount)
    for type in 0..<typeCount where counts[type] > 0 && plan.scoreListPlans[type].mode != .none {
      lists[type].reserveCapacity(counts[type])
    }
    for local in 0..<count where rejection[local] < 0 && inScope(local, scope) {
      let type = Int(table.rows[start + local].type)
      let listPlan = plan.scoreListPlans[type]
      switch listPlan.mode {
      case .none: continue
      case .whole:
        guard let object = plan.objects[type] else { continue }
        lists[type].append(factRecord(local, subject: subject, object: object))
      case .shared:
        guard let record = sharedRecord(local, type: type, subject: subject, listPlan) else { continue }
        lists[type].append(.object(record))
      }
    }
    return .object(RecordValue(type: environments.factsObject, fields: lists.map { .list($0) }))
  }

  /// A record with the fact's values in the plan's slots (and its type), other fields
  /// null: all an expression that reads only those fields can see. Facts that agree on
  /// them share one record, found by a packed key (up to two small values) or by the
  /// four slot values.
  private mutating func sharedRecord(_ local: Int, type: Int, subject: Int, _ listPlan: EnginePlan.ListPlan) -> RecordValue? {
    let row = table.rows[start + local]
    let store = table.store
    var key = MemoKey()
    var packed: UInt64 = 0
    var packable = listPlan.partCount <= 2
    for part in 0..<listPlan.partCount {
      let slot: Int16
      let isInt: Bool
      switch part {
      case 0: (slot, isInt) = (listPlan.parts.0, listPlan.partIsInt.0)
      case 1: (slot, isInt) = (listPlan.parts.1, listPlan.partIsInt.1)
      case 2: (slot, isInt) = (listPlan.parts.2, listPlan.partIsInt.2)
      default: (slot, isInt) = (listPlan.parts.3, listPlan.partIsInt.3)
      }
      let value: UInt64
      let isNull: Bool
      switch slot {
      case 1:
        value = UInt64(subject)
        isNull = false
      case 3:
        value = UInt64(bitPattern: Int64(row.date))
        isNull = row.date == FactRow.noDate
      case 4:
        value = UInt64(bitPattern: Int64(row.source))
        isNull = row.source < 0
      case 5:
        let note = store.note(row)
        value = UInt64(bitPattern: Int64(note))
        isNull = note < 0
      default:
        value = store.slot(row, Int(slot) - 6)
        isNull = isInt ? value == FactSlot.intNull : value == FactSlot.null
      }
      switch part {
      case 0: key.a = value
      case 1: key.b = value
      case 2: key.c = value
      default: key.d = value
      }
      if packable {
        // The value (or null) in 32 bits, null and every value distinct.
        if isNull {
          packed |= 0x8000_0000 << UInt64(32 * part)
        } else {
          let signed = Int64(bitPattern: value)
          if signed >= -0x4000_0000, signed < 0x4000_0000 {
            packed |= UInt64(UInt32(truncatingIfNeeded: signed) & 0x7FFF_FFFF) << UInt64(32 * part)
          } else {
            packable = false
          }
        }
      }
    }
    if packable {
      if let shared = packedRecords[type].lookup(packed) { return shared }
    } else if case .object(let shared)? = sharedRecords[type].lookup(key) {
      return shared
    }
    // Every declared fact type has its object type (the plan is built from the same rules).
    guard let object = plan.objects[type] else { return nil }
    let record = partialRecord(row, type: type, subject: subject, object: object, fill: listPlan.fill)
    if packable { packedRecords[type].store(packed, record) } else { sharedRecords[type].store(key, .object(record)) }
    return record
  }

  /// A record with the fact's values in the `fill` slots and its type, other fields null.
  private func partialRecord(_ row: FactRow, type: Int, subject: Int, object: ObjectType, fill: UInt64) -> RecordValue {
    let store = table.store
    let slotCount = object.fields.count
    let fields = [Value](unsafeUninitializedCapacity: slotCount) { buffer, initialized in
      buffer.initialize(repeating: .null)
      initialized = slotCount
      if slotCount > 2 { buffer[2] = .string(store.typeIDs[type]) }
      var fill = fill
      while fill != 0 {
        let slot = fill.trailingZeroBitCount
        fill &= fill &- 1
        guard slot < slotCount else { break }
        switch slot {
        case 0: break
        case 1: buffer[1] = .string(store.subjectText(row, rosterID: roster.subjects[subject].id))
        case 2: break
        case 3: buffer[3] = row.date == FactRow.noDate ? .null : .date(CELDate(daysSinceEpoch: row.date))
        case 4: buffer[4] = row.source < 0 ? .null : .string(store.pool.string(row.source))
        case 5:
          let note = store.note(row)
          buffer[5] = note < 0 ? .null : .string(store.pool.string(note))
        default: buffer[slot] = store.value(row, field: slot - 6)
        }
      }
    }
    return RecordValue(type: object, fields: fields)
  }

  private mutating func evaluateScore(
    _ nodeID: String, _ score: ScoreRule, _ aggregated: EnginePlan.ScoreAggregates?, subject: Int, scope: Int,
    factsObject: inout Value?, state: inout Engine.ScopeWork
  ) -> ExactDecimal {
    guard let compiled = score.value.compiled else { return .zero }
    let scopeName = plan.scopeNames[scope]
    let subjectID = roster.subjects[subject].id
    var activation = Activation([factsObject ?? .null, subjectRecord, .string(scopeName), .null])
    let raw = run(compiled, aggregated?.value, &activation, subject: subject, scope: scope, factsObject: &factsObject)
    guard let value = Engine.decimal(raw) else {
      work.errors.append(EvaluationError(scope: scopeName, subject: subjectID, node: nodeID, expression: score.value.source,
                                         message: Engine.describe(raw)))
      return .zero
    }
    activation[3] = .decimal(value)
    var points = ExactDecimal.zero
    switch score.rule {
    case .points(let expression):
      guard let program = expression.compiled else { return .zero }
      let result = run(program, aggregated?.points, &activation, subject: subject, scope: scope, factsObject: &factsObject)
      guard let number = Engine.decimal(result) else {
        work.errors.append(EvaluationError(scope: scopeName, subject: subjectID, node: nodeID, expression: expression.source,
                                           message: Engine.describe(result)))
        return .zero
      }
      points = number
    case .tiers(let tiers):
      for (position, tier) in tiers.enumerated() {
        if let min = tier.min, value < min { continue }
        switch tier.points {
        case .fixed(let number): points = number
        case .expression(let expression):
          guard let program = expression.compiled else { break }
          let fast = aggregated.flatMap { position < $0.tiers.count ? $0.tiers[position] : nil }
          let result = run(program, fast, &activation, subject: subject, scope: scope, factsObject: &factsObject)
          guard let number = Engine.decimal(result) else {
            work.errors.append(EvaluationError(scope: scopeName, subject: subjectID, node: nodeID,
                                               expression: expression.source, message: Engine.describe(result)))
            return .zero
          }
          points = number
        }
        break
      }
    }
    let rounded = Engine.round(points, decimals: decimals)
    let shown = value.scale > 6 ? value.rounded(scale: 6, .halfAwayFromZero) : value
    state.items.append(LedgerItem(indicator: nodeID, kind: .score, value: shown, points: rounded))
    return rounded
  }

  /// Evaluates a score expression: from the aggregates when it has them and they stay
  /// within its iteration budget, else as written on the `facts` object (built once).
  /// `activation` holds `facts`, `subject`, `scope`, `value`, then the aggregates.
  private mutating func run(
    _ compiled: CompiledExpression, _ fast: AggregateExpression?, _ activation: inout Activation, subject: Int,
    scope: Int, factsObject: inout Value?
  ) -> Value {
    if let fast {
      if fast.readsAggregates && aggregateScope != scope { computeAggregates(subject: subject, scope: scope) }
      var iterations = 0
      for type in fast.iteratedTypes { iterations += typeCounts[type] }
      if iterations <= fast.limit {
        if fast.readsAggregates && activation.values.count <= plan.aggregateBase {
          // Aggregate i is read from slot `aggregateBase + i`.
          while activation.values.count < plan.aggregateBase { activation.values.append(.null) }
          activation.values += aggregateValues
        }
        return fast.program.evaluate(activation)
      }
    }
    if factsObject == nil { factsObject = self.factsObject(subject: subject, scope: scope) }
    if case .null = activation[0], let facts = factsObject { activation[0] = facts }
    return compiled.evaluate(activation)
  }

  // MARK: Aggregates

  /// Every aggregate of the plan for this subject in `scope`: one pass over its facts.
  private mutating func computeAggregates(subject: Int, scope: Int) {
    aggregateScope = scope
    let aggregates = plan.aggregates
    let typeCount = rules.factTypes.count
    typeCounts.removeAll(keepingCapacity: true)
    typeCounts.append(contentsOf: repeatElement(0, count: typeCount))
    aggregateAccumulators.removeAll(keepingCapacity: true)
    aggregateCounts.removeAll(keepingCapacity: true)
    aggregateSettled.removeAll(keepingCapacity: true)
    for kind in plan.aggregateKinds {
      switch kind {
      case .exists: aggregateAccumulators.append(.bool(false))
      case .all: aggregateAccumulators.append(.bool(true))
      case .size, .count, .existsOne: aggregateAccumulators.append(.null)
      }
      aggregateCounts.append(0)
      aggregateSettled.append(false)
    }
    if bucketed {
      for type in 0..<typeCount where plan.aggregateTypes[type] {
        for position in bucket(of: type) {
          let local = Int(byType[position])
          if rejection[local] < 0 && inScope(local, scope) { aggregate(local, subject: subject, scope: scope) }
        }
      }
    } else {
      for local in 0..<count where rejection[local] < 0 && inScope(local, scope) {
        aggregate(local, subject: subject, scope: scope)
      }
    }
    aggregateValues.removeAll(keepingCapacity: true)
    for (index, aggregate) in aggregates.enumerated() {
      let accumulator = aggregateAccumulators[index]
      switch aggregate.kind {
      case .size:
        aggregateValues.append(.int(Int64(typeCounts[aggregate.type])))
      case .count:
        if case .null = accumulator {
          aggregateValues.append(.int(Int64(aggregateCounts[index])))
        } else {
          aggregateValues.append(accumulator)
        }
      case .existsOne:
        if case .null = accumulator {
          aggregateValues.append(.bool(aggregateCounts[index] == 1))
        } else {
          aggregateValues.append(accumulator)
        }
      case .exists, .all:
        aggregateValues.append(accumulator)
      }
    }
  }

  /// One fact (not rejected, in the scope) in every aggregate over its type.
  @inline(__always)
  private mutating func aggregate(_ local: Int, subject: Int, scope: Int) {
    let store = table.store
    let row = table.rows[start + local]
    let type = Int(row.type)
    typeCounts[type] += 1
    for position in plan.iteratingStart[type]..<plan.iteratingStart[type + 1] {
      let index = plan.iterating[position]
      if aggregateSettled[index] { continue }
      let outcome: Int32
      if let rowPredicate = plan.aggregateRows[index],
        case let known = rowPredicate._withUnsafeGuaranteedRef({ $0.eval(row, store) }), known != RowPredicate.unknown
      {
        outcome = Int32(known)
      } else if let keyPlan = plan.aggregateKeys[index] {
        let key = keyPlan.key(row, store, subject: subject, scope: scope)
        if let packed = keyPlan.packed(key) {
          if let known = aggregatePacked[index].lookup(packed) {
            outcome = known
          } else {
            outcome = predicateOutcome(index, local: local, subject: subject, scope: scope, remember: true)
            if outcome >= 0 { aggregatePacked[index].store(packed, outcome) }
          }
        } else if let known = aggregateMemory[index].lookup(key) {
          outcome = known
        } else {
          outcome = predicateOutcome(index, local: local, subject: subject, scope: scope, remember: true)
          if outcome >= 0 { aggregateMemory[index].store(key, outcome) }
        }
      } else {
        outcome = predicateOutcome(index, local: local, subject: subject, scope: scope, remember: false)
      }
      fold(index, outcome)
    }
  }

  /// One step of an aggregate's fold, as the macro's step node takes it.
  private mutating func fold(_ index: Int, _ outcome: Int32) {
    switch plan.aggregateKinds[index] {
    case .size:
      break
    case .count, .existsOne:
      // `P ? @result + [x] : @result` and `P ? @result + 1 : @result`: an error stays
      // (adding to it gives it back) until P fails again.
      switch outcome {
      case 1:
        guard case .null = aggregateAccumulators[index] else { break }
        if plan.aggregateKinds[index] == .count && aggregateCounts[index] >= maxConcatenationSize {
          aggregateAccumulators[index] = Ops.tooLong()
        } else {
          aggregateCounts[index] += 1
        }
      case 0:
        break
      default:
        let other = outcomeValue(index, outcome)
        aggregateAccumulators[index] = other.isError ? other : Ops.noOverload("_?_:_", other)
      }
    case .exists:
      // `@result || P` (`OrNode`), while @result is not true.
      let a = aggregateAccumulators[index]
      let b = outcomeValue(index, outcome)
      let next: Value
      switch (a, b) {
      case (_, .bool(true)): next = b
      case (.bool(false), .bool(false)): next = b
      case (.bool(false), .error): next = b
      case (.error, _): next = a
      default: next = Ops.noOverload("_||_", a, b)
      }
      aggregateAccumulators[index] = next
      if case .bool(true) = next { aggregateSettled[index] = true }
    case .all:
      // `@result && P` (`AndNode`), while @result is not false.
      let a = aggregateAccumulators[index]
      let b = outcomeValue(index, outcome)
      let next: Value
      switch (a, b) {
      case (_, .bool(false)): next = b
      case (.bool(true), .bool(true)): next = b
      case (.bool(true), .error): next = b
      case (.error, _): next = a
      default: next = Ops.noOverload("_&&_", a, b)
      }
      aggregateAccumulators[index] = next
      if case .bool(false) = next { aggregateSettled[index] = true }
    }
  }

  /// The value of a predicate outcome: false, true, the last unremembered one (-1),
  /// or a remembered one.
  private func outcomeValue(_ index: Int, _ outcome: Int32) -> Value {
    switch outcome {
    case 0: return .bool(false)
    case 1: return .bool(true)
    case -1: return aggregateScratch
    default: return aggregateOthers[index][Int(outcome) - 2]
    }
  }

  /// P of an aggregate on one fact: 0 (false), 1 (true), 2 + its index in
  /// `aggregateOthers` (when `remember` and there is room), or -1 (in `aggregateScratch`).
  private mutating func predicateOutcome(_ index: Int, local: Int, subject: Int, scope: Int, remember: Bool) -> Int32 {
    let aggregate = plan.aggregates[index]
    guard let predicate = aggregate.predicate, let object = plan.objects[aggregate.type] else { return 0 }
    var context = EvalContext(
      variables: [.null, subjectRecord, .string(plan.scopeNames[scope])],
      locals: [Value](repeating: .null, count: aggregate.localCount), budget: comprehensionBudget)
    if let fill = aggregate.fill {
      let row = table.rows[start + local]
      context.locals[aggregate.iterSlot] = .object(partialRecord(row, type: aggregate.type, subject: subject, object: object, fill: fill))
    } else {
      context.locals[aggregate.iterSlot] = factRecord(local, subject: subject, object: object)
    }
    let value = predicate.eval(&context)
    switch value {
    case .bool(false): return 0
    case .bool(true): return 1
    default:
      guard remember, aggregateOthers[index].count < (1 << 16) else {
        aggregateScratch = value
        return -1
      }
      aggregateOthers[index].append(value)
      return Int32(aggregateOthers[index].count + 1)
    }
  }
}
