/// Everything behind one subject's result, readable by a policy officer (`kaoping explain`).
public enum Explanation {
  /// Evaluates the request and explains `subject` in the chosen scopes (`all`, `annual` or a period).
  public static func explain(
    _ request: EvaluationRequest, subject: String, scope: String
  ) -> Result<String, ExplanationProblem> {
    let detailed: Evaluation.Detailed
    switch Evaluation.runDetailed(request) {
    case .failure(let problem): return .failure(.evaluation(problem))
    case .success(let value): detailed = value
    }
    guard detailed.roster.index[subject] != nil else {
      let hint = Suggest.closest(to: subject, among: detailed.roster.subjects.map(\.id)).map { " (did you mean '\($0)'?)" } ?? ""
      return .failure(.unknownSubject("the subject '\(subject)' is not in the roster\(hint)"))
    }
    guard let result = detailed.result.selectingScope(scope) else {
      return .failure(.unknownScope("unknown scope '\(scope)'; the scopes are all, \(detailed.result.scopes.map(\.scope).joined(separator: ", "))"))
    }
    var writer = ExplanationWriter(detailed: detailed)
    return .success(result.scopes.map { writer.text(scope: $0, subject: subject) }.joined(separator: "\n"))
  }
}

/// Why an explanation could not be given.
public enum ExplanationProblem: Error, Sendable {
  case evaluation(EvaluationProblem)
  case unknownSubject(String)
  case unknownScope(String)
}

struct ExplanationWriter {
  let detailed: Evaluation.Detailed
  private var factsByID: [String: Fact] = [:]

  init(detailed: Evaluation.Detailed) {
    self.detailed = detailed
    for fact in detailed.inputs.facts { factsByID[fact.id] = fact }
  }

  private var rules: RuleSet { detailed.rules }
  private var decimals: Int { rules.decimals }

  private func amount(_ value: ExactDecimal) -> String {
    let text = value.formatted(fractionDigits: decimals)
    return value.isNegative || text.hasPrefix("-") || value.isZero ? text : "+" + text
  }

  func text(scope: ScopeResult, subject id: String) -> String {
    guard let subject = scope.subjects.first(where: { $0.id == id }) else { return "" }
    var out = "\(subject.name) (\(subject.id)), group \(rules.groups.first { $0.id == subject.group }?.name ?? subject.group), scope \(scope.scope)\n"
    out += "  base \(rules.base.formatted(fractionDigits: decimals))\n"
    let nodes = Dictionary(rules.allIndicators.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for value in subject.indicators {
      guard let node = nodes[value.id] else { continue }
      let items = subject.items.filter { $0.indicator == node.id }
      let title = node.name.map { "\(node.id) \($0)" } ?? node.id
      if let groups = node.appliesTo, !groups.contains(subject.group) {
        out += "  \(title): 0 (applies only to \(groups.joined(separator: ", ")))\n"
        continue
      }
      out += "  \(title) [\(node.kindName)]: \(value.value.formatted(fractionDigits: decimals))\n"
      for item in items {
        out += "    " + describe(item, node) + "\n"
      }
    }
    if let periods = subject.periods {
      for period in periods {
        out += "  \(period.period): total \(period.total.formatted(fractionDigits: decimals)) × weight \(period.weight)\n"
      }
    }
    out += "  total \(subject.total.formatted(fractionDigits: decimals))\n"
    out += "  rank \(subject.rank) of \(subject.groupSize)\n"
    if subject.outcomes.isEmpty {
      out += "  outcomes: none\n"
    } else {
      for flag in subject.outcomes {
        let name = rules.outcomes.first { $0.id == flag.id }?.name.map { " \($0)" } ?? ""
        out += "  outcome \(flag.id)\(name): \(flag.reason)\n"
      }
    }
    out += "  grade: " + gradeText(subject) + "\n"
    return out
  }

  private func describe(_ item: LedgerItem, _ node: Indicator) -> String {
    switch item.kind {
    case .fact(let id):
      var text = "\(amount(item.points))  fact \(id)"
      if let fact = factsByID[id] {
        text += " (\(rules.factTypes[fact.type].id)"
        if let date = fact.date { text += ", \(date)" }
        if let source = fact.source { text += ", source \(source)" }
        let type = rules.factTypes[fact.type]
        let fields = zip(type.fields, fact.record.fields.dropFirst(RuleEnvironments.builtInFactFields.count))
          .compactMap { field, value -> String? in
            if case .null = value { return nil }
            return "\(field.id)=\(Self.show(value))"
          }
        if !fields.isEmpty { text += ", " + fields.joined(separator: ", ") }
        if let note = fact.record.fields[5].stringValue { text += ", \(note)" }
        text += ")"
        text += " by " + pointsRule(node)
      }
      if let by = item.cancelledBy {
        text += "; cancelled by \(by)"
        if let cancelling = factsByID[by], let date = cancelling.date { text += " (\(date))" }
      }
      return text
    case .cap:
      return "\(amount(item.points))  cap \(node.perFactRule?.cap?.description ?? "")"
    case .weighted:
      return "\(amount(item.points))  weighting of the parts"
    case .max:
      return "\(amount(item.points))  max \(node.max?.description ?? "")"
    case .min:
      return "\(amount(item.points))  min \(node.min?.description ?? "")"
    case .score:
      var text = "\(amount(item.points))  value \(item.value?.description ?? "")"
      if case .score(let score) = node.kind, case .tiers(let tiers) = score.rule, let value = item.value {
        if let index = tiers.firstIndex(where: { tier in tier.min.map { value >= $0 } ?? true }) {
          let tier = tiers[index]
          text += ", tier \(index + 1)" + (tier.min.map { " (min \($0))" } ?? " (the rest)")
        } else {
          text += ", no tier matches"
        }
      }
      return text
    }
  }

  private func pointsRule(_ node: Indicator) -> String {
    guard let rule = node.perFactRule else { return node.id }
    switch rule.points {
    case .fixed(let value): return "\(node.id): \(value) points"
    case .expression(let expression): return "\(node.id): \(expression.source.collapsingSpaces)"
    case .table(let table): return "\(node.id): table by \(table.by.source.collapsingSpaces)"
    }
  }

  private func gradeText(_ subject: SubjectResult) -> String {
    guard !rules.grades.isEmpty else { return "none (the rules have no grades)" }
    let name = { (id: String) in rules.grades.first { $0.id == id }?.name.map { "\(id) \($0)" } ?? id }
    var text = subject.grade.map(name) ?? "none"
    // Why not the grades above.
    let got = subject.grade.flatMap { id in rules.grades.firstIndex { $0.id == id } } ?? rules.grades.count
    let denied = Set(subject.outcomes.flatMap { flag in rules.outcomes.first { $0.id == flag.id }?.denyGrades ?? [] })
    let forcing = subject.outcomes.first { flag in rules.outcomes.first { $0.id == flag.id }?.forceGrade != nil }
    if let forcing { return text + " (forced by outcome \(forcing.id))" }
    var reasons: [String] = []
    for grade in rules.grades.prefix(got) {
      if let min = grade.min, subject.total < min {
        reasons.append("not \(name(grade.id)): total below its min \(min)")
      } else if denied.contains(grade.id) {
        reasons.append("not \(name(grade.id)): denied by an outcome")
      } else if grade.quota != nil {
        reasons.append("not \(name(grade.id)): its quota is full")
      }
    }
    if !reasons.isEmpty { text += " (" + reasons.joined(separator: "; ") + ")" }
    return text
  }

  static func show(_ value: Value) -> String {
    switch value {
    case .string(let text): text
    case .int(let int): String(int)
    case .decimal(let decimal): decimal.description
    case .bool(let bool): bool ? "true" : "false"
    case .date(let date): date.description
    default: "…"
    }
  }
}

extension Value {
  var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }
}
