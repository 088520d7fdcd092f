// Run-time values of CEL expressions.

/// A CEL value at run time: the input given to an expression through an
/// `Activation`, and its result.
///
/// Errors are values too (`.error`): evaluation never throws and never traps.
/// In the rule profile numbers with a fraction are `.decimal`; in the CEL
/// profile they are `.double`. `type()` names both `double`.
public enum Value: Sendable {
  case null
  case bool(Bool)
  case int(Int64)
  case uint(UInt64)
  case double(Double)
  /// An exact decimal (rule profile), boxed to keep values small.
  indirect case decimal(ExactDecimal)
  case string(String)
  case bytes([UInt8])
  case date(CELDate)
  case list([Value])
  case map(MapValue)
  /// A type as a value, e.g. the result of `type(1)` (`int`). Lists and maps
  /// are named without parameters at run time: `list(dyn)`, `map(dyn, dyn)`.
  case type(ExprType)
  /// A record: a fact, a subject, or another object the caller passes in.
  case object(RecordValue)
  case error(EvalError)
}

/// An evaluation error: a value, not a thrown error, so that `&&`, `||` and the
/// macros can absorb it as CEL requires.
public struct EvalError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What went wrong, in a short English sentence (`division by zero`).
  public var message: String

  /// An error with this message.
  public init(_ message: String) {
    self.message = message
  }

  public var description: String { message }
}

/// A record of an `ObjectType`: its field values by slot, in the order of the
/// type's fields. Facts and subjects reach expressions as records; a record
/// holds no dictionary, so building one per fact is cheap.
public final class RecordValue: Sendable {
  /// The type whose fields `fields` holds.
  public let type: ObjectType
  /// One value per field of `type`, in order; `.null` for an absent optional
  /// field.
  public let fields: [Value]

  /// A record of `type`. Build records with the `ObjectType` value the
  /// environment declared (the same instance): fields are then read by position.
  public init(type: ObjectType, fields: [Value]) {
    self.type = type
    self.fields = fields
  }

  /// The value of the field with this name, or `nil` when the type has no
  /// such field.
  public subscript(field name: String) -> Value? {
    guard let slot = type.fieldIndex(of: name), slot < fields.count else { return nil }
    return fields[slot]
  }
}

extension Value {
  /// An error value with this message.
  static func fail(_ message: String) -> Value { .error(EvalError(message)) }

  /// The coarse run-time type of the value, as `type()` returns it.
  var runtimeType: ExprType {
    switch self {
    case .null: return .null
    case .bool: return .bool
    case .int: return .int
    case .uint: return .uint
    case .double, .decimal: return .double
    case .string: return .string
    case .bytes: return .bytes
    case .date: return .date
    case .list: return .list(.dyn)
    case .map: return .map(.dyn, .dyn)
    case .type: return .type
    case .object(let record): return .object(record.type)
    case .error: return .dyn
    }
  }

  /// The CEL name of the value's run-time type (`int`, `list`, `null_type`).
  var typeName: String { runtimeType.runtimeName }

  var isError: Bool {
    if case .error = self { return true }
    return false
  }
}
