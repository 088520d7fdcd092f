import Dispatch

/// A per-subject evaluation error (§13: all of them are reported, and there is no result).
public struct EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
  public var scope: String
  public var subject: String
  /// The indicator or outcome whose expression failed.
  public var node: String
  public var expression: String
  public var message: String

  public var description: String {
    "scope \(scope), subject \(subject), \(node): \(message) in `\(expression.collapsingSpaces)`"
  }
}

/// Applies a checked rule set to a roster and facts (§2–§11).
struct Engine: Sendable {
  let rules: RuleSet
  let roster: Roster
  let inputs: FactInputs
  let environments: RuleEnvironments
  /// Worker threads (1 = serial). Results are identical whatever the count.
  var threads: Int

  /// The scopes evaluated: periods in file order, then `annual`.
  var scopeIDs: [String] { rules.periods.map(\.id) + ["annual"] }

  // MARK: Per-fact phase (§3 phase 2 and 3)

  /// What one bonus/deduction node made of one fact in one scope.
  enum FactDecision {
    case notSelected
    case points(ExactDecimal)
    case rejected(DiagnosticCode, String)
  }

  /// Facts by subject, sorted by (date, id) with undated ones first.
  func factsBySubject() -> [[Int]] {
    var result = [[Int]](repeating: [], count: roster.subjects.count)
    for (index, fact) in inputs.facts.enumerated() { result[fact.subject].append(index) }
    for subject in result.indices {
      result[subject].sort { a, b in Self.factOrder(inputs.facts[a], inputs.facts[b]) }
    }
    return result
  }

  static func factOrder(_ a: Fact, _ b: Fact) -> Bool {
    switch (a.date, b.date) {
    case (nil, nil):
      if a.file != b.file { return a.file < b.file }
      return a.row < b.row
    case (nil, _?): return true
    case (_?, nil): return false
    case (let x?, let y?):
      if x != y { return x < y }
      return codePointLess(a.id, b.id)
    }
  }

  /// Text order by Unicode code point (UTF-8 byte order is code point order).
  static func codePointLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
  }

  /// The scope index (period index, or periods.count for annual) of each scope a fact is in.
  func scopes(of fact: Fact) -> [Int] {
    let annual = rules.periods.count
    guard !rules.periods.isEmpty else { return [annual] }
    guard let date = fact.date, let period = rules.periods.firstIndex(where: { $0.from <= date && date <= $0.to }) else {
      return []
    }
    switch rules.annual {
    case .facts: return [period, annual]
    case .weights: return [period]
    }
  }

  // MARK: Running

  struct SubjectWork {
    /// Per fact of the subject (by global index): rejection, if any.
    var rejections: [Int: (DiagnosticCode, String)] = [:]
    /// Facts applied by a node, or that cancelled an item.
    var applied: Set<Int> = []
    /// Per scope: the ledger state.
    var scopes: [ScopeWork] = []
    var errors: [EvaluationError] = []
  }

  struct ScopeWork {
    var values: [String: ExactDecimal] = [:]
    var order: [IndicatorValue] = []
    var items: [LedgerItem] = []
    var total = ExactDecimal.zero
    var periods: [PeriodContribution]? = nil
  }

  /// Evaluates everything; returns the result or every per-subject error.
  func run(rulesInfo: RulesInfo) -> Result<EvaluationResult, EvaluationFailure> {
    let bySubject = factsBySubject()
    let factIndexByID = Dictionary(inputs.facts.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    var work = [SubjectWork](repeating: SubjectWork(), count: roster.subjects.count)
    let count = roster.subjects.count
    let chunk = Swift.max(1, (count + threads * 4 - 1) / Swift.max(1, threads * 4))
    let chunks = (count + chunk - 1) / chunk
    work.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let output = buffer
      let body: @Sendable (Int) -> Void = { chunkIndex in
        let start = chunkIndex * chunk
        let end = Swift.min(count, start + chunk)
        for subject in start..<end {
          output[subject] = evaluateSubject(subject, facts: bySubject[subject], factIndexByID: factIndexByID)
        }
      }
      if threads <= 1 || chunks <= 1 {
        for index in 0..<chunks { body(index) }
      } else {
        DispatchQueue.concurrentPerform(iterations: chunks, execute: body)
      }
    }
    let errors = work.flatMap(\.errors)
    if !errors.isEmpty {
      let scopeOrder = Dictionary(scopeIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
      let sorted = errors.enumerated().sorted { a, b in
        let (x, y) = (scopeOrder[a.element.scope] ?? 0, scopeOrder[b.element.scope] ?? 0)
        return x != y ? x < y : a.offset < b.offset
      }.map(\.element)
      return .failure(EvaluationFailure(errors: sorted))
    }
    return assemble(work, rulesInfo: rulesInfo, bySubject: bySubject)
  }

  // MARK: One subject

  func evaluateSubject(_ subject: Int, facts: [Int], factIndexByID: [String: Int]) -> SubjectWork {
    var work = SubjectWork()
    let subjectInfo = roster.subjects[subject]
    let scopeCount = rules.periods.count + 1
    let scopeNames = scopeIDs
    var factScopes: [Int: [Int]] = [:]
    for index in facts { factScopes[index] = scopes(of: inputs.facts[index]) }

    // Phase 2: every bonus/deduction node, every selected fact, every scope it is in.
    // decisions[node][scope] = [(fact, points)] in fact order.
    let perFactNodes = rules.allIndicators.filter { $0.perFactRule != nil }
    var decisions: [String: [[(fact: Int, points: ExactDecimal)]]] = [:]
    var activation = Activation([.null, .object(subjectInfo.record), .null])
    for node in perFactNodes {
      guard let rule = node.perFactRule else { continue }
      decisions[node.id] = decide(node, rule, subjectInfo, facts, factScopes, scopeNames, &activation, &work)
    }

    // Phase 3: cancellation by `ref`.
    var cancelledBy: [String: [Int: String]] = [:]  // node id -> fact -> smallest cancelling id
    let cancellingTypes = Set(perFactNodes.compactMap { $0.perFactRule?.cancelledBy })
    for index in facts where work.rejections[index] == nil {
      let fact = inputs.facts[index]
      let typeID = rules.factTypes[fact.type].id
      guard cancellingTypes.contains(typeID), let ref = fact.ref else { continue }
      guard let target = factIndexByID[ref], inputs.facts[target].ref == nil, !isRejected(target, work, subject) else {
        work.rejections[index] = (.refNamesNoFact, "ref names no fact: no fact with id '\(ref)' can be cancelled")
        continue
      }
      // Cancels in every node that names this type and selected the target for this subject.
      for node in perFactNodes where node.perFactRule?.cancelledBy == typeID {
        guard let perScope = decisions[node.id], perScope.contains(where: { $0.contains { $0.fact == target } }) else {
          continue
        }
        let current = cancelledBy[node.id]?[target]
        if current == nil || Self.codePointLess(fact.id, current ?? "") { cancelledBy[node.id, default: [:]][target] = fact.id }
        work.applied.insert(index)
      }
    }

    // Facts applied by nodes (not rejected).
    for (_, perScope) in decisions {
      for entries in perScope { for entry in entries where work.rejections[entry.fact] == nil { work.applied.insert(entry.fact) } }
    }

    // Ledgers per scope.
    for scope in 0..<scopeCount {
      if scope == rules.periods.count, case .weights(let weights) = rules.annual {
        work.scopes.append(weightedAnnual(work.scopes, weights))
        continue
      }
      var state = ScopeWork()
      let scopeFacts = facts.filter { work.rejections[$0] == nil && (factScopes[$0] ?? []).contains(scope) }
      var total = rules.base
      for node in rules.indicators {
        let value = evaluateNode(node, subjectInfo, scope: scope, scopeName: scopeNames[scope], scopeFacts: scopeFacts,
                                 decisions: decisions, cancelledBy: cancelledBy, state: &state, work: &work)
        total = add(total, value)
      }
      state.total = total
      work.scopes.append(state)
    }
    return work
  }

  private func isRejected(_ fact: Int, _ work: SubjectWork, _ subject: Int) -> Bool {
    // A target of another subject was judged in that subject's own pass; phase 1 and 2
    // rejections of other subjects are not visible here, so only this subject's count.
    inputs.facts[fact].subject == subject && work.rejections[fact] != nil
  }

  private func decide(
    _ node: Indicator, _ rule: PerFactRule, _ subject: RosterSubject, _ facts: [Int], _ factScopes: [Int: [Int]],
    _ scopeNames: [String], _ activation: inout Activation, _ work: inout SubjectWork
  ) -> [[(fact: Int, points: ExactDecimal)]] {
    var perScope = [[(fact: Int, points: ExactDecimal)]](repeating: [], count: rules.periods.count + 1)
    guard applies(node, to: subject) else { return perScope }
    guard let typeIndex = rules.factTypes.firstIndex(where: { $0.id == rule.facts }) else { return perScope }
    for index in facts where inputs.facts[index].type == typeIndex {
      if work.rejections[index] != nil { continue }
      let fact = inputs.facts[index]
      activation[0] = .object(fact.record)
      for scope in factScopes[index] ?? [] {
        activation[2] = .string(scopeNames[scope])
        switch decideFact(node, rule, fact, activation) {
        case .notSelected: continue
        case .rejected(let code, let reason):
          if work.rejections[index] == nil { work.rejections[index] = (code, reason) }
        case .points(let points):
          perScope[scope].append((index, points))
        }
        if work.rejections[index] != nil { break }
      }
    }
    // Drop facts rejected in a later scope from earlier scopes.
    return perScope.map { $0.filter { work.rejections[$0.fact] == nil } }
  }

  func decideFact(_ node: Indicator, _ rule: PerFactRule, _ fact: Fact, _ activation: Activation) -> FactDecision {
    if let when = rule.when, let compiled = when.compiled {
      switch compiled.evaluate(activation) {
      case .bool(true): break
      case .bool(false): return .notSelected
      case .error(let error):
        return .rejected(.factExpression, "the when of \(node.id) failed: \(error.message) (`\(when.source.collapsingSpaces)`)")
      default:
        return .rejected(.factExpression, "the when of \(node.id) did not give true or false (`\(when.source.collapsingSpaces)`)")
      }
    }
    if let scorers = rule.scorers {
      let source = fact.source ?? ""
      if !scorers.contains(source) {
        if fact.source == nil {
          return .rejected(.unauthorisedSource, "no source: \(node.id) is scored only by \(scorers.joined(separator: ", "))")
        }
        if let byName = rules.scorers.first(where: { $0.name == source }) {
          return .rejected(.unauthorisedSource,
                           "source '\(source)' is the name of scorer '\(byName.id)'; write the id '\(byName.id)'")
        }
        return .rejected(.unauthorisedSource,
                         "source '\(source)' may not score \(node.id) (谁部署谁赋分: only \(scorers.joined(separator: ", ")))")
      }
    }
    let points: ExactDecimal
    switch rule.points {
    case .fixed(let value):
      points = value
    case .expression(let expression):
      guard let compiled = expression.compiled else { return .notSelected }
      let value = compiled.evaluate(activation)
      guard let number = Self.decimal(value) else {
        return .rejected(.factExpression, "the points of \(node.id) failed: \(Self.describe(value)) (`\(expression.source.collapsingSpaces)`)")
      }
      points = number
    case .table(let table):
      guard let compiled = table.by.compiled else { return .notSelected }
      let value = compiled.evaluate(activation)
      guard let key = Self.key(value) else {
        return .rejected(.factExpression, "the by of \(node.id) failed: \(Self.describe(value)) (`\(table.by.source.collapsingSpaces)`)")
      }
      guard let found = table.points(for: key) else {
        return .rejected(.factExpression, "the table of \(node.id) has no points for '\(key)' and no default")
      }
      points = found
    }
    if points.isNegative {
      return .rejected(.factExpression, "the points of \(node.id) are negative (\(points)); the sign comes from bonus or deduction")
    }
    return .points(points)
  }

  func applies(_ node: Indicator, to subject: RosterSubject) -> Bool {
    guard let groups = node.appliesTo else { return true }
    return groups.contains(subject.group)
  }

  // MARK: Nodes

  private func round(_ value: ExactDecimal) -> ExactDecimal {
    value.rounded(scale: rules.decimals, .halfAwayFromZero)
  }

  private func add(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal {
    (try? a.adding(b)) ?? a
  }

  private func subtract(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal {
    (try? a.subtracting(b)) ?? a
  }

  /// Evaluates one node in one scope, appending its items; returns its value.
  private func evaluateNode(
    _ node: Indicator, _ subject: RosterSubject, scope: Int, scopeName: String, scopeFacts: [Int],
    decisions: [String: [[(fact: Int, points: ExactDecimal)]]], cancelledBy: [String: [Int: String]],
    state: inout ScopeWork, work: inout SubjectWork
  ) -> ExactDecimal {
    let slot = state.order.count
    state.order.append(IndicatorValue(id: node.id, value: .zero))
    guard applies(node, to: subject) else {
      zeroDescendants(node, &state)
      return .zero
    }
    var value = ExactDecimal.zero
    switch node.kind {
    case .bonus(let rule), .deduction(let rule):
      let sign = node.isDeduction
      var sum = ExactDecimal.zero
      for entry in decisions[node.id]?[scope] ?? [] where work.rejections[entry.fact] == nil {
        let fact = inputs.facts[entry.fact]
        if let by = cancelledBy[node.id]?[entry.fact] {
          state.items.append(LedgerItem(indicator: node.id, kind: .fact(fact.id), points: .zero, cancelledBy: by))
          continue
        }
        let points = round(entry.points)
        sum = add(sum, points)
        state.items.append(LedgerItem(indicator: node.id, kind: .fact(fact.id), points: sign ? points.negated() : points))
      }
      if let cap = rule.cap, sum > cap {
        let adjustment = subtract(cap, sum)
        state.items.append(LedgerItem(indicator: node.id, kind: .cap, points: sign ? adjustment.negated() : adjustment))
        sum = cap
      }
      value = sign ? sum.negated() : sum
    case .score(let score):
      value = evaluateScore(node, score, subject, scopeName: scopeName, scopeFacts: scopeFacts, state: &state, work: &work)
    case .parts(let parts):
      var childSum = ExactDecimal.zero
      var weighted = ExactDecimal.zero
      for child in parts.children {
        let childValue = evaluateNode(child, subject, scope: scope, scopeName: scopeName, scopeFacts: scopeFacts,
                                      decisions: decisions, cancelledBy: cancelledBy, state: &state, work: &work)
        childSum = add(childSum, childValue)
        if let weight = child.weight, let product = try? childValue.multiplied(by: weight) {
          weighted = add(weighted, product)
        }
      }
      switch parts.combine {
      case .sum:
        value = childSum
      case .weighted:
        value = round(weighted)
        let difference = subtract(value, childSum)
        if !difference.isZero {
          state.items.append(LedgerItem(indicator: node.id, kind: .weighted, points: difference))
        }
      }
    }
    if let max = node.max, value > max {
      state.items.append(LedgerItem(indicator: node.id, kind: .max, points: subtract(max, value)))
      value = max
    }
    if let min = node.min, value < min {
      state.items.append(LedgerItem(indicator: node.id, kind: .min, points: subtract(min, value)))
      value = min
    }
    state.order[slot].value = value
    state.values[node.id] = value
    return value
  }

  private func zeroDescendants(_ node: Indicator, _ state: inout ScopeWork) {
    state.values[node.id] = .zero
    if case .parts(let parts) = node.kind {
      for child in parts.children {
        state.order.append(IndicatorValue(id: child.id, value: .zero))
        zeroDescendants(child, &state)
      }
    }
  }

  /// The `facts` object for a subject in a scope: per type, its facts sorted by (date, id).
  func factsObject(_ scopeFacts: [Int]) -> RecordValue {
    var lists = [[Value]](repeating: [], count: rules.factTypes.count)
    for index in scopeFacts {
      let fact = inputs.facts[index]
      lists[fact.type].append(.object(fact.record))
    }
    return RecordValue(type: environments.factsObject, fields: lists.map { .list($0) })
  }

  private func evaluateScore(
    _ node: Indicator, _ score: ScoreRule, _ subject: RosterSubject, scopeName: String, scopeFacts: [Int],
    state: inout ScopeWork, work: inout SubjectWork
  ) -> ExactDecimal {
    guard let compiled = score.value.compiled else { return .zero }
    let activation = Activation([.object(factsObject(scopeFacts)), .object(subject.record), .string(scopeName), .null])
    let raw = compiled.evaluate(activation)
    guard let value = Self.decimal(raw) else {
      work.errors.append(EvaluationError(scope: scopeName, subject: subject.id, node: node.id, expression: score.value.source,
                                         message: Self.describe(raw)))
      return .zero
    }
    var withValue = activation
    withValue[3] = .decimal(value)
    var points = ExactDecimal.zero
    switch score.rule {
    case .points(let expression):
      guard let program = expression.compiled else { return .zero }
      let result = program.evaluate(withValue)
      guard let number = Self.decimal(result) else {
        work.errors.append(EvaluationError(scope: scopeName, subject: subject.id, node: node.id, expression: expression.source,
                                           message: Self.describe(result)))
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
          guard let number = Self.decimal(result) else {
            work.errors.append(EvaluationError(scope: scopeName, subject: subject.id, node: node.id, expression: expression.source,
                                               message: Self.describe(result)))
            return .zero
          }
          points = number
        }
        break
      }
    }
    let rounded = round(points)
    let shown = value.scale > 6 ? value.rounded(scale: 6, .halfAwayFromZero) : value
    state.items.append(LedgerItem(indicator: node.id, kind: .score, value: shown, points: rounded))
    return rounded
  }

  /// The annual scope of `annual: {weights}`: each node's value is round(Σ weight ×
  /// its period values); the total is base + Σ top-level values.
  private func weightedAnnual(_ periods: [ScopeWork], _ weights: [(period: String, weight: ExactDecimal)]) -> ScopeWork {
    var state = ScopeWork()
    let weightByPeriod = Dictionary(weights.map { ($0.period, $0.weight) }, uniquingKeysWith: { a, _ in a })
    guard let first = periods.first else { return state }
    for (position, entry) in first.order.enumerated() {
      var sum = ExactDecimal.zero
      for (index, period) in rules.periods.enumerated() where index < periods.count {
        guard let weight = weightByPeriod[period.id], position < periods[index].order.count,
          let product = try? periods[index].order[position].value.multiplied(by: weight)
        else { continue }
        sum = add(sum, product)
      }
      let value = round(sum)
      state.order.append(IndicatorValue(id: entry.id, value: value))
      state.values[entry.id] = value
    }
    var total = rules.base
    for node in rules.indicators { total = add(total, state.values[node.id] ?? .zero) }
    state.total = total
    state.periods = rules.periods.enumerated().map { index, period in
      PeriodContribution(period: period.id, weight: weightByPeriod[period.id] ?? .zero,
                         total: index < periods.count ? periods[index].total : .zero)
    }
    return state
  }

  // MARK: Values

  static func decimal(_ value: Value) -> ExactDecimal? {
    switch value {
    case .int(let int): ExactDecimal(int)
    case .uint(let uint): ExactDecimal(uint)
    case .decimal(let decimal): decimal
    case .double(let double): ExactDecimal(approximating: double)
    default: nil
    }
  }

  static func key(_ value: Value) -> String? {
    switch value {
    case .string(let text): text
    case .int(let int): String(int)
    case .uint(let uint): String(uint)
    case .bool(let bool): bool ? "true" : "false"
    default: nil
    }
  }

  static func describe(_ value: Value) -> String {
    switch value {
    case .error(let error): error.message
    case .null: "the result is null"
    default: "the result is not a number"
    }
  }
}

/// Every per-subject evaluation error of a run.
public struct EvaluationFailure: Error, Sendable {
  public var errors: [EvaluationError]
}
