// Static types of CEL expressions, as the checker infers them.

/// The static type of an expression or variable, printed with CEL's names
/// (`int`, `list(string)`, `map(string, int)`, `null_type`).
public indirect enum ExprType: Sendable, Hashable, CustomStringConvertible {
  case int
  case uint
  /// A number with a fraction: an IEEE double in the CEL profile, an exact
  /// decimal in the rule profile.
  case double
  case bool
  case string
  case bytes
  /// The type of `null`.
  case null
  /// A calendar day (Kaoping addition).
  case date
  case list(ExprType)
  case map(ExprType, ExprType)
  /// The type of type values (`int`, `type(x)`).
  case type
  /// Any value; checked at run time.
  case dyn
  /// A record with named fields (a fact, a subject).
  case object(ObjectType)
  /// A type parameter of an overload, or a type the checker has not inferred yet.
  case typeParam(String)
  /// The type of an expression that failed to check (suppresses follow-on errors).
  case error

  public var description: String {
    switch self {
    case .int: return "int"
    case .uint: return "uint"
    case .double: return "double"
    case .bool: return "bool"
    case .string: return "string"
    case .bytes: return "bytes"
    case .null: return "null_type"
    case .date: return "date"
    case .list(let e): return "list(\(e))"
    case .map(let k, let v): return "map(\(k), \(v))"
    case .type: return "type"
    case .dyn: return "dyn"
    case .object(let o): return o.name
    case .typeParam(let name): return name
    case .error: return "*error*"
    }
  }

  /// The name `type()` gives at run time: lists and maps without parameters.
  var runtimeName: String {
    switch self {
    case .list: return "list"
    case .map: return "map"
    default: return description
    }
  }

  /// The type a type name denotes as an identifier (`int`, `list`, `null_type`).
  static func denoted(by name: String) -> ExprType? {
    switch name {
    case "int": return .int
    case "uint": return .uint
    case "double": return .double
    case "bool": return .bool
    case "string": return .string
    case "bytes": return .bytes
    case "null_type": return .null
    case "date": return .date
    case "list": return .list(.dyn)
    case "map": return .map(.dyn, .dyn)
    case "type": return .type
    default: return nil
    }
  }

  static let typeNames = [
    "int", "uint", "double", "bool", "string", "bytes", "null_type", "date", "list", "map", "type",
  ]

  var isNumeric: Bool {
    switch self {
    case .int, .uint, .double: return true
    default: return false
    }
  }

  /// Whether the type may hold any value (`dyn`, an unbound parameter, an error).
  var isOpen: Bool {
    switch self {
    case .dyn, .typeParam, .error: return true
    default: return false
    }
  }
}

/// A named record type with ordered fields: a fact type, the subject, or
/// another object the caller declares. Field access compiles to the field's
/// position, so records carry no names.
public struct ObjectType: Sendable, Hashable, CustomStringConvertible {
  /// One field of an object type.
  public struct Field: Sendable, Hashable {
    public var name: String
    /// The field's type; `null` is also possible when the field is optional.
    public var type: ExprType
    /// An optional field has type `type` but may be `null` at run time.
    public var optional: Bool

    /// A field (`optional` ones may be `null`).
    public init(name: String, type: ExprType, optional: Bool = false) {
      self.name = name
      self.type = type
      self.optional = optional
    }
  }

  private final class Storage: Sendable {
    let name: String
    let kind: String
    let fields: [Field]
    init(name: String, kind: String, fields: [Field]) {
      self.name = name
      self.kind = kind
      self.fields = fields
    }
  }

  private let storage: Storage

  /// - Parameters:
  ///   - name: the type's name (`delay`).
  ///   - kind: how messages name such a type (`fact type` gives "unknown field
  ///     'dayz' of fact type delay").
  ///   - fields: the fields, in slot order.
  public init(name: String, kind: String = "type", fields: [Field]) {
    storage = Storage(name: name, kind: kind, fields: fields)
  }

  /// The type's name (`delay`).
  public var name: String { storage.name }
  /// How messages call such a type (`fact type`).
  public var kind: String { storage.kind }
  /// The fields, in slot order.
  public var fields: [Field] { storage.fields }

  /// The slot of the field with this name.
  public func fieldIndex(of name: String) -> Int? {
    storage.fields.firstIndex { $0.name == name }
  }

  public var description: String { "\(kind) \(name)" }

  /// Whether both are the same declaration (not just equal): records of the
  /// declared type read fields by position without checking names.
  func isIdentical(to other: ObjectType) -> Bool { storage === other.storage }

  public static func == (a: ObjectType, b: ObjectType) -> Bool {
    a.storage === b.storage
      || (a.storage.name == b.storage.name && a.storage.kind == b.storage.kind
        && a.storage.fields == b.storage.fields)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(storage.name)
    hasher.combine(storage.fields.count)
  }
}
