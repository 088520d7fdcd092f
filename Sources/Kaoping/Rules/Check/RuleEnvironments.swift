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
        fields.append(.init(name: field.id, type: field.type.exprType, optional: field.optional))
      }
      factObjects[type.id] = ObjectType(name: type.id, kind: "fact type", fields: fields)
    }
    var subjectFields: [ObjectType.Field] = [
      .init(name: "id", type: .string), .init(name: "name", type: .string), .init(name: "group", type: .string),
    ]
    for attribute in rules.attributes {
      subjectFields.append(.init(name: attribute.id, type: attribute.type.exprType, optional: attribute.optional))
    }
    let subjectObject = ObjectType(name: "subject", kind: "subject", fields: subjectFields)
    let factsObject = ObjectType(
      name: "facts", kind: "facts",
      fields: rules.factTypes.compactMap { type in
        factObjects[type.id].map { ObjectType.Field(name: type.id, type: .list(.object($0))) }
      })
    let indicatorsObject = ObjectType(
      name: "indicators", kind: "indicators",
      fields: rules.allIndicators.map { ObjectType.Field(name: $0.id, type: .double) })

    var perFact: [String: ExprEnvironment] = [:]
    for (id, object) in factObjects {
      var environment = ExprEnvironment(profile: profile, calendar: rules.calendar)
      environment.declare("fact", .object(object))
      environment.declare("subject", .object(subjectObject))
      environment.declare("scope", .string)
      perFact[id] = environment
    }
    var score = ExprEnvironment(profile: profile, calendar: rules.calendar)
    score.declare("facts", .object(factsObject))
    score.declare("subject", .object(subjectObject))
    score.declare("scope", .string)
    var scorePoints = score
    scorePoints.declare("value", .double)
    var outcome = score
    outcome.declare("total", .double)
    outcome.declare("rank", .int)
    outcome.declare("group_size", .int)
    outcome.declare("indicators", .object(indicatorsObject))

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
        score.rule = .tiers(tiers)
      }
      node.kind = .score(score)
    case .parts(var parts):
      parts.children = parts.children.map { compile($0, rules: rules, environments) }
      node.kind = .parts(parts)
    }
    return node
  }

  private mutating func compile(
    _ expression: RuleExpression, _ environment: ExprEnvironment, expect: Expected, _ what: String, _ rules: RuleSet
  ) -> RuleExpression {
    var expression = expression
    if rules.calendar == nil, expression.source.contains("workdays(") {
      reader.report(.error, .calendarCoverage, "\(what) counts working days, but the file has no calendar to count them with",
                    at: expression.location,
                    hint: "declare periods, or a calendar with covers: YYYY-MM-DD..YYYY-MM-DD")
      return expression
    }
    do {
      let compiled = try CompiledExpression(expression.source, environment: environment)
      let type = compiled.resultType
      if !Self.fits(type, expect) {
        reader.report(.error, .expressionType, "\(what) must give \(expect.words), but it gives \(type)", at: expression.location,
                      hint: expect == .bool ? "compare it, e.g. \(expression.source.collapsingSpaces) > 0" : nil)
      } else {
        expression.compiled = compiled
      }
    } catch {
      for problem in error.problems {
        let location = expression.location(ofOffset: problem.offset)
        reader.report(.error, DiagnosticCode(rawValue: problem.code), problem.message, at: location, hint: problem.hint)
      }
    }
    return expression
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
