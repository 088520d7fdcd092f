// `kaoping explain`: everything behind one subject's result, for a policy officer (text)
// and for tools (JSON). An explanation is built once as a model and then rendered.

/// The forms of an explanation.
public enum ExplanationFormat: String, Sendable, CaseIterable {
  case text
  case json
}

/// Everything behind one subject's result, readable by a policy officer (`kaoping explain`).
public enum Explanation {
  /// Evaluates the request and explains `subject` in the chosen scopes (`all`, `annual` or a period).
  public static func explain(
    _ request: EvaluationRequest, subject: String, scope: String, format: ExplanationFormat = .text
  ) -> Result<String, ExplanationProblem> {
    // An unknown subject is a usage error, whatever the evaluation would find (§13: usage first).
    if let roster = roster(of: request), roster.index[subject] == nil {
      return .failure(unknownSubject(subject, in: roster))
    }
    let detailed: Evaluation.Detailed
    switch Evaluation.runDetailed(request) {
    case .failure(let problem): return .failure(.evaluation(problem))
    case .success(let value): detailed = value
    }
    guard let index = detailed.roster.index[subject] else {
      return .failure(unknownSubject(subject, in: detailed.roster))
    }
    guard let result = detailed.result.selectingScope(scope) else {
      return .failure(.unknownScope("unknown scope '\(scope)'; the scopes are all, \(detailed.result.scopes.map(\.scope).joined(separator: ", "))"))
    }
    let builder = ExplanationBuilder(detailed: detailed, subjectIndex: index)
    let scopes = result.scopes.compactMap { builder.explain(scope: $0) }
    let renderer = ExplanationRenderer(rules: detailed.rules, subject: builder.subjectHeader, scopes: scopes)
    switch format {
    case .text: return .success(renderer.text)
    case .json: return .success(renderer.json)
    }
  }
}

extension Explanation {
  /// The roster of a request, read on its own; nil when it cannot be (the evaluation then
  /// reports why).
  static func roster(of request: EvaluationRequest) -> Roster? {
    guard let rules = request.rules.rules else { return nil }
    var file: RawFile? = nil
    if let path = request.subjectsPath {
      guard case .success(let read) = Evaluation.readRaw(path: path, format: request.inputFormat) else { return nil }
      file = read
    }
    return try? FactLoader(rules: rules, environments: RuleEnvironments(rules)).roster(file: file).0
  }

  /// `subject` is not in `roster`: with the closest id or name as a hint.
  static func unknownSubject(_ subject: String, in roster: Roster) -> ExplanationProblem {
    let subjects = roster.subjects
    var hint = ""
    if let named = subjects.first(where: { $0.name == subject }) {
      hint = " ('\(subject)' is the name of \(named.id); pass --subject \(named.id))"
    } else if let close = Suggest.closest(to: subject, among: subjects.map(\.id)) {
      hint = " (did you mean '\(close)'?)"
    } else if let close = Suggest.closest(to: subject, among: subjects.map(\.name)),
      let named = subjects.first(where: { $0.name == close })
    {
      hint = " (did you mean \(named.id) \(close)?)"
    }
    return .unknownSubject("the subject '\(subject)' is not in the roster\(hint)")
  }
}

/// Why an explanation could not be given.
public enum ExplanationProblem: Error, Sendable {
  case evaluation(EvaluationProblem)
  case unknownSubject(String)
  case unknownScope(String)
}

// MARK: - The model

/// The subject explained.
struct SubjectHeader {
  var id: String
  var name: String
  var group: String
  var groupName: String?
}

/// One scope of the explanation.
struct ScopeExplanation {
  var scope: String
  var base: ExactDecimal
  var nodes: [NodeExplanation]
  /// In an annual scope formed by weights: each period's weight and total.
  var periods: [PeriodContribution]?
  var total: ExactDecimal
  var rank: Int
  var groupSize: Int
  /// The ranking group's name (nil when ranking is over all subjects).
  var rankedWithin: String?
  var outcomes: [OutcomeExplanation]
  /// Nil when the rule file has no grades.
  var grade: GradeExplanation?
}

/// An indicator node with its items and children.
struct NodeExplanation {
  var id: String
  var name: String?
  var kind: String
  var value: ExactDecimal
  var weight: ExactDecimal?
  /// The groups the node applies to, when it does not apply to this subject's group.
  var notApplicable: [String]?
  var cap: ExactDecimal?
  var max: ExactDecimal?
  var min: ExactDecimal?
  var items: [ItemExplanation]
  var children: [NodeExplanation]

  var title: String { name.map { "\($0) \(id)" } ?? id }
  /// Whether the node and everything below it is zero with no line items.
  var isEmpty: Bool { value.isZero && items.isEmpty && children.allSatisfy(\.isEmpty) && notApplicable == nil }
}

/// One ledger line.
struct ItemExplanation {
  enum Kind: String {
    case fact
    case cap
    case max
    case min
    case weighted
    case score
  }

  var kind: Kind
  var points: ExactDecimal
  /// A fact's line: the fact, and how its points were computed.
  var fact: FactDetails?
  var rule: String?
  /// The fact that cancelled this one (扣分销除), with its details when known.
  var cancelledBy: String?
  var cancelling: FactDetails?
  /// Adjustments: the amount before the adjustment and the limit applied.
  var before: ExactDecimal?
  var limit: ExactDecimal?
  /// A score: its value and the tier chosen.
  var value: ExactDecimal?
  var tier: TierChoice?
}

/// The tier a score's value fell into.
struct TierChoice {
  /// 1-based.
  var index: Int
  var count: Int
  /// The tier's `min` (nil for the catch-all), and the next tier up's `min`.
  var min: ExactDecimal?
  var below: ExactDecimal?
}

/// What an explanation shows of a fact.
struct FactDetails {
  var id: String
  var type: String
  var typeName: String?
  var date: String?
  var source: String?
  var sourceName: String?
  var note: String?
  /// Declared fields with a value, in declaration order.
  var fields: [(name: String, value: String)]
  var file: String?
  var row: Int
}

/// A flag with its reason.
struct OutcomeExplanation {
  var id: String
  var name: String?
  var reason: String
  var when: String?
  var onlyIf: String?
  var denies: [String]
  var forces: String?
}

/// The grade given, and why not each grade above it.
struct GradeExplanation {
  var id: String?
  var name: String?
  /// The outcome that forced the grade.
  var forcedBy: String?
  var notAbove: [(id: String, name: String?, reasons: [GradeReason])]
}

/// Why a subject did not get a grade.
enum GradeReason {
  /// The total is below the grade's `min`.
  case min(ExactDecimal, total: ExactDecimal)
  /// Outcomes flagged on the subject deny the grade.
  case denied([String])
  /// The quota's seats were taken (`tie`: the subject's tie group did not fit the seats left).
  case quota(share: ExactDecimal, seats: Int, taken: Int, tie: Bool)
  /// An outcome forced another grade.
  case forced(outcome: String, grade: String)
}

// MARK: - Building

struct ExplanationBuilder {
  let detailed: Evaluation.Detailed
  let subjectIndex: Int
  /// The subject's facts (and any other fact an item names), by id.
  private let factsByID: [String: Fact]

  init(detailed: Evaluation.Detailed, subjectIndex: Int) {
    self.detailed = detailed
    self.subjectIndex = subjectIndex
    var facts: [String: Fact] = [:]
    for fact in detailed.inputs.facts where fact.subject == subjectIndex {
      facts[fact.id] = fact
    }
    factsByID = facts
  }

  private var rules: RuleSet { detailed.rules }

  var subjectHeader: SubjectHeader {
    let subject = detailed.roster.subjects[subjectIndex]
    return SubjectHeader(
      id: subject.id, name: subject.name, group: subject.group, groupName: rules.groups.first { $0.id == subject.group }?.name)
  }

  func explain(scope: ScopeResult) -> ScopeExplanation? {
    let id = detailed.roster.subjects[subjectIndex].id
    guard let subject = scope.subjects.first(where: { $0.id == id }) else { return nil }
    let values = Dictionary(subject.indicators.map { ($0.id, $0.value) }, uniquingKeysWith: { a, _ in a })
    var itemsByNode: [String: [LedgerItem]] = [:]
    for item in subject.items { itemsByNode[item.indicator, default: []].append(item) }
    let nodes = rules.indicators.map { node(for: $0, subject: subject, values: values, items: itemsByNode) }
    let groupName = rules.ranking.within == .group ? (rules.groups.first { $0.id == subject.group }?.name ?? subject.group) : nil
    return ScopeExplanation(
      scope: scope.scope, base: rules.base, nodes: nodes, periods: subject.periods, total: subject.total, rank: subject.rank,
      groupSize: subject.groupSize, rankedWithin: groupName, outcomes: subject.outcomes.map(outcome),
      grade: grade(subject, in: scope))
  }

  private func node(
    for indicator: Indicator, subject: SubjectResult, values: [String: ExactDecimal], items: [String: [LedgerItem]]
  ) -> NodeExplanation {
    var children: [NodeExplanation] = []
    if case .parts(let parts) = indicator.kind {
      children = parts.children.map { node(for: $0, subject: subject, values: values, items: items) }
    }
    var notApplicable: [String]? = nil
    if let groups = indicator.appliesTo, !groups.contains(subject.group) {
      notApplicable = groups.map { id in rules.groups.first { $0.id == id }?.name ?? id }
    }
    // Adjustments apply to what the lines before them add up to: the children's values
    // for a parts node, the fact lines for a bonus or deduction.
    var running = children.reduce(ExactDecimal.zero) { sum, child in (try? sum.adding(child.value)) ?? sum }
    var explained: [ItemExplanation] = []
    for item in items[indicator.id] ?? [] {
      var line = ItemExplanation(kind: .fact, points: item.points)
      switch item.kind {
      case .fact(let id):
        line.fact = details(id)
        line.rule = pointsRule(indicator, fact: factsByID[id])
        if let by = item.cancelledBy {
          line.cancelledBy = by
          line.cancelling = details(by)
        }
      case .cap:
        line.kind = .cap
        line.before = running
        line.limit = indicator.perFactRule?.cap
      case .max:
        line.kind = .max
        line.before = running
        line.limit = indicator.max
      case .min:
        line.kind = .min
        line.before = running
        line.limit = indicator.min
      case .weighted:
        line.kind = .weighted
        line.before = running
      case .score:
        line.kind = .score
        line.value = item.value
        if case .score(let score) = indicator.kind {
          switch score.rule {
          case .tiers(let tiers):
            if let value = item.value, let index = tiers.firstIndex(where: { tier in tier.min.map { value >= $0 } ?? true }) {
              line.tier = TierChoice(
                index: index + 1, count: tiers.count, min: tiers[index].min, below: index > 0 ? tiers[index - 1].min : nil)
            }
          case .points(let expression):
            line.rule = "points = \(expression.source.collapsingSpaces)"
          }
        }
      }
      running = (try? running.adding(item.points)) ?? running
      explained.append(line)
    }
    return NodeExplanation(
      id: indicator.id, name: indicator.name, kind: indicator.kindName, value: values[indicator.id] ?? .zero,
      weight: indicator.weight, notApplicable: notApplicable, cap: indicator.perFactRule?.cap, max: indicator.max,
      min: indicator.min, items: explained, children: children)
  }

  private func details(_ id: String) -> FactDetails? {
    guard let fact = factsByID[id] ?? detailed.inputs.facts.first(where: { $0.id == id }) else { return nil }
    let type = rules.factTypes[fact.type]
    let names = fact.record.type.fields.map(\.name)
    var byName: [String: Value] = [:]
    for (name, value) in zip(names, fact.record.fields) { byName[name] = value }
    let fields = type.fields.compactMap { field -> (name: String, value: String)? in
      guard let value = byName[field.id], let text = Self.show(value) else { return nil }
      return (field.id, text)
    }
    let note = byName["note"].flatMap(Self.show)
    return FactDetails(
      id: fact.id, type: type.id, typeName: type.name, date: fact.date?.description, source: fact.source,
      sourceName: fact.source.flatMap { source in rules.scorers.first { $0.id == source }?.name }, note: note,
      fields: fields, file: fact.file < detailed.inputs.files.count ? detailed.inputs.files[fact.file] : nil, row: fact.row)
  }

  /// How a bonus or deduction gives points, with the table entry used when it can be told.
  private func pointsRule(_ node: Indicator, fact: Fact?) -> String? {
    guard let rule = node.perFactRule else { return nil }
    switch rule.points {
    case .fixed(let value):
      return "\(value) points each"
    case .expression(let expression):
      return "points = \(expression.source.collapsingSpaces)"
    case .table(let table):
      var text = "points by \(table.by.source.collapsingSpaces)"
      let source = table.by.source.collapsingSpaces
      if source.hasPrefix("fact."), let fact {
        let field = String(source.dropFirst(5))
        if let index = fact.record.type.fieldIndex(of: field), index < fact.record.fields.count,
          let key = Self.show(fact.record.fields[index])
        {
          if let points = table.entries.first(where: { $0.key == key })?.points {
            text += ": \(key) → \(points)"
          } else if let points = table.defaultPoints {
            text += ": \(key) → \(points) (default)"
          }
        }
      }
      return text
    }
  }

  private func outcome(_ flag: OutcomeFlag) -> OutcomeExplanation {
    let declared = rules.outcomes.first { $0.id == flag.id }
    return OutcomeExplanation(
      id: flag.id, name: declared?.name, reason: flag.reason, when: declared?.when?.source.collapsingSpaces,
      onlyIf: declared?.onlyIf?.source.collapsingSpaces,
      denies: declared?.denyGrades ?? [], forces: declared?.forceGrade)
  }

  private func grade(_ subject: SubjectResult, in scope: ScopeResult) -> GradeExplanation? {
    guard !rules.grades.isEmpty else { return nil }
    let name = { (id: String) in rules.grades.first { $0.id == id }?.name }
    var explanation = GradeExplanation(id: subject.grade, name: subject.grade.flatMap(name), forcedBy: nil, notAbove: [])
    let flags = subject.outcomes.compactMap { flag in rules.outcomes.first { $0.id == flag.id } }
    if let forcing = flags.first(where: { $0.forceGrade != nil }), let forced = forcing.forceGrade {
      explanation.forcedBy = forcing.id
      let position = rules.grades.firstIndex { $0.id == forced } ?? 0
      explanation.notAbove = rules.grades.prefix(position).map { ($0.id, $0.name, [.forced(outcome: forcing.id, grade: forced)]) }
      return explanation
    }
    let given = subject.grade.flatMap { id in rules.grades.firstIndex { $0.id == id } } ?? rules.grades.count
    let peers = scope.subjects.filter { rules.ranking.within == .all || $0.group == subject.group }
    for grade in rules.grades.prefix(given) {
      var reasons: [GradeReason] = []
      if let min = grade.min, subject.total < min { reasons.append(.min(min, total: subject.total)) }
      let denying = flags.filter { $0.denyGrades.contains(grade.id) }.map(\.id)
      if !denying.isEmpty { reasons.append(.denied(denying)) }
      if reasons.isEmpty, let quota = grade.quota {
        let product = (try? quota.multiplied(by: ExactDecimal(subject.groupSize))) ?? .zero
        let seats = Int((try? product.rounded(scale: 0, .down).int64Value()) ?? 0)
        let taken = peers.filter { $0.grade == grade.id }.count
        let tied = peers.contains { $0.id != subject.id && $0.rank == subject.rank }
        reasons.append(.quota(share: quota, seats: seats, taken: taken, tie: tied && taken < seats))
      }
      explanation.notAbove.append((grade.id, grade.name, reasons))
    }
    return explanation
  }

  /// A field value as text, or nil when absent.
  static func show(_ value: Value) -> String? {
    switch value {
    case .string(let text): text
    case .int(let int): String(int)
    case .uint(let int): String(int)
    case .decimal(let decimal): decimal.description
    case .double(let double): String(double)
    case .bool(let bool): bool ? "true" : "false"
    case .date(let date): date.description
    default: nil
    }
  }
}

// MARK: - Rendering

struct ExplanationRenderer {
  let rules: RuleSet
  let subject: SubjectHeader
  let scopes: [ScopeExplanation]

  private var decimals: Int { rules.decimals }

  private func amount(_ value: ExactDecimal) -> String { value.formatted(fractionDigits: decimals) }

  /// `+6.00`, `-10.00`, `0.00`.
  private func signed(_ value: ExactDecimal) -> String {
    if value.isZero { return amount(.zero) }
    return value.isNegative ? amount(value) : "+" + amount(value)
  }

  private func gradeTitle(_ id: String) -> String {
    rules.grades.first { $0.id == id }?.name.map { "\($0) \(id)" } ?? id
  }

  private func outcomeTitle(_ id: String) -> String {
    rules.outcomes.first { $0.id == id }?.name.map { "\($0) \(id)" } ?? id
  }

  private static func percent(_ fraction: ExactDecimal) -> String {
    ((try? fraction.multiplied(by: ExactDecimal(100))) ?? fraction).description + "%"
  }

  // MARK: Text

  /// The text form: per scope, the subject's header, the indicator tree with each line
  /// item, the total, rank, outcomes and grade.
  var text: String {
    scopes.map(text(scope:)).joined(separator: "\n")
  }

  private func text(scope: ScopeExplanation) -> String {
    var header = "\(subject.name) (\(subject.id))"
    if rules.declaresGroups { header += " · " + (subject.groupName.map { "\($0) \(subject.group)" } ?? subject.group) }
    header += " · \(scope.scope)\n"
    // The indicator lines, then their amounts aligned in one column.
    var lines: [(label: String, amount: String?, detail: Bool)] = [("base", amount(scope.base), false)]
    for node in scope.nodes { lines += nodeLines(node, depth: 0) }
    if let periods = scope.periods {
      let parts = periods.map { "\($0.period) \(amount($0.total)) × \(Self.percent($0.weight))" }
      lines.append(("from the periods: " + parts.joined(separator: " + "), nil, true))
    }
    lines.append(("total", amount(scope.total), false))
    let labelWidth = Swift.min(lines.filter { !$0.detail && $0.amount != nil }.map { $0.label.displayWidth }.max() ?? 0, 48)
    let amountWidth = lines.compactMap { $0.amount?.count }.max() ?? 0
    var out = header
    for line in lines {
      guard let value = line.amount, !line.detail else {
        out += "  " + line.label + "\n"
        continue
      }
      let padding = Swift.max(labelWidth - line.label.displayWidth, 0) + 2 + (amountWidth - value.count)
      out += "  " + line.label + String(repeating: " ", count: padding) + value + "\n"
    }
    var rank = "  rank \(scope.rank) of \(scope.groupSize)"
    if let group = scope.rankedWithin { rank += " in \(group)" }
    out += rank + "\n"
    if scope.outcomes.isEmpty {
      out += "  outcomes: none\n"
    } else {
      out += "  outcomes:\n"
      for outcome in scope.outcomes {
        var line = "    \(outcomeTitle(outcome.id)): \(reasonText(outcome))"
        if let onlyIf = outcome.onlyIf { line += "; only if \(onlyIf)" }
        if !outcome.denies.isEmpty { line += " — denies " + outcome.denies.map(gradeTitle).joined(separator: ", ") }
        if let forced = outcome.forces { line += " — forces \(gradeTitle(forced))" }
        out += line + "\n"
      }
    }
    if let grade = scope.grade {
      out += "  grade: " + (grade.id.map(gradeTitle) ?? "none")
      if let forcedBy = grade.forcedBy { out += ", forced by \(outcomeTitle(forcedBy))" }
      out += "\n"
      // A forced grade needs no reason per grade above it.
      for above in grade.notAbove where grade.forcedBy == nil {
        let title = above.name.map { "\($0) \(above.id)" } ?? above.id
        out += "    not \(title): " + above.reasons.map(reasonText).joined(separator: "; ") + "\n"
      }
    }
    return out
  }

  /// The flag's reason with its `when` condition marked as one.
  private func reasonText(_ outcome: OutcomeExplanation) -> String {
    guard let when = outcome.when, !when.isEmpty else { return outcome.reason }
    if outcome.reason == when { return "when " + when }
    if outcome.reason.hasSuffix("; " + when) { return String(outcome.reason.dropLast(when.count)) + "when " + when }
    return outcome.reason
  }

  private func reasonText(_ reason: GradeReason) -> String {
    switch reason {
    case .min(let min, let total):
      return "the total \(amount(total)) is below its min \(min)"
    case .denied(let outcomes):
      return "denied by " + outcomes.map(outcomeTitle).joined(separator: ", ")
    case .quota(let share, let seats, let taken, let tie):
      let seatText = "\(seats) seat\(seats == 1 ? "" : "s")"
      if tie { return "its quota (\(Self.percent(share)), \(seatText), \(taken) taken) has no room for the whole tie at this rank" }
      return "its quota (\(Self.percent(share)), \(seatText)) is full"
    case .forced(let outcome, let grade):
      return "\(outcomeTitle(outcome)) forces \(gradeTitle(grade))"
    }
  }

  /// A node's line, its items and its shown children; children that are zero with no
  /// items are summed up in one line.
  private func nodeLines(_ node: NodeExplanation, depth: Int) -> [(label: String, amount: String?, detail: Bool)] {
    let indent = String(repeating: "  ", count: depth)
    var label = indent + node.title
    if let weight = node.weight { label += " (weight \(Self.percent(weight)))" }
    if let groups = node.notApplicable {
      return [(label + ": applies only to " + groups.joined(separator: ", "), amount(node.value), false)]
    }
    var lines: [(label: String, amount: String?, detail: Bool)] = [(label, signed(node.value), false)]
    let itemIndent = indent + "  "
    // A parts node's children come first: its own lines adjust what they add up to.
    var hidden: [String] = []
    for child in node.children {
      if child.isEmpty { hidden.append(child.title) } else { lines += nodeLines(child, depth: depth + 1) }
    }
    if !hidden.isEmpty {
      let noun = hidden.count == node.children.count ? "all parts" : "the other parts"
      lines.append((itemIndent + "0 for \(noun): " + hidden.joined(separator: ", "), nil, true))
    }
    for item in node.items {
      for (index, text) in itemLines(item, node: node).enumerated() {
        let points = index == 0 ? signed(item.points) : ""
        let column = String(repeating: " ", count: Swift.max(8 - points.count, 0))
        lines.append((itemIndent + column + points + "  " + text, nil, true))
      }
    }
    return lines
  }

  private func factSummary(_ fact: FactDetails) -> String {
    var text = fact.id
    if let date = fact.date { text += " " + date }
    text += " " + (fact.typeName.map { "\($0) \(fact.type)" } ?? fact.type)
    if !fact.fields.isEmpty { text += " (" + fact.fields.map { "\($0.name) \($0.value)" }.joined(separator: ", ") + ")" }
    return text
  }

  private func source(_ fact: FactDetails) -> String? {
    guard let source = fact.source else { return nil }
    return "source " + (fact.sourceName.map { "\($0) \(source)" } ?? source)
  }

  /// The lines of one item (the first carries the points).
  private func itemLines(_ item: ItemExplanation, node: NodeExplanation) -> [String] {
    let what = node.kind == "parts" ? "the parts" : "the items"
    switch item.kind {
    case .fact:
      guard let fact = item.fact else { return ["fact \(item.cancelledBy.map { "(cancelled by \($0))" } ?? "")"] }
      var lines = [factSummary(fact)]
      if let note = fact.note { lines.append(note) }
      lines.append([source(fact), item.rule].compactMap { $0 }.joined(separator: "; "))
      if let by = item.cancelledBy {
        var line = "cancelled by "
        if let cancelling = item.cancelling {
          line += factSummary(cancelling)
          if let note = cancelling.note { line += ": " + note }
        } else {
          line += by
        }
        lines.append(line)
      }
      return lines.filter { !$0.isEmpty }
    case .cap:
      let limit = item.limit.map { "cap \($0)" } ?? "cap"
      return ["\(limit): \(what) add up to \(signed(item.before ?? .zero)), capped at \(signed(sum(item)))"]
    case .max:
      return ["max \(item.limit?.description ?? ""): \(what) add up to \(signed(item.before ?? .zero)), limited to \(signed(sum(item)))"]
    case .min:
      return ["min \(item.limit?.description ?? ""): \(what) add up to \(signed(item.before ?? .zero)), raised to \(signed(sum(item)))"]
    case .weighted:
      return ["weighting: the parts add up to \(signed(item.before ?? .zero)); by their weights, \(signed(sum(item)))"]
    case .score:
      var text = "value \(item.value?.description ?? "none")"
      if let tier = item.tier {
        text += ": tier \(tier.index) of \(tier.count)"
        switch (tier.min, tier.below) {
        case (.some(let min), .some(let below)): text += " (\(min) or more, below \(below))"
        case (.some(let min), .none): text += " (\(min) or more)"
        case (.none, .some(let below)): text += " (below \(below))"
        case (.none, .none): break
        }
      }
      if let rule = item.rule { text += "; " + rule }
      return [text]
    }
  }

  private func sum(_ item: ItemExplanation) -> ExactDecimal {
    (try? (item.before ?? .zero).adding(item.points)) ?? item.points
  }

  // MARK: JSON

  /// The JSON form (`kaoping explain --format json`), documented in the runner's help.
  var json: String {
    var members: [(key: String, value: JSONValue)] = [("format", .string("kaoping-explain/1"))]
    members.append(("rules", .object([("id", .string(rules.id)), ("title", rules.title.map(JSONValue.string) ?? .null)])))
    members.append(("subject", .object([
      ("id", .string(subject.id)), ("name", .string(subject.name)), ("group", .string(subject.group)),
      ("group_name", subject.groupName.map(JSONValue.string) ?? .null),
    ])))
    members.append(("scopes", .array(scopes.map(json(scope:)))))
    var out = ""
    Self.write(.object(members), indent: 0, into: &out)
    return out + "\n"
  }

  private func json(scope: ScopeExplanation) -> JSONValue {
    var members: [(key: String, value: JSONValue)] = [("scope", .string(scope.scope)), ("base", .string(amount(scope.base)))]
    members.append(("indicators", .array(scope.nodes.map(json(node:)))))
    if let periods = scope.periods {
      members.append(("periods", .array(periods.map { period in
        .object([("period", .string(period.period)), ("weight", .string(period.weight.description)), ("total", .string(amount(period.total)))])
      })))
    }
    members.append(("total", .string(amount(scope.total))))
    members.append(("rank", .number(String(scope.rank))))
    members.append(("group_size", .number(String(scope.groupSize))))
    members.append(("ranked_within", scope.rankedWithin.map { _ in JSONValue.string(subject.group) } ?? .null))
    members.append(("outcomes", .array(scope.outcomes.map { outcome in
      var entry: [(key: String, value: JSONValue)] = [
        ("id", .string(outcome.id)), ("name", outcome.name.map(JSONValue.string) ?? .null), ("reason", .string(outcome.reason)),
      ]
      if let onlyIf = outcome.onlyIf { entry.append(("only_if", .string(onlyIf))) }
      if !outcome.denies.isEmpty { entry.append(("deny_grades", .array(outcome.denies.map(JSONValue.string)))) }
      if let forced = outcome.forces { entry.append(("force_grade", .string(forced))) }
      return .object(entry)
    })))
    if let grade = scope.grade {
      members.append(("grade", .object([
        ("id", grade.id.map(JSONValue.string) ?? .null), ("name", grade.name.map(JSONValue.string) ?? .null),
        ("forced_by", grade.forcedBy.map(JSONValue.string) ?? .null),
        ("not_above", .array(grade.notAbove.map { above in
          .object([
            ("id", .string(above.id)), ("name", above.name.map(JSONValue.string) ?? .null),
            ("reasons", .array(above.reasons.map(json(reason:)))),
          ])
        })),
      ])))
    } else {
      members.append(("grade", .null))
    }
    return .object(members)
  }

  private func json(reason: GradeReason) -> JSONValue {
    switch reason {
    case .min(let min, _):
      return .object([("kind", .string("min")), ("min", .string(min.description)), ("text", .string(reasonText(reason)))])
    case .denied(let outcomes):
      return .object([("kind", .string("denied")), ("outcomes", .array(outcomes.map(JSONValue.string))), ("text", .string(reasonText(reason)))])
    case .quota(let share, let seats, let taken, let tie):
      return .object([
        ("kind", .string("quota")), ("quota", .string(share.description)), ("seats", .number(String(seats))),
        ("taken", .number(String(taken))), ("tie", .bool(tie)), ("text", .string(reasonText(reason))),
      ])
    case .forced(let outcome, let grade):
      return .object([("kind", .string("forced")), ("outcome", .string(outcome)), ("grade", .string(grade)), ("text", .string(reasonText(reason)))])
    }
  }

  private func json(node: NodeExplanation) -> JSONValue {
    var members: [(key: String, value: JSONValue)] = [
      ("id", .string(node.id)), ("name", node.name.map(JSONValue.string) ?? .null), ("kind", .string(node.kind)),
      ("value", .string(amount(node.value))),
    ]
    if let weight = node.weight { members.append(("weight", .string(weight.description))) }
    if let groups = node.notApplicable { members.append(("applies_only_to", .array(groups.map(JSONValue.string)))) }
    if let cap = node.cap { members.append(("cap", .string(cap.description))) }
    if let max = node.max { members.append(("max", .string(max.description))) }
    if let min = node.min { members.append(("min", .string(min.description))) }
    members.append(("items", .array(node.items.map(json(item:)))))
    if node.kind == "parts" { members.append(("parts", .array(node.children.map(json(node:))))) }
    return .object(members)
  }

  private func json(item: ItemExplanation) -> JSONValue {
    var members: [(key: String, value: JSONValue)] = [("kind", .string(item.kind.rawValue)), ("points", .string(amount(item.points)))]
    switch item.kind {
    case .fact:
      if let fact = item.fact { members.append(("fact", json(fact: fact))) }
      if let rule = item.rule { members.append(("rule", .string(rule))) }
      if let by = item.cancelledBy {
        members.append(("cancelled_by", item.cancelling.map(json(fact:)) ?? .object([("id", .string(by))])))
      }
    case .cap, .max, .min:
      if let limit = item.limit { members.append(("limit", .string(limit.description))) }
      members.append(("before", .string(amount(item.before ?? .zero))))
    case .weighted:
      members.append(("before", .string(amount(item.before ?? .zero))))
    case .score:
      members.append(("value", item.value.map { .string($0.description) } ?? .null))
      if let tier = item.tier {
        members.append(("tier", .object([
          ("index", .number(String(tier.index))), ("of", .number(String(tier.count))),
          ("min", tier.min.map { .string($0.description) } ?? .null),
        ])))
      }
      if let rule = item.rule { members.append(("rule", .string(rule))) }
    }
    return .object(members)
  }

  private func json(fact: FactDetails) -> JSONValue {
    var members: [(key: String, value: JSONValue)] = [
      ("id", .string(fact.id)), ("type", .string(fact.type)), ("type_name", fact.typeName.map(JSONValue.string) ?? .null),
      ("date", fact.date.map(JSONValue.string) ?? .null), ("source", fact.source.map(JSONValue.string) ?? .null),
      ("source_name", fact.sourceName.map(JSONValue.string) ?? .null),
      ("fields", .object(fact.fields.map { ($0.name, JSONValue.string($0.value)) })),
      ("note", fact.note.map(JSONValue.string) ?? .null),
    ]
    if let file = fact.file {
      members.append(("file", .string(file)))
      members.append(("row", .number(String(fact.row))))
    }
    return .object(members)
  }

  /// Pretty JSON: 2-space indentation; an array or object holding only scalars (or
  /// nothing) sits on one line.
  private static func write(_ value: JSONValue, indent: Int, into out: inout String) {
    func isFlat(_ value: JSONValue) -> Bool {
      switch value {
      case .array(let items): return items.allSatisfy { if case .array(let inner) = $0 { return inner.isEmpty }; if case .object(let inner) = $0 { return inner.isEmpty }; return true }
      case .object(let members): return members.allSatisfy { if case .array(let inner) = $0.value { return inner.isEmpty }; if case .object(let inner) = $0.value { return inner.isEmpty }; return true }
      default: return true
      }
    }
    let pad = String(repeating: "  ", count: indent + 1)
    switch value {
    case .null: out += "null"
    case .bool(let bool): out += bool ? "true" : "false"
    case .number(let text): out += text
    case .string(let text): out.appendJSONString(text)
    case .array(let items):
      if isFlat(value) {
        out += "["
        for (index, item) in items.enumerated() {
          if index > 0 { out += ", " }
          write(item, indent: indent, into: &out)
        }
        out += "]"
      } else {
        out += "[\n"
        for (index, item) in items.enumerated() {
          out += pad
          write(item, indent: indent + 1, into: &out)
          out += index + 1 < items.count ? ",\n" : "\n"
        }
        out += String(repeating: "  ", count: indent) + "]"
      }
    case .object(let members):
      if isFlat(value) {
        out += "{"
        for (index, member) in members.enumerated() {
          if index > 0 { out += ", " }
          out.appendJSONString(member.key)
          out += ": "
          write(member.value, indent: indent, into: &out)
        }
        out += "}"
      } else {
        out += "{\n"
        for (index, member) in members.enumerated() {
          out += pad
          out.appendJSONString(member.key)
          out += ": "
          write(member.value, indent: indent + 1, into: &out)
          out += index + 1 < members.count ? ",\n" : "\n"
        }
        out += String(repeating: "  ", count: indent) + "}"
      }
    }
  }
}
