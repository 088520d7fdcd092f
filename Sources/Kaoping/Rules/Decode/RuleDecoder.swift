/// Decodes a YAML document into the rule model, reporting every problem it finds in one
/// pass. Semantic checks across sections (references, weights, …) are in `RuleChecks`.
struct RuleDecoder {
  var reader: NodeReader
  /// What could not be read (see ``DecodeNotes``).
  var notes = DecodeNotes()
  static let supportedVersions = [1]

  static let topLevelKeys = [
    "kaoping", "id", "title", "base", "decimals", "calendar", "periods", "annual", "groups",
    "attributes", "subjects", "facts", "scorers", "indicators", "ranking", "outcomes", "grades",
  ]

  static let topLevelHints = [
    "facts": "declare the kinds of facts the rules read, e.g. facts: { delay: { fields: { days: int } } }",
    "indicators": "list what gives points, e.g. indicators: [{ id: delays, deduction: { facts: delay, points: 2 } }]",
  ]

  /// "indicator awards" when the mapping has an id, "an indicator" otherwise (for messages).
  static func named(_ kind: String, _ node: YAMLNode) -> String {
    if let id = node["id"]?.scalar?.text, !id.isEmpty { return "\(kind) \(id)" }
    return (kind.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + kind
  }

  init(file: String, text: String) {
    reader = NodeReader(file: file, text: text)
  }

  /// Decodes the root node. Returns nil when the file is too broken to check further.
  mutating func decode(_ root: YAMLNode) -> RuleSet? {
    guard root.mapping != nil else {
      reader.error(.wrongShape, "a rule file must be a mapping of keys (kaoping, id, facts, indicators …), not \(reader.describe(root))", at: root)
      return nil
    }
    // The version first: an unknown version gets exactly one error.
    guard let versionNode = root["kaoping"] else {
      reader.error(.unsupportedVersion, "the file does not say which format it is written in", at: root,
                   hint: "start the file with `kaoping: 1`")
      return nil
    }
    guard let version = versionNode.scalar?.text, versionNode.scalar?.isPlain == true, versionNode.tag != .str,
      let number = Int(version), Self.supportedVersions.contains(number)
    else {
      let supported = Self.supportedVersions.map(String.init).joined(separator: ", ")
      if let scalar = versionNode.scalar, !scalar.isPlain || versionNode.tag == .str,
        let number = Int(scalar.text), Self.supportedVersions.contains(number)
      {
        reader.error(.unsupportedVersion, "the format version must be a number, but '\(scalar.text)' is quoted text",
                     at: versionNode, hint: "write `kaoping: \(number)` without quotes")
      } else {
        let shown = reader.isNull(versionNode) ? "nothing" : versionNode.scalar.map { "'\($0.text)'" } ?? reader.describe(versionNode)
        reader.error(.unsupportedVersion,
                     "this Kaoping reads rule format version \(supported), not \(shown)", at: versionNode,
                     hint: "write `kaoping: 1`; a file in a newer format needs a newer Kaoping")
      }
      return nil
    }
    guard let top = reader.mapping(root, "the rule file", allowed: Self.topLevelKeys,
                                   required: ["id", "facts", "indicators"], hints: Self.topLevelHints) else { return nil }

    let id = top["id"].flatMap { reader.declaredID($0, "the rule file's id") } ?? ""
    let title = top["title"].flatMap { reader.text($0, "title") }
    var decimals = 2
    var decimalsReadable = true
    if let node = top["decimals"] {
      if let value = reader.integer(node, "decimals") {
        if (0...6).contains(value) { decimals = value } else {
          decimalsReadable = false
          reader.error(.outOfRange, "decimals must be between 0 and 6, not \(value)", at: node,
                       hint: "decimals is the number of fraction digits of every amount: 2 gives 1044.50")
        }
      } else {
        decimalsReadable = false
      }
    }
    var base = ExactDecimal.zero
    if let node = top["base"], let value = reader.decimal(node, "base") {
      base = value
      if decimalsReadable, value.rounded(scale: decimals) != value {
        reader.error(.baseScale, "base \(value) has more fraction digits than decimals (\(decimals))", at: node,
                     hint: "round the base or raise decimals")
      }
    }
    let periods = top["periods"].map { decodePeriods($0) } ?? []
    let annual = top["annual"].map { decodeAnnual($0) } ?? .facts
    let groupsDeclared = top["groups"] != nil
    let groups = top["groups"].map { decodeGroups($0) } ?? [Group(id: "all", name: nil, location: nil)]
    if top["groups"] == nil { notes.groupIDs = ["all"] }
    let attributes = top["attributes"].map { decodeAttributes($0) } ?? []
    let factTypes = top["facts"].map { decodeFactTypes($0) } ?? []
    if top["facts"] == nil { notes.factTypesUnreadable = true }
    let scorers = top["scorers"].map { decodeScorers($0) } ?? []
    let indicators = top["indicators"].map { decodeIndicators($0, "indicators") } ?? []
    let ranking = top["ranking"].map { decodeRanking($0) } ?? Ranking()
    let outcomes = top["outcomes"].map { decodeOutcomes($0) } ?? []
    let grades = top["grades"].map { decodeGrades($0) } ?? []
    let subjects = top["subjects"].map { decodeSubjects($0, attributes: attributes) }
    let calendar = decodeCalendar(top["calendar"], periods: periods)

    return RuleSet(
      formatVersion: number, id: id, title: title, base: base, decimals: decimals, calendar: calendar,
      periods: periods, annual: annual, groups: groups, declaresGroups: groupsDeclared,
      attributes: attributes, subjects: subjects, factTypes: factTypes, scorers: scorers,
      indicators: indicators, ranking: ranking, outcomes: outcomes, grades: grades, decodeNotes: notes)
  }

  // MARK: Calendar and periods

  mutating func decodeCalendar(_ node: YAMLNode?, periods: [Period]) -> WorkCalendar? {
    var weekend: Set<Int> = [6, 7]
    var holidays: Set<CELDate> = []
    var workdays: Set<CELDate> = []
    var covers: ClosedRange<CELDate>? = nil
    if let node {
      guard let fields = reader.mapping(node, "calendar", allowed: ["weekend", "holidays", "workdays", "covers"]) else {
        return nil
      }
      if let list = fields["weekend"].flatMap({ reader.list($0, "weekend") }) {
        weekend = []
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        for item in list {
          guard let text = reader.text(item, "a weekend day") else { continue }
          if let index = names.firstIndex(of: text.lowercased()) { weekend.insert(index + 1) } else {
            let prefix = names.first { text.lowercased().hasPrefix($0) }
            let hint = prefix.map { "write \($0)" } ?? Suggest.closest(to: text, among: names).map { "did you mean '\($0)'?" }
              ?? "the days are mon, tue, wed, thu, fri, sat, sun"
            reader.error(.invalidChoice, "'\(text)' is not a day of the week", at: item, hint: hint)
          }
        }
      }
      for (key, target) in [("holidays", 0), ("workdays", 1)] {
        guard let list = fields[key].flatMap({ reader.list($0, key) }) else { continue }
        for item in list {
          guard let range = reader.dateRange(item, "a date in \(key)") else { continue }
          guard range.upperBound.daysSinceEpoch - range.lowerBound.daysSinceEpoch <= 3660 else {
            reader.error(.outOfRange, "the range is longer than ten years", at: item)
            continue
          }
          var day = range.lowerBound
          while day <= range.upperBound {
            if target == 0 { holidays.insert(day) } else { workdays.insert(day) }
            guard let next = day.adding(days: 1) else { break }
            day = next
          }
        }
      }
      if let coversNode = fields["covers"], let range = reader.dateRange(coversNode, "covers") {
        if range.upperBound.daysSinceEpoch - range.lowerBound.daysSinceEpoch > 36600 {
          reader.error(.outOfRange, "covers spans more than a hundred years", at: coversNode)
        } else {
          covers = range
        }
      }
    }
    if covers == nil, let first = periods.map(\.from).min(), let last = periods.map(\.to).max() {
      covers = first...last
    }
    guard let covers else { return nil }
    return WorkCalendar(weekend: weekend, holidays: holidays, workdays: workdays, covers: covers)
  }

  mutating func decodePeriods(_ node: YAMLNode) -> [Period] {
    guard let entries = node.mapping else {
      reader.error(.wrongShape, "periods must be a mapping of period ids to {from, to}", at: node,
                   hint: "e.g. Q1: { from: 2023-01-01, to: 2023-03-31 }")
      notes.periodsUnreadable = true
      return []
    }
    var result: [Period] = []
    for entry in entries {
      guard let keyText = entry.key.scalar?.text, !keyText.hasPrefix("x-") else { continue }
      guard let id = reader.declaredID(entry.key, "the period id") else { continue }
      notes.periodIDs.append(id)
      if id == "annual" || id == "all" {
        reader.error(.invalidID, "'\(id)' cannot be a period id: it names a scope of its own", at: entry.key,
                     hint: "annual is the scope of the whole year and all means every scope; name periods e.g. Q1 or H1")
        continue
      }
      guard let fields = reader.mapping(entry.value, "period \(id)", allowed: ["from", "to", "name"], required: ["from", "to"]) else { continue }
      let name = fields["name"].flatMap { reader.text($0, "name") }
      guard let fromNode = fields["from"], let toNode = fields["to"] else { continue }
      let from = reader.date(fromNode, "from")
      let to = reader.date(toNode, "to")
      guard let from, let to else { continue }
      if from > to {
        reader.error(.reversedRange, "period \(id) ends (\(to)) before it starts (\(from))", at: toNode,
                     hint: "from is the first day of the period and to its last day")
        continue
      }
      result.append(Period(id: id, name: name, from: from, to: to, location: reader.location(entry.key),
                           places: reader.places(fields)))
    }
    return result
  }

  mutating func decodeAnnual(_ node: YAMLNode) -> AnnualMode {
    if let scalar = node.scalar {
      if scalar.text == "facts" { return .facts }
      reader.error(.invalidChoice, "annual must be `facts` or `{weights: {PERIOD: share, …}}`, not '\(scalar.text)'", at: node)
      return .facts
    }
    guard let fields = reader.mapping(node, "annual", allowed: ["weights"], required: ["weights"]),
      let weightsNode = fields["weights"]
    else { return .facts }
    guard let entries = weightsNode.mapping else {
      reader.error(.wrongShape, "annual weights must be a mapping of period ids to shares", at: weightsNode)
      return .facts
    }
    var weights: [(period: String, weight: ExactDecimal)] = []
    notes.annualPlaces = reader.places(fields)
    var allPercent = true
    var readable = true
    for entry in entries {
      guard let key = entry.key.scalar?.text, !key.hasPrefix("x-") else { continue }
      guard let share = reader.fraction(entry.value, "the annual weight of \(key)") else {
        readable = false
        continue
      }
      allPercent = allPercent && share.percent
      weights.append((key, share.value))
    }
    notes.annualWeightsInPercent = allPercent
    notes.annualWeightsReadable = readable
    return .weights(weights)
  }

  // MARK: Groups, attributes, subjects, scorers

  mutating func decodeGroups(_ node: YAMLNode) -> [Group] {
    guard let items = reader.list(node, "groups") else {
      notes.groupsUnreadable = true
      return []
    }
    var result: [Group] = []
    for item in items {
      if item.scalar != nil {
        if let id = reader.declaredID(item, "the group id") {
          notes.groupIDs.append(id)
          var places = SourcePlaces()
          places.entries["id"] = reader.location(item)
          result.append(Group(id: id, name: nil, location: reader.location(item), places: places))
        }
        continue
      }
      guard let fields = reader.mapping(item, Self.named("group", item), allowed: ["id", "name"], required: ["id"]),
        let id = fields["id"].flatMap({ reader.declaredID($0, "the group id") })
      else { continue }
      notes.groupIDs.append(id)
      result.append(Group(id: id, name: fields["name"].flatMap { reader.text($0, "name") }, location: reader.location(item),
                          places: reader.places(fields)))
    }
    return result
  }

  /// A field or attribute type: `int`, or `{type: int, optional: true}`, or an enum with
  /// its values. Returns the type and whether it is optional; the type is nil when it
  /// could not be read (already reported).
  mutating func decodeFieldType(_ node: YAMLNode, _ what: String) -> (type: FieldType?, optional: Bool) {
    var typeNode = node
    var optional = false
    var values: [String]? = nil
    var valuesKey: YAMLNode? = nil
    if node.mapping != nil {
      guard let fields = reader.mapping(node, what, allowed: ["type", "values", "optional", "name"], required: ["type"]) else {
        return (nil, false)
      }
      if let opt = fields["optional"] { optional = reader.bool(opt, "optional") ?? false }
      guard let type = fields["type"] else { return (nil, optional) }
      typeNode = type
      valuesKey = fields.keys["values"]
      if let valuesNode = fields["values"], let list = reader.list(valuesNode, "values") {
        values = list.compactMap { reader.text($0, "an enum value") }
        var seen: Set<String> = []
        for (index, value) in (values ?? []).enumerated() where !seen.insert(value).inserted {
          reader.error(.duplicateID, "the enum value '\(value)' is listed twice", at: list[index])
        }
      }
    }
    guard let typeName = reader.text(typeNode, "the type of \(what)") else { return (nil, optional) }
    let names = ["string", "int", "decimal", "bool", "date", "enum"]
    let type: FieldType
    switch typeName {
    case "string": type = .string
    case "int": type = .int
    case "decimal": type = .decimal
    case "bool": type = .bool
    case "date": type = .date
    case "enum":
      guard let values, !values.isEmpty else {
        reader.error(.invalidFieldType, "\(what) is an enum, so it needs its values", at: typeNode,
                     hint: "list them, e.g. { type: enum, values: [national, provincial, municipal] }")
        return (nil, optional)
      }
      type = .enumeration(values)
    default:
      var hint = "the field types are \(names.joined(separator: ", "))"
      if let close = Suggest.closest(to: typeName, among: names) { hint = "did you mean '\(close)'?" }
      switch typeName.lowercased() {
      case "double", "float", "number", "numeric", "real": hint = "write decimal for numbers with a fraction, int for whole numbers"
      case "integer", "long", "int64": hint = "write int"
      case "text", "str", "char", "varchar": hint = "write string"
      case "boolean": hint = "write bool"
      case "datetime", "day", "time": hint = "write date (a day, YYYY-MM-DD)"
      default: break
      }
      reader.error(.invalidFieldType, "'\(typeName)' is not a field type", at: typeNode, hint: hint)
      return (nil, optional)
    }
    if let valuesKey, values != nil, type != .enumeration(values ?? []) {
      reader.error(.invalidFieldType, "values are only allowed on enum fields, and \(what) is \(typeName)", at: valuesKey,
                   hint: "write type: enum, or remove values")
    }
    return (type, optional)
  }

  mutating func decodeAttributes(_ node: YAMLNode) -> [Attribute] {
    guard let entries = node.mapping else {
      reader.error(.wrongShape, "attributes must be a mapping of attribute ids to types", at: node,
                   hint: "e.g. region: string")
      notes.attributesUnreadable = true
      return []
    }
    var result: [Attribute] = []
    for entry in entries {
      guard let key = entry.key.scalar?.text, !key.hasPrefix("x-") else { continue }
      guard let id = reader.declaredID(entry.key, "the attribute id") else { continue }
      if ["id", "name", "group"].contains(id) {
        reader.error(.builtInFieldName, "'\(id)' is a built-in roster column and cannot be declared as an attribute", at: entry.key,
                     hint: "every subject has id, name and group already; choose another name for the attribute")
        continue
      }
      let (type, optional) = decodeFieldType(entry.value, "attribute \(id)")
      if type == nil { notes.untypedAttributes.insert(id) }
      result.append(Attribute(id: id, type: type ?? .string, optional: optional))
    }
    return result
  }

  mutating func decodeSubjects(_ node: YAMLNode, attributes: [Attribute]) -> [SubjectRecord] {
    guard let items = reader.list(node, "subjects") else { return [] }
    let allowed = ["id", "name", "group"] + attributes.map(\.id)
    var result: [SubjectRecord] = []
    for item in items {
      guard let fields = reader.mapping(item, Self.named("subject", item), allowed: allowed, required: ["id"]),
        let id = fields["id"].flatMap({ reader.text($0, "the subject id") })
      else { continue }
      var values: [String: String] = [:]
      for attribute in attributes {
        if let value = fields[attribute.id], !reader.isNull(value), let text = value.scalar?.text {
          values[attribute.id] = text
        }
      }
      result.append(SubjectRecord(
        id: id, name: fields["name"].flatMap { reader.text($0, "name") },
        group: fields["group"].flatMap { reader.text($0, "group") }, attributes: values,
        location: reader.location(item), places: reader.places(fields)))
    }
    return result
  }

  mutating func decodeScorers(_ node: YAMLNode) -> [Scorer] {
    guard let entries = node.mapping else {
      reader.error(.wrongShape, "scorers must be a mapping of scorer ids to names, e.g. supervision: 督查室", at: node)
      notes.scorersUnreadable = true
      return []
    }
    var result: [Scorer] = []
    for entry in entries {
      guard let key = entry.key.scalar?.text, !key.hasPrefix("x-"),
        let id = reader.declaredID(entry.key, "the scorer id")
      else { continue }
      let name = reader.text(entry.value, "the name of scorer \(key)") ?? id
      result.append(Scorer(id: id, name: name))
    }
    return result
  }

  // MARK: Facts

  static let builtInFields = ["id", "subject", "type", "date", "source", "note"]

  mutating func decodeFactTypes(_ node: YAMLNode) -> [FactType] {
    guard let entries = node.mapping else {
      reader.error(.wrongShape, "facts must be a mapping of fact type ids to {name, fields}", at: node,
                   hint: "e.g. delay: { fields: { days: int } }")
      notes.factTypesUnreadable = true
      return []
    }
    var result: [FactType] = []
    for entry in entries {
      guard let key = entry.key.scalar?.text, !key.hasPrefix("x-"),
        let id = reader.declaredID(entry.key, "the fact type id")
      else { continue }
      var fields: [FactType.Field] = []
      var name: String? = nil
      if !reader.isNull(entry.value) {
        guard let spec = reader.mapping(entry.value, "fact type \(id)", allowed: ["name", "fields"]) else {
          notes.untypedFactTypes.insert(id)
          result.append(FactType(id: id, name: nil, fields: [], location: reader.location(entry.key)))
          continue
        }
        name = spec["name"].flatMap { reader.text($0, "name") }
        if !spec.unknownKeys.isEmpty { notes.untypedFactTypes.insert(id) }
        if let fieldsNode = spec["fields"], !reader.isNull(fieldsNode) {
          if let fieldEntries = fieldsNode.mapping {
            for fieldEntry in fieldEntries {
              guard let fieldKey = fieldEntry.key.scalar?.text, !fieldKey.hasPrefix("x-"),
                let fieldID = reader.declaredID(fieldEntry.key, "the field id")
              else { continue }
              if Self.builtInFields.contains(fieldID) {
                reader.error(.builtInFieldName, "'\(fieldID)' is a built-in field of every fact and cannot be declared", at: fieldEntry.key,
                             hint: "every fact has \(Self.builtInFields.joined(separator: ", ")) already; remove it or choose another name")
                continue
              }
              let (type, optional) = decodeFieldType(fieldEntry.value, "field \(fieldID)")
              fields.append(FactType.Field(id: fieldID, type: type ?? .string, optional: optional, location: reader.location(fieldEntry.key),
                                           untyped: type == nil))
            }
          } else {
            reader.error(.wrongShape, "fields must be a mapping of field ids to types, e.g. days: int", at: fieldsNode)
            notes.untypedFactTypes.insert(id)
          }
        }
      }
      result.append(FactType(id: id, name: name, fields: fields, location: reader.location(entry.key)))
    }
    return result
  }

  // MARK: Indicators

  static let nodeKeys = ["id", "name", "weight", "applies_to", "max", "min", "bonus", "deduction", "score", "parts", "combine", "cap"]
  static let kindKeys = ["bonus", "deduction", "score", "parts"]

  mutating func decodeIndicators(_ node: YAMLNode, _ what: String) -> [Indicator] {
    guard let items = reader.list(node, what) else {
      notes.incompleteIndicators = true
      return []
    }
    return items.compactMap { decodeIndicator($0) }
  }

  mutating func decodeIndicator(_ node: YAMLNode) -> Indicator? {
    guard let fields = reader.mapping(node, Self.named("indicator", node), allowed: Self.nodeKeys, required: ["id"]) else {
      notes.incompleteIndicators = true
      return nil
    }
    let places = reader.places(fields)
    let id = fields["id"].flatMap { reader.declaredID($0, "the indicator id") } ?? ""
    let what = id.isEmpty ? "this indicator" : "indicator \(id)"
    let name = fields["name"].flatMap { reader.text($0, "name") }
    let weight = fields["weight"].flatMap { reader.fraction($0, "the weight of \(what)") }
    let appliesTo = fields["applies_to"].flatMap { reader.listOrScalar($0, "applies_to") }?.compactMap {
      reader.text($0, "a group id")
    }
    let max = fields["max"].flatMap { reader.decimal($0, "max") }
    let min = fields["min"].flatMap { reader.decimal($0, "min") }
    // Kinds in file order: the first is read, any other is an error.
    let kinds = fields.order.filter { Self.kindKeys.contains($0) }
    guard let kindName = kinds.first, let kindNode = fields[kindName] else {
      if !fields.misspelt.isDisjoint(with: Self.kindKeys) || !fields.unknownKeys.isEmpty {
        // A kind written with a typo (or under an unknown key) is reported as the unknown key.
        notes.incompleteIndicators = true
        return nil
      }
      reader.error(.indicatorKind, "\(what) needs one of bonus, deduction, score or parts", at: node,
                   hint: "bonus or deduction give points per fact, score gives points from a value, parts combines indicators")
      return nil
    }
    for extra in kinds.dropFirst() {
      if let key = fields.keys[extra] {
        reader.error(.indicatorKind, "\(what) has both \(kindName) and \(extra); an indicator has exactly one kind", at: key,
                     hint: "split it into two indicators, or group them under parts")
      }
      notes.incompleteIndicators = true
    }
    if let combineKey = fields.keys["combine"], kindName != "parts" {
      reader.error(.unknownKey, "combine is only allowed on a parts node, and \(what) is a \(kindName)", at: combineKey,
                   hint: "remove combine, or move it to the parts node above")
    }
    if let capKey = fields.keys["cap"] {
      if kindName == "parts" {
        reader.error(.capOnParts, "cap is not allowed on a parts node", at: capKey,
                     hint: "use max to bound the value of \(id.isEmpty ? "the node" : id) (cap bounds the points of a bonus or deduction)")
      } else if kindName == "score" {
        reader.error(.unknownKey, "cap is not allowed on a score", at: capKey, hint: "use max to bound the node's value")
      } else {
        reader.error(.unknownKey, "cap belongs inside \(kindName):", at: capKey, hint: "indent it under \(kindName):")
      }
    }
    let kind: Indicator.Kind
    switch kindName {
    case "bonus", "deduction":
      guard let rule = decodePerFact(kindNode, "the \(kindName) of \(what)") else {
        notes.incompleteIndicators = true
        return nil
      }
      kind = kindName == "bonus" ? .bonus(rule) : .deduction(rule)
    case "score":
      guard let rule = decodeScore(kindNode, "the score of \(what)") else {
        notes.incompleteIndicators = true
        return nil
      }
      kind = .score(rule)
    default:
      var combine = PartsRule.Combine.sum
      var combineUnreadable = false
      if let node = fields["combine"] {
        if let value = reader.choice(node, "combine", PartsRule.Combine.self, choices: [.sum, .weighted],
                                    explain: "sum adds the parts up; weighted adds weight × part, with weights summing to 100%")
        {
          combine = value
        } else {
          combineUnreadable = true
        }
      }
      let children = decodeIndicators(kindNode, "parts")
      if children.isEmpty, kindNode.sequence?.isEmpty == true || reader.isNull(kindNode) {
        reader.error(.emptyParts, "\(what) has no parts", at: kindNode,
                     hint: "list the indicators it combines under parts:, or remove it")
      }
      kind = .parts(PartsRule(combine: combine, children: children, combineUnreadable: combineUnreadable))
    }
    return Indicator(
      id: id, name: name, weight: weight?.value, appliesTo: appliesTo, max: max, min: min, kind: kind,
      location: reader.location(node), places: places, weightInPercent: weight?.percent ?? false)
  }

  static let perFactKeys = ["facts", "when", "points", "cap", "scorers", "cancelled_by"]

  mutating func decodePerFact(_ node: YAMLNode, _ what: String) -> PerFactRule? {
    guard let fields = reader.mapping(node, what, allowed: Self.perFactKeys, required: ["facts", "points"]) else { return nil }
    // Keep the rule even when a part cannot be read, so that the rest is still checked.
    let facts = fields["facts"].flatMap { reader.text($0, "facts") } ?? ""
    if facts.isEmpty { notes.incompleteIndicators = true }
    let points = fields["points"].flatMap { decodePoints($0, "points") } ?? .fixed(.zero)
    let when = fields["when"].flatMap { reader.expression($0, "when") }
    var cap: ExactDecimal? = nil
    if let capNode = fields["cap"], let value = reader.decimal(capNode, "cap") {
      if value.isNegative {
        reader.error(.outOfRange, "cap must not be negative", at: capNode,
                     hint: "cap is the most points the node gives per subject and scope, e.g. cap: \(value.magnitude); the sign comes from bonus or deduction")
      } else {
        cap = value
      }
    }
    let scorers = fields["scorers"].flatMap { reader.listOrScalar($0, "scorers") }?.compactMap { reader.text($0, "a scorer id") }
    let cancelledBy = fields["cancelled_by"].flatMap { reader.text($0, "cancelled_by") }
    if fields["cancelled_by"] != nil, cancelledBy == nil { notes.incompleteIndicators = true }
    return PerFactRule(facts: facts, when: when, points: points, cap: cap, scorers: scorers, cancelledBy: cancelledBy,
                       places: reader.places(fields))
  }

  static let negativePointsMessage = "points must not be negative: the sign comes from bonus or deduction"

  mutating func decodePoints(_ node: YAMLNode, _ what: String) -> Points? {
    if node.mapping != nil {
      guard let fields = reader.mapping(node, "a points table", allowed: ["by", "table", "default"], required: ["by", "table"]),
        let byNode = fields["by"], let by = reader.expression(byNode, "by"), let tableNode = fields["table"]
      else { return nil }
      guard let entries = tableNode.mapping else {
        reader.error(.wrongShape, "table must be a mapping of keys to points, e.g. { national: 20, provincial: 10 }", at: tableNode)
        return nil
      }
      var table: [(key: String, points: ExactDecimal)] = []
      for entry in entries {
        guard let key = entry.key.scalar?.text, !key.hasPrefix("x-") else { continue }
        // A row whose points cannot be read is kept (as 0), so that it is not also missing.
        var points = reader.decimal(entry.value, "the points for '\(key)'") ?? .zero
        if points.isNegative {
          reader.error(.negativePoints, Self.negativePointsMessage, at: entry.value, hint: "write \(points.magnitude)")
          points = points.magnitude
        }
        table.append((key, points))
      }
      var defaultPoints: ExactDecimal? = nil
      if let defaultNode = fields["default"] {
        var value = reader.decimal(defaultNode, "default") ?? .zero
        if value.isNegative {
          reader.error(.negativePoints, Self.negativePointsMessage, at: defaultNode, hint: "write \(value.magnitude)")
          value = value.magnitude
        }
        defaultPoints = value
      }
      return .table(PointsTable(by: by, entries: table, defaultPoints: defaultPoints, places: reader.places(fields)))
    }
    guard let scalar = node.scalar, !reader.isNull(node) else {
      reader.error(.wrongShape, "\(what) must be a number, an expression or a table {by, table}, not \(reader.describe(node))", at: node,
                   hint: "e.g. points: 5, points: 2 * fact.days, or points: { by: fact.level, table: { national: 20 } }")
      return nil
    }
    if scalar.isPlain, NodeReader.isNumber(scalar.text), let value = ExactDecimal(parsing: scalar.text) {
      if value.isNegative {
        reader.error(.negativePoints, Self.negativePointsMessage, at: node, hint: "write \(value.magnitude)")
        return .fixed(value.magnitude)
      }
      return .fixed(value)
    }
    return reader.expression(node, what).map { .expression($0) }
  }

  mutating func decodeScore(_ node: YAMLNode, _ what: String) -> ScoreRule? {
    guard let fields = reader.mapping(node, what, allowed: ["value", "points", "tiers"], required: ["value"]),
      let valueNode = fields["value"], let value = reader.expression(valueNode, "value")
    else { return nil }
    // With both, the first written is read and the other is the error.
    let written = fields.order.filter { $0 == "points" || $0 == "tiers" }
    if written.count == 2, let second = fields.keys[written[1]] {
      reader.error(.scorePointsAndTiers, "\(what) has both points and tiers; use one", at: second,
                   hint: "points computes the points from value; tiers pick them by the min that value reaches")
    }
    switch written.first {
    case "points":
      guard let pointsNode = fields["points"], let expression = reader.expression(pointsNode, "points") else { return nil }
      return ScoreRule(value: value, rule: .points(expression))
    case "tiers":
      guard let tiersNode = fields["tiers"], let items = reader.list(tiersNode, "tiers") else { return nil }
      var tiers: [Tier] = []
      for item in items {
        guard let tier = reader.mapping(item, "a tier", allowed: ["min", "points"], required: ["points"]) else { continue }
        let minShare = tier["min"].flatMap { reader.fraction($0, "min") }
        let points: TierPoints
        if let pointsNode = tier["points"] {
          if let scalar = pointsNode.scalar, scalar.isPlain, NodeReader.isNumber(scalar.text),
            let number = ExactDecimal(parsing: scalar.text)
          {
            points = .fixed(number)
          } else if let expression = reader.expression(pointsNode, "points") {
            points = .expression(expression)
          } else {
            points = .fixed(.zero)
          }
        } else {
          points = .fixed(.zero)
        }
        tiers.append(Tier(min: minShare?.value, points: points, location: reader.location(item), places: reader.places(tier),
                          minUnreadable: tier["min"] != nil && minShare == nil, minText: tier["min"]?.scalar?.text))
      }
      return ScoreRule(value: value, rule: .tiers(tiers))
    default:
      reader.error(.scorePointsAndTiers, "\(what) needs points or tiers", at: node,
                   hint: "e.g. points: value * 10, or tiers: [{ min: 90%, points: 5 }, { points: 0 }]")
      return nil
    }
  }

  // MARK: Ranking, outcomes, grades

  mutating func decodeRanking(_ node: YAMLNode) -> Ranking {
    var ranking = Ranking()
    guard let fields = reader.mapping(node, "ranking", allowed: ["within", "order", "ties"]) else { return ranking }
    if let n = fields["within"], let v = reader.choice(n, "within", Ranking.Within.self, choices: [.group, .all],
                                                       explain: "group ranks each group on its own; all ranks everyone together") {
      ranking.within = v
    }
    if let n = fields["order"], let v = reader.choice(n, "order", Ranking.Order.self, choices: [.desc, .asc],
                                                      explain: "desc: a higher total is better; asc: a lower total is better") {
      ranking.order = v
    }
    if let n = fields["ties"], let v = reader.choice(n, "ties", Ranking.Ties.self, choices: [.shared, .dense],
                                                     explain: "shared ranks ties 1, 2, 2, 4; dense ranks them 1, 2, 2, 3") {
      ranking.ties = v
    }
    return ranking
  }

  mutating func decodeOutcomes(_ node: YAMLNode) -> [Outcome] {
    guard let items = reader.list(node, "outcomes") else { return [] }
    var result: [Outcome] = []
    for item in items {
      guard let fields = reader.mapping(item, Self.named("outcome", item), allowed: [
        "id", "name", "scope", "bottom", "rounding", "boundary_ties", "when", "only_if", "deny_grades", "force_grade",
      ], required: ["id"]),
        let id = fields["id"].flatMap({ reader.declaredID($0, "the outcome id") })
      else { continue }
      var outcome = Outcome(
        id: id, name: fields["name"].flatMap { reader.text($0, "name") }, scope: .annual, bottom: nil, bottomText: nil,
        rounding: .ceil, boundaryTies: .exclude, when: nil, onlyIf: nil, denyGrades: [], forceGrade: nil,
        location: reader.location(item), places: reader.places(fields))
      if let n = fields["scope"], let v = reader.choice(n, "scope", Outcome.Scope.self, choices: [.periods, .annual]) { outcome.scope = v }
      if let n = fields["rounding"], let v = reader.choice(n, "rounding", Outcome.Rounding.self, choices: [.ceil, .floor, .round]) {
        outcome.rounding = v
      }
      if let n = fields["boundary_ties"],
        let v = reader.choice(n, "boundary_ties", Outcome.BoundaryTies.self, choices: [.exclude, .include])
      {
        outcome.boundaryTies = v
      }
      if let bottomNode = fields["bottom"] { (outcome.bottom, outcome.bottomText) = decodeBottom(bottomNode) }
      outcome.when = fields["when"].flatMap { reader.expression($0, "when") }
      outcome.onlyIf = fields["only_if"].flatMap { reader.expression($0, "only_if") }
      outcome.denyGrades = fields["deny_grades"].flatMap { reader.listOrScalar($0, "deny_grades") }?.compactMap {
        reader.text($0, "a grade id")
      } ?? []
      outcome.forceGrade = fields["force_grade"].flatMap { reader.text($0, "force_grade") }
      if fields["bottom"] == nil, fields["when"] == nil {
        reader.error(.outcomeCondition, "outcome \(id) needs bottom or when: it says whom to flag", at: item,
                     hint: "e.g. bottom: 3 (the last 3 of each group), or when: facts.major_error.size() > 0")
      }
      result.append(outcome)
    }
    return result
  }

  mutating func decodeBottom(_ node: YAMLNode) -> (Outcome.Bottom?, String?) {
    guard let scalar = node.scalar, scalar.isPlain, node.tag != .str, !reader.isNull(node) else {
      reader.error(.invalidBottom, "bottom must be a whole number or a percentage such as 5%, not \(reader.describe(node))", at: node,
                   hint: node.scalar?.isPlain == false ? "remove the quotes" : "e.g. bottom: 3 or bottom: 5%")
      return (nil, nil)
    }
    let text = scalar.text
    if text.hasSuffix("%") {
      let number = String(text.dropLast())
      guard NodeReader.isNumber(number), let value = ExactDecimal(parsing: number), !value.isNegative,
        value <= ExactDecimal(100), let share = try? value.divided(by: ExactDecimal(100))
      else {
        reader.error(.invalidBottom, "bottom must be a percentage between 0% and 100%, not '\(text)'", at: node,
                     hint: "bottom: 10% flags the last tenth of each ranking group")
        return (nil, nil)
      }
      return (.share(share), text)
    }
    guard NodeReader.isNumber(text), let value = ExactDecimal(parsing: text), value.isInteger, !value.isNegative,
      let count = try? value.int64Value(), let k = Int(exactly: count)
    else {
      reader.error(.invalidBottom, "bottom must be a whole number of subjects (0 or more) or a percentage, not '\(text)'", at: node,
                   hint: text.hasPrefix("-") ? "bottom counts the subjects to flag from the bottom, e.g. bottom: 3"
                     : "for a share of the group, write a percentage such as 5%")
      return (nil, nil)
    }
    return (.count(k), text)
  }

  mutating func decodeGrades(_ node: YAMLNode) -> [Grade] {
    guard let items = reader.list(node, "grades") else {
      notes.gradesUnreadable = true
      return []
    }
    var result: [Grade] = []
    for item in items {
      guard let fields = reader.mapping(item, Self.named("grade", item), allowed: ["id", "name", "min", "quota"], required: ["id"]),
        let id = fields["id"].flatMap({ reader.declaredID($0, "the grade id") })
      else { continue }
      notes.gradeIDs.append(id)
      let min = fields["min"].flatMap { reader.decimal($0, "min") }
      var quota: ExactDecimal? = nil
      if let quotaNode = fields["quota"], let share = reader.fraction(quotaNode, "quota") {
        if share.value.isNegative || share.value > ExactDecimal.one {
          reader.error(.outOfRange, "quota must be between 0% and 100%", at: quotaNode,
                       hint: "quota is the share of the ranking group that may get the grade, e.g. quota: 20%")
        } else {
          quota = share.value
        }
      }
      result.append(Grade(id: id, name: fields["name"].flatMap { reader.text($0, "name") }, min: min, quota: quota,
                          location: reader.location(item), places: reader.places(fields),
                          minUnreadable: fields["min"] != nil && min == nil))
    }
    return result
  }
}
