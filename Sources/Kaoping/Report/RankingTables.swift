// What the table and Markdown reports show: per scope, per group, the subjects by rank,
// as rows of display text. Both formats share this so their content stays the same.

/// A scope's subjects split into groups, with the cells the human-readable reports show.
struct ScopeTables {
  /// A group's table: its heading and rows.
  struct Group {
    /// The group's name when the rule file gives one, else its id.
    var heading: String
    var rows: [[String]]
  }

  /// The scope id (`Q1`, …, `annual`).
  var scope: String
  /// Groups in order of their first subject in the roster.
  var groups: [Group]

  /// The columns: header and whether numbers are right-aligned.
  static let columns: [(header: String, rightAligned: Bool)] = [
    ("rank", true), ("subject", false), ("name", false), ("total", true), ("grade", false), ("flags", false),
  ]

  /// Groups `scope`'s subjects by group; within a group, by rank (ties in roster order).
  /// Cells: rank, subject id, name, total (`decimals` digits), grade (name if known, else
  /// id; empty without one), flags (outcome names if known, else ids, joined by `, `).
  init(_ scope: ScopeResult, of result: EvaluationResult) {
    self.scope = scope.scope
    let subjects = scope.subjects
    var order: [String] = []
    var members: [String: [Int]] = [:]
    for index in subjects.indices {
      let group = subjects[index].group
      if members[group] == nil { order.append(group) }
      members[group, default: []].append(index)
    }
    groups = order.map { id in
      let indices = (members[id] ?? []).sorted { a, b in
        subjects[a].rank != subjects[b].rank ? subjects[a].rank < subjects[b].rank : a < b
      }
      let rows = indices.map { index -> [String] in
        let grade = subjects[index].grade.map { result.gradeNames[$0] ?? $0 } ?? ""
        let flags = subjects[index].outcomes.map { result.outcomeNames[$0.id] ?? $0.id }.joined(separator: ", ")
        return [
          String(subjects[index].rank), subjects[index].id, subjects[index].name,
          subjects[index].total.formatted(fractionDigits: result.decimals), grade, flags,
        ]
      }
      return Group(heading: result.groupNames[id] ?? id, rows: rows)
    }
  }

  /// The human-readable reports' tables for the scopes written.
  static func all(_ result: EvaluationResult, scopes: [ScopeResult]) -> [ScopeTables] {
    scopes.map { ScopeTables($0, of: result) }
  }

  /// The report's first line: the rule file's title, or its id without one.
  static func title(of result: EvaluationResult) -> String {
    result.rules.title ?? result.rules.id
  }

  /// The one-line accounting summary: `facts 120: applied 110, unmatched 8, rejected 2`.
  static func accountingSummary(_ accounting: Accounting) -> String {
    "facts \(accounting.facts): applied \(accounting.applied), unmatched \(accounting.unmatched), "
      + "rejected \(accounting.rejected)"
  }
}

extension String {
  /// The text with control characters (C0, DEL, C1) each replaced by `replacement`, so
  /// that a name cannot break a table's lines or send terminal escape sequences.
  func replacingControlCharacters(with replacement: Unicode.Scalar) -> String {
    // C1 controls are U+0080–U+009F, encoded C2 80 – C2 9F.
    guard utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }),
      unicodeScalars.contains(where: \.isControl)
    else { return self }
    var out = String.UnicodeScalarView()
    for scalar in unicodeScalars {
      out.append(scalar.isControl ? replacement : scalar)
    }
    return String(out)
  }
}

extension Unicode.Scalar {
  /// C0 controls, DEL and C1 controls.
  fileprivate var isControl: Bool {
    value < 0x20 || (0x7F...0x9F).contains(value)
  }
}
