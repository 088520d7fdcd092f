extension RuleSet {
  /// A stable textual dump of the rule graph for review (`kaoping check --dump`): the
  /// scheme's settings and fact types, then the indicator tree (one line per node with
  /// its kind, weight, cap, bounds, `applies_to` and scorers, then its expressions),
  /// then ranking, outcomes and grades.
  ///
  /// Everything is listed in file order; weights and quotas are shown as percentages,
  /// expressions with each run of white space made one space. The same rules always
  /// give the same text.
  public var dump: String {
    var out = DumpWriter()
    out.line(0, "rules \(id)" + (title.map { ": \($0)" } ?? ""))
    out.line(1, "format \(formatVersion), base \(base), decimals \(decimals)")
    if periods.isEmpty {
      out.line(1, "periods: none (one scope, annual)")
    } else {
      out.line(1, "periods: " + periods.map { "\($0.id) \($0.from)..\($0.to)" }.joined(separator: ", "))
      switch annual {
      case .facts: out.line(1, "annual: all facts of the year as one scope")
      case .weights(let weights):
        out.line(1, "annual: weighted " + weights.map { "\($0.period) \(Self.percent($0.weight))" }.joined(separator: ", "))
      }
    }
    if let calendar {
      let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
      let weekend = calendar.weekend.sorted().compactMap { $0 >= 1 && $0 <= 7 ? days[$0 - 1] : nil }
      out.line(1, "calendar: covers \(calendar.covers.lowerBound)..\(calendar.covers.upperBound), weekend \(weekend.joined(separator: " ")), \(calendar.holidays.count) holidays, \(calendar.workdays.count) adjusted workdays")
    }
    out.line(1, "groups: " + groups.map { Self.named($0.id, $0.name) }.joined(separator: ", ") + (declaresGroups ? "" : " (implicit)"))
    if !attributes.isEmpty {
      out.line(1, "attributes: " + attributes.map { "\($0.id) \(Self.typeText($0.type, optional: $0.optional))" }.joined(separator: ", "))
    }
    if let subjects { out.line(1, "subjects: \(subjects.count) in the rule file") }
    if !scorers.isEmpty {
      out.line(1, "scorers: " + scorers.map { "\($0.id) \($0.name)" }.joined(separator: ", "))
    }

    out.line(0, "facts")
    for type in factTypes {
      let fields = type.fields.map { "\($0.id) \(Self.typeText($0.type, optional: $0.optional))" }
      out.line(1, Self.named(type.id, type.name) + (fields.isEmpty ? "" : ": " + fields.joined(separator: ", ")))
    }

    out.line(0, "indicators: total = " + (["base"] + indicators.map(\.id)).joined(separator: " + "))
    for node in indicators { dumpNode(node, depth: 1, into: &out) }

    out.line(0, "ranking: within \(ranking.within.rawValue), order \(ranking.order.rawValue), ties \(ranking.ties.rawValue)")

    if !outcomes.isEmpty {
      out.line(0, "outcomes")
      for outcome in outcomes {
        var parts = [outcome.scope == .periods ? "each period" : "annual"]
        if let bottom = outcome.bottomText {
          var text = "bottom \(bottom)"
          if case .share = outcome.bottom { text += " rounded \(outcome.rounding.rawValue)" }
          text += outcome.boundaryTies == .include ? ", ties at the boundary included" : ""
          parts.append(text)
        }
        if !outcome.denyGrades.isEmpty { parts.append("denies " + outcome.denyGrades.joined(separator: ", ")) }
        if let grade = outcome.forceGrade { parts.append("forces grade \(grade)") }
        out.line(1, Self.named(outcome.id, outcome.name) + " — " + parts.joined(separator: "; "))
        if let when = outcome.when { out.line(2, "when " + when.source.collapsingSpaces) }
        if let onlyIf = outcome.onlyIf { out.line(2, "only if " + onlyIf.source.collapsingSpaces) }
      }
    }

    if !grades.isEmpty {
      out.line(0, "grades")
      for grade in grades {
        var parts: [String] = []
        if let min = grade.min { parts.append("min \(min)") } else { parts.append("every subject not graded above") }
        if let quota = grade.quota { parts.append("quota \(Self.percent(quota))") }
        out.line(1, Self.named(grade.id, grade.name) + " — " + parts.joined(separator: ", "))
      }
    }
    return out.text
  }

  private func dumpNode(_ node: Indicator, depth: Int, into out: inout DumpWriter) {
    var parts: [String] = []
    switch node.kind {
    case .bonus(let rule): parts.append("bonus per \(rule.facts) fact")
    case .deduction(let rule): parts.append("deduction per \(rule.facts) fact")
    case .score: parts.append("score")
    case .parts(let rule): parts.append(rule.combine == .weighted ? "parts, weighted" : "parts, summed")
    }
    if let weight = node.weight { parts.append("weight \(Self.percent(weight))") }
    if let rule = node.perFactRule {
      if let cap = rule.cap { parts.append("cap \(cap)") }
      if let cancelling = rule.cancelledBy { parts.append("cancelled by \(cancelling)") }
      if let scorers = rule.scorers { parts.append("scorers " + scorers.joined(separator: ", ")) }
    }
    if let max = node.max { parts.append("max \(max)") }
    if let min = node.min { parts.append("min \(min)") }
    if let groups = node.appliesTo { parts.append("applies to " + groups.joined(separator: ", ")) }
    out.line(depth, Self.named(node.id, node.name) + " — " + parts.joined(separator: "; "))

    switch node.kind {
    case .bonus(let rule), .deduction(let rule):
      if let when = rule.when { out.line(depth + 1, "when " + when.source.collapsingSpaces) }
      switch rule.points {
      case .fixed(let value): out.line(depth + 1, "points \(value)")
      case .expression(let expression): out.line(depth + 1, "points " + expression.source.collapsingSpaces)
      case .table(let table):
        var rows = table.entries.map { "\($0.key) \($0.points)" }
        if let value = table.defaultPoints { rows.append("otherwise \(value)") }
        out.line(depth + 1, "points by \(table.by.source.collapsingSpaces): " + rows.joined(separator: ", "))
      }
    case .score(let score):
      out.line(depth + 1, "value " + score.value.source.collapsingSpaces)
      switch score.rule {
      case .points(let points): out.line(depth + 1, "points " + points.source.collapsingSpaces)
      case .tiers(let tiers):
        for tier in tiers {
          let points: String
          switch tier.points {
          case .fixed(let value): points = "\(value)"
          case .expression(let expression): points = expression.source.collapsingSpaces
          }
          let condition = tier.min.map { "value >= \(tier.minText ?? "\($0)")" } ?? "otherwise"
          out.line(depth + 1, "tier \(condition): \(points)")
        }
      }
    case .parts(let rule):
      for child in rule.children { dumpNode(child, depth: depth + 1, into: &out) }
    }
  }

  /// `id name`, or the id alone.
  static func named(_ id: String, _ name: String?) -> String {
    guard let name, !name.isEmpty, name != id else { return id }
    return "\(id) \(name)"
  }

  /// A fraction as a percentage: 0.25 is `25%`.
  static func percent(_ value: ExactDecimal) -> String {
    ((try? value.multiplied(by: ExactDecimal(100))).map { "\($0)" } ?? "\(value)") + "%"
  }

  static func typeText(_ type: FieldType, optional: Bool) -> String {
    var text: String
    switch type {
    case .enumeration(let values): text = "enum(" + values.joined(separator: ", ") + ")"
    default: text = type.description
    }
    if optional { text += " (optional)" }
    return text
  }
}

/// Lines indented two spaces per level.
private struct DumpWriter {
  var text = ""

  mutating func line(_ depth: Int, _ content: String) {
    text += String(repeating: "  ", count: depth) + content + "\n"
  }
}

extension String {
  /// Each run of white space made one space, trimmed (how `when` texts appear in reasons).
  var collapsingSpaces: String {
    split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }
}
