import Dispatch

@testable import Kaoping

// The engine as it was before the fact table (commit 1032f56), kept verbatim apart from
// names, as the oracle the fast paths are compared with: same inputs, same JSON bytes.

struct RefFact: Sendable {
  var id: String
  /// Whether the record carried its id (else it is named FILE:ROW).
  var hasID = true
  var subject: Int
  var type: Int
  var date: CELDate?
  var source: String?
  var ref: String?
  var file: Int
  var row: Int
  var record: RecordValue
}

struct RefFactInputs: Sendable {
  var facts: [RefFact]
  var rejected: [(fact: String, file: Int, row: Int, code: DiagnosticCode, reason: String)]
  var files: [String]
  var inputs: [InputInfo]
  var recordCount: Int
  var warnings: [InputWarning]
}

enum RefLoader {
  /// Types every record of the fact files (phase 1 of §3).
  static func load(rules: RuleSet, environments: RuleEnvironments, files: [RawFile], roster: Roster) -> RefFactInputs {
    var facts: [RefFact] = []
    var rejected: [(fact: String, file: Int, row: Int, code: DiagnosticCode, reason: String)] = []
    var idCounts: [String: Int] = [:]
    var recordCount = 0
    for (fileIndex, file) in files.enumerated() {
      for bad in file.malformed {
        recordCount += 1
        rejected.append(("\(file.path):\(bad.row)", fileIndex, bad.row, .malformedInput, bad.message))
      }
      for record in file.records {
        recordCount += 1
        if let id = record.value("id"), !id.isAbsent, let text = id.textValue { idCounts[text, default: 0] += 1 }
      }
    }
    let typeIndex = Dictionary(rules.factTypes.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    let declaredAnywhere = Set(rules.factTypes.flatMap { $0.fields.map(\.id) })
    for (fileIndex, file) in files.enumerated() {
      for record in file.records {
        let explicitID = record.value("id").flatMap { $0.isAbsent ? nil : $0.textValue }
        let id = explicitID ?? "\(file.path):\(record.row)"
        func reject(_ code: DiagnosticCode, _ reason: String) {
          rejected.append((id, fileIndex, record.row, code, reason))
        }
        if let explicitID, (idCounts[explicitID] ?? 0) > 1 {
          reject(.duplicateFactID, "the id '\(explicitID)' is used by \(idCounts[explicitID] ?? 0) records")
          continue
        }
        guard let typeName = record.value("type").flatMap({ $0.isAbsent ? nil : $0.textValue }) else {
          reject(.unknownFactType, "the record has no type")
          continue
        }
        guard let type = typeIndex[typeName] else {
          let hint = Suggest.closest(to: typeName, among: rules.factTypes.map(\.id)).map { " (did you mean '\($0)'?)" } ?? ""
          reject(.unknownFactType, "unknown fact type '\(typeName)'\(hint)")
          continue
        }
        guard let subjectID = record.value("subject").flatMap({ $0.isAbsent ? nil : $0.textValue }) else {
          reject(.unknownSubject, "the record has no subject")
          continue
        }
        guard let subject = roster.index[subjectID] else {
          reject(.unknownSubject, "the subject '\(subjectID)' is not in the roster")
          continue
        }
        let factType = rules.factTypes[type]
        var declared: [Value] = []
        var failure: String? = nil
        for field in factType.fields {
          switch FactLoader.type(record.value(field.id) ?? .null, as: field.type) {
          case .value(let value): declared.append(value)
          case .absent:
            if field.optional { declared.append(.null) } else { failure = "the required field \(field.id) is missing" }
          case .invalid(let why): failure = "field \(field.id): \(why)"
          }
          if failure != nil { break }
        }
        if let failure {
          reject(.invalidFieldValue, failure)
          continue
        }
        if let extra = record.values.first(where: { entry in
          !entry.value.isAbsent && !entry.column.hasPrefix("x-") && factType.field(entry.column) == nil
            && !RuleEnvironments.builtInFactFields.contains(entry.column)
        }) {
          let reason = declaredAnywhere.contains(extra.column)
            ? "the field \(extra.column) has a value, but fact type \(factType.id) does not declare it"
            : "unknown field \(extra.column)"
          reject(.undeclaredField, reason)
          continue
        }
        var date: CELDate? = nil
        if let raw = record.value("date"), !raw.isAbsent {
          guard let text = raw.textValue, let parsed = CELDate(parsing: text) else {
            reject(.invalidFactDate, "the date '\(raw.textValue ?? "")' is not a date YYYY-MM-DD")
            continue
          }
          date = parsed
        }
        if !rules.periods.isEmpty {
          guard let date else {
            reject(.invalidFactDate, "the record has no date (it is needed to place the fact in a period)")
            continue
          }
          if !rules.periods.contains(where: { $0.from <= date && date <= $0.to }) {
            reject(.invalidFactDate, "the date \(date) is outside every period")
            continue
          }
        }
        let source = record.value("source").flatMap { $0.isAbsent ? nil : $0.textValue }
        let note = record.value("note").flatMap { $0.isAbsent ? nil : $0.textValue }
        let builtIns: [Value] = [
          .string(id), .string(subjectID), .string(factType.id), date.map { .date($0) } ?? .null,
          source.map { .string($0) } ?? .null, note.map { .string($0) } ?? .null,
        ]
        guard let object = environments.factObjects[factType.id] else { continue }
        var ref: String? = nil
        if let refIndex = factType.fields.firstIndex(where: { $0.id == "ref" }), case .string(let text) = declared[refIndex] {
          ref = text
        }
        facts.append(RefFact(
          id: id, hasID: explicitID != nil, subject: subject, type: type, date: date, source: source, ref: ref,
          file: fileIndex, row: record.row, record: RecordValue(type: object, fields: builtIns + declared)))
      }
    }
    return RefFactInputs(
      facts: facts, rejected: rejected, files: files.map(\.path),
      inputs: files.map {
        InputInfo(role: .facts, path: $0.path, sha256: SHA256.hex($0.bytes), records: $0.records.count + $0.malformed.count)
      },
      recordCount: recordCount, warnings: [])
  }

}


/// Applies a checked rule set to a roster and facts (§2–§11).
struct RefEngine: Sendable {
  let rules: RuleSet
  let roster: Roster
  let inputs: RefFactInputs
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

  /// Facts by subject in ledger order: undated ones first (id-less by row, then by id), then by (date, id).
  func factsBySubject() -> [[Int]] {
    var result = [[Int]](repeating: [], count: roster.subjects.count)
    for (index, fact) in inputs.facts.enumerated() { result[fact.subject].append(index) }
    for subject in result.indices {
      result[subject].sort { a, b in Self.factOrder(inputs.facts[a], inputs.facts[b]) }
    }
    return result
  }

  static func factOrder(_ a: RefFact, _ b: RefFact) -> Bool {
    switch (a.date, b.date) {
    case (nil, nil):
      // Id-less (FILE:ROW) facts by (file, row), then those with ids by id (§8.3, §2).
      if a.hasID != b.hasID { return !a.hasID }
      if a.hasID, a.id != b.id { return codePointLess(a.id, b.id) }
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
  func scopes(of fact: RefFact) -> [Int] {
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
    // §3 phase 3 needs phase 2 of every subject: evaluate everyone again, knowing which
    // facts the first pass rejected (a target never carries a ref, so its rejection comes
    // from phase 2, and the second pass changes only facts that carry one).
    var rejected = Set<Int>()
    for subject in work { rejected.formUnion(subject.rejections.keys) }
    for subject in 0..<count {
      work[subject] = evaluateSubject(
        subject, facts: bySubject[subject], factIndexByID: factIndexByID, rejectedElsewhere: rejected)
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

  func evaluateSubject(
    _ subject: Int, facts: [Int], factIndexByID: [String: Int], rejectedElsewhere: Set<Int> = []
  ) -> SubjectWork {
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
      guard let target = factIndexByID[ref], inputs.facts[target].ref == nil,
        !isRejected(target, work, subject, elsewhere: rejectedElsewhere)
      else {
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

  private func isRejected(_ fact: Int, _ work: SubjectWork, _ subject: Int, elsewhere: Set<Int>) -> Bool {
    // A target of another subject was judged in that subject's own pass (`elsewhere`).
    inputs.facts[fact].subject == subject ? work.rejections[fact] != nil : elsewhere.contains(fact)
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

  func decideFact(_ node: Indicator, _ rule: PerFactRule, _ fact: RefFact, _ activation: Activation) -> FactDecision {
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
          if scorers.contains(byName.id) {
            return .rejected(.unauthorisedSource,
                             "source '\(source)' is the name of scorer '\(byName.id)'; write the id '\(byName.id)'")
          }
          return .rejected(.unauthorisedSource,
                           "source '\(source)' (scorer '\(byName.id)') may not score \(node.id) (谁部署谁赋分: only \(scorers.joined(separator: ", ")))")
        }
        return .rejected(.unauthorisedSource,
                         "source '\(source)' may not score \(node.id) (谁部署谁赋分: only \(scorers.joined(separator: ", ")))")
      }
    }
    let points: ExactDecimal
    var pointsSource: String? = nil
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
      pointsSource = expression.source
    case .table(let table):
      guard let compiled = table.by.compiled else { return .notSelected }
      let value = compiled.evaluate(activation)
      guard let key = Self.key(value) else {
        return .rejected(.factExpression, "the by of \(node.id) failed: \(Self.describe(value)) (`\(table.by.source.collapsingSpaces)`)")
      }
      guard let found = table.points(for: key) else {
        return .rejected(
          .factExpression, "the table of \(node.id) has no points for '\(key)' and no default (`\(table.by.source.collapsingSpaces)`)")
      }
      points = found
      pointsSource = table.by.source
    }
    if points.isNegative {
      let expression = pointsSource.map { " (`\($0.collapsingSpaces)`)" } ?? ""
      return .rejected(
        .factExpression, "the points of \(node.id) are negative (\(points))\(expression); the sign comes from bonus or deduction")
    }
    return .points(points)
  }

  func applies(_ node: Indicator, to subject: RosterSubject) -> Bool {
    // The node and every ancestor must apply.
    func path(_ nodes: [Indicator], _ id: String) -> [Indicator]? {
      for candidate in nodes {
        if candidate.id == id { return [candidate] }
        if case .parts(let parts) = candidate.kind, let below = path(parts.children, id) { return [candidate] + below }
      }
      return nil
    }
    for step in path(rules.indicators, node.id) ?? [node] {
      if let groups = step.appliesTo, !groups.contains(subject.group) { return false }
    }
    return true
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


extension RefEngine {
  /// Ranks, flags and grades every scope, then builds the result with the accounting.
  func assemble(_ work: [SubjectWork], rulesInfo: RulesInfo, bySubject: [[Int]]) -> Result<EvaluationResult, EvaluationFailure> {
    let scopeNames = scopeIDs
    let annualIndex = rules.periods.count
    // Ranking groups: by group, or everyone.
    var members: [[Int]] = []
    switch rules.ranking.within {
    case .all:
      members = [Array(roster.subjects.indices)]
    case .group:
      var byGroup: [Int: [Int]] = [:]
      for (index, subject) in roster.subjects.enumerated() { byGroup[subject.groupIndex, default: []].append(index) }
      members = byGroup.keys.sorted().compactMap { byGroup[$0] }
    }

    var scopes: [ScopeResult] = []
    var outcomeErrors: [EvaluationError] = []
    for scope in scopeNames.indices {
      var rank = [Int](repeating: 0, count: roster.subjects.count)
      var groupSize = [Int](repeating: 0, count: roster.subjects.count)
      for group in members {
        let totals = group.map { work[$0].scopes[scope].total }
        let ranks = RankingMath.ranks(totals, order: rules.ranking.order, ties: rules.ranking.ties)
        for (position, subject) in group.enumerated() {
          rank[subject] = ranks[position]
          groupSize[subject] = group.count
        }
      }
      // Outcomes.
      var flags = [[OutcomeFlag]](repeating: [], count: roster.subjects.count)
      var denied = [Set<String>](repeating: [], count: roster.subjects.count)
      var forced = [String?](repeating: nil, count: roster.subjects.count)
      for outcome in rules.outcomes {
        let applies = scope == annualIndex ? outcome.scope == .annual : outcome.scope == .periods
        guard applies else { continue }
        for group in members {
          var bottomFlags = [Bool](repeating: false, count: group.count)
          var k = 0
          if let bottom = outcome.bottom {
            k = RankingMath.bottomCount(bottom, groupSize: group.count, rounding: outcome.rounding)
            bottomFlags = RankingMath.bottomFlags(ranks: group.map { rank[$0] }, k: k, ties: outcome.boundaryTies)
          }
          for (position, subject) in group.enumerated() {
            var reasons: [String] = []
            if bottomFlags[position] { reasons.append(RankingMath.bottomReason(outcome, k: k, groupSize: group.count)) }
            let activation = outcomeActivation(subject, scope: scope, work: work, rank: rank[subject], groupSize: group.count,
                                               bySubject: bySubject)
            if let when = outcome.when, let program = when.compiled {
              switch program.evaluate(activation) {
              case .bool(true): reasons.append(when.source.collapsingSpaces)
              case .bool(false): break
              case let other:
                outcomeErrors.append(EvaluationError(scope: scopeNames[scope], subject: roster.subjects[subject].id,
                                                     node: outcome.id, expression: when.source, message: Self.describe(other)))
              }
            }
            guard !reasons.isEmpty else { continue }
            if let onlyIf = outcome.onlyIf, let program = onlyIf.compiled {
              switch program.evaluate(activation) {
              case .bool(true): break
              case .bool(false): continue
              case let other:
                outcomeErrors.append(EvaluationError(scope: scopeNames[scope], subject: roster.subjects[subject].id,
                                                     node: outcome.id, expression: onlyIf.source, message: Self.describe(other)))
                continue
              }
            }
            flags[subject].append(OutcomeFlag(id: outcome.id, reason: reasons.joined(separator: "; ")))
            denied[subject].formUnion(outcome.denyGrades)
            if forced[subject] == nil, let grade = outcome.forceGrade { forced[subject] = grade }
          }
        }
      }
      // Grades.
      var grades = [String?](repeating: nil, count: roster.subjects.count)
      if !rules.grades.isEmpty {
        for group in members {
          let inputs = group.map { subject in
            RankingMath.GradeInput(total: work[subject].scopes[scope].total, rank: rank[subject], denied: denied[subject],
                                   forced: forced[subject])
          }
          for (position, grade) in RankingMath.grades(inputs, grades: rules.grades).enumerated() {
            grades[group[position]] = grade
          }
        }
      }
      let subjects = roster.subjects.indices.map { index in
        let subject = roster.subjects[index]
        let state = work[index].scopes[scope]
        return SubjectResult(
          id: subject.id, name: subject.name, group: subject.group, total: state.total, rank: rank[index],
          groupSize: groupSize[index], grade: grades[index], outcomes: flags[index], indicators: state.order,
          items: state.items, periods: state.periods)
      }
      scopes.append(ScopeResult(scope: scopeNames[scope], subjects: subjects))
    }
    if !outcomeErrors.isEmpty { return .failure(EvaluationFailure(errors: outcomeErrors)) }

    // Accounting.
    var rejected: [RejectedFact] = inputs.rejected.map {
      RejectedFact(fact: $0.fact, file: inputs.files[$0.file], row: $0.row, code: $0.code, reason: $0.reason)
    }
    var applied = Set<Int>()
    for subjectWork in work {
      applied.formUnion(subjectWork.applied)
      for (index, rejection) in subjectWork.rejections {
        let fact = inputs.facts[index]
        rejected.append(RejectedFact(fact: fact.id, file: inputs.files[fact.file], row: fact.row, code: rejection.0, reason: rejection.1))
      }
    }
    let fileOrder = Dictionary(inputs.files.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    rejected.sort { a, b in
      let (fa, fb) = (fileOrder[a.file] ?? 0, fileOrder[b.file] ?? 0)
      if fa != fb { return fa < fb }
      if a.row != b.row { return a.row < b.row }
      return Self.codePointLess(a.fact, b.fact)
    }
    let readTypes = typesReadByExpressions()
    var appliedCount = 0
    var unmatched = 0
    let rejectedSet = Set(work.flatMap { $0.rejections.keys })
    for (index, fact) in inputs.facts.enumerated() where !rejectedSet.contains(index) {
      if applied.contains(index) || readTypes.contains(fact.type) { appliedCount += 1 } else { unmatched += 1 }
    }
    var warnings = inputs.warnings
    if unmatched > 0 {
      warnings.insert(InputWarning(code: .unmatchedFacts, message: "valid facts that no indicator applied", facts: unmatched), at: 0)
    }
    var inputInfos: [InputInfo] = []
    if let rosterInput = roster.input { inputInfos.append(rosterInput) }
    inputInfos += inputs.inputs
    return .success(EvaluationResult(
      rules: rulesInfo, inputs: inputInfos, scopes: scopes,
      accounting: Accounting(facts: inputs.recordCount, applied: appliedCount, unmatched: unmatched, rejected: rejected.count),
      rejected: rejected, warnings: warnings, decimals: rules.decimals,
      topLevelIndicators: rules.indicators.map(\.id),
      groupNames: Dictionary(rules.groups.compactMap { group in group.name.map { (group.id, $0) } }, uniquingKeysWith: { a, _ in a }),
      outcomeNames: Dictionary(rules.outcomes.compactMap { o in o.name.map { (o.id, $0) } }, uniquingKeysWith: { a, _ in a }),
      gradeNames: Dictionary(rules.grades.compactMap { g in g.name.map { (g.id, $0) } }, uniquingKeysWith: { a, _ in a })))
  }

  /// The activation of outcome expressions for a subject in a scope.
  func outcomeActivation(_ subject: Int, scope: Int, work: [SubjectWork], rank: Int, groupSize: Int, bySubject: [[Int]]) -> Activation {
    let state = work[subject].scopes[scope]
    let annual = scope == rules.periods.count
    let scopeFacts = bySubject[subject].filter { index in
      guard work[subject].rejections[index] == nil else { return false }
      if annual { return true }
      return scopes(of: inputs.facts[index]).contains(scope)
    }
    let indicators = RecordValue(
      type: environments.indicatorsObject,
      fields: environments.indicatorsObject.fields.map { .decimal(state.values[$0.name] ?? .zero) })
    return Activation([
      .object(factsObject(scopeFacts)), .object(roster.subjects[subject].record), .string(scopeIDs[scope]),
      .decimal(state.total), .int(Int64(rank)), .int(Int64(groupSize)), .object(indicators),
    ])
  }

  /// Fact types read by a score or outcome expression (the engine's own reading of the
  /// syntax tree: what is compared here is evaluation, not this rule).
  func typesReadByExpressions() -> Set<Int> { Engine.typesReadByExpressions(rules) }
}

enum ReferencePipeline {
  /// The old `Evaluation.runDetailed`: general readers, old loader, old engine.
  static func run(_ request: EvaluationRequest) -> Result<EvaluationResult, EvaluationProblem> {
    guard let rules = request.rules.rules else { return .failure(.rules(request.rules.diagnostics)) }
    var rosterFile: RawFile? = nil
    if let path = request.subjectsPath {
      switch Evaluation.readRaw(path: path, format: request.inputFormat) {
      case .success(let file): rosterFile = file
      case .failure(let problem): return .failure(problem)
      }
    }
    var files: [RawFile] = []
    for path in request.factPaths {
      switch Evaluation.readRaw(path: path, format: request.inputFormat) {
      case .success(let file): files.append(file)
      case .failure(let problem): return .failure(problem)
      }
    }
    return run(rules: rules, ruleBytes: request.rules.bytes, rosterFile: rosterFile, factFiles: files, threads: request.threads)
  }

  static func run(
    rules: RuleSet, ruleBytes: [UInt8], rosterFile: RawFile?, factFiles files: [RawFile], threads: Int
  ) -> Result<EvaluationResult, EvaluationProblem> {
    let environments = RuleEnvironments(rules)
    let loader = FactLoader(rules: rules, environments: environments)
    let roster: Roster
    let rosterWarnings: [InputWarning]
    do {
      (roster, rosterWarnings) = try loader.roster(file: rosterFile)
    } catch {
      return .failure(.inputs(error.diagnostics))
    }
    var unknown: [Diagnostic] = []
    for file in files where file.hasHeader { unknown += loader.unknownColumnDiagnostics(file) }
    if !unknown.isEmpty { return .failure(.inputs(unknown)) }
    var inputs = RefLoader.load(rules: rules, environments: environments, files: files, roster: roster)
    inputs.warnings = rosterWarnings
    let engine = RefEngine(rules: rules, roster: roster, inputs: inputs, environments: environments, threads: threads)
    let info = RulesInfo(id: rules.id, title: rules.title, sha256: SHA256.hex(ruleBytes))
    switch engine.run(rulesInfo: info) {
    case .success(let result): return .success(result)
    case .failure(let failure): return .failure(.evaluation(failure.errors))
    }
  }
}
