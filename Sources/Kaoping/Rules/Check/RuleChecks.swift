/// The checks across sections of a decoded rule file (§8.4): duplicate ids, references,
/// cancellation, weights, periods, tiers and grades, outcomes, the inline roster.
/// Expressions are checked separately (`ExpressionChecks`).
struct RuleChecks {
  let rules: RuleSet
  var reader: NodeReader
  /// Set when a reference to a fact type could not be resolved, or a cancellation is
  /// wrong: which types the author meant to read is then unknown.
  private var factTypeReferencesBroken = false
  private var cancellationBroken = false

  init(rules: RuleSet, reader: NodeReader) {
    self.rules = rules
    self.reader = reader
  }

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

  private var notes: DecodeNotes { rules.decodeNotes }

  private mutating func error(_ code: DiagnosticCode, _ message: String, at location: RuleLocation, hint: String? = nil) {
    reader.report(.error, code, message, at: location, hint: hint)
  }

  private mutating func warning(_ code: DiagnosticCode, _ message: String, at location: RuleLocation, hint: String? = nil) {
    reader.report(.warning, code, message, at: location, hint: hint)
  }

  /// A reference to something undeclared, with a "did you mean" hint.
  private mutating func unknown(_ kind: String, _ name: String, among known: [String], at location: RuleLocation, hint extra: String? = nil) {
    var hint: String?
    if let extra {
      hint = extra
    } else if let close = Suggest.closest(to: name, among: known) {
      hint = "did you mean '\(close)'?"
    } else if known.isEmpty {
      hint = "no \(kind) is declared"
    } else {
      hint = "the \(kind)s are \(known.prefix(12).joined(separator: ", "))\(known.count > 12 ? ", …" : "")"
    }
    error(.unknownReference, "unknown \(kind) '\(name)'", at: location, hint: hint)
  }

  /// Percent text for a fraction: 0.8 is `80%`.
  static func percent(_ value: ExactDecimal) -> String {
    ((try? value.multiplied(by: ExactDecimal(100))).map { "\($0)" } ?? "\(value)") + "%"
  }

  // MARK: Ids

  private mutating func checkDuplicates() {
    func duplicates(_ ids: [(String, RuleLocation)], _ kind: String, into checks: inout RuleChecks) {
      var first: [String: RuleLocation] = [:]
      for (id, location) in ids where !id.isEmpty {
        if let earlier = first[id] {
          checks.error(.duplicateID, "the \(kind) id '\(id)' is already used at line \(earlier.line)", at: location,
                       hint: "every \(kind) needs its own id; rename one of them")
        } else {
          first[id] = location
        }
      }
    }
    let fallback = RuleLocation(file: reader.file, line: 1, column: 1)
    duplicates(rules.groups.map { ($0.id, $0.places.at("id", or: $0.location ?? fallback)) }, "group", into: &self)
    duplicates(rules.allIndicators.map { ($0.id, $0.places.at("id", or: $0.location)) }, "indicator", into: &self)
    duplicates(rules.outcomes.map { ($0.id, $0.places.at("id", or: $0.location)) }, "outcome", into: &self)
    duplicates(rules.grades.map { ($0.id, $0.places.at("id", or: $0.location)) }, "grade", into: &self)
  }

  // MARK: Periods

  private mutating func checkPeriods() {
    let sorted = rules.periods.sorted { $0.from < $1.from }
    for (a, b) in zip(sorted, sorted.dropFirst()) where b.from <= a.to {
      // Report at the period written later, on the date that reaches into the other.
      let laterInFile = (a.location.line, a.location.column) > (b.location.line, b.location.column) ? a : b
      let other = laterInFile.id == a.id ? b : a
      let place = laterInFile.id == b.id ? laterInFile.places.at("from", or: b.location) : laterInFile.places.at("to", or: a.location)
      error(.overlappingPeriods,
            "period \(laterInFile.id) (\(laterInFile.from)..\(laterInFile.to)) overlaps period \(other.id) (\(other.from)..\(other.to))",
            at: place, hint: "periods must not share a day; a fact belongs to exactly one period")
    }
    if case .weights(let weights) = rules.annual {
      let known = notes.periodIDs
      let places = notes.annualPlaces
      let fallback = RuleLocation(file: reader.file, line: 1, column: 1)
      var sum = ExactDecimal.zero
      var allKnown = true
      for entry in weights {
        if notes.periodsUnreadable {
          allKnown = false
        } else if !known.contains(entry.period) {
          allKnown = false
          // Period ids are few and alike (Q1, Q2 …): list them rather than guess.
          unknown("period", entry.period, among: known, at: places.at("weights.\(entry.period)", or: fallback),
                  hint: known.isEmpty ? "no period is declared" : "the periods are \(known.joined(separator: ", "))")
        }
        sum = (try? sum.adding(entry.weight)) ?? sum
      }
      if weights.isEmpty, let place = places["weights"] {
        error(.weightSum, "annual weights are empty", at: place, hint: "give each period its share, e.g. { Q1: 50%, Q2: 50% }")
      } else if allKnown, notes.annualWeightsReadable, !weights.isEmpty, sum != ExactDecimal.one {
        let shown = notes.annualWeightsInPercent ? "\(Self.percent(sum)), not 100%" : "\(sum), not 1"
        error(.weightSum, "the annual weights sum to \(shown)", at: places.at("weights:", or: fallback),
              hint: sum == ExactDecimal(100) ? "write percentages with %, e.g. 25%" : "make the shares of the periods add up to 100%")
      }
    }
  }

  // MARK: Indicators

  private mutating func checkIndicators(_ nodes: [Indicator], parent: Indicator?) {
    var weighted = false
    var checkWeights = true
    if let parent, case .parts(let parts) = parent.kind {
      weighted = parts.combine == .weighted
      checkWeights = !parts.combineUnreadable
    }
    var sum = ExactDecimal.zero
    var allWeighted = true
    var allPercent = true
    for node in nodes {
      if !checkWeights {
        // combine could not be read: whether weights are needed is unknown.
      } else if weighted {
        if let weight = node.weight {
          sum = (try? sum.adding(weight)) ?? sum
          allPercent = allPercent && node.weightInPercent
        } else {
          allWeighted = false
          if node.places["weight"] == nil {
            error(.missingWeight, "\(node.id.isEmpty ? "this part" : "indicator \(node.id)") needs a weight: \(parent?.id ?? "its parent") is weighted",
                  at: node.location, hint: "add its share, e.g. weight: 20% (the weights of the parts add up to 100%)")
          }
        }
      } else if node.weight != nil {
        let place = node.places.at("weight:", or: node.location)
        if parent == nil {
          warning(.ignoredWeight, "the weight of \(node.id) has no effect: it is a top-level indicator", at: place,
                  hint: "top-level indicators are added up; weights apply to the parts of a node with combine: weighted")
        } else {
          warning(.ignoredWeight, "the weight of \(node.id) has no effect: \(parent?.id ?? "its parent") adds its parts up", at: place,
                  hint: "set combine: weighted on \(parent?.id ?? "the parent"), or remove the weight")
        }
      }
      if let groups = node.appliesTo, !notes.groupsUnreadable {
        let known = notes.groupIDs
        for (index, group) in groups.enumerated() where !known.contains(group) {
          unknown("group", group, among: known, at: node.places.item("applies_to", index, or: node.location))
        }
      }
      if let min = node.min, let max = node.max, min > max {
        error(.minAboveMax, "indicator \(node.id) has min \(min) above max \(max)", at: node.places.at("min", or: node.location),
              hint: "max bounds the value from above and min from below; did you mean min: \(max), max: \(min)?")
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
    if checkWeights, weighted, allWeighted, !nodes.isEmpty, sum != ExactDecimal.one, let parent {
      let shown = allPercent ? "\(Self.percent(sum)), not 100%" : "\(sum), not 1"
      let listed = nodes.map { "\($0.id) \($0.weightInPercent ? Self.percent($0.weight ?? .zero) : "\($0.weight ?? .zero)")" }
      error(.weightSum, "the weights of the parts of \(parent.id) sum to \(shown)", at: parent.places.at("parts:", or: parent.location),
            hint: sum == ExactDecimal(100) && !allPercent
              ? "weights are fractions: write percentages with %, e.g. weight: 80%"
              : "make them add up to 100%: \(listed.joined(separator: ", "))")
    }
  }

  private mutating func checkPerFact(_ rule: PerFactRule, _ node: Indicator) {
    let types = rules.factTypes.map(\.id)
    let places = rule.places
    if let scorers = rule.scorers, !notes.scorersUnreadable {
      for (index, scorer) in scorers.enumerated() where !rules.scorers.contains(where: { $0.id == scorer }) {
        let byName = rules.scorers.first { $0.name == scorer }
        unknown("scorer", scorer, among: rules.scorers.map(\.id), at: places.item("scorers", index, or: node.location),
                hint: byName.map { "'\(scorer)' is the name of scorer \($0.id); list scorers by id: \($0.id)" })
      }
    }
    if let cancelling = rule.cancelledBy {
      let place = places.at("cancelled_by", or: node.location)
      if cancelling == rule.facts {
        cancellationBroken = true
        error(.cancellation, "\(node.id) cannot be cancelled by its own fact type \(cancelling)", at: place,
              hint: "cancelled_by names the type of the facts that cancel a deduction (e.g. rectified, with a field ref naming the \(cancelling) fact)")
      } else if let type = rules.factType(cancelling) {
        if type.field("ref") == nil {
          cancellationBroken = true
          error(.cancellation, "fact type \(cancelling) cancels the facts of \(node.id), so it needs a field ref: string", at: type.location,
                hint: "add fields: { ref: string }: the id of the fact it cancels")
        }
      } else {
        cancellationBroken = true
        if !notes.factTypesUnreadable { unknown("fact type", cancelling, among: types, at: place) }
      }
    }
    guard !rule.facts.isEmpty, !notes.factTypesUnreadable else { return }
    guard let factType = rules.factType(rule.facts) else {
      factTypeReferencesBroken = true
      unknown("fact type", rule.facts, among: types, at: places.at("facts", or: node.location))
      return
    }
    if case .table(let table) = rule.points, let field = Self.fieldRead(by: table.by.source),
      let declared = factType.field(field), case .enumeration(let values) = declared.type
    {
      for entry in table.entries where !values.contains(entry.key) {
        error(.tableKey, "the table key '\(entry.key)' is not a value of \(factType.id).\(field)",
              at: table.places.at("table.\(entry.key)", or: table.by.location),
              hint: Suggest.closest(to: entry.key, among: values).map { "did you mean '\($0)'?" }
                ?? "the values of \(field) are \(values.joined(separator: ", "))")
      }
      let missing = values.filter { value in !table.entries.contains { $0.key == value } }
      if !missing.isEmpty, table.defaultPoints == nil {
        warning(.incompleteTable,
                "the table of \(node.id) has no points for \(field) \(missing.joined(separator: ", ")); such facts will be rejected",
                at: table.places.at("table", or: table.by.location),
                hint: "add \(missing.map { "\($0): POINTS" }.joined(separator: ", ")), or a default: POINTS beside table")
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
    var previousText: String? = nil
    for (index, tier) in tiers.enumerated() {
      if tier.minUnreadable {
        previous = nil
        continue
      }
      guard let min = tier.min else {
        if index + 1 < tiers.count {
          error(.lastGradeMin, "only the last tier of \(node.id) may leave out min: this one matches every value, so the tiers below it never apply",
                at: tier.location, hint: "give it a min, or move it to the end")
          return
        }
        continue
      }
      let text = tier.minText ?? "\(min)"
      if let previous, min >= previous {
        error(.minsNotDecreasing, "the tiers of \(node.id) must have strictly decreasing mins, but \(text) follows \(previousText ?? "\(previous)")",
              at: tier.places.at("min", or: tier.location), hint: "list tiers from the highest min to the lowest; the first that value reaches wins")
      }
      previous = min
      previousText = text
    }
  }

  // MARK: Cancellation

  private mutating func checkCancellation() {
    guard !cancellationBroken, !notes.incompleteIndicators, !notes.factTypesUnreadable else { return }
    var cancelling: Set<String> = []
    for node in rules.allIndicators {
      if let type = node.perFactRule?.cancelledBy { cancelling.insert(type) }
    }
    for type in rules.factTypes {
      guard let ref = type.field("ref") else { continue }
      if !cancelling.contains(type.id) {
        error(.refField, "the field ref is reserved for cancellation, and no cancelled_by names \(type.id)", at: ref.location,
              hint: "rename the field, or add cancelled_by: \(type.id) to the deduction whose facts it cancels")
      } else if !ref.untyped, ref.type != .string || ref.optional {
        error(.refField, "the field ref of \(type.id) must be a required string (the id of the cancelled fact)", at: ref.location,
              hint: "write ref: string")
      }
    }
  }

  // MARK: Outcomes and grades

  private mutating func checkOutcomes() {
    let grades = notes.gradeIDs
    for outcome in rules.outcomes {
      for (index, grade) in outcome.denyGrades.enumerated() where !grades.contains(grade) && !notes.gradesUnreadable {
        unknown("grade", grade, among: grades, at: outcome.places.item("deny_grades", index, or: outcome.location))
      }
      if let grade = outcome.forceGrade, !grades.contains(grade), !notes.gradesUnreadable {
        unknown("grade", grade, among: grades, at: outcome.places.at("force_grade", or: outcome.location))
      }
      if outcome.scope == .periods, notes.periodIDs.isEmpty, !notes.periodsUnreadable {
        warning(.periodsScopeWithoutPeriods, "outcome \(outcome.id) has scope: periods, but the file declares no periods; it never flags",
                at: outcome.places.at("scope", or: outcome.location),
                hint: "declare periods, or remove scope: periods to flag on the year")
      }
      if let bottom = outcome.bottom, let subjects = rules.subjects {
        var sizes: [String: Int] = [:]
        for subject in subjects { sizes[rules.ranking.within == .all ? "" : (subject.group ?? ""), default: 0] += 1 }
        for (group, size) in sizes.sorted(by: { $0.key < $1.key }) where size > 1 {
          let k = Self.bottomCount(bottom, groupSize: size, rounding: outcome.rounding)
          if k >= size {
            let whom = group.isEmpty ? "the whole roster" : "the whole group \(group)"
            warning(.bottomFlagsWholeGroup,
                    "bottom: \(outcome.bottomText ?? "\(k)") of outcome \(outcome.id) covers \(whom): the inline roster has \(size) subjects in it",
                    at: outcome.places.at("bottom", or: outcome.location),
                    hint: "every subject but the best-ranked would be flagged; lower bottom, or use a percentage such as 10%")
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
    var previous: (min: ExactDecimal, grade: String)? = nil
    for (index, grade) in rules.grades.enumerated() {
      let last = index + 1 == rules.grades.count
      if grade.minUnreadable {
        previous = nil
        continue
      }
      if grade.quota != nil, grade.min == nil {
        error(.quotaWithoutMin, "grade \(grade.id) has a quota but no min", at: grade.places.at("quota:", or: grade.location),
              hint: "a quota limits the subjects that reach a min: add a min, or remove the quota")
        continue
      }
      if let min = grade.min {
        if last {
          error(.lastGradeMin, "the last grade (\(grade.id)) must not have a min: a subject below it would end ungraded",
                at: grade.places.at("min:", or: grade.location),
                hint: "remove the min, or add a last grade without min, e.g. { id: admonished, name: 诫勉 }")
        }
        if let previous, min >= previous.min {
          error(.minsNotDecreasing, "grade mins must be strictly decreasing, but \(grade.id) has \(min) after \(previous.grade) with \(previous.min)",
                at: grade.places.at("min", or: grade.location), hint: "list grades from the best to the worst")
        }
        previous = (min, grade.id)
      } else if !last {
        error(.lastGradeMin, "only the last grade may leave out min, but \(grade.id) has none: every subject would reach it, and no grade below it",
              at: grade.location, hint: "give \(grade.id) a min, or move it to the end")
      }
    }
  }

  // MARK: Roster

  private mutating func checkRoster() {
    guard let subjects = rules.subjects else { return }
    var seen: [String: RuleLocation] = [:]
    let groups = notes.groupIDs
    for subject in subjects {
      if let earlier = seen[subject.id] {
        error(.duplicateID, "the subject id '\(subject.id)' is already used at line \(earlier.line)",
              at: subject.places.at("id", or: subject.location), hint: "every subject needs its own id")
      } else {
        seen[subject.id] = subject.location
      }
      if notes.groupsUnreadable {
        // The groups could not be read: whether the subject's group exists is unknown.
      } else if rules.declaresGroups {
        if let group = subject.group {
          if !groups.contains(group) { unknown("group", group, among: groups, at: subject.places.at("group", or: subject.location)) }
        } else {
          error(.inlineRoster, "subject \(subject.id) needs a group", at: subject.location,
                hint: "add group: with one of \(groups.joined(separator: ", "))")
        }
      } else if subject.group != nil {
        error(.inlineRoster, "subject \(subject.id) has a group, but the file declares no groups",
              at: subject.places.at("group:", or: subject.location), hint: "declare groups: [...], or remove the group")
      }
      for attribute in rules.attributes {
        guard let text = subject.attributes[attribute.id] else {
          if !attribute.optional {
            error(.inlineRoster, "subject \(subject.id) has no value for the attribute \(attribute.id)", at: subject.location,
                  hint: "add \(attribute.id): VALUE, or declare the attribute { type: \(attribute.type), optional: true }")
          }
          continue
        }
        if !notes.untypedAttributes.contains(attribute.id), !FieldValueSyntax.isValid(text, for: attribute.type) {
          error(.inlineRoster, "the \(attribute.id) of subject \(subject.id) must be \(Self.article(attribute.type)), not '\(text)'",
                at: subject.places.at(attribute.id, or: subject.location), hint: Self.valueHint(attribute.type))
        }
      }
    }
  }

  static func article(_ type: FieldType) -> String {
    switch type {
    case .int: "a whole number"
    case .decimal: "a number"
    case .bool: "true or false"
    case .date: "a date"
    case .string: "text"
    case .enumeration(let values): "one of \(values.joined(separator: ", "))"
    }
  }

  static func valueHint(_ type: FieldType) -> String? {
    switch type {
    case .int: "e.g. 120"
    case .decimal: "e.g. 2.5"
    case .bool: "only true and false are booleans"
    case .date: "e.g. 2023-03-31"
    case .string, .enumeration: nil
    }
  }

  // MARK: Unread fact types

  private mutating func checkUnreadFactTypes() {
    // When an indicator could not be read, or a reference to a fact type is wrong, what
    // the file means to read is unknown: the mistake is already reported.
    guard !notes.incompleteIndicators, !factTypeReferencesBroken else { return }
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
        if case .tiers(let tiers) = score.rule {
          for tier in tiers { if case .expression(let points) = tier.points { expressions.append(points.source) } }
        }
      case .parts:
        break
      }
    }
    for outcome in rules.outcomes {
      if let when = outcome.when { expressions.append(when.source) }
      if let onlyIf = outcome.onlyIf { expressions.append(onlyIf.source) }
    }
    var readByExpressions: Set<String> = []
    for source in expressions {
      guard let fields = VariableUse.selectedFields(of: "facts", in: source) else { return }  // reads every type
      readByExpressions.formUnion(fields)
    }
    for type in rules.factTypes where !read.contains(type.id) {
      if cancellationBroken, type.field("ref") != nil || notes.untypedFactTypes.contains(type.id) { continue }
      if readByExpressions.contains(type.id) { continue }
      warning(.unreadFactType, "no indicator or outcome reads the fact type \(type.id); its facts will be unmatched",
              at: type.location, hint: "read it with facts: \(type.id) in a bonus or deduction, or with facts.\(type.id) in a score or outcome; or remove it")
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
