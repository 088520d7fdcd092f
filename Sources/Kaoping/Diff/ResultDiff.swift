/// The kinds of change `kaoping diff` reports (§13.3).
public enum ChangeKind: String, Sendable, CaseIterable, Comparable {
  case total
  case rank
  case grade
  case outcomes

  public static func < (a: ChangeKind, b: ChangeKind) -> Bool {
    allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
  }
}

/// One subject's movement in one scope.
public struct SubjectChange: Sendable {
  public var scope: String
  public var subject: String
  public var name: String
  public var group: String
  public var oldTotal: ExactDecimal
  public var newTotal: ExactDecimal
  public var oldRank: Int
  public var newRank: Int
  public var oldGrade: String?
  public var newGrade: String?
  /// Outcome ids before and after, in file order.
  public var oldOutcomes: [String]
  public var newOutcomes: [String]
  public var gained: [String]
  public var lost: [String]

  /// The kinds of change, in field order.
  public var kinds: [ChangeKind] {
    var kinds: [ChangeKind] = []
    if oldTotal != newTotal { kinds.append(.total) }
    if oldRank != newRank { kinds.append(.rank) }
    if oldGrade != newGrade { kinds.append(.grade) }
    if !gained.isEmpty || !lost.isEmpty { kinds.append(.outcomes) }
    return kinds
  }
}

/// The comparison of two results on the same inputs.
public struct ResultDiff: Sendable {
  /// Subjects that moved, sorted by (scope order, roster order).
  public var changes: [SubjectChange]
  public var oldAccounting: Accounting
  public var newAccounting: Accounting
  public var decimals: Int

  /// Compares two results scope by scope and subject by subject.
  public init(old: EvaluationResult, new: EvaluationResult) {
    decimals = new.decimals
    oldAccounting = old.accounting
    newAccounting = new.accounting
    var changes: [SubjectChange] = []
    for newScope in new.scopes {
      guard let oldScope = old.scopes.first(where: { $0.scope == newScope.scope }) else { continue }
      let oldByID = Dictionary(oldScope.subjects.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
      for subject in newScope.subjects {
        guard let before = oldByID[subject.id] else { continue }
        let oldOutcomes = before.outcomes.map(\.id)
        let newOutcomes = subject.outcomes.map(\.id)
        let change = SubjectChange(
          scope: newScope.scope, subject: subject.id, name: subject.name, group: subject.group,
          oldTotal: before.total, newTotal: subject.total, oldRank: before.rank, newRank: subject.rank,
          oldGrade: before.grade, newGrade: subject.grade, oldOutcomes: oldOutcomes, newOutcomes: newOutcomes,
          gained: newOutcomes.filter { !oldOutcomes.contains($0) }, lost: oldOutcomes.filter { !newOutcomes.contains($0) })
        if !change.kinds.isEmpty { changes.append(change) }
      }
    }
    self.changes = changes
  }

  /// Whether a change of one of `kinds` exists.
  public func contains(any kinds: Set<ChangeKind>) -> Bool {
    changes.contains { !Set($0.kinds).isDisjoint(with: kinds) }
  }

  /// Counts for the summary: subjects whose rank, grade or outcomes changed, and per outcome id.
  public var summary: (rank: Int, grade: Int, outcomes: Int, total: Int, perOutcome: [(id: String, gained: Int, lost: Int)]) {
    var perOutcome: [String: (Int, Int)] = [:]
    var order: [String] = []
    for change in changes {
      for id in change.gained {
        if perOutcome[id] == nil { order.append(id) }
        perOutcome[id, default: (0, 0)].0 += 1
      }
      for id in change.lost {
        if perOutcome[id] == nil { order.append(id) }
        perOutcome[id, default: (0, 0)].1 += 1
      }
    }
    return (
      rank: changes.filter { $0.kinds.contains(.rank) }.count,
      grade: changes.filter { $0.kinds.contains(.grade) }.count,
      outcomes: changes.filter { $0.kinds.contains(.outcomes) }.count,
      total: changes.filter { $0.kinds.contains(.total) }.count,
      perOutcome: order.sorted().map { ($0, perOutcome[$0]?.0 ?? 0, perOutcome[$0]?.1 ?? 0) })
  }

  private func amount(_ value: ExactDecimal) -> String { value.formatted(fractionDigits: decimals) }

  private func delta(_ change: SubjectChange) -> String {
    let difference = (try? change.newTotal.subtracting(change.oldTotal)) ?? .zero
    let text = amount(difference)
    return difference.isNegative || text.hasPrefix("-") ? text : "+" + text
  }

  // MARK: Formats

  /// Plain text for terminals and CI logs.
  public var text: String {
    var out = ""
    var scope = ""
    for change in changes {
      if change.scope != scope {
        scope = change.scope
        out += "scope \(scope)\n"
      }
      out += "  \(change.subject) \(change.name): total \(amount(change.oldTotal)) -> \(amount(change.newTotal)) (\(delta(change)))"
      if change.oldRank != change.newRank { out += ", rank \(change.oldRank) -> \(change.newRank)" }
      if change.oldGrade != change.newGrade { out += ", grade \(change.oldGrade ?? "none") -> \(change.newGrade ?? "none")" }
      if !change.gained.isEmpty { out += ", gained \(change.gained.joined(separator: ","))" }
      if !change.lost.isEmpty { out += ", lost \(change.lost.joined(separator: ","))" }
      out += "\n"
    }
    let s = summary
    out += "summary: \(changes.count) changes; rank changed for \(s.rank), grade for \(s.grade), outcomes for \(s.outcomes)"
    for entry in s.perOutcome { out += "; \(entry.id) +\(entry.gained) -\(entry.lost)" }
    out += "\n"
    return out
  }

  /// Markdown, ready to post as a pull-request comment.
  public var markdown: String {
    var out = "## Kaoping: what the rule change moves\n\n"
    if changes.isEmpty {
      out += "No subject's total, rank, grade or outcomes change.\n"
      return out
    }
    var scope = ""
    for change in changes {
      if change.scope != scope {
        if !scope.isEmpty { out += "\n" }
        scope = change.scope
        out += "### \(scope)\n\n| subject | name | total before | total after | delta | rank | grade | outcomes |\n|---|---|---:|---:|---:|---|---|---|\n"
      }
      let rank = change.oldRank == change.newRank ? "\(change.newRank)" : "\(change.oldRank) → \(change.newRank)"
      let grade = change.oldGrade == change.newGrade ? (change.newGrade ?? "") : "\(change.oldGrade ?? "none") → \(change.newGrade ?? "none")"
      var outcomes: [String] = change.gained.map { "+\($0)" }
      outcomes += change.lost.map { "−\($0)" }
      out += "| \(Self.cell(change.subject)) | \(Self.cell(change.name)) | \(amount(change.oldTotal)) | \(amount(change.newTotal)) | \(delta(change)) | \(rank) | \(Self.cell(grade)) | \(outcomes.joined(separator: " ")) |\n"
    }
    let s = summary
    out += "\n**Summary:** \(changes.count) changes; rank changed for \(s.rank), grade for \(s.grade), outcomes for \(s.outcomes)."
    for entry in s.perOutcome { out += " `\(entry.id)` +\(entry.gained) −\(entry.lost)." }
    out += "\n"
    return out
  }

  private static func cell(_ text: String) -> String { text.replacingPipes }

  /// `{"changes": […], "summary": {…}, "accounting": {"old": {…}, "new": {…}}}`.
  public var json: String {
    var out = "{\n  \"changes\": ["
    var first = true
    for change in changes {
      for kind in change.kinds {
        out += first ? "\n" : ",\n"
        first = false
        out += "    {\"scope\": "
        out.appendJSONString(change.scope)
        out += ", \"subject\": "
        out.appendJSONString(change.subject)
        out += ", \"field\": \"\(kind.rawValue)\", "
        switch kind {
        case .total:
          out += "\"old\": \"\(amount(change.oldTotal))\", \"new\": \"\(amount(change.newTotal))\""
        case .rank:
          out += "\"old\": \(change.oldRank), \"new\": \(change.newRank)"
        case .grade:
          out += "\"old\": " + (change.oldGrade.map { String.jsonLiteral($0) } ?? "null")
          out += ", \"new\": " + (change.newGrade.map { String.jsonLiteral($0) } ?? "null")
        case .outcomes:
          out += "\"old\": [" + change.oldOutcomes.map { String.jsonLiteral($0) }.joined(separator: ", ") + "]"
          out += ", \"new\": [" + change.newOutcomes.map { String.jsonLiteral($0) }.joined(separator: ", ") + "]"
          out += ", \"gained\": [" + change.gained.map { String.jsonLiteral($0) }.joined(separator: ", ") + "]"
          out += ", \"lost\": [" + change.lost.map { String.jsonLiteral($0) }.joined(separator: ", ") + "]"
        }
        out += "}"
      }
    }
    out += first ? "],\n" : "\n  ],\n"
    let s = summary
    out += "  \"summary\": {\"subjects\": \(changes.count), \"total\": \(s.total), \"rank\": \(s.rank), \"grade\": \(s.grade), \"outcomes\": \(s.outcomes), \"per_outcome\": {"
    out += s.perOutcome.map { "\(String.jsonLiteral($0.id)): {\"gained\": \($0.gained), \"lost\": \($0.lost)}" }.joined(separator: ", ")
    out += "}},\n"
    func accounting(_ a: Accounting) -> String {
      "{\"facts\": \(a.facts), \"applied\": \(a.applied), \"unmatched\": \(a.unmatched), \"rejected\": \(a.rejected)}"
    }
    out += "  \"accounting\": {\"old\": \(accounting(oldAccounting)), \"new\": \(accounting(newAccounting))}\n}\n"
    return out
  }
}

extension String {
  /// `|` escaped for a Markdown table cell.
  var replacingPipes: String {
    var out = ""
    for character in self {
      if character == "|" { out += "\\|" } else if character == "\n" { out += " " } else { out.append(character) }
    }
    return out
  }
}
