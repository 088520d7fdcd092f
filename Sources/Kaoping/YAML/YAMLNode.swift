/// A position in a source file. `line` and `column` are 1-based, `column` and `offset`
/// count Unicode scalars (as libyaml's marks do).
struct SourceMark: Sendable, Hashable, Comparable {
  var line: Int
  var column: Int
  /// Unicode scalars from the start of the file (after a byte order mark).
  var offset: Int

  static func < (lhs: SourceMark, rhs: SourceMark) -> Bool { lhs.offset < rhs.offset }
}

/// A YAML node with its position. Nothing is typed here: a scalar is text plus how it was
/// written, so that the rule decoder can tell `no` from `"no"`.
struct YAMLNode: Sendable {
  enum Kind: Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode])
    case mapping([YAMLEntry])
  }

  var kind: Kind
  /// Where the node starts (for an alias, where the anchored node starts).
  var start: SourceMark
  /// Where the node ends.
  var end: SourceMark
  /// A core tag written on the node (`!!str` …), if any.
  var tag: YAMLCoreTag?
  /// How many nodes this node stands for, aliases expanded.
  var weight: Int

  var scalar: YAMLScalar? {
    if case .scalar(let scalar) = kind { return scalar }
    return nil
  }

  var sequence: [YAMLNode]? {
    if case .sequence(let items) = kind { return items }
    return nil
  }

  var mapping: [YAMLEntry]? {
    if case .mapping(let entries) = kind { return entries }
    return nil
  }

  /// The value of key `key` in a mapping node.
  subscript(key: String) -> YAMLNode? {
    mapping?.first { $0.key.scalar?.text == key }?.value
  }
}

/// One key and its value in a mapping.
struct YAMLEntry: Sendable {
  var key: YAMLNode
  var value: YAMLNode
  /// Whether the entry came from a `<<` merge rather than being written in the mapping.
  var merged: Bool = false
}

/// The text of a scalar and how it was written.
struct YAMLScalar: Sendable, Hashable {
  enum Style: Sendable, Hashable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded
  }

  var text: String
  var style: Style

  /// Plain scalars are the only ones that may be read as null, bool or number.
  var isPlain: Bool { style == .plain }
}

/// The core YAML tags a rule file may write.
enum YAMLCoreTag: String, Sendable, Hashable, CaseIterable {
  case str = "tag:yaml.org,2002:str"
  case int = "tag:yaml.org,2002:int"
  case float = "tag:yaml.org,2002:float"
  case bool = "tag:yaml.org,2002:bool"
  case null = "tag:yaml.org,2002:null"

  var shorthand: String { "!!" + rawValue.dropFirst("tag:yaml.org,2002:".count) }
}

/// A loaded YAML file: its root node (nil for a file without a document) and its text.
struct YAMLDocument: Sendable {
  var file: String
  var root: YAMLNode?
  /// The file's text (after the byte order mark, if any).
  var text: String
}
