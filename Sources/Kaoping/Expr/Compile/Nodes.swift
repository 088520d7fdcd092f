// The evaluable form of a compiled expression: a tree of immutable nodes with
// variables and fields resolved to slots. Evaluation threads one context
// (variable values, comprehension locals, the iteration budget) through the tree.

/// The mutable state of one evaluation.
struct EvalContext {
  /// Variable values by slot (from the `Activation`).
  let variables: [Value]
  /// Comprehension variables by local slot.
  var locals: [Value]
  /// Comprehension iterations left; evaluation fails when it runs out.
  var budget: Int
  /// The budget evaluation started with (for the message).
  let limit: Int

  init(variables: [Value], locals: [Value], budget: Int) {
    self.variables = variables
    self.locals = locals
    self.budget = budget
    self.limit = budget
  }
}

/// A node of the evaluable tree. Subclasses are immutable.
class Node: @unchecked Sendable {
  func eval(_ c: inout EvalContext) -> Value { .null }

  /// The value when the node is a constant.
  var constantValue: Value? { nil }
}

final class ConstNode: Node, @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
  override func eval(_ c: inout EvalContext) -> Value { value }
  override var constantValue: Value? { value }
}

final class GlobalNode: Node, @unchecked Sendable {
  let slot: Int
  let name: String
  init(slot: Int, name: String) {
    self.slot = slot
    self.name = name
  }
  override func eval(_ c: inout EvalContext) -> Value {
    slot < c.variables.count ? c.variables[slot] : .fail("no value given for variable '\(name)'")
  }
}

final class LocalNode: Node, @unchecked Sendable {
  let slot: Int
  init(slot: Int) { self.slot = slot }
  override func eval(_ c: inout EvalContext) -> Value { c.locals[slot] }
}

/// Reads a field of a record: by position when the record is of the declared
/// type, by name otherwise (a record of an equal type built separately).
@inline(__always)
func readField(_ v: Value, slot: Int, name: String, expected: ObjectType) -> Value {
  if case .object(let record) = v {
    if record.type.isIdentical(to: expected) && slot < record.fields.count { return record.fields[slot] }
    return record[field: name] ?? .fail("no such field '\(name)' in \(record.type.name)")
  }
  return dynamicSelect(v, name)
}

/// `x.f` on a value whose kind is known only at run time.
func dynamicSelect(_ v: Value, _ name: String) -> Value {
  switch v {
  case .map(let m):
    return m[string: name] ?? .fail("no such key: \(quoteCEL(name))")
  case .object(let record):
    return record[field: name] ?? .fail("no such field '\(name)' in \(record.type.name)")
  case .error:
    return v
  case .null:
    return .fail("cannot select '\(name)' from null")
  default:
    return .fail("type '\(v.typeName)' does not support field selection")
  }
}

/// `has(x.f)` on a value whose kind is known only at run time.
func dynamicHas(_ v: Value, _ name: String) -> Value {
  switch v {
  case .map(let m): return .bool(m[string: name] != nil)
  case .object(let record):
    guard let field = record[field: name] else { return .fail("no such field '\(name)' in \(record.type.name)") }
    if case .null = field { return .bool(false) }
    return .bool(true)
  case .error: return v
  default: return .fail("type '\(v.typeName)' does not support field selection")
  }
}

final class FieldNode: Node, @unchecked Sendable {
  let operand: Node
  let slot: Int
  let name: String
  let expected: ObjectType
  init(operand: Node, slot: Int, name: String, expected: ObjectType) {
    self.operand = operand
    self.slot = slot
    self.name = name
    self.expected = expected
  }
  override func eval(_ c: inout EvalContext) -> Value {
    readField(operand.eval(&c), slot: slot, name: name, expected: expected)
  }
}

/// A field of a variable: `fact.days`, without materializing the variable.
final class GlobalFieldNode: Node, @unchecked Sendable {
  let variable: Int
  let slot: Int
  let name: String
  let expected: ObjectType
  init(variable: Int, slot: Int, name: String, expected: ObjectType) {
    self.variable = variable
    self.slot = slot
    self.name = name
    self.expected = expected
  }
  override func eval(_ c: inout EvalContext) -> Value {
    guard variable < c.variables.count else { return .fail("no value given for a variable") }
    return readField(c.variables[variable], slot: slot, name: name, expected: expected)
  }
}

final class HasFieldNode: Node, @unchecked Sendable {
  let operand: Node
  let slot: Int
  let name: String
  let expected: ObjectType
  init(operand: Node, slot: Int, name: String, expected: ObjectType) {
    self.operand = operand
    self.slot = slot
    self.name = name
    self.expected = expected
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let v = operand.eval(&c)
    if case .object = v {
      let field = readField(v, slot: slot, name: name, expected: expected)
      switch field {
      case .error: return field
      case .null: return .bool(false)
      default: return .bool(true)
      }
    }
    return dynamicHas(v, name)
  }
}

final class SelectNode: Node, @unchecked Sendable {
  let operand: Node
  let name: String
  let testOnly: Bool
  init(operand: Node, name: String, testOnly: Bool) {
    self.operand = operand
    self.name = name
    self.testOnly = testOnly
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let v = operand.eval(&c)
    return testOnly ? dynamicHas(v, name) : dynamicSelect(v, name)
  }
}

final class UnaryNode: Node, @unchecked Sendable {
  let operand: Node
  let function: @Sendable (Value) -> Value
  init(_ operand: Node, _ function: @escaping @Sendable (Value) -> Value) {
    self.operand = operand
    self.function = function
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let v = operand.eval(&c)
    if case .error = v { return v }
    return function(v)
  }
}

final class BinaryNode: Node, @unchecked Sendable {
  let lhs: Node
  let rhs: Node
  let function: @Sendable (Value, Value) -> Value
  init(_ lhs: Node, _ rhs: Node, _ function: @escaping @Sendable (Value, Value) -> Value) {
    self.lhs = lhs
    self.rhs = rhs
    self.function = function
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let a = lhs.eval(&c)
    if case .error = a { return a }
    let b = rhs.eval(&c)
    if case .error = b { return b }
    return function(a, b)
  }
}

/// `==` with a constant side, the common case in conditions.
final class EqualsConstNode: Node, @unchecked Sendable {
  let operand: Node
  let constant: Value
  let negated: Bool
  init(_ operand: Node, _ constant: Value, negated: Bool) {
    self.operand = operand
    self.constant = constant
    self.negated = negated
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let v = operand.eval(&c)
    switch v {
    case .string(let x):
      if case .string(let y) = constant { return .bool(scalarsEqual(x, y) != negated) }
    case .int(let x):
      if case .int(let y) = constant { return .bool((x == y) != negated) }
    case .error:
      return v
    default:
      break
    }
    return .bool(Ops.equal(v, constant) != negated)
  }
}

/// `{"national": 20, "provincial": 10}[fact.level]`: a lookup in a small constant map
/// whose keys are all strings, by comparing the key's bytes with each key in turn
/// (no hashing per evaluation). Anything else (a key that is not a string, or one not
/// in the map) takes the general path, which gives the same value or error.
final class IndexConstStringMapNode: Node, @unchecked Sendable {
  /// Maps with more keys take the general (hashed) path.
  static let maximumKeys = 16

  let key: Node
  let map: Value
  let keys: [String]
  let values: [Value]

  init?(map: MapValue, key: Node) {
    guard map.count <= Self.maximumKeys else { return nil }
    var keys: [String] = []
    for candidate in map.keys {
      guard case .string(let text) = candidate else { return nil }
      keys.append(text)
    }
    self.key = key
    self.map = .map(map)
    self.keys = keys
    values = map.values
  }

  override func eval(_ c: inout EvalContext) -> Value {
    let v = key.eval(&c)
    if case .string(let text) = v {
      for index in keys.indices where scalarsEqual(keys[index], text) { return values[index] }
    }
    return Ops.index(map, v)
  }
}

/// `<`, `<=`, `>`, `>=` with a constant int on the right: `fact.days > 3`.
final class CompareIntConstNode: Node, @unchecked Sendable {
  enum Relation { case less, lessOrEqual, greater, greaterOrEqual }
  let operand: Node
  let constant: Int64
  let relation: Relation
  let general: @Sendable (Value, Value) -> Value
  init(_ operand: Node, _ constant: Int64, _ relation: Relation, general: @escaping @Sendable (Value, Value) -> Value) {
    self.operand = operand
    self.constant = constant
    self.relation = relation
    self.general = general
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let v = operand.eval(&c)
    guard case .int(let x) = v else {
      if case .error = v { return v }
      return general(v, .int(constant))
    }
    switch relation {
    case .less: return .bool(x < constant)
    case .lessOrEqual: return .bool(x <= constant)
    case .greater: return .bool(x > constant)
    case .greaterOrEqual: return .bool(x >= constant)
    }
  }
}

final class NaryNode: Node, @unchecked Sendable {
  let args: [Node]
  let function: @Sendable ([Value]) -> Value
  init(_ args: [Node], _ function: @escaping @Sendable ([Value]) -> Value) {
    self.args = args
    self.function = function
  }
  override func eval(_ c: inout EvalContext) -> Value {
    var values: [Value] = []
    values.reserveCapacity(args.count)
    for arg in args {
      let v = arg.eval(&c)
      if case .error = v { return v }
      values.append(v)
    }
    return function(values)
  }
}

/// CEL's commutative `&&`: `false` wins over an error on either side.
final class AndNode: Node, @unchecked Sendable {
  let lhs: Node
  let rhs: Node
  init(_ lhs: Node, _ rhs: Node) {
    self.lhs = lhs
    self.rhs = rhs
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let a = lhs.eval(&c)
    if case .bool(false) = a { return a }
    let b = rhs.eval(&c)
    switch (a, b) {
    case (_, .bool(false)): return b
    case (.bool(true), .bool(true)): return b
    case (.bool(true), .error): return b
    case (.error, _): return a
    case (.bool(true), _): return Ops.noOverload("_&&_", a, b)
    default: return Ops.noOverload("_&&_", a, b)
    }
  }
}

/// CEL's commutative `||`: `true` wins over an error on either side.
final class OrNode: Node, @unchecked Sendable {
  let lhs: Node
  let rhs: Node
  init(_ lhs: Node, _ rhs: Node) {
    self.lhs = lhs
    self.rhs = rhs
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let a = lhs.eval(&c)
    if case .bool(true) = a { return a }
    let b = rhs.eval(&c)
    switch (a, b) {
    case (_, .bool(true)): return b
    case (.bool(false), .bool(false)): return b
    case (.bool(false), .error): return b
    case (.error, _): return a
    default: return Ops.noOverload("_||_", a, b)
    }
  }
}

final class NotStrictlyFalseNode: Node, @unchecked Sendable {
  let operand: Node
  init(_ operand: Node) { self.operand = operand }
  override func eval(_ c: inout EvalContext) -> Value {
    if case .bool(false) = operand.eval(&c) { return .bool(false) }
    return .bool(true)
  }
}

final class ConditionalNode: Node, @unchecked Sendable {
  let condition: Node
  let then: Node
  let otherwise: Node
  init(_ condition: Node, _ then: Node, _ otherwise: Node) {
    self.condition = condition
    self.then = then
    self.otherwise = otherwise
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let v = condition.eval(&c)
    switch v {
    case .bool(true): return then.eval(&c)
    case .bool(false): return otherwise.eval(&c)
    case .error: return v
    default: return Ops.noOverload("_?_:_", v)
    }
  }
}

final class ListNode: Node, @unchecked Sendable {
  let items: [Node]
  init(_ items: [Node]) { self.items = items }
  override func eval(_ c: inout EvalContext) -> Value {
    var values: [Value] = []
    values.reserveCapacity(items.count)
    for item in items {
      let v = item.eval(&c)
      if case .error = v { return v }
      values.append(v)
    }
    return .list(values)
  }
}

final class MapNode: Node, @unchecked Sendable {
  let entries: [(key: Node, value: Node)]
  init(_ entries: [(key: Node, value: Node)]) { self.entries = entries }
  override func eval(_ c: inout EvalContext) -> Value {
    var pairs: [(Value, Value)] = []
    pairs.reserveCapacity(entries.count)
    for entry in entries {
      let k = entry.key.eval(&c)
      if case .error = k { return k }
      let v = entry.value.eval(&c)
      if case .error = v { return v }
      pairs.append((k, v))
    }
    return Ops.makeMap(pairs)
  }
}

/// The step `@result + [x]` of `map` and `filter`: appends in place instead of
/// copying the accumulated list at every iteration.
final class AppendNode: Node, @unchecked Sendable {
  let accumulator: Int
  let element: Node
  init(accumulator: Int, element: Node) {
    self.accumulator = accumulator
    self.element = element
  }
  override func eval(_ c: inout EvalContext) -> Value {
    let v = element.eval(&c)
    if case .error = v { return v }
    var accumulated = c.locals[accumulator]
    c.locals[accumulator] = .null
    guard case .list(var items) = accumulated else {
      return Ops.add(accumulated, .list([v]))
    }
    accumulated = .null
    guard items.count < maxConcatenationSize else { return Ops.tooLong() }
    items.append(v)
    return .list(items)
  }
}

/// The maximum number of comprehension iterations in one evaluation.
let comprehensionBudget = 10_000_000

final class ComprehensionNode: Node, @unchecked Sendable {
  let iterSlot: Int
  let iterSlot2: Int?
  let accuSlot: Int
  let range: Node
  let initial: Node
  let condition: Node
  let step: Node
  let result: Node

  init(_ c: CheckedComprehension, range: Node, initial: Node, condition: Node, step: Node, result: Node) {
    iterSlot = c.iterSlot
    iterSlot2 = c.iterSlot2
    accuSlot = c.accuSlot
    self.range = range
    self.initial = initial
    self.condition = condition
    self.step = step
    self.result = result
  }

  override func eval(_ c: inout EvalContext) -> Value {
    let r = range.eval(&c)
    let items: [Value]
    var values: [Value]?
    switch r {
    case .list(let list): items = list
    case .map(let map):
      items = map.keys
      values = map.values
    case .error: return r
    default: return .fail("cannot iterate over \(r.typeName): a macro needs a list or a map")
    }
    c.locals[accuSlot] = initial.eval(&c)
    for i in items.indices {
      c.budget -= 1
      if c.budget < 0 {
        return .fail("evaluation stopped after \(c.limit) macro iterations (the limit)")
      }
      if let slot2 = iterSlot2 {
        if let values {
          c.locals[iterSlot] = items[i]
          c.locals[slot2] = values[i]
        } else {
          c.locals[iterSlot] = .int(Int64(i))
          c.locals[slot2] = items[i]
        }
      } else {
        c.locals[iterSlot] = items[i]
      }
      guard case .bool(true) = condition.eval(&c) else { break }
      c.locals[accuSlot] = step.eval(&c)
    }
    let out = result.eval(&c)
    c.locals[accuSlot] = .null
    c.locals[iterSlot] = .null
    if let slot2 = iterSlot2 { c.locals[slot2] = .null }
    return out
  }
}
