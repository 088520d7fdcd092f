extension Engine {
  /// Ranks, flags and grades every scope, then builds the result with the accounting.
  /// `totals`: each subject's total per scope (by subject, then scope).
  func assemble(_ work: [SubjectWork], totals: [ExactDecimal], rulesInfo: RulesInfo) -> Result<EvaluationResult, EvaluationFailure> {
    let scopeNames = scopeIDs
    let annualIndex = rules.periods.count
    let subjectCount = roster.subjects.count
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
      var rank = [Int](repeating: 0, count: subjectCount)
      var groupSize = [Int](repeating: 0, count: subjectCount)
      let scopeCount = scopeNames.count
      let scopeTotals: [ExactDecimal]
      if totals.count == subjectCount * scopeCount {
        scopeTotals = (0..<subjectCount).map { totals[$0 * scopeCount + scope] }
      } else {
        scopeTotals = work.map { $0.scopes[scope].total }
      }
      for group in members {
        let totals = group.map { scopeTotals[$0] }
        let ranks = RankingMath.ranks(totals, order: rules.ranking.order, ties: rules.ranking.ties)
        for (position, subject) in group.enumerated() {
          rank[subject] = ranks[position]
          groupSize[subject] = group.count
        }
      }
      // Outcomes: `when` for every subject (in parallel), then bottom flags and `only_if`.
      let outcomes = rules.outcomes.indices.filter { index in
        scope == annualIndex ? rules.outcomes[index].scope == .annual : rules.outcomes[index].scope == .periods
      }
      let whenResults = evaluateOutcomes(
        outcomes.map { rules.outcomes[$0].when == nil ? nil : $0 }, subjects: Array(0..<subjectCount), scope: scope,
        work: work, rank: rank, groupSize: groupSize, programs: plan.outcomeWhen)
      var flags = [[OutcomeFlag]](repeating: [], count: subjectCount)
      var denied = [Set<String>](repeating: [], count: subjectCount)
      var forced = [String?](repeating: nil, count: subjectCount)
      for (position, outcomeIndex) in outcomes.enumerated() {
        let outcome = rules.outcomes[outcomeIndex]
        var reasons = [[String]](repeating: [], count: subjectCount)
        var whenErrors: [Int: EvaluationError] = [:]
        let whenReason = outcome.when?.source.collapsingSpaces ?? ""
        var needOnlyIf: [Int] = []
        for group in members {
          var bottomFlags = [Bool](repeating: false, count: group.count)
          var k = 0
          if let bottom = outcome.bottom {
            k = RankingMath.bottomCount(bottom, groupSize: group.count, rounding: outcome.rounding)
            bottomFlags = RankingMath.bottomFlags(ranks: group.map { rank[$0] }, k: k, ties: outcome.boundaryTies)
          }
          for (member, subject) in group.enumerated() {
            if bottomFlags[member] { reasons[subject].append(RankingMath.bottomReason(outcome, k: k, groupSize: group.count)) }
            if let when = outcome.when, when.compiled != nil {
              switch whenResults[position][subject] {
              case .bool(true): reasons[subject].append(whenReason)
              case .bool(false): break
              case let other:
                whenErrors[subject] = EvaluationError(
                  scope: scopeNames[scope], subject: roster.subjects[subject].id, node: outcome.id, expression: when.source,
                  message: Self.describe(other))
              }
            }
            if !reasons[subject].isEmpty, outcome.onlyIf?.compiled != nil { needOnlyIf.append(subject) }
          }
        }
        let onlyIfResults = evaluateOutcomes(
          [outcomeIndex], subjects: needOnlyIf, scope: scope, work: work, rank: rank, groupSize: groupSize,
          programs: plan.outcomeOnlyIf)[0]
        var onlyIf = [Value?](repeating: nil, count: subjectCount)
        for (position, subject) in needOnlyIf.enumerated() { onlyIf[subject] = onlyIfResults[position] }
        for group in members {
          for subject in group {
            if let error = whenErrors[subject] { outcomeErrors.append(error) }
            guard !reasons[subject].isEmpty else { continue }
            if let only = outcome.onlyIf, only.compiled != nil, let result = onlyIf[subject] {
              switch result {
              case .bool(true): break
              case .bool(false): continue
              case let other:
                outcomeErrors.append(EvaluationError(
                  scope: scopeNames[scope], subject: roster.subjects[subject].id, node: outcome.id, expression: only.source,
                  message: Self.describe(other)))
                continue
              }
            }
            flags[subject].append(OutcomeFlag(id: outcome.id, reason: reasons[subject].joined(separator: "; ")))
            denied[subject].formUnion(outcome.denyGrades)
            if forced[subject] == nil, let grade = outcome.forceGrade { forced[subject] = grade }
          }
        }
      }
      // Grades.
      var grades = [String?](repeating: nil, count: subjectCount)
      if !rules.grades.isEmpty {
        for group in members {
          let inputs = group.map { subject in
            RankingMath.GradeInput(total: scopeTotals[subject], rank: rank[subject], denied: denied[subject],
                                   forced: forced[subject])
          }
          for (position, grade) in RankingMath.grades(inputs, grades: rules.grades).enumerated() {
            grades[group[position]] = grade
          }
        }
      }
      // In parallel: each subject's work is behind pointers (a cache miss apiece).
      let subjects = [SubjectResult](unsafeUninitializedCapacity: subjectCount) { buffer, initialized in
        guard let base = buffer.baseAddress else {
          initialized = 0
          return
        }
        nonisolated(unsafe) let output = base
        Parallel.forEachChunk(count: subjectCount, threads: threads) { range in
          for index in range {
            let subject = roster.subjects[index]
            let state = work[index].scopes[scope]
            (output + index).initialize(to: SubjectResult(
              id: subject.id, name: subject.name, group: subject.group, total: state.total, rank: rank[index],
              groupSize: groupSize[index], grade: grades[index], outcomes: flags[index], indicators: state.order,
              items: state.items, periods: state.periods))
          }
        }
        initialized = subjectCount
      }
      scopes.append(ScopeResult(scope: scopeNames[scope], subjects: subjects))
    }
    if !outcomeErrors.isEmpty { return .failure(EvaluationFailure(errors: outcomeErrors)) }

    // Accounting.
    var rejected: [RejectedFact] = inputs.rejected.map {
      RejectedFact(fact: $0.fact, file: inputs.files[$0.file], row: $0.row, code: $0.code, reason: $0.reason)
    }
    var appliedCount = 0
    var unmatched = 0
    for subjectWork in work {
      appliedCount += subjectWork.applied
      unmatched += subjectWork.unmatched
      for rejection in subjectWork.rejections {
        rejected.append(RejectedFact(
          fact: rejection.fact, file: inputs.files[rejection.file], row: rejection.row, code: rejection.code,
          reason: rejection.reason))
      }
    }
    let fileOrder = Dictionary(inputs.files.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    rejected.sort { a, b in
      let (fa, fb) = (fileOrder[a.file] ?? 0, fileOrder[b.file] ?? 0)
      if fa != fb { return fa < fb }
      if a.row != b.row { return a.row < b.row }
      return Self.codePointLess(a.fact, b.fact)
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

  /// Evaluates one expression of each given outcome (nil: none) for `subjects`, in
  /// parallel; results by outcome, then by position in `subjects` (or by subject when
  /// `subjects` is everyone).
  private func evaluateOutcomes(
    _ outcomes: [Int?], subjects: [Int], scope: Int, work: [SubjectWork], rank: [Int], groupSize: [Int],
    programs all: [CompiledExpression?]
  ) -> [[Value]] {
    var results = outcomes.map { _ in [Value](repeating: .null, count: subjects.count) }
    let programs: [CompiledExpression?] = outcomes.map { index in index.flatMap { all[$0] } }
    guard programs.contains(where: { $0 != nil }), !subjects.isEmpty else { return results }
    var types = [Bool](repeating: false, count: rules.factTypes.count)
    for (index, program) in zip(outcomes, programs) where program != nil {
      guard let index else { continue }
      for (type, read) in plan.outcomeTypes[index].enumerated() where read { types[type] = true }
    }
    // An expression that does not name `indicators` or `facts` cannot read them.
    var needs = (facts: false, indicators: false)
    for (index, program) in zip(outcomes, programs) where program != nil {
      guard let index else { continue }
      let outcome = rules.outcomes[index]
      for source in [outcome.when?.source, outcome.onlyIf?.source].compactMap({ $0 }) {
        if source.contains("facts") { needs.facts = true }
        if source.contains("indicators") { needs.indicators = true }
      }
    }
    let columns = results.count
    var flat = [Value](repeating: .null, count: columns * subjects.count)
    flat.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let output = buffer
      Parallel.forEachChunk(count: subjects.count, threads: threads) { range in
        for position in range {
          let subject = subjects[position]
          let activation = outcomeActivation(subject, scope: scope, work: work, rank: rank[subject],
                                             groupSize: groupSize[subject], types: types, facts: needs.facts,
                                             indicators: needs.indicators)
          for (column, program) in programs.enumerated() {
            guard let program else { continue }
            output[position * columns + column] = program.evaluate(activation)
          }
        }
      }
    }
    for column in 0..<columns {
      for position in subjects.indices { results[column][position] = flat[position * columns + column] }
    }
    return results
  }

  /// The activation of outcome expressions for a subject in a scope; lists of fact types
  /// not in `types` are left empty (no expression that is evaluated reads them), and
  /// `facts` and `indicators` are null when no expression names them.
  func outcomeActivation(
    _ subject: Int, scope: Int, work: [SubjectWork], rank: Int, groupSize: Int, types: [Bool], facts readsFacts: Bool = true,
    indicators readsIndicators: Bool = true
  ) -> Activation {
    let annual = scope == rules.periods.count
    var factsValue = Value.null
    if readsFacts {
      var lists = [[Value]](repeating: [], count: rules.factTypes.count)
      if types.contains(true) {
        let rosterID = roster.subjects[subject].id
        for fact in work[subject].outcomeFacts {
          let type = Int(fact.row.type)
          guard types[type] else { continue }
          if !annual {
            guard fact.period >= 0, Int(fact.period) == scope else { continue }
          }
          guard let object = environments.factObjects[rules.factTypes[type].id] else { continue }
          lists[type].append(.object(store.record(fact.row, id: fact.id, rosterID: rosterID, object: object)))
        }
      }
      factsValue = .object(RecordValue(type: environments.factsObject, fields: lists.map { .list($0) }))
    }
    var indicatorsValue = Value.null
    if readsIndicators {
      let order = work[subject].scopes[scope].order
      let values: [ExactDecimal]
      if order.count == plan.nodes.count {
        values = order.map(\.value)
      } else {
        var byID: [String: ExactDecimal] = [:]
        for entry in order { byID[entry.id] = entry.value }
        values = environments.indicatorsObject.fields.map { byID[$0.name] ?? .zero }
      }
      indicatorsValue = .object(RecordValue(type: environments.indicatorsObject, fields: values.map { .decimal($0) }))
    }
    return Activation([
      factsValue, .object(roster.subjects[subject].record), .string(scopeIDs[scope]),
      .decimal(work[subject].scopes[scope].total), .int(Int64(rank)), .int(Int64(groupSize)), indicatorsValue,
    ])
  }
}
