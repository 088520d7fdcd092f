// The three forms of `kaoping diff` (§13.3): text for terminals and CI logs, Markdown for
// a pull-request comment, JSON for tools.

extension ResultDiff {
  // MARK: Text

  /// Plain text: per scope, an aligned table of the subjects that moved, then a summary
  /// per scope and the fact accounting of both runs.
  public var text: String {
    var out = "kaoping diff: \(oldLabel) → \(newLabel)\n"
    if changes.isEmpty {
      out += "No subject's total, rank, grade or outcomes change.\n"
      out += accountingText
      return out
    }
    let showGroups = showsGroups
    for scope in changedScopes {
      let rows = changes.filter { $0.scope == scope.scope }
      out += "\n\(scope.scope): \(rows.count) of \(scope.subjects) subjects move\n"
      var header = ["subject"]
      if showGroups { header.append("group") }
      header += ["total", "delta", "rank", "grade", "outcomes"]
      var table = [header]
      for change in rows {
        var row = [change.subject + " " + change.name + presence(change)]
        if showGroups { row.append(groupName(change.group)) }
        row.append(Self.arrow(change.old?.total, change.new?.total) { $0.map(amount) ?? "-" })
        row.append(change.delta.map(signed) ?? "")
        row.append(Self.arrow(change.old?.rank, change.new?.rank) { $0.map(String.init) ?? "-" })
        row.append(gradeCell(change))
        row.append(outcomeCell(change))
        table.append(row)
      }
      let rightAligned: Set<Int> = [header.firstIndex(of: "delta") ?? -1]
      out += Self.align(table, rightAligned: rightAligned, indent: "  ")
    }
    out += "\nsummary\n"
    let width = changedScopes.map { $0.scope.displayWidth }.max() ?? 0
    for scope in changedScopes {
      let counts = self.counts(scope: scope.scope)
      out += "  " + scope.scope + ":" + String(repeating: " ", count: width - scope.scope.displayWidth + 1)
      out += "\(counts.moved) of \(scope.subjects) subjects move; rank changes for \(counts.rank), "
      out += "grade for \(counts.grade), outcomes for \(counts.outcomes)"
      if !counts.perOutcome.isEmpty {
        out += " (" + counts.perOutcome.map { outcomeSummary($0, code: { $0 }) }.joined(separator: "; ") + ")"
      }
      out += "\n"
    }
    out += accountingText
    return out
  }

  private var accountingText: String {
    func line(_ a: Accounting) -> String {
      "\(a.facts) (\(a.applied) applied, \(a.unmatched) unmatched, \(a.rejected) rejected)"
    }
    if oldAccounting == newAccounting { return "\nfacts read, old and new: \(line(newAccounting))\n" }
    return "\nfacts read\n  old: \(line(oldAccounting))\n  new: \(line(newAccounting))\n"
  }

  /// A note for a subject only one version has.
  private func presence(_ change: SubjectChange) -> String {
    if change.old == nil { return " (only in new)" }
    if change.new == nil { return " (only in old)" }
    return ""
  }

  private func gradeCell(_ change: SubjectChange) -> String {
    Self.arrow(change.old?.grade, change.new?.grade) { gradeName($0) }
  }

  private func outcomeCell(_ change: SubjectChange) -> String {
    (change.gained.map { "+" + outcomeName($0) } + change.lost.map { "−" + outcomeName($0) }).joined(separator: " ")
  }

  private func outcomeSummary(_ entry: (id: String, gained: Int, lost: Int), code: (String) -> String) -> String {
    var parts: [String] = []
    if entry.gained > 0 { parts.append("gained by \(entry.gained)") }
    if entry.lost > 0 { parts.append("lost by \(entry.lost)") }
    let name = outcomeNames[entry.id].map { " \($0)" } ?? ""
    return code(entry.id) + name + " " + parts.joined(separator: ", ")
  }

  /// Rows padded by display width (Chinese characters count two), two spaces apart.
  static func align(_ rows: [[String]], rightAligned: Set<Int>, indent: String) -> String {
    let columns = rows.map(\.count).max() ?? 0
    var widths = [Int](repeating: 0, count: columns)
    for row in rows {
      for (index, cell) in row.enumerated() { widths[index] = Swift.max(widths[index], cell.displayWidth) }
    }
    var out = ""
    for row in rows {
      var line = indent
      for (index, cell) in row.enumerated() {
        let padding = String(repeating: " ", count: widths[index] - cell.displayWidth)
        let isLast = index == row.count - 1
        if rightAligned.contains(index) { line += padding + cell } else { line += cell + (isLast ? "" : padding) }
        if !isLast { line += "  " }
      }
      while line.hasSuffix(" ") { line.removeLast() }
      out += line + "\n"
    }
    return out
  }

  // MARK: Markdown

  /// Markdown, ready to post as a pull-request comment: a headline, a summary table per
  /// scope, then each scope's moved subjects in a collapsible section (open for `annual`
  /// or a single scope), and the fact accounting.
  public var markdown: String {
    var out = "## Kaoping: what the rule change moves\n\n"
    out += "`\(Self.code(oldLabel))` → `\(Self.code(newLabel))`\n\n"
    if changes.isEmpty {
      out += "No subject's total, rank, grade or outcomes change.\n"
      out += accountingMarkdown
      return out
    }
    let scopeWord = changedScopes.count == 1 ? "scope" : "scopes"
    let subjectWord = movedSubjects == 1 ? "subject moves" : "subjects move"
    out += "**\(movedSubjects) \(subjectWord)** in \(changedScopes.count) \(scopeWord).\n\n"
    out += "| Scope | Subjects moved | Rank changed | Grade changed | Outcomes changed |\n"
    out += "|:--|--:|--:|--:|:--|\n"
    for scope in changedScopes {
      let counts = self.counts(scope: scope.scope)
      var outcomes = "\(counts.outcomes)"
      if !counts.perOutcome.isEmpty {
        outcomes += ": " + counts.perOutcome.map { entry -> String in
          var text = Self.cell(outcomeName(entry.id)) + " (`\(Self.code(entry.id))`)"
          if entry.gained > 0 { text += " +\(entry.gained)" }
          if entry.lost > 0 { text += " −\(entry.lost)" }
          return text
        }.joined(separator: ", ")
      }
      out += "| \(Self.cell(scope.scope)) | \(counts.moved) of \(scope.subjects) | \(counts.rank) | \(counts.grade) | \(outcomes) |\n"
    }
    let showGroups = showsGroups
    for scope in changedScopes {
      let rows = changes.filter { $0.scope == scope.scope }
      let open = scope.scope == "annual" || changedScopes.count == 1
      out += "\n<details\(open ? " open" : "")><summary><b>\(Self.html(scope.scope))</b>: \(rows.count) of \(scope.subjects) subjects move</summary>\n\n"
      out += showGroups ? "| Subject | Group | Total before | Total after | Δ | Rank | Grade | Outcomes |\n" : "| Subject | Total before | Total after | Δ | Rank | Grade | Outcomes |\n"
      out += showGroups ? "|:--|:--|--:|--:|--:|:--|:--|:--|\n" : "|:--|--:|--:|--:|:--|:--|:--|\n"
      for change in rows {
        var cells = ["\(Self.cell(change.subject)) \(Self.cell(change.name))\(presence(change))"]
        if showGroups { cells.append(Self.cell(groupName(change.group))) }
        cells.append(change.old.map { amount($0.total) } ?? "–")
        cells.append(change.new.map { amount($0.total) } ?? "–")
        cells.append(change.delta.map { $0.isZero ? amount($0) : "**\(String(signed($0).map { $0 == "-" ? "−" : $0 }))**" } ?? "")
        cells.append(Self.boldArrow(change.old?.rank, change.new?.rank) { $0.map(String.init) ?? "–" })
        cells.append(Self.boldArrow(change.old?.grade, change.new?.grade) { Self.cell(gradeName($0)) })
        let outcomes = change.gained.map { "+" + Self.cell(outcomeName($0)) } + change.lost.map { "−" + Self.cell(outcomeName($0)) }
        cells.append(outcomes.joined(separator: " "))
        out += "| " + cells.joined(separator: " | ") + " |\n"
      }
      out += "\n</details>\n"
    }
    out += accountingMarkdown
    return out
  }

  private var accountingMarkdown: String {
    var out = "\n<details><summary>Facts read</summary>\n\n"
    out += "| | Facts | Applied | Unmatched | Rejected |\n|:--|--:|--:|--:|--:|\n"
    for (label, a) in [("old", oldAccounting), ("new", newAccounting)] {
      out += "| \(label) | \(a.facts) | \(a.applied) | \(a.unmatched) | \(a.rejected) |\n"
    }
    out += "\n</details>\n"
    return out
  }

  private static func boldArrow<T: Equatable>(_ old: T?, _ new: T?, _ show: (T?) -> String) -> String {
    old == new ? show(new) : "\(show(old)) → **\(show(new))**"
  }

  /// Text for a Markdown table cell: `|` escaped, line breaks made spaces, HTML disarmed.
  static func cell(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "|": out += "\\|"
      case "\n", "\r": out += " "
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "*", "_", "`", "[", "]", "\\": out += "\\" + String(character)
      default: out.append(character)
      }
    }
    return out
  }

  /// Text inside a code span (backquotes cannot be escaped there).
  static func code(_ text: String) -> String {
    String(text.map { $0 == "`" || $0 == "\n" ? "'" : $0 })
  }

  static func html(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "&": out += "&amp;"
      default: out.append(character)
      }
    }
    return out
  }

  // MARK: JSON

  /// `{"changes": […], "summary": {…}, "accounting": {"old": {…}, "new": {…}}}`:
  ///
  /// - `changes`: one element per changed field, `{"scope", "subject", "field", "old",
  ///   "new"}`, sorted by (scope order, roster order, field in the order total, rank,
  ///   grade, outcomes). `total` values are amount strings, `rank` numbers, `grade` ids
  ///   or null; `outcomes` lists the ids before and after and adds `gained` and `lost`.
  ///   A side without the subject (a roster or scope only one version has) is null.
  /// - `summary`: `moved` — distinct subjects that moved in some scope; `total`, `rank`,
  ///   `grade`, `outcomes` — moved results (a subject in a scope) with that kind of
  ///   change; `per_outcome` — per outcome id, how many results gained and lost it;
  ///   `scopes` — the same counts per compared scope, with `of` the scope's subjects.
  public var json: String {
    var out = "{\n  \"changes\": ["
    var first = true
    for change in changes {
      for kind in change.kinds {
        out += first ? "\n" : ",\n"
        first = false
        out += "    {\"scope\": \(String.jsonLiteral(change.scope)), \"subject\": \(String.jsonLiteral(change.subject)), "
        out += "\"field\": \"\(kind.rawValue)\", "
        switch kind {
        case .total:
          out += "\"old\": \(Self.json(change.old.map { amount($0.total) })), \"new\": \(Self.json(change.new.map { amount($0.total) }))"
        case .rank:
          out += "\"old\": \(change.old.map { String($0.rank) } ?? "null"), \"new\": \(change.new.map { String($0.rank) } ?? "null")"
        case .grade:
          out += "\"old\": \(Self.json(change.old?.grade)), \"new\": \(Self.json(change.new?.grade))"
        case .outcomes:
          out += "\"old\": \(change.old.map { Self.json($0.outcomes) } ?? "null"), "
          out += "\"new\": \(change.new.map { Self.json($0.outcomes) } ?? "null"), "
          out += "\"gained\": \(Self.json(change.gained)), \"lost\": \(Self.json(change.lost))"
        }
        out += "}"
      }
    }
    out += first ? "],\n" : "\n  ],\n"
    let all = counts()
    out += "  \"summary\": {\n"
    out += "    \"moved\": \(movedSubjects), \"total\": \(all.total), \"rank\": \(all.rank), \"grade\": \(all.grade), "
    out += "\"outcomes\": \(all.outcomes), \"per_outcome\": \(Self.json(all.perOutcome)),\n"
    out += "    \"scopes\": {"
    for (index, scope) in scopes.enumerated() {
      let counts = self.counts(scope: scope.scope)
      out += index == 0 ? "\n" : ",\n"
      out += "      \(String.jsonLiteral(scope.scope)): {\"moved\": \(counts.moved), \"of\": \(scope.subjects), "
      out += "\"total\": \(counts.total), \"rank\": \(counts.rank), \"grade\": \(counts.grade), \"outcomes\": \(counts.outcomes), "
      out += "\"per_outcome\": \(Self.json(counts.perOutcome))}"
    }
    out += scopes.isEmpty ? "}\n" : "\n    }\n"
    out += "  },\n"
    func accounting(_ a: Accounting) -> String {
      "{\"facts\": \(a.facts), \"applied\": \(a.applied), \"unmatched\": \(a.unmatched), \"rejected\": \(a.rejected)}"
    }
    out += "  \"accounting\": {\"old\": \(accounting(oldAccounting)), \"new\": \(accounting(newAccounting))}\n}\n"
    return out
  }

  private static func json(_ text: String?) -> String { text.map { String.jsonLiteral($0) } ?? "null" }

  private static func json(_ ids: [String]) -> String { "[" + ids.map { String.jsonLiteral($0) }.joined(separator: ", ") + "]" }

  private static func json(_ perOutcome: [(id: String, gained: Int, lost: Int)]) -> String {
    "{" + perOutcome.map { "\(String.jsonLiteral($0.id)): {\"gained\": \($0.gained), \"lost\": \($0.lost)}" }.joined(separator: ", ") + "}"
  }
}
