extension Engine {
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

  /// Fact types read by a score or outcome expression (`facts.T`; a bare `facts` reads all).
  func typesReadByExpressions() -> Set<Int> {
    var sources: [String] = []
    for node in rules.allIndicators {
      if case .score(let score) = node.kind {
        sources.append(score.value.source)
        if case .points(let points) = score.rule { sources.append(points.source) }
        if case .tiers(let tiers) = score.rule {
          for tier in tiers { if case .expression(let e) = tier.points { sources.append(e.source) } }
        }
      }
    }
    for outcome in rules.outcomes {
      if let when = outcome.when { sources.append(when.source) }
      if let onlyIf = outcome.onlyIf { sources.append(onlyIf.source) }
    }
    var read = Set<Int>()
    for source in sources {
      for (index, type) in rules.factTypes.enumerated() where source.contains("facts.\(type.id)") { read.insert(index) }
      if Self.readsAllFacts(source) { return Set(rules.factTypes.indices) }
    }
    return read
  }

  /// Whether an expression uses `facts` other than as `facts.T`.
  static func readsAllFacts(_ source: String) -> Bool {
    let scalars = Array(source.unicodeScalars)
    let word = Array("facts".unicodeScalars)
    var index = 0
    while index + word.count <= scalars.count {
      if Array(scalars[index..<index + word.count]) == word {
        let before = index == 0 ? " " : scalars[index - 1]
        let after = index + word.count < scalars.count ? scalars[index + word.count] : " "
        let isWord = !(before.properties.isAlphabetic || before == "_" || before == "." || ("0"..."9").contains(before))
        if isWord, after != ".", !(after.properties.isAlphabetic || after == "_") { return true }
      }
      index += 1
    }
    return false
  }
}
