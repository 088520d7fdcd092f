/// The checks across sections of a decoded rule file (§8.4): duplicate ids, references,
/// cancellation, weights, periods, tiers and grades, outcomes, the inline roster.
/// Expressions are checked separately (`ExpressionChecks`).
struct RuleChecks {
  let rules: RuleSet
  var reader: NodeReader

  mutating func run() {
    checkDuplicates()
    checkPeriods()
    checkIndicators(rules.indicators, parent: nil)
    checkCancellation()
    checkOutcomes()
    checkGrades()
    checkRoster()
    checkUnreadFactTypes()
  }

  private mutating func error(_ code: DiagnosticCode, _ message: String, at location: RuleLocation, hint: String? = nil) {
    reader.report(.error, code, message, at: location, hint: hint)
  }

  private mutating func warning(_ code: DiagnosticCode, _ message: String, at location: RuleLocation, hint: String? = nil) {
    reader.report(.warning, code, message, at: location, hint: hint)
  }

  /// A reference to something undeclared, with a "did you mean" hint.
  private mutating func unknown(_ kind: String, _ name: String, among known: [String], at location: RuleLocation, extra: String? = nil) {
    var hint: String?
    if let close = Suggest.closest(to: name, among: known) {
      hint = "did you mean '\(close)'?"
    } else if known.isEmpty {
      hint = "no \(kind) is declared"
    } else {
      hint = "declared: \(known.prefix(12).joined(separator: ", "))"
    }
    if let extra { hint = extra }
    error(.unknownReference, "unknown \(kind) '\(name)'", at: location, hint: hint)
  }

  // MARK: Ids

  private mutating func checkDuplicates() {
    func duplicates(_ ids: [(String, RuleLocation)], _ kind: String, into checks: inout RuleChecks) {
      var first: [String: RuleLocation] = [:]
      for (id, location) in ids {
        if let earlier = first[id] {
          checks.error(.duplicateID, "the \(kind) id '\(id)' is already used at line \(earlier.line)", at: location,
                       hint: "ids must be unique among \(kind)s")
        } else {
          first[id] = location
        }
      }
    }
    duplicates(rules.groups.map { ($0.id, $0.location ?? RuleLocation(file: reader.file, line: 1, column: 1)) }, "group", into: &self)
    duplicates(rules.allIndicators.map { ($0.id, $0.location) }, "indicator", into: &self)
    duplicates(rules.outcomes.map { ($0.id, $0.location) }, "outcome", into: &self)
    duplicates(rules.grades.map { ($0.id, $0.location) }, "grade", into: &self)
  }

  // MARK: Periods

  private mutating func checkPeriods() {
    let sorted = rules.periods.sorted { $0.from < $1.from }
    for (a, b) in zip(sorted, sorted.dropFirst()) where b.from <= a.to {
      let later = a.location.line > b.location.line ? a : b
      let other = later.id == a.id ? b : a
      error(.overlappingPeriods,
            "period \(later.id) (\(later.from)..\(later.to)) overlaps period \(other.id) (\(other.from)..\(other.to))",
            at: later.location, hint: "periods must not share a day")
    }
    if case .weights(let weights) = rules.annual {
      let known = rules.periods.map(\.id)
      var sum = ExactDecimal.zero
      let location = RuleLocation(file: reader.file, line: rules.periods.first?.location.line ?? 1, column: 1)
      for entry in weights {
        if !known.contains(entry.period) {
          unknown("period", entry.period, among: known, at: location)
        }
        sum = (try? sum.adding(entry.weight)) ?? sum
      }
      if sum != ExactDecimal.one {
        error(.weightSum, "the annual weights sum to \(sum), not 1", at: location,
              hint: sum == ExactDecimal(100) ? "write percentages with %, e.g. 25%" : "make them add up to 1 (or 100%)")
      }
    }
  }

  // MARK: Indicators

  private mutating func checkIndicators(_ nodes: [Indicator], parent: Indicator?) {
    let weighted: Bool
    if let parent, case .parts(let parts) = parent.kind, parts.combine == .weighted { weighted = true } else { weighted = false }
    var sum = ExactDecimal.zero
    var allWeighted = true
    for node in nodes {
      if weighted {
        if let weight = node.weight {
          sum = (try? sum.adding(weight)) ?? sum
        } else {
          allWeighted = false
          error(.missingWeight, "indicator \(node.id) needs a weight: its parent \(parent?.id ?? "") is weighted", at: node.location,
                hint: "add e.g. weight: 20%")
        }
      } else if node.weight != nil {
        let where_ = parent == nil ? "a top-level indicator" : "a child of a summing parent"
        warning(.ignoredWeight, "the weight of \(node.id) has no effect: it is \(where_)", at: node.location,
                hint: parent == nil ? "weights apply under a parts node with combine: weighted" : "set combine: weighted on \(parent?.id ?? "the parent")")
      }
      if let groups = node.appliesTo {
        let known = rules.groups.map(\.id)
        for group in groups where !known.contains(group) {
          unknown("group", group, among: known, at: node.location)
        }
      }
      if let min = node.min, let max = node.max, min > max {
        error(.minAboveMax, "indicator \(node.id) has min \(min) above max \(max)", at: node.location)
      }
      switch node.kind {
      case .bonus(let rule), .deduction(let rule):
        checkPerFact(rule, node)
      case .score(let score):
        if case .tiers(let tiers) = score.rule { checkTiers(tiers, node) }
      case .parts(let parts):
        checkIndicators(parts.children, parent: node)
      }
    }
    if weighted, allWeighted, !nodes.isEmpty, sum != ExactDecimal.one, let parent {
      error(.weightSum, "the weights of the parts of \(parent.id) sum to \(sum), not 1", at: parent.location,
            hint: sum == ExactDecimal(100) ? "write percentages with %, e.g. 80%" : "make them add up to 1 (or 100%)")
    }
  }

  private mutating func checkPerFact(_ rule: PerFactRule, _ node: Indicator) {
    let types = rules.factTypes.map(\.id)
    guard let factType = rules.factType(rule.facts) else {
      unknown("fact type", rule.facts, among: types, at: node.location)
      return
    }
    if let scorers = rule.scorers {
      for scorer in scorers where !rules.scorers.contains(where: { $0.id == scorer }) {
        let byName = rules.scorers.first { $0.name == scorer }
        unknown("scorer", scorer, among: rules.scorers.map(\.id), at: node.location,
                extra: byName.map { "'\(scorer)' is the name of scorer '\($0.id)'; list the id" })
      }
    }
    if case .table(let table) = rule.points, let field = Self.fieldRead(by: table.by.source),
      let declared = factType.field(field), case .enumeration(let values) = declared.type
    {
      for entry in table.entries where !values.contains(entry.key) {
        error(.tableKey, "the table key '\(entry.key)' is not a value of \(factType.id).\(field)", at: table.by.location,
              hint: Suggest.closest(to: entry.key, among: values).map { "did you mean '\($0)'?" } ?? "values: \(values.joined(separator: ", "))")
      }
      let missing = values.filter { value in !table.entries.contains { $0.key == value } }
      if !missing.isEmpty, table.defaultPoints == nil {
        warning(.incompleteTable, "the table of \(node.id) has no points for \(missing.joined(separator: ", ")); such facts will be rejected",
                at: table.by.location, hint: "add the keys or a default")
      }
    }
    if let cancelling = rule.cancelledBy {
      if cancelling == rule.facts {
        error(.cancellation, "\(node.id) cannot be cancelled by its own fact type \(cancelling)", at: node.location)
      } else if let type = rules.factType(cancelling) {
        if type.field("ref") == nil {
          error(.cancellation, "fact type \(cancelling) cancels deductions, so it needs a field `ref: string`", at: type.location,
                hint: "add fields: { ref: string } (the id of the fact it cancels)")
        }
      } else {
        unknown("fact type", cancelling, among: types, at: node.location)
      }
    }
  }

  /// The field a `by` expression reads when it is exactly `fact.FIELD`.
  static func fieldRead(by source: String) -> String? {
    let trimmed = source.trimmingSpaces
    guard trimmed.hasPrefix("fact.") else { return nil }
    let field = String(trimmed.dropFirst(5))
    return NodeReader.isIdentifier(field) ? field : nil
  }

  private mutating func checkTiers(_ tiers: [Tier], _ node: Indicator) {
    var previous: ExactDecimal? = nil
    var catchAll = false
    for (index, tier) in tiers.enumerated() {
      if catchAll {
        warning(.unreachableTier, "this tier of \(node.id) can never match: an earlier tier has no min and matches everything",
                at: tier.location)
        continue
      }
      guard let min = tier.min else {
        if index + 1 < tiers.count {
          error(.lastGradeMin, "only the last tier of \(node.id) may leave out min", at: tier.location)
        }
        catchAll = true
        continue
      }
      if let previous, min >= previous {
        error(.minsNotDecreasing, "the tiers of \(node.id) must have strictly decreasing mins, but \(min) follows \(previous)",
              at: tier.location, hint: "list tiers from the highest min to the lowest; the first match wins")
      }
      previous = min
    }
  }

  // MARK: Cancellation

  private mutating func checkCancellation() {
    var cancelling: Set<String> = []
    for node in rules.allIndicators {
      if case .bonus(let rule) = node.kind, let type = rule.cancelledBy { cancelling.insert(type) }
      if case .deduction(let rule) = node.kind, let type = rule.cancelledBy { cancelling.insert(type) }
    }
    for type in rules.factTypes {
      guard let ref = type.field("ref") else { continue }
      if !cancelling.contains(type.id) {
        error(.refField, "the field ref is reserved for cancellation, and no cancelled_by names \(type.id)", at: ref.location,
              hint: "rename the field, or add cancelled_by: \(type.id) to the deduction it cancels")
      } else if ref.type != .string || ref.optional {
        error(.refField, "the field ref of \(type.id) must be a required string (the id of the cancelled fact)", at: ref.location)
      }
    }
  }

  // MARK: Outcomes and grades

  private mutating func checkOutcomes() {
    let grades = rules.grades.map(\.id)
    for outcome in rules.outcomes {
      for grade in outcome.denyGrades + (outcome.forceGrade.map { [$0] } ?? []) where !grades.contains(grade) {
        unknown("grade", grade, among: grades, at: outcome.location)
      }
      if outcome.scope == .periods, rules.periods.isEmpty {
        warning(.periodsScopeWithoutPeriods, "outcome \(outcome.id) has scope: periods, but the file declares no periods; it never flags",
                at: outcome.location)
      }
      if let bottom = outcome.bottom, let subjects = rules.subjects, outcome.when == nil {
        var sizes: [String: Int] = [:]
        for subject in subjects { sizes[rules.ranking.within == .all ? "" : (subject.group ?? ""), default: 0] += 1 }
        for (group, size) in sizes.sorted(by: { $0.key < $1.key }) where size > 1 {
          if Self.bottomCount(bottom, groupSize: size, rounding: outcome.rounding) >= size {
            warning(.bottomFlagsWholeGroup,
                    "bottom \(outcome.bottomText ?? "") of outcome \(outcome.id) covers the whole group \(group.isEmpty ? "of all subjects" : group) (\(size) subjects)",
                    at: outcome.location)
            break
          }
        }
      }
    }
  }

  /// k for `bottom` in a group of `size`.
  static func bottomCount(_ bottom: Outcome.Bottom, groupSize size: Int, rounding: Outcome.Rounding) -> Int {
    switch bottom {
    case .count(let k): return k
    case .share(let share):
      guard let exact = try? share.multiplied(by: ExactDecimal(size)) else { return 0 }
      let rule: DecimalRoundingRule
      switch rounding {
      case .ceil: rule = .up
      case .floor: rule = .down
      case .round: rule = .halfAwayFromZero
      }
      return (try? exact.rounded(rule).int64Value()).flatMap { Int(exactly: $0) } ?? 0
    }
  }

  private mutating func checkGrades() {
    var previous: ExactDecimal? = nil
    for (index, grade) in rules.grades.enumerated() {
      let last = index + 1 == rules.grades.count
      if grade.quota != nil, grade.min == nil {
        error(.quotaWithoutMin, "grade \(grade.id) has a quota but no min", at: grade.location, hint: "add a min, or drop the quota")
      }
      if let min = grade.min {
        if last {
          error(.lastGradeMin, "the last grade (\(grade.id)) must not have a min: a subject below it would end ungraded",
                at: grade.location, hint: "add a last grade without min, e.g. { id: admonished, name: 诫勉 }")
        }
        if let previous, min >= previous {
          error(.minsNotDecreasing, "grade mins must be strictly decreasing, but \(grade.id) has \(min) after \(previous)",
                at: grade.location, hint: "list grades from the best to the worst")
        }
        previous = min
      } else if !last {
        error(.lastGradeMin, "only the last grade may leave out min, but \(grade.id) has none", at: grade.location)
      }
    }
  }

  // MARK: Roster

  private mutating func checkRoster() {
    guard let subjects = rules.subjects else { return }
    var seen: [String: RuleLocation] = [:]
    let groups = rules.groups.map(\.id)
    for subject in subjects {
      if let earlier = seen[subject.id] {
        error(.duplicateID, "the subject id '\(subject.id)' is already used at line \(earlier.line)", at: subject.location)
      } else {
        seen[subject.id] = subject.location
      }
      if rules.declaresGroups {
        if let group = subject.group {
          if !groups.contains(group) { unknown("group", group, among: groups, at: subject.location) }
        } else {
          error(.inlineRoster, "subject \(subject.id) needs a group", at: subject.location, hint: "groups: \(groups.joined(separator: ", "))")
        }
      } else if subject.group != nil {
        error(.inlineRoster, "subject \(subject.id) has a group, but the file declares no groups", at: subject.location,
              hint: "declare groups: [...] or remove the group")
      }
      for attribute in rules.attributes {
        guard let text = subject.attributes[attribute.id] else {
          if !attribute.optional {
            error(.inlineRoster, "subject \(subject.id) has no value for the attribute \(attribute.id)", at: subject.location)
          }
          continue
        }
        if !FieldValueSyntax.isValid(text, for: attribute.type) {
          error(.inlineRoster, "the \(attribute.id) of subject \(subject.id) must be a \(attribute.type), not '\(text)'",
                at: subject.location)
        }
      }
    }
  }

  // MARK: Unread fact types

  private mutating func checkUnreadFactTypes() {
    var read: Set<String> = []
    var expressions: [String] = []
    for node in rules.allIndicators {
      switch node.kind {
      case .bonus(let rule), .deduction(let rule):
        read.insert(rule.facts)
        if let type = rule.cancelledBy { read.insert(type) }
      case .score(let score):
        expressions.append(score.value.source)
        if case .points(let points) = score.rule { expressions.append(points.source) }
      case .parts:
        break
      }
    }
    for outcome in rules.outcomes {
      if let when = outcome.when { expressions.append(when.source) }
      if let onlyIf = outcome.onlyIf { expressions.append(onlyIf.source) }
    }
    for type in rules.factTypes where !read.contains(type.id) {
      let mention = "facts.\(type.id)"
      if expressions.contains(where: { $0.contains(mention) }) { continue }
      warning(.unreadFactType, "no indicator or outcome reads the fact type \(type.id); its facts will be unmatched",
              at: type.location)
    }
  }
}

/// Whether text is a valid value of a field type (the syntax of §3, for CSV cells and
/// inline roster values).
enum FieldValueSyntax {
  static func isValid(_ text: String, for type: FieldType) -> Bool {
    switch type {
    case .string: return true
    case .int:
      var digits = Substring(text)
      if let first = digits.first, first == "+" || first == "-" { digits = digits.dropFirst() }
      return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber } && Int64(text) != nil
    case .decimal: return ExactDecimal(parsing: text) != nil
    case .bool: return text == "true" || text == "false"
    case .date: return CELDate(parsing: text) != nil
    case .enumeration(let values): return values.contains(text)
    }
  }
}

extension String {
  /// The text without leading and trailing white space.
  var trimmingSpaces: Substring {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
      let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
    else { return "" }
    return Substring(scalars[first...last])
  }
}
