/// The object types and expression environments of one rule file (§12.3): what `fact`,
/// `facts`, `subject`, `scope`, `value`, `total`, `rank`, `group_size` and
/// `indicators` are in each kind of expression.
struct RuleEnvironments: Sendable {
  /// Built-in fields every fact has, before its declared fields, in this order.
  static let builtInFactFields = ["id", "subject", "type", "date", "source", "note"]

  /// The object type of each fact type, by id: built-in fields first, then declared ones.
  let factObjects: [String: ObjectType]
  let subjectObject: ObjectType
  let factsObject: ObjectType
  let indicatorsObject: ObjectType

  /// Per fact type: `fact`, `subject`, `scope`.
  let perFact: [String: ExprEnvironment]
  /// `facts`, `subject`, `scope`.
  let score: ExprEnvironment
  /// `facts`, `subject`, `scope`, `value`.
  let scorePoints: ExprEnvironment
  /// `facts`, `subject`, `scope`, `total`, `rank`, `group_size`, `indicators`.
  let outcome: ExprEnvironment

  init(_ rules: RuleSet) {
    let profile = NumericProfile.rule
    var factObjects: [String: ObjectType] = [:]
    for type in rules.factTypes {
      var fields: [ObjectType.Field] = [
        .init(name: "id", type: .string),
        .init(name: "subject", type: .string),
        .init(name: "type", type: .string),
        .init(name: "date", type: .date, optional: rules.periods.isEmpty),
        .init(name: "source", type: .string, optional: true),
        .init(name: "note", type: .string, optional: true),
      ]
      for field in type.fields {
        // A field whose type could not be read is `dyn`, so that its uses are not reported again.
        fields.append(.init(name: field.id, type: field.untyped ? .dyn : field.type.exprType, optional: field.optional))
      }
      factObjects[type.id] = ObjectType(name: type.id, kind: "fact type", fields: fields)
    }
    var subjectFields: [ObjectType.Field] = [
      .init(name: "id", type: .string), .init(name: "name", type: .string), .init(name: "group", type: .string),
    ]
    for attribute in rules.attributes {
      let type: ExprType = rules.decodeNotes.untypedAttributes.contains(attribute.id) ? .dyn : attribute.type.exprType
      subjectFields.append(.init(name: attribute.id, type: type, optional: attribute.optional))
    }
    // Kinds read in messages: "unknown field 'x' of roster subject", "… of declared facts".
    let subjectObject = ObjectType(name: "subject", kind: "roster", fields: subjectFields)
    // What could not be read is `dyn`, so that expressions using it are not reported again.
    let notes = rules.decodeNotes
    let factsObject = ObjectType(
      name: "facts", kind: "declared",
      fields: rules.factTypes.compactMap { type in
        if notes.untypedFactTypes.contains(type.id) { return ObjectType.Field(name: type.id, type: .list(.dyn)) }
        return factObjects[type.id].map { ObjectType.Field(name: type.id, type: .list(.object($0))) }
      })
    let indicatorsObject = ObjectType(
      name: "indicators", kind: "declared",
      fields: rules.allIndicators.filter { !$0.id.isEmpty }.map { ObjectType.Field(name: $0.id, type: .double) })

    var perFact: [String: ExprEnvironment] = [:]
    let subjectType: ExprType = notes.attributesUnreadable ? .dyn : .object(subjectObject)
    for (id, object) in factObjects {
      var environment = ExprEnvironment(profile: profile, calendar: rules.calendar)
      environment.declare("fact", notes.untypedFactTypes.contains(id) ? .dyn : .object(object))
      environment.declare("subject", subjectType)
      environment.declare("scope", .string)
      perFact[id] = environment
    }
    var score = ExprEnvironment(profile: profile, calendar: rules.calendar)
    score.declare("facts", notes.factTypesUnreadable ? .dyn : .object(factsObject))
    score.declare("subject", subjectType)
    score.declare("scope", .string)
    var scorePoints = score
    scorePoints.declare("value", .double)
    var outcome = score
    outcome.declare("total", .double)
    outcome.declare("rank", .int)
    outcome.declare("group_size", .int)
    outcome.declare("indicators", notes.incompleteIndicators ? .dyn : .object(indicatorsObject))

    self.factObjects = factObjects
    self.subjectObject = subjectObject
    self.factsObject = factsObject
    self.indicatorsObject = indicatorsObject
    self.perFact = perFact
    self.score = score
    self.scorePoints = scorePoints
    self.outcome = outcome
  }
}

/// Parses, type-checks and compiles every expression of a rule file, reporting problems
/// at the offending token, and checks each result type against what its place needs.
struct ExpressionChecks {
  var reader: NodeReader

  enum Expected {
    case bool
    case number
    case key

    var words: String {
      switch self {
      case .bool: "true or false"
      case .number: "a number"
      case .key: "a text, a whole number or a boolean (a table key)"
      }
    }
  }

  mutating func compileAll(_ rules: inout RuleSet) {
    let environments = RuleEnvironments(rules)
    rules.indicators = rules.indicators.map { compile($0, rules: rules, environments) }
    for index in rules.outcomes.indices {
      let what = "outcome \(rules.outcomes[index].id)"
      if let when = rules.outcomes[index].when {
        rules.outcomes[index].when = compile(when, environments.outcome, expect: .bool, "the when of \(what)", rules)
      }
      if let onlyIf = rules.outcomes[index].onlyIf {
        rules.outcomes[index].onlyIf = compile(onlyIf, environments.outcome, expect: .bool, "the only_if of \(what)", rules)
      }
    }
  }

  private mutating func compile(_ node: Indicator, rules: RuleSet, _ environments: RuleEnvironments) -> Indicator {
    var node = node
    let what = "indicator \(node.id)"
    switch node.kind {
    case .bonus(var rule), .deduction(var rule):
      if let environment = environments.perFact[rule.facts] {
        if let when = rule.when { rule.when = compile(when, environment, expect: .bool, "the when of \(what)", rules) }
        switch rule.points {
        case .fixed: break
        case .expression(let expression):
          rule.points = .expression(compile(expression, environment, expect: .number, "the points of \(what)", rules))
        case .table(var table):
          table.by = compile(table.by, environment, expect: .key, "the by of \(what)", rules)
          rule.points = .table(table)
        }
      }
      if case .bonus = node.kind { node.kind = .bonus(rule) } else { node.kind = .deduction(rule) }
    case .score(var score):
      score.value = compile(score.value, environments.score, expect: .number, "the value of \(what)", rules)
      switch score.rule {
      case .points(let points):
        score.rule = .points(compile(points, environments.scorePoints, expect: .number, "the points of \(what)", rules))
      case .tiers(var tiers):
        for index in tiers.indices {
          if case .expression(let expression) = tiers[index].points {
            tiers[index].points = .expression(
              compile(expression, environments.scorePoints, expect: .number, "the points of a tier of \(what)", rules))
          }
        }
        if score.value.compiled?.resultType == .int { checkWholeNumberTiers(tiers, node) }
        score.rule = .tiers(tiers)
      }
      node.kind = .score(score)
    case .parts(var parts):
      parts.children = parts.children.map { compile($0, rules: rules, environments) }
      node.kind = .parts(parts)
    }
    return node
  }

  /// With a whole-number value, a tier whose range [min, the min above it) holds no
  /// whole number can never match (a warning).
  private mutating func checkWholeNumberTiers(_ tiers: [Tier], _ node: Indicator) {
    var above: ExactDecimal? = nil
    for tier in tiers {
      guard let min = tier.min else { return }
      if let above, min < above {
        // The smallest whole number >= min.
        let first = min.rounded(.up)
        if first >= above {
          reader.report(.warning, .unreachableTier,
                        "this tier of \(node.id) can never match: its value is a whole number, and none lies between \(tier.minText ?? "\(min)") and the min above it (\(above))",
                        at: tier.places.at("min", or: tier.location),
                        hint: "the tier applies from its min up to the min of the tier above; check the mins")
        }
      }
      above = min
    }
  }

  private mutating func compile(
    _ expression: RuleExpression, _ environment: ExprEnvironment, expect: Expected, _ what: String, _ rules: RuleSet
  ) -> RuleExpression {
    var expression = expression
    if rules.calendar == nil, let offset = Self.offset(of: "workdays(", in: expression.source) {
      reader.report(.error, .calendarCoverage, "\(what) count working days, but the file has no calendar to count them with",
                    at: expression.location(ofOffset: offset),
                    hint: "declare periods, or calendar: { covers: 2023-01-01..2023-12-31 } (with its holidays)")
      return expression
    }
    do {
      let compiled = try CompiledExpression(expression.source, environment: environment)
      let type = compiled.resultType
      if !Self.fits(type, expect) {
        reader.report(.error, .expressionType, "\(what) must give \(expect.words), but it gives \(Self.describe(type))",
                      at: expression.location, hint: Self.typeHint(type, expect, expression.source.collapsingSpaces))
      } else {
        expression.compiled = compiled
      }
    } catch {
      for problem in error.problems {
        let location = expression.location(ofOffset: Self.tokenOffset(problem, in: expression.source))
        let message = fileColumns(in: problem.message, of: expression, reportedAt: location)
        reader.report(.error, DiagnosticCode(rawValue: problem.code), message, at: location, hint: problem.hint)
      }
    }
    return expression
  }

  /// Where to point for a problem: the checker reports an unknown field at the `.` that
  /// selects it; the reader looks for the misspelt name, so point at the name.
  static func tokenOffset(_ problem: ExprCompileError.Problem, in source: String) -> Int {
    guard problem.code == "K221" else { return problem.offset }
    let text = Array(source.unicodeScalars)
    var index = problem.offset
    guard index < text.count, text[index] == "." else { return problem.offset }
    index += 1
    while index < text.count, text[index] == " " || text[index] == "\n" { index += 1 }
    return index < text.count && NodeReader.isIDScalar(text[index]) ? index : problem.offset
  }

  /// The Unicode-scalar offset of `needle` in `source`.
  static func offset(of needle: String, in source: String) -> Int? {
    offset(of: Array(needle.unicodeScalars), in: Array(source.unicodeScalars), from: 0)
  }

  /// The first offset at or after `from` where `pattern` occurs in `text`.
  static func offset(of pattern: [Unicode.Scalar], in text: [Unicode.Scalar], from: Int) -> Int? {
    guard !pattern.isEmpty, text.count >= pattern.count, from <= text.count - pattern.count else { return nil }
    for start in from...(text.count - pattern.count) where text[start..<(start + pattern.count)].elementsEqual(pattern) {
      return start
    }
    return nil
  }

  /// Rewrites a position the expression parser gives inside the expression (`at column 5`,
  /// `at line 2, column 3`) as a position in the file, which is what the reader sees.
  private func fileColumns(in message: String, of expression: RuleExpression, reportedAt: RuleLocation) -> String {
    let text = Array(message.unicodeScalars)
    func number(at index: Int) -> (value: Int, end: Int)? {
      var end = index
      var value = 0
      while end < text.count, let digit = Int(String(text[end])), text[end].isASCII {
        value = value * 10 + digit
        end += 1
      }
      return end > index ? (value, end) : nil
    }
    var line = 1
    let column: Int
    let start: Int
    let end: Int
    if let at = Self.offset(of: Array("at line ".unicodeScalars), in: text, from: 0),
      let lineNumber = number(at: at + 8),
      Self.offset(of: Array(", column ".unicodeScalars), in: text, from: lineNumber.end) == lineNumber.end,
      let columnNumber = number(at: lineNumber.end + 9)
    {
      (line, column, start, end) = (lineNumber.value, columnNumber.value, at, columnNumber.end)
    } else if let at = Self.offset(of: Array("at column ".unicodeScalars), in: text, from: 0),
      let columnNumber = number(at: at + 10)
    {
      (column, start, end) = (columnNumber.value, at, columnNumber.end)
    } else {
      return message
    }
    // The offset of (line, column) in the expression's text.
    var offset = 0
    var currentLine = 1
    for scalar in expression.source.unicodeScalars {
      if currentLine == line { break }
      offset += 1
      if scalar == "\n" { currentLine += 1 }
    }
    offset += column - 1
    let place = expression.location(ofOffset: offset)
    let shown = place.line == reportedAt.line ? "at column \(place.column)" : "at line \(place.line), column \(place.column)"
    var result = String.UnicodeScalarView(text[..<start])
    result.append(contentsOf: shown.unicodeScalars)
    result.append(contentsOf: text[end...])
    return String(result)
  }

  static func describe(_ type: ExprType) -> String {
    switch type {
    case .int: "a whole number (int)"
    case .uint: "a whole number (uint)"
    case .double: "a number"
    case .bool: "true or false"
    case .string: "text (string)"
    case .date: "a date"
    case .null: "null"
    case .list: "a list"
    case .map: "a map"
    case .object(let object): "a \(object.kind)"
    default: "\(type)"
    }
  }

  static func typeHint(_ type: ExprType, _ expected: Expected, _ source: String) -> String? {
    switch (expected, type) {
    case (.bool, .int), (.bool, .double), (.bool, .uint): return "compare it, e.g. \(source) > 0"
    case (.bool, .string): return "compare it, e.g. \(source) == \"…\""
    case (.bool, .list): return "e.g. \(source).size() > 0, or \(source).exists(x, …)"
    case (.number, .list): return "count it with \(source).size(), or add it up with sum(…)"
    case (.number, .string): return "points must be computed from numbers; to read a number written as text, use double(\(source))"
    case (.number, .bool): return "e.g. \(source) ? 5 : 0"
    default: return nil
    }
  }

  static func fits(_ type: ExprType, _ expected: Expected) -> Bool {
    switch (expected, type) {
    case (_, .dyn), (_, .error): true
    case (.bool, .bool): true
    case (.number, .int), (.number, .double), (.number, .uint): true
    case (.key, .string), (.key, .int), (.key, .bool), (.key, .uint): true
    default: false
    }
  }
}
