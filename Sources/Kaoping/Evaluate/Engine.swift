import Dispatch

/// A per-subject evaluation error (§13: all of them are reported, and there is no result).
public struct EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
  public var scope: String
  public var subject: String
  /// The indicator or outcome whose expression failed.
  public var node: String
  /// The expression that failed; empty for an amount beyond the decimal range.
  public var expression: String
  public var message: String
  /// K501 for an expression that failed, K502 for an amount beyond the decimal range.
  public var code: DiagnosticCode = .subjectExpression

  public var description: String {
    if expression.isEmpty { return "scope \(scope), subject \(subject), \(node): \(message)" }
    return "scope \(scope), subject \(subject), \(node): \(message) in `\(expression.collapsingSpaces)`"
  }
}

/// Applies a checked rule set to a roster and facts (§2–§11).
///
/// Subjects are evaluated independently, in parallel, each from its own facts in the
/// table (already in ledger order); the merge is by roster order, so results do not
/// depend on the number of threads.
struct Engine: Sendable {
  let rules: RuleSet
  let roster: Roster
  let inputs: FactInputs
  let environments: RuleEnvironments
  /// Worker threads (1 = serial). Results are identical whatever the count.
  var threads: Int
  /// Counts the subjects scored, when the run shows its progress.
  var scoring: ProgressCounter? = nil
  let plan: EnginePlan
  /// Group ids by ranking-group index, and the fact types expressions read (§3).
  let groupIDs: [String]
  let readTypes: Set<Int>

  init(rules: RuleSet, roster: Roster, inputs: FactInputs, environments: RuleEnvironments, threads: Int) {
    self.rules = rules
    self.roster = roster
    self.inputs = inputs
    self.environments = environments
    self.threads = threads
    groupIDs = rules.declaresGroups ? rules.groups.map(\.id) : ["all"]
    readTypes = Self.typesReadByExpressions(rules)
    plan = EnginePlan(
      rules: rules, environments: environments, store: inputs.source.store, groupIDs: groupIDs, readTypes: readTypes)
  }

  var store: FactStore { inputs.source.store }

  /// The scopes evaluated: periods in file order, then `annual`.
  var scopeIDs: [String] { plan.scopeNames }

  // MARK: Per-fact phase (§3 phase 2 and 3)

  /// What one bonus/deduction node made of one fact in one scope.
  enum FactDecision {
    case notSelected
    case points(ExactDecimal)
    case rejected(DiagnosticCode, String)
  }

  /// Text order by Unicode code point (UTF-8 byte order is code point order).
  static func codePointLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
  }

  // MARK: Running

  struct SubjectWork: Sendable {
    /// Facts rejected in phases 2 and 3, in the order found.
    var rejections: [(fact: String, file: Int, row: Int, code: DiagnosticCode, reason: String)] = []
    /// Valid facts of the types outcome expressions read, in ledger order (with their period).
    var outcomeFacts: [(row: FactRow, id: String, period: Int32)] = []
    /// Valid facts applied (§3 accounting) and not.
    var applied = 0
    var unmatched = 0
    /// Per scope: the ledger state.
    var scopes: [ScopeWork] = []
    var errors: [EvaluationError] = []
    /// Facts of other subjects that this subject's facts cancel (by `ref`): whether they
    /// survived phase 2 is known only once their subjects are evaluated.
    var crossTargets: [FileRow] = []
  }

  struct ScopeWork: Sendable {
    /// Every node's value, in document order.
    var order: [IndicatorValue] = []
    var items: [LedgerItem] = []
    var total = ExactDecimal.zero
    var periods: [PeriodContribution]? = nil
  }

  /// Evaluates everything; returns the result or every per-subject error.
  func run(rulesInfo: RulesInfo) -> Result<EvaluationResult, EvaluationFailure> {
    let count = roster.subjects.count
    var work = [SubjectWork](repeating: SubjectWork(), count: count)
    // Every subject's total per scope, flat (by subject, then scope): the ranking reads
    // them without going through each subject's work.
    let scopeCount = scopeIDs.count
    var totals = [ExactDecimal](repeating: .zero, count: count * scopeCount)
    let source = inputs.source
    let keep = inputs.keepTables
    let scoring = self.scoring
    var crossingTables = [FactTable?](repeating: nil, count: source.blocks.count)
    work.withUnsafeMutableBufferPointer { buffer in
      totals.withUnsafeMutableBufferPointer { totalsBuffer in
      crossingTables.withUnsafeMutableBufferPointer { crossingBuffer in
        nonisolated(unsafe) let output = buffer
        nonisolated(unsafe) let totalsOutput = totalsBuffer
        nonisolated(unsafe) let crossingOutput = crossingBuffer
        // Ranges of blocks; a worker keeps what it remembers from one block to the next.
        Parallel.forEachChunk(count: source.blocks.count, threads: threads) { blocks in
          var worker: SubjectEvaluator? = nil
          for block in blocks {
            let table = source.table(block: block, keep: keep)
            var evaluator = worker.take() ?? SubjectEvaluator(engine: self, table: table)
            evaluator.table = table
            var crossing = false
            for subject in source.blocks.range(block) {
              let result = evaluator.evaluate(subject)
              for (scope, state) in result.scopes.enumerated() where scope < scopeCount {
                totalsOutput[subject * scopeCount + scope] = state.total
              }
              crossing = crossing || !result.crossTargets.isEmpty
              output[subject] = result
            }
            // Kept for a second look once every subject's phase 2 is known (rare).
            if crossing { crossingOutput[block] = table }
            worker = evaluator
            scoring?.add(source.blocks.range(block).count)
          }
        }
      }
      }
    }
    settleCrossSubjectCancellations(&work, totals: &totals, tables: crossingTables)
    PhaseTrace.mark("subjects evaluated")
    var errors: [EvaluationError] = []
    for subject in work where !subject.errors.isEmpty { errors += subject.errors }
    if !errors.isEmpty {
      // Outcome conditions can fail too: report theirs as well (§13: all of them), in
      // scope, roster, node order (indicators in document order, then outcomes).
      if case .failure(let outcomes) = assemble(work, totals: totals, rulesInfo: rulesInfo) { errors += outcomes.errors }
      let scopeOrder = Dictionary(scopeIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
      let subjectOrder = roster.index
      let nodeIDs = rules.allIndicators.map(\.id) + rules.outcomes.map(\.id)
      let nodeOrder = Dictionary(nodeIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
      let sorted = errors.enumerated().sorted { a, b in
        let x = (scopeOrder[a.element.scope] ?? 0, subjectOrder[a.element.subject] ?? 0, nodeOrder[a.element.node] ?? 0)
        let y = (scopeOrder[b.element.scope] ?? 0, subjectOrder[b.element.subject] ?? 0, nodeOrder[b.element.node] ?? 0)
        return x != y ? x < y : a.offset < b.offset
      }.map(\.element)
      return .failure(EvaluationFailure(errors: sorted))
    }
    let result = assemble(work, totals: totals, rulesInfo: rulesInfo)
    // Every subject's work released on all threads, not one subject after another here.
    work.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let buffer = buffer
      Parallel.forEachChunk(count: buffer.count, threads: threads) { range in
        for subject in range { buffer[subject] = SubjectWork() }
      }
    }
    return result
  }

  /// §3 phase 3 across subjects: a fact whose `ref` names another subject's fact that
  /// phase 2 rejected is rejected too ("ref names no fact"). Phase 2 of every subject is
  /// known only after the parallel pass, so the (rare) subjects with such a fact are
  /// evaluated again, knowing the facts rejected elsewhere. Only facts without a `ref` can
  /// be targets, and phase 3 rejects only facts with one, so one more pass settles it.
  func settleCrossSubjectCancellations(_ work: inout [SubjectWork], totals: inout [ExactDecimal], tables: [FactTable?]) {
    guard work.contains(where: { !$0.crossTargets.isEmpty }) else { return }
    var rejected = Set<FileRow>()
    for subject in work {
      for fact in subject.rejections {
        rejected.insert(FileRow(file: Int32(truncatingIfNeeded: fact.file), row: Int32(truncatingIfNeeded: fact.row)))
      }
    }
    let scopeCount = scopeIDs.count
    let blocks = inputs.source.blocks
    var evaluators: [Int: SubjectEvaluator] = [:]
    for subject in work.indices where work[subject].crossTargets.contains(where: rejected.contains) {
      let block = subject >> blocks.shift
      guard block < tables.count, let table = tables[block] else { continue }
      var evaluator = evaluators.removeValue(forKey: block) ?? SubjectEvaluator(engine: self, table: table)
      evaluator.rejectedElsewhere = rejected
      let result = evaluator.evaluate(subject)
      for (scope, state) in result.scopes.enumerated() where scope < scopeCount {
        totals[subject * scopeCount + scope] = state.total
      }
      work[subject] = result
      evaluators[block] = evaluator
    }
  }

  // MARK: Nodes

  func round(_ value: ExactDecimal) -> ExactDecimal { Self.round(value, decimals: rules.decimals) }

  static func round(_ value: ExactDecimal, decimals: Int) -> ExactDecimal {
    value.rounded(scale: decimals, .halfAwayFromZero)
  }

  func add(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal { Self.add(a, b) }

  static func add(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal {
    (try? a.adding(b)) ?? a
  }

  func subtract(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal { Self.subtract(a, b) }

  static func subtract(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal {
    (try? a.subtracting(b)) ?? a
  }

  /// The annual scope of `annual: {weights}`: each node's value is round(Σ weight ×
  /// its period values); the total is base + Σ top-level values.
  func weightedAnnual(_ periods: [ScopeWork], _ weights: [(period: String, weight: ExactDecimal)]) -> ScopeWork {
    var state = ScopeWork()
    let weightByPeriod = Dictionary(weights.map { ($0.period, $0.weight) }, uniquingKeysWith: { a, _ in a })
    guard let first = periods.first else { return state }
    var values: [String: ExactDecimal] = [:]
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
      values[entry.id] = value
    }
    var total = rules.base
    for node in rules.indicators { total = add(total, values[node.id] ?? .zero) }
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

  // MARK: What expressions read

  /// Fact types read by a score or outcome expression (`facts.T`; a bare `facts` reads all).
  static func typesReadByExpressions(_ rules: RuleSet) -> Set<Int> {
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
      // Read from the syntax tree: `facts.task` is not `facts.task_issue`.
      guard let fields = VariableUse.selectedFields(of: "facts", in: source) else { return Set(rules.factTypes.indices) }
      for (index, type) in rules.factTypes.enumerated() where fields.contains(type.id) { read.insert(index) }
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

/// Every per-subject evaluation error of a run.
public struct EvaluationFailure: Error, Sendable {
  public var errors: [EvaluationError]
}
