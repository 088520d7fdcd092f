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
    _ node: YAMLNode, _ what: String, allowed: [String], required: [String] = []
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
        if let close = Suggest.closest(to: key, among: allowed) { hint = "did you mean '\(close)'?" }
        else { hint = "allowed here: \(allowed.joined(separator: ", ")); keys starting with x- are ignored" }
        error(.unknownKey, "unknown key '\(key)' in \(what)", at: entry.key, hint: hint)
      }
    }
    for key in required where fields.values[key] == nil {
      error(.missingKey, "\(what) needs '\(key)'", at: node)
    }
    return fields
  }

  /// Reads a list.
  mutating func list(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
    guard let items = node.sequence else {
      error(.wrongShape, "\(what) must be a list, not \(describe(node))", at: node)
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
    var hint: String? = nil
    if !scalar.isPlain, Self.isNumber(scalar.text) { hint = "remove the quotes: a quoted number is text" }
    else if scalar.text.hasPrefix(".") { hint = "write 0\(scalar.text)" }
    else if scalar.text.hasSuffix("%") { hint = "a percentage is not allowed here; write a plain number" }
    else if scalar.text.hasPrefix("0"), scalar.text.count > 1 { hint = "write the number without leading zeros" }
    error(.wrongScalar, "\(what) must be a number, but '\(scalar.text)' is text", at: node, hint: hint)
    return nil
  }

  /// An integer number.
  mutating func integer(_ node: YAMLNode, _ what: String) -> Int? {
    guard let value = decimal(node, what) else { return nil }
    guard value.isInteger, let int = try? value.int64Value(), let result = Int(exactly: int) else {
      error(.wrongScalar, "\(what) must be a whole number, not \(value)", at: node)
      return nil
    }
    return result
  }

  /// A fraction or a percentage (`0.25` or `25%`), returned as a fraction.
  mutating func fraction(_ node: YAMLNode, _ what: String) -> (value: ExactDecimal, percent: Bool)? {
    if let scalar = node.scalar, scalar.isPlain, scalar.text.hasSuffix("%") {
      let number = String(scalar.text.dropLast())
      guard Self.isNumber(number), let value = ExactDecimal(parsing: number),
        let fraction = try? value.divided(by: ExactDecimal(100))
      else {
        error(.wrongScalar, "\(what) must be a number or a percentage, but '\(scalar.text)' is text", at: node)
        return nil
      }
      return (fraction, true)
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
            hint: "for example 2023-03-31")
      return nil
    }
    return date
  }

  /// A date or an inclusive range `a..b`.
  mutating func dateRange(_ node: YAMLNode, _ what: String) -> ClosedRange<CELDate>? {
    guard let text = text(node, what) else { return nil }
    let parts = text.split(separator: "..", omittingEmptySubsequences: false)
    if parts.count == 1 {
      guard let day = CELDate(parsing: text) else {
        error(.invalidDate, "\(what) must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, not '\(text)'", at: node)
        return nil
      }
      return day...day
    }
    guard parts.count == 2, let a = CELDate(parsing: parts[0]), let b = CELDate(parsing: parts[1]) else {
      error(.invalidDate, "\(what) must be a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD, not '\(text)'", at: node)
      return nil
    }
    guard a <= b else {
      error(.reversedRange, "the range \(text) ends before it starts", at: node, hint: "write \(parts[1])..\(parts[0])")
      return nil
    }
    return a...b
  }

  /// One of `choices`.
  mutating func choice<T: RawRepresentable>(_ node: YAMLNode, _ what: String, _ type: T.Type, choices: [T]) -> T?
  where T.RawValue == String {
    guard let text = text(node, what) else { return nil }
    if let value = T(rawValue: text), choices.contains(where: { $0.rawValue == text }) { return value }
    let names = choices.map(\.rawValue)
    var hint = "one of: \(names.joined(separator: ", "))"
    if let close = Suggest.closest(to: text, among: names) { hint = "did you mean '\(close)'?" }
    error(.invalidChoice, "\(what) must be one of \(names.joined(separator: ", ")), not '\(text)'", at: node, hint: hint)
    return nil
  }

  /// An id: `[A-Za-z_][A-Za-z0-9_]*`, not a CEL reserved word.
  mutating func identifier(_ node: YAMLNode, _ what: String) -> String? {
    guard let text = text(node, what) else { return nil }
    guard Self.isIdentifier(text) else {
      error(.invalidID, "\(what) '\(text)' is not a valid id", at: node,
            hint: "an id starts with a letter or _ and holds only ASCII letters, digits and _ (names in Chinese go in name:)")
      return nil
    }
    if Self.reservedWords.contains(text) {
      error(.invalidID, "\(what) '\(text)' is a reserved word of the expression language", at: node,
            hint: "choose another id, e.g. '\(text)_'")
      return nil
    }
    return text
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

  subscript(key: String) -> YAMLNode? { values[key] }
}
