/// Evaluates subjects one at a time (§3 phases 2–3, §8), reusing its buffers and
/// remembering per-fact expression results across the subjects it is given. One per
/// worker thread.
struct SubjectEvaluator {
  let engine: Engine
  /// The table of the block of subjects being evaluated.
  var table: FactTable
  let plan: EnginePlan
  let rules: RuleSet

  /// Per per-fact node: remembered `when` and points results.
  private var whenMemos: [Memo<WhenResult>]
  private var pointsMemos: [Memo<PointsResult>]
  /// Per per-fact node, per source pool id: whether the source may score it (nil: unknown yet).
  private var scorerAllowed: [[Int32: Bool]]

  // Per-subject state (indexed by the fact's position within the subject).
  private var start = 0
  private var count = 0
  /// Period of each fact (-1 without periods or outside them).
  private var period: [Int32] = []
  /// Index into `work.rejections`, or -1.
  private var rejection: [Int32] = []
  private var applied: [Bool] = []
  /// Per per-fact node: bit set for each fact it gave points (words of 64 facts).
  private var selected: [[UInt64]] = []
  /// Per per-fact node: (fact, scope, points) in fact order.
  private var decisions: [[(fact: Int32, scope: Int32, points: ExactDecimal)]] = []
  /// (node, fact) → the cancelling fact (table index) with the smallest id.
  private var cancelled: [Int: Int] = [:]
  /// Records built for this subject (`fact` objects), by position.
  private var records: [Value?] = []
  private var subjectRecord: Value = .null
  /// Per fact type: records shared by facts with the same values in the fields read.
  private var sharedRecords: [Memo<Value>]
  private var work = Engine.SubjectWork()

  enum WhenResult {
    case yes
    case no
    case reject(String)
  }

  enum PointsResult {
    case points(ExactDecimal)
    case notSelected
    case reject(String)
  }

  init(engine: Engine, table: FactTable) {
    self.engine = engine
    self.table = table
    plan = engine.plan
    rules = engine.rules
    whenMemos = plan.perFact.map { _ in Memo() }
    pointsMemos = plan.perFact.map { _ in Memo() }
    scorerAllowed = plan.perFact.map { _ in [:] }
    sharedRecords = engine.rules.factTypes.map { _ in Memo() }
    selected = plan.perFact.map { _ in [] }
    decisions = plan.perFact.map { _ in [] }
  }

  // MARK: One subject

  mutating func evaluate(_ subject: Int) -> Engine.SubjectWork {
    let range = table.range(of: subject)
    start = range.lowerBound
    count = range.count
    work = Engine.SubjectWork()
    subjectRecord = .object(engine.roster.subjects[subject].record)
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
    period.removeAll(keepingCapacity: true)
    rejection.removeAll(keepingCapacity: true)
    applied.removeAll(keepingCapacity: true)
    records.removeAll(keepingCapacity: true)
    cancelled.removeAll(keepingCapacity: true)
    rejection.append(contentsOf: repeatElement(-1, count: count))
    applied.append(contentsOf: repeatElement(false, count: count))
    records.append(contentsOf: repeatElement(nil, count: count))
    let words = (count + 63) / 64
    for k in plan.perFact.indices {
      decisions[k].removeAll(keepingCapacity: true)
      selected[k].removeAll(keepingCapacity: true)
      selected[k].append(contentsOf: repeatElement(0, count: words))
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

  /// The scopes a fact is in (period index, or periods.count for annual).
  @inline(__always)
  private func scopes(_ local: Int) -> (Int, Int)? {
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
  private func inScope(_ local: Int, _ scope: Int) -> Bool {
    guard let (a, b) = scopes(local) else { return false }
    return a == scope || b == scope
  }

  private mutating func reject(_ local: Int, _ code: DiagnosticCode, _ reason: String) {
    guard rejection[local] < 0 else { return }
    rejection[local] = Int32(work.rejections.count)
    let row = table.rows[start + local]
    work.rejections.append((table.id(start + local), Int(row.file), Int(row.row), code, reason))
  }

  private func itemEstimate(_ scope: Int) -> Int {
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
    for local in 0..<count where table.rows[start + local].type == Int32(type) {
      if rejection[local] >= 0 { continue }
      guard let (first, second) = scopes(local) else { continue }
      for round in 0..<2 {
        let scope = round == 0 ? first : second
        if scope < 0 { break }
        switch decideFact(k, pf, local: local, subject: subject, scope: scope) {
        case .notSelected: continue
        case .rejected(let code, let reason):
          reject(local, code, reason)
          rejectedHere = true
        case .points(let points):
          decisions[k].append((Int32(local), Int32(scope), points))
          selected[k][local >> 6] |= 1 << UInt64(local & 63)
        }
        if rejection[local] >= 0 { break }
      }
    }
    // Drop facts rejected in a later scope from earlier scopes.
    if rejectedHere { decisions[k].removeAll { rejection[Int($0.fact)] >= 0 } }
  }

  func applies(_ node: Int, _ subject: Int) -> Bool {
    guard let groups = plan.applies[node] else { return true }
    return groups[engine.roster.subjects[subject].groupIndex]
  }

  private mutating func factRecord(_ local: Int, subject: Int, object: ObjectType) -> Value {
    if let record = records[local] { return record }
    let record = Value.object(table.record(start + local, subject: subject, roster: engine.roster, object: object))
    records[local] = record
    return record
  }

  private mutating func evaluateFactExpression(
    _ expression: FactExpression, local: Int, subject: Int, scope: Int, object: ObjectType
  ) -> Value {
    let record = factRecord(local, subject: subject, object: object)
    return expression.compiled.evaluate(Activation([record, subjectRecord, .string(plan.scopeNames[scope])]))
  }

  private mutating func decideFact(
    _ k: Int, _ pf: EnginePlan.PerFactPlan, local: Int, subject: Int, scope: Int
  ) -> Engine.FactDecision {
    let fact = start + local
    guard let object = pf.object else { return .notSelected }
    var nodeID: String { pf.nodeID }
    if let when = pf.when {
      let key = when.key(table, fact: fact, subject: subject, scope: scope)
      let result: WhenResult
      if let known = whenMemos[k].lookup(key) {
        result = known
      } else {
        switch evaluateFactExpression(when, local: local, subject: subject, scope: scope, object: object) {
        case .bool(true): result = .yes
        case .bool(false): result = .no
        case .error(let error):
          result = .reject("the when of \(nodeID) failed: \(error.message) (`\(when.source.source.collapsingSpaces)`)")
        default:
          result = .reject("the when of \(nodeID) did not give true or false (`\(when.source.source.collapsingSpaces)`)")
        }
        whenMemos[k].store(key, result)
      }
      switch result {
      case .yes: break
      case .no: return .notSelected
      case .reject(let reason): return .rejected(.factExpression, reason)
      }
    }
    if let scorers = pf.scorers {
      let sourceID = table.rows[fact].source
      let allowed: Bool
      if let known = scorerAllowed[k][sourceID] {
        allowed = known
      } else {
        allowed = scorers.contains(sourceID < 0 ? "" : table.store.pool.string(sourceID))
        scorerAllowed[k][sourceID] = allowed
      }
      if !allowed {
        if sourceID < 0 {
          return .rejected(.unauthorisedSource, "no source: \(nodeID) is scored only by \(scorers.joined(separator: ", "))")
        }
        let source = table.store.pool.string(sourceID)
        if let byName = rules.scorers.first(where: { $0.name == source }) {
          if scorers.contains(byName.id) {
            return .rejected(.unauthorisedSource,
                             "source '\(source)' is the name of scorer '\(byName.id)'; write the id '\(byName.id)'")
          }
          return .rejected(.unauthorisedSource,
                           "source '\(source)' (scorer '\(byName.id)') may not score \(nodeID) (谁部署谁赋分: only \(scorers.joined(separator: ", ")))")
        }
        return .rejected(.unauthorisedSource,
                         "source '\(source)' may not score \(nodeID) (谁部署谁赋分: only \(scorers.joined(separator: ", ")))")
      }
    }
    let result: PointsResult
    switch pf.points {
    case .fixed(let value):
      result = value.isNegative ? .reject(Self.negative(nodeID, value)) : .points(value)
    case .expression, .table:
      guard let expression = pf.pointsExpression else { return .notSelected }
      let key = expression.key(table, fact: fact, subject: subject, scope: scope)
      if let known = pointsMemos[k].lookup(key) {
        result = known
      } else {
        let value = evaluateFactExpression(expression, local: local, subject: subject, scope: scope, object: object)
        result = Self.points(value, pf, expression)
        pointsMemos[k].store(key, result)
      }
    }
    switch result {
    case .points(let points): return .points(points)
    case .notSelected: return .notSelected
    case .reject(let reason): return .rejected(.factExpression, reason)
    }
  }

  private static func negative(_ nodeID: String, _ points: ExactDecimal, _ source: String? = nil) -> String {
    let expression = source.map { " (`\($0.collapsingSpaces)`)" } ?? ""
    return "the points of \(nodeID) are negative (\(points))\(expression); the sign comes from bonus or deduction"
  }

  /// The points of a per-fact node from its expression's value.
  private static func points(_ value: Value, _ pf: EnginePlan.PerFactPlan, _ expression: FactExpression) -> PointsResult {
    let nodeID = pf.nodeID
    let points: ExactDecimal
    switch pf.points {
    case .fixed(let fixed):
      points = fixed
    case .expression:
      guard let number = Engine.decimal(value) else {
        return .reject(
          "the points of \(nodeID) failed: \(Engine.describe(value)) (`\(expression.source.source.collapsingSpaces)`)")
      }
      points = number
    case .table:
      guard let key = Engine.key(value) else {
        return .reject("the by of \(nodeID) failed: \(Engine.describe(value)) (`\(expression.source.source.collapsingSpaces)`)")
      }
      guard let found = pf.table?.points(for: key) else {
        return .reject(
          "the table of \(nodeID) has no points for '\(key)' and no default (`\(expression.source.source.collapsingSpaces)`)")
      }
      points = found
    }
    if points.isNegative { return .reject(negative(nodeID, points, expression.source.source)) }
    return .points(points)
  }

  // MARK: Phase 3

  private mutating func cancel(subject: Int) {
    let store = table.store
    for local in 0..<count where rejection[local] < 0 {
      let fact = start + local
      let row = table.rows[fact]
      let type = Int(row.type)
      guard plan.cancelling[type], let text = store.refText(row) else { continue }
      // The fact its ref names: anywhere in the run, but cancelled only in this subject.
      let target = store.refTargets[text]
      var targetLocal = -1
      if let target {
        for other in 0..<count where table.rows[start + other].record == target.record {
          targetLocal = other
          break
        }
      }
      guard let target, !target.hasRef, !(targetLocal >= 0 && rejection[targetLocal] >= 0) else {
        reject(local, .refNamesNoFact, "ref names no fact: no fact with id '\(store.pool.string(text))' can be cancelled")
        continue
      }
      guard targetLocal >= 0 else { continue }
      // Cancels in every node that names this type and selected the target for this subject.
      for k in plan.perFact.indices where plan.perFact[k].cancelledBy[type] {
        guard selected[k][targetLocal >> 6] & (1 << UInt64(targetLocal & 63)) != 0 else { continue }
        let slot = k << 32 | targetLocal
        if let current = cancelled[slot] {
          if table.idLess(fact, current) { cancelled[slot] = fact }
        } else {
          cancelled[slot] = fact
        }
        applied[local] = true
      }
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
      scope: plan.scopeNames[scope], subject: engine.roster.subjects[subject].id, node: node, expression: "",
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
        for entry in decisions[k] where Int(entry.scope) == scope && rejection[Int(entry.fact)] < 0 {
          let fact = start + Int(entry.fact)
          if !cancelled.isEmpty, let by = cancelled[k << 32 | Int(entry.fact)] {
            state.items.append(LedgerItem(indicator: node.id, kind: .fact(table.id(fact)), points: .zero,
                                          cancelledBy: table.id(by)))
            continue
          }
          let points = engine.round(entry.points)
          sum = add(sum, points, at: node.id, subject: subject, scope: scope)
          state.items.append(LedgerItem(indicator: node.id, kind: .fact(table.id(fact)), points: sign ? points.negated() : points))
        }
      }
      if let cap, sum > cap {
        let adjustment = engine.subtract(cap, sum)
        state.items.append(LedgerItem(indicator: node.id, kind: .cap, points: sign ? adjustment.negated() : adjustment))
        sum = cap
      }
      value = sign ? sum.negated() : sum
    case .score(let score):
      value = evaluateScore(node.id, score, subject: subject, scope: scope, factsObject: &factsObject, state: &state)
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
        value = engine.round(weighted)
        let difference = engine.subtract(value, childSum)
        if !difference.isZero {
          state.items.append(LedgerItem(indicator: node.id, kind: .weighted, points: difference))
        }
      }
    }
    if let max = node.max, value > max {
      state.items.append(LedgerItem(indicator: node.id, kind: .max, points: engine.subtract(max, value)))
      value = max
    }
    if let min = node.min, value < min {
      state.items.append(LedgerItem(indicator: node.id, kind: .min, points: engine.subtract(min, value)))
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
  /// elements are only read by field hold records shared by facts that agree on them.
  private mutating func factsObject(subject: Int, scope: Int, lists plans: [EnginePlan.ListRecords]) -> Value {
    let typeCount = rules.factTypes.count
    var counts = [Int](repeating: 0, count: typeCount)
    for local in 0..<count where rejection[local] < 0 && inScope(local, scope) {
      counts[Int(table.rows[start + local].type)] += 1
    }
    var lists = [[Value]](repeating: [], count: typeCount)
    for type in 0..<typeCount where counts[type] > 0 && plans[type].isRead { lists[type].reserveCapacity(counts[type]) }
    for local in 0..<count where rejection[local] < 0 && inScope(local, scope) {
      let type = Int(table.rows[start + local].type)
      switch plans[type] {
      case .none: continue
      case .whole:
        guard let object = engine.environments.factObjects[rules.factTypes[type].id] else { continue }
        lists[type].append(factRecord(local, subject: subject, object: object))
      case .shared(let key, let slots):
        lists[type].append(sharedRecord(local, type: type, subject: subject, key: key, slots: slots))
      }
    }
    return .object(RecordValue(type: engine.environments.factsObject, fields: lists.map { .list($0) }))
  }

  /// A record with the fact's values in `slots` (and its type), other fields null,
  /// shared with the facts of the same type that have the same values there.
  private mutating func sharedRecord(
    _ local: Int, type: Int, subject: Int, key: [ExpressionUse.Field], slots: [Int]
  ) -> Value {
    let fact = start + local
    let row = table.rows[fact]
    let store = table.store
    var parts: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    for (index, field) in key.enumerated() {
      let value: UInt64
      switch field {
      case .date: value = UInt64(bitPattern: Int64(row.date))
      case .source: value = UInt64(bitPattern: Int64(row.source))
      case .note: value = UInt64(bitPattern: Int64(store.note(row)))
      case .subjectText: value = UInt64(subject)
      case .declared(let field): value = store.slot(row, field)
      }
      switch index {
      case 0: parts.0 = value
      case 1: parts.1 = value
      case 2: parts.2 = value
      default: parts.3 = value
      }
    }
    let memoKey = MemoKey(a: parts.0, b: parts.1, c: parts.2, d: parts.3)
    if let shared = sharedRecords[type].lookup(memoKey) { return shared }
    guard let object = engine.environments.factObjects[rules.factTypes[type].id] else { return .null }
    var fields = [Value](repeating: .null, count: object.fields.count)
    fields[2] = .string(store.typeIDs[type])
    for slot in slots {
      switch slot {
      case 1: fields[1] = .string(store.subjectText(row, rosterID: engine.roster.subjects[subject].id))
      case 3: fields[3] = row.date == FactRow.noDate ? .null : .date(CELDate(daysSinceEpoch: row.date))
      case 4: fields[4] = row.source < 0 ? .null : .string(store.pool.string(row.source))
      case 5:
        let note = store.note(row)
        fields[5] = note < 0 ? .null : .string(store.pool.string(note))
      case 6...: fields[slot] = store.value(row, field: slot - 6)
      default: break
      }
    }
    let record = Value.object(RecordValue(type: object, fields: fields))
    sharedRecords[type].store(memoKey, record)
    return record
  }

  private mutating func evaluateScore(
    _ nodeID: String, _ score: ScoreRule, subject: Int, scope: Int, factsObject: inout Value?,
    state: inout Engine.ScopeWork
  ) -> ExactDecimal {
    guard let compiled = score.value.compiled else { return .zero }
    let facts: Value
    if let built = factsObject {
      facts = built
    } else {
      facts = self.factsObject(subject: subject, scope: scope, lists: plan.scoreLists)
      factsObject = facts
    }
    let scopeName = plan.scopeNames[scope]
    let subjectID = engine.roster.subjects[subject].id
    let activation = Activation([facts, subjectRecord, .string(scopeName), .null])
    let raw = compiled.evaluate(activation)
    guard let value = Engine.decimal(raw) else {
      work.errors.append(EvaluationError(scope: scopeName, subject: subjectID, node: nodeID, expression: score.value.source,
                                         message: Engine.describe(raw)))
      return .zero
    }
    var withValue = activation
    withValue[3] = .decimal(value)
    var points = ExactDecimal.zero
    switch score.rule {
    case .points(let expression):
      guard let program = expression.compiled else { return .zero }
      let result = program.evaluate(withValue)
      guard let number = Engine.decimal(result) else {
        work.errors.append(EvaluationError(scope: scopeName, subject: subjectID, node: nodeID, expression: expression.source,
                                           message: Engine.describe(result)))
        return .zero
      }
      points = number
    case .tiers(let tiers):
      for tier in tiers {
        if let min = tier.min, value < min { continue }
        switch tier.points {
        case .fixed(let number): points = number
        case .expression(let expression):
          guard let program = expression.compiled else { break }
          let result = program.evaluate(withValue)
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
    let rounded = engine.round(points)
    let shown = value.scale > 6 ? value.rounded(scale: 6, .halfAwayFromZero) : value
    state.items.append(LedgerItem(indicator: nodeID, kind: .score, value: shown, points: rounded))
    return rounded
  }
}
