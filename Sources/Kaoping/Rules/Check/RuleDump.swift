extension RuleSet {
  /// A stable textual dump of the rule graph for review (`kaoping check --dump`): the
  /// scheme's settings, then the indicator tree with kinds, weights, caps and bounds,
  /// then ranking, outcomes and grades.
  public var dump: String {
    var out = "rules \(id)"
    if let title { out += " — \(title)" }
    out += "\n  base \(base), decimals \(decimals)\n"
    if !periods.isEmpty {
      out += "  periods: " + periods.map { "\($0.id) \($0.from)..\($0.to)" }.joined(separator: ", ") + "\n"
      switch annual {
      case .facts: out += "  annual: facts\n"
      case .weights(let weights):
        out += "  annual: weights " + weights.map { "\($0.period)=\($0.weight)" }.joined(separator: ", ") + "\n"
      }
    }
    if let calendar {
      out += "  calendar: covers \(calendar.covers.lowerBound)..\(calendar.covers.upperBound), \(calendar.holidays.count) holidays, \(calendar.workdays.count) adjusted workdays\n"
    }
    out += "  groups: " + groups.map(\.id).joined(separator: ", ") + "\n"
    out += "  facts: " + factTypes.map { type in
      type.fields.isEmpty ? type.id : "\(type.id)(" + type.fields.map { "\($0.id): \($0.type)\($0.optional ? "?" : "")" }.joined(separator: ", ") + ")"
    }.joined(separator: ", ") + "\n"
    out += "indicators\n"
    func line(_ node: Indicator, depth: Int) {
      var text = String(repeating: "  ", count: depth + 1) + node.id + " [\(node.kindName)"
      switch node.kind {
      case .bonus(let rule), .deduction(let rule):
        text += " \(rule.facts)] points "
        switch rule.points {
        case .fixed(let value): text += "\(value)"
        case .expression(let expression): text += "= \(expression.source.collapsingSpaces)"
        case .table(let table):
          text += "by \(table.by.source.collapsingSpaces) {" + table.entries.map { "\($0.key): \($0.points)" }.joined(separator: ", ")
          if let value = table.defaultPoints { text += ", default: \(value)" }
          text += "}"
        }
        if let when = rule.when { text += " when \(when.source.collapsingSpaces)" }
        if let cap = rule.cap { text += " cap \(cap)" }
        if let by = rule.cancelledBy { text += " cancelled_by \(by)" }
        if let scorers = rule.scorers { text += " scorers \(scorers.joined(separator: ","))" }
      case .score(let score):
        text += "] value = \(score.value.source.collapsingSpaces)"
        switch score.rule {
        case .points(let points): text += " points = \(points.source.collapsingSpaces)"
        case .tiers(let tiers):
          text += " tiers " + tiers.map { tier in
            let points: String
            switch tier.points {
            case .fixed(let value): points = "\(value)"
            case .expression(let expression): points = expression.source.collapsingSpaces
            }
            return tier.min.map { ">=\($0): \(points)" } ?? "else: \(points)"
          }.joined(separator: "; ")
        }
      case .parts(let parts):
        text += " \(parts.combine.rawValue)]"
      }
      if let weight = node.weight { text += " weight \(weight)" }
      if let max = node.max { text += " max \(max)" }
      if let min = node.min { text += " min \(min)" }
      if let groups = node.appliesTo { text += " applies_to \(groups.joined(separator: ","))" }
      out += text + "\n"
      if case .parts(let parts) = node.kind {
        for child in parts.children { line(child, depth: depth + 1) }
      }
    }
    for node in indicators { line(node, depth: 0) }
    out += "ranking within \(ranking.within.rawValue), order \(ranking.order.rawValue), ties \(ranking.ties.rawValue)\n"
    if !outcomes.isEmpty {
      out += "outcomes\n"
      for outcome in outcomes {
        var text = "  \(outcome.id) [\(outcome.scope.rawValue)]"
        if let bottom = outcome.bottomText {
          text += " bottom \(bottom)"
          if case .share = outcome.bottom { text += " (\(outcome.rounding.rawValue))" }
          if outcome.boundaryTies == .include { text += " ties included" }
        }
        if let when = outcome.when { text += " when \(when.source.collapsingSpaces)" }
        if let onlyIf = outcome.onlyIf { text += " only_if \(onlyIf.source.collapsingSpaces)" }
        if !outcome.denyGrades.isEmpty { text += " deny \(outcome.denyGrades.joined(separator: ","))" }
        if let grade = outcome.forceGrade { text += " force \(grade)" }
        out += text + "\n"
      }
    }
    if !grades.isEmpty {
      out += "grades\n"
      for grade in grades {
        var text = "  \(grade.id)"
        if let name = grade.name { text += " \(name)" }
        if let min = grade.min { text += " min \(min)" }
        if let quota = grade.quota { text += " quota \(quota)" }
        out += text + "\n"
      }
    }
    return out
  }
}

extension String {
  /// Each run of white space made one space, trimmed (how `when` texts appear in reasons).
  var collapsingSpaces: String {
    split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }
}
