/// Reads YAML nodes as the rule format types them (§0): only `true`/`false` are
/// booleans, only `null`, `~` or nothing is null, numbers match
/// `[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, everything else is text.
/// Every problem becomes a diagnostic at the node; readers return `nil` after one.
struct NodeReader {
  let file: String
  /// The file's text as scalars (for expression positions).
  let fileScalars: [Unicode.Scalar]
  private(set) var diagnostics: [Diagnostic] = []

  init(file: String, text: String) {
    self.file = file
    self.fileScalars = Array(text.unicodeScalars)
  }

  // MARK: Diagnostics

  mutating func error(_ code: DiagnosticCode, _ message: String, at node: YAMLNode, hint: String? = nil) {
    report(.error, code, message, line: node.start.line, column: node.start.column, hint: hint)
  }

  mutating func warning(_ code: DiagnosticCode, _ message: String, at node: YAMLNode, hint: String? = nil) {
    report(.warning, code, message, line: node.start.line, column: node.start.column, hint: hint)
  }

  mutating func report(
    _ severity: Diagnostic.Severity, _ code: DiagnosticCode, _ message: String, line: Int, column: Int,
    hint: String? = nil
  ) {
    diagnostics.append(Diagnostic(severity, code: code, message: message, file: file, line: line, column: column, hint: hint))
  }

  mutating func report(_ severity: Diagnostic.Severity, _ code: DiagnosticCode, _ message: String, at location: RuleLocation, hint: String? = nil) {
    report(severity, code, message, line: location.line, column: location.column, hint: hint)
  }

  func location(_ node: YAMLNode) -> RuleLocation {
    RuleLocation(file: file, line: node.start.line, column: node.start.column)
  }

  // MARK: Shapes

  /// Reads a mapping whose keys must be among `allowed` (keys starting `x-` are ignored).
  /// Reports unknown keys with a "did you mean" hint and missing `required` keys.
  mutating func mapping(
    _ node: YAMLNode, _ what: String, allowed: [String], required: [String] = [], hints: [String: String] = [:]
  ) -> Fields? {
    guard let entries = node.mapping else {
      error(.wrongShape, "\(what) must be a mapping of keys to values, not \(describe(node))", at: node)
      return nil
    }
    var fields = Fields(node: node)
    for entry in entries {
      guard let key = entry.key.scalar?.text else { continue }
      if key.hasPrefix("x-") { continue }
      if allowed.contains(key) {
        fields.values[key] = entry.value
        fields.keys[key] = entry.key
        fields.order.append(key)
      } else {
        var hint: String? = nil
        fields.unknownKeys.append(key)
        if let close = Suggest.closest(to: key, among: allowed) {
          hint = "did you mean '\(close)'?"
          fields.misspelt.insert(close)
        } else {
          hint = "allowed here: \(allowed.joined(separator: ", ")); keys starting with x- are ignored"
        }
        error(.unknownKey, "unknown key '\(key)' in \(what)", at: entry.key, hint: hint)
      }
    }
    // A required key written with a typo is reported once, as the unknown key.
    for key in required where fields.values[key] == nil && !fields.misspelt.contains(key) {
      error(.missingKey, "\(what) needs '\(key)'", at: node, hint: hints[key] ?? Self.missingKeyHints[key])
    }
    return fields
  }

  /// What to write for a missing required key.
  static let missingKeyHints: [String: String] = [
    "id": "add an id: ASCII letters, digits and _, e.g. id: city_units_2023 (names in Chinese go in name:)",
    "facts": "name the fact type it reads, e.g. facts: award",
    "points": "e.g. points: 5, points: 2 * fact.days, or points: { by: fact.level, table: { national: 20 } }",
    "value": "e.g. value: facts.task.size()",
    "from": "from is the first day of the period, e.g. from: 2023-01-01",
    "to": "to is the last day of the period, e.g. to: 2023-03-31",
    "type": "e.g. { type: int } or { type: enum, values: [a, b] }",
    "by": "the expression whose value picks the row, e.g. by: fact.level",
    "table": "the points for each value of by, e.g. table: { national: 20, provincial: 10 }",
    "weights": "e.g. annual: { weights: { Q1: 25%, Q2: 25%, Q3: 25%, Q4: 25% } }",
  ]

  /// Where the keys of `fields` and their values were written (see ``SourcePlaces``).
  func places(_ fields: Fields) -> SourcePlaces {
    var places = SourcePlaces()
    for key in fields.order {
      guard let value = fields.values[key] else { continue }
      places.entries[key] = location(value)
      if let keyNode = fields.keys[key] { places.entries[key + ":"] = location(keyNode) }
      switch value.kind {
      case .sequence(let items):
        for (index, item) in items.enumerated() { places.entries["\(key).\(index)"] = location(item) }
      case .mapping(let entries):
        for entry in entries {
          if let name = entry.key.scalar?.text { places.entries["\(key).\(name)"] = location(entry.key) }
        }
      case .scalar:
        break
      }
    }
    return places
  }

  /// Reads a list.
  mutating func list(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
    guard let items = node.sequence else {
      error(.wrongShape, "\(what) must be a list, not \(describe(node))", at: node,
            hint: node.mapping != nil ? "start each item with '- ', e.g. - id: awards" : "e.g. [a, b], or one '- ' line per item")
      return nil
    }
    return items
  }

  /// A list, or a single scalar taken as a list of one.
  mutating func listOrScalar(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
    if node.scalar != nil { return [node] }
    return list(node, what)
  }

  func describe(_ node: YAMLNode) -> String {
    switch node.kind {
    case .scalar(let scalar): isNull(node) ? "nothing" : "the text '\(scalar.text)'"
    case .sequence: "a list"
    case .mapping: "a mapping"
    }
  }

  // MARK: Scalars

  func isNull(_ node: YAMLNode) -> Bool {
    guard let scalar = node.scalar, node.tag != .str else { return false }
    if node.tag == .null { return true }
    return scalar.isPlain && (scalar.text.isEmpty || scalar.text == "null" || scalar.text == "~")
  }

  /// Text: any scalar that is not null (numbers and booleans written plain are text too,
  /// as written).
  mutating func text(_ node: YAMLNode, _ what: String) -> String? {
    guard let scalar = node.scalar else {
      error(.wrongShape, "\(what) must be text, not \(describe(node))", at: node)
      return nil
    }
    if isNull(node) {
      error(.wrongScalar, "\(what) must not be empty", at: node)
      return nil
    }
    return scalar.text
  }

  /// Whether a plain scalar is a number by §0's pattern.
  static func isNumber(_ text: String) -> Bool {
    var scalars = Array(text.utf8)[...]
    if let first = scalars.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { scalars = scalars.dropFirst() }
    func digits() -> Int {
      var count = 0
      while let c = scalars.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
        scalars = scalars.dropFirst()
        count += 1
      }
      return count
    }
    guard let lead = scalars.first else { return false }
    let integerDigits = digits()
    if integerDigits == 0 || (lead == UInt8(ascii: "0") && integerDigits > 1) { return false }
    if scalars.first == UInt8(ascii: ".") {
      scalars = scalars.dropFirst()
      if digits() == 0 { return false }
    }
    if let e = scalars.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      scalars = scalars.dropFirst()
      if let sign = scalars.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { scalars = scalars.dropFirst() }
      if digits() == 0 { return false }
    }
    return scalars.isEmpty
  }

  /// A number written plain (or tagged `!!int`/`!!float`).
  mutating func decimal(_ node: YAMLNode, _ what: String) -> ExactDecimal? {
    guard let scalar = node.scalar else {
      error(.wrongShape, "\(what) must be a number, not \(describe(node))", at: node)
      return nil
    }
    let numericTag = node.tag == .int || node.tag == .float
    if (scalar.isPlain || numericTag), node.tag != .str, Self.isNumber(scalar.text),
      let value = ExactDecimal(parsing: scalar.text)
    {
      return value
    }
    if isNull(node) {
      error(.wrongScalar, "\(what) must be a number, but it is empty", at: node, hint: "write a number, e.g. 10")
      return nil
    }
    let text = scalar.text
    if scalar.isPlain, text.hasSuffix("%"), Self.isNumber(String(text.dropLast())) {
      error(.wrongScalar, "\(what) must be a plain number; a percentage is not allowed here", at: node,
            hint: "percentages are for weight, the min of a tier, quota, annual weights and bottom; write \(text.dropLast()) if you mean \(text.dropLast()) points")
      return nil
    }
    let hint: String
    if !scalar.isPlain, Self.isNumber(text) { hint = "remove the quotes: a quoted number is text" }
    else if text.hasPrefix("."), Self.isNumber("0" + text) { hint = "write 0\(text)" }
    else if text.hasPrefix("-."), Self.isNumber("-0" + text.dropFirst()) { hint = "write -0\(text.dropFirst())" }
    else if text.hasPrefix("0"), text.count > 1, Self.isNumber(String(text.drop { $0 == "0" })) {
      hint = "write the number without leading zeros: \(text.drop { $0 == "0" })"
    }
    else if text.contains(",") || text.contains("，") { hint = "write the number without thousands separators, e.g. 1000" }
    else { hint = "write it in digits, e.g. 10 or 2.5" }
    error(.wrongScalar, "\(what) must be a number, but '\(text)' is text", at: node, hint: hint)
    return nil
  }

  /// An integer number.
  mutating func integer(_ node: YAMLNode, _ what: String) -> Int? {
    guard let value = decimal(node, what) else { return nil }
    guard value.isInteger, let int = try? value.int64Value(), let result = Int(exactly: int) else {
      error(.wrongScalar, "\(what) must be a whole number, not \(value)", at: node,
            hint: value.isInteger ? "the number is too large" : "e.g. \(value.rounded(.down))")
      return nil
    }
    return result
  }

  /// A fraction or a percentage (`0.25` or `25%`), returned as a fraction.
  mutating func fraction(_ node: YAMLNode, _ what: String) -> (value: ExactDecimal, percent: Bool)? {
    if let scalar = node.scalar, scalar.isPlain, node.tag != .str, scalar.text.hasSuffix("%") {
      let number = String(scalar.text.dropLast())
      guard Self.isNumber(number), let value = ExactDecimal(parsing: number),
        let fraction = try? value.divided(by: ExactDecimal(100))
      else {
        error(.wrongScalar, "\(what) must be a number or a percentage, but '\(scalar.text)' is text", at: node,
              hint: "e.g. 0.25 or 25%")
        return nil
      }
      return (fraction, true)
    }
    if let scalar = node.scalar, !isNull(node),
      !((scalar.isPlain || node.tag == .int || node.tag == .float) && node.tag != .str && Self.isNumber(scalar.text))
    {
      let quoted = !scalar.isPlain && (Self.isNumber(scalar.text) || scalar.text.hasSuffix("%"))
      error(.wrongScalar, "\(what) must be a number or a percentage, but '\(scalar.text)' is text", at: node,
            hint: quoted ? "remove the quotes: a quoted number is text" : "e.g. 0.25 or 25%")
      return nil
    }
    guard let value = decimal(node, what) else { return nil }
    return (value, false)
  }

  /// `true` or `false`, written plain.
  mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
    if let scalar = node.scalar, scalar.isPlain || node.tag == .bool, node.tag != .str {
      if scalar.text == "true" { return true }
      if scalar.text == "false" { return false }
    }
    let shown = node.scalar.map { "'\($0.text)'" } ?? describe(node)
    error(.wrongScalar, "\(what) must be true or false, not \(shown)", at: node,
          hint: "only true and false are booleans (yes, no, on and off are text)")
    return nil
  }

  /// A `YYYY-MM-DD` date.
  mutating func date(_ node: YAMLNode, _ what: String) -> CELDate? {
    guard let text = text(node, what) else { return nil }
    guard let date = CELDate(parsing: text) else {
      error(.invalidDate, "\(what) must be a date written YYYY-MM-DD, and '\(text)' is not one", at: node,
            hint: Self.dateHint(text))
      return nil
    }
    return date
  }

  /// A hint for text that is not a real date: the length of the month when only the day
  /// is out of range, the format otherwise.
  static func dateHint(_ text: String) -> String {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month), day > 28
    {
      var length = 28
      for candidate in (29...31).reversed() {
        if CELDate(parsing: "\(parts[0])-\(parts[1])-\(candidate)") != nil { length = candidate; break }
      }
      return "\(year)-\(parts[1]) has \(length) days"
    }
    return "write the year, month and day with a dash, e.g. 2023-03-31"
  }

  /// A date or an inclusive range `a..b`.
  mutating func dateRange(_ node: YAMLNode, _ what: String) -> ClosedRange<CELDate>? {
    guard let text = text(node, what) else { return nil }
    let parts = text.split(separator: "..", omittingEmptySubsequences: false)
    if parts.count == 1 {
      guard let day = CELDate(parsing: text) else {
        error(.invalidDate, "\(what) must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, not '\(text)'", at: node,
              hint: Self.dateHint(text))
        return nil
      }
      return day...day
    }
    guard parts.count == 2, let a = CELDate(parsing: parts[0]), let b = CELDate(parsing: parts[1]) else {
      let bad = parts.count == 2 ? parts.first { CELDate(parsing: $0) == nil }.map(String.init) : nil
      error(.invalidDate, "\(what) must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, not '\(text)'", at: node,
            hint: bad.map { Self.dateHint($0) } ?? "a range is written 2023-01-23..2023-01-27")
      return nil
    }
    guard a <= b else {
      error(.reversedRange, "the range \(text) ends before it starts", at: node, hint: "write \(parts[1])..\(parts[0])")
      return nil
    }
    return a...b
  }

  /// One of `choices`.
  mutating func choice<T: RawRepresentable>(
    _ node: YAMLNode, _ what: String, _ type: T.Type, choices: [T], explain: String? = nil
  ) -> T? where T.RawValue == String {
    guard let text = text(node, what) else { return nil }
    if let value = T(rawValue: text), choices.contains(where: { $0.rawValue == text }) { return value }
    let names = choices.map(\.rawValue)
    let lower = text.lowercased()
    var hint = explain
    if let close = Suggest.closest(to: text, among: names)
      ?? names.first(where: { lower.hasPrefix($0) || ($0.hasPrefix(lower) && lower.count >= 3) })
    {
      hint = "did you mean '\(close)'?"
    }
    error(.invalidChoice, "\(what) must be one of \(names.joined(separator: ", ")), not '\(text)'", at: node, hint: hint)
    return nil
  }

  /// The id of something declared: reports an invalid id like ``identifier(_:_:)`` but
  /// returns its text anyway, so that references to it are not reported again.
  mutating func declaredID(_ node: YAMLNode, _ what: String) -> String? {
    guard let text = text(node, what) else { return nil }
    _ = checkIdentifier(text, node, what)
    return text
  }

  /// An id: `[A-Za-z_][A-Za-z0-9_]*`, not a CEL reserved word.
  mutating func identifier(_ node: YAMLNode, _ what: String) -> String? {
    guard let text = text(node, what) else { return nil }
    return checkIdentifier(text, node, what) ? text : nil
  }

  /// Whether `text` is a valid id; reports it when not.
  private mutating func checkIdentifier(_ text: String, _ node: YAMLNode, _ what: String) -> Bool {
    guard Self.isIdentifier(text) else {
      let hint: String
      if let first = text.unicodeScalars.first, ("0"..."9").contains(first) {
        hint = "an id starts with a letter or _, e.g. '_\(text)'; it holds only ASCII letters, digits and _"
      } else if text.unicodeScalars.allSatisfy({ $0.isASCII }) {
        let fixed = String(String.UnicodeScalarView(text.unicodeScalars.map { Self.isIDScalar($0) ? $0 : "_" }))
        hint = "an id holds only ASCII letters, digits and _, e.g. '\(fixed)'"
      } else {
        hint = "an id holds only ASCII letters, digits and _; names in Chinese go in name:"
      }
      error(.invalidID, "\(what) '\(text)' is not a valid id", at: node, hint: hint)
      return false
    }
    if Self.reservedWords.contains(text) {
      error(.invalidID, "\(what) '\(text)' is a reserved word of the expression language", at: node,
            hint: "choose another id, e.g. '\(text)_'")
      return false
    }
    return true
  }

  static func isIDScalar(_ scalar: Unicode.Scalar) -> Bool {
    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
  }

  static func isIdentifier(_ text: String) -> Bool {
    guard let first = text.utf8.first else { return false }
    func isLetter(_ c: UInt8) -> Bool {
      (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || c == UInt8(ascii: "_")
    }
    guard isLetter(first) else { return false }
    return text.utf8.allSatisfy { isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
  }

  static let reservedWords: Set<String> = [
    "as", "break", "const", "continue", "else", "false", "for", "function", "if", "import", "in", "let",
    "loop", "package", "namespace", "null", "return", "true", "var", "void", "while",
  ]

  /// An expression: a scalar (numbers written plain are expressions too).
  mutating func expression(_ node: YAMLNode, _ what: String) -> RuleExpression? {
    guard let source = text(node, what) else { return nil }
    return RuleExpression(
      source: source, location: location(node),
      positions: ScalarPositions(node: node, fileScalars: fileScalars), compiled: nil)
  }
}

/// The keys of one mapping, read by ``NodeReader/mapping(_:_:allowed:required:)``.
struct Fields {
  let node: YAMLNode
  var values: [String: YAMLNode] = [:]
  var keys: [String: YAMLNode] = [:]
  /// Keys in file order.
  var order: [String] = []
  /// Keys that are not allowed (already reported), and the allowed keys they look like.
  var unknownKeys: [String] = []
  var misspelt: Set<String> = []

  subscript(key: String) -> YAMLNode? { values[key] }
}
