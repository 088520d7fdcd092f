// Turns a checked expression into an evaluable tree: built-ins bound to their
// implementations, constant subexpressions folded, list-building macro steps
// appending in place.

struct Compiler {
  let environment: ExprEnvironment

  func compile(_ e: Checked) -> Node {
    compile(e, accumulator: nil)
  }

  /// - Parameter accumulator: the local slot of the enclosing comprehension's
  ///   accumulator, while compiling its step.
  private func compile(_ e: Checked, accumulator: Int?) -> Node {
    switch e {
    case .constant(let v):
      return ConstNode(v)
    case .global(let slot, let name):
      return GlobalNode(slot: slot, name: name)
    case .local(let slot, _):
      return LocalNode(slot: slot)
    case .field(let operand, let slot, let name, let type):
      if case .global(let variable, _) = operand {
        return GlobalFieldNode(variable: variable, slot: slot, name: name, expected: type)
      }
      return fold(
        FieldNode(operand: compile(operand, accumulator: accumulator), slot: slot, name: name, expected: type))
    case .hasField(let operand, let slot, let name, let type):
      return fold(
        HasFieldNode(operand: compile(operand, accumulator: accumulator), slot: slot, name: name, expected: type))
    case .select(let operand, let field, let testOnly):
      return fold(SelectNode(operand: compile(operand, accumulator: accumulator), name: field, testOnly: testOnly))
    case .and(let a, let b):
      let x = compile(a, accumulator: accumulator)
      let y = compile(b, accumulator: accumulator)
      if case .bool(false)? = x.constantValue { return x }
      if case .bool(false)? = y.constantValue { return y }
      return fold(AndNode(x, y))
    case .or(let a, let b):
      let x = compile(a, accumulator: accumulator)
      let y = compile(b, accumulator: accumulator)
      if case .bool(true)? = x.constantValue { return x }
      if case .bool(true)? = y.constantValue { return y }
      return fold(OrNode(x, y))
    case .conditional(let c, let a, let b):
      let condition = compile(c, accumulator: accumulator)
      let x = compile(a, accumulator: accumulator)
      let y = compile(b, accumulator: accumulator)
      switch condition.constantValue {
      case .bool(true)?: return x
      case .bool(false)?: return y
      default: return fold(ConditionalNode(condition, x, y))
      }
    case .notStrictlyFalse(let a):
      return fold(NotStrictlyFalseNode(compile(a, accumulator: accumulator)))
    case .list(let items):
      return fold(ListNode(items.map { compile($0, accumulator: accumulator) }))
    case .map(let entries):
      return fold(
        MapNode(
          entries.map {
            (compile($0.key, accumulator: accumulator), compile($0.value, accumulator: accumulator))
          }))
    case .comprehension(let c):
      return ComprehensionNode(
        c, range: compile(c.range, accumulator: accumulator), initial: compile(c.initial, accumulator: accumulator),
        condition: compile(c.condition, accumulator: nil), step: compile(c.step, accumulator: c.accuSlot),
        result: compile(c.result, accumulator: nil))
    case .failure(let message):
      return ConstNode(.fail(message))
    case .call(let function, let args, _):
      if function == .add, let accumulator, args.count == 2, case .local(accumulator, _) = args[0],
        case .list(let items) = args[1], items.count == 1
      {
        return AppendNode(accumulator: accumulator, element: compile(items[0], accumulator: accumulator))
      }
      let nodes = args.map { compile($0, accumulator: accumulator) }
      return fold(call(function, nodes))
    }
  }

  /// Evaluates a node whose inputs are all constants, once, at compile time.
  private func fold(_ node: Node) -> Node {
    let children: [Node]
    switch node {
    case let n as UnaryNode: children = [n.operand]
    case let n as MatchesNode: children = [n.operand]
    case let n as BinaryNode: children = [n.lhs, n.rhs]
    case let n as EqualsConstNode: children = [n.operand]
    case let n as CompareIntConstNode: children = [n.operand]
    case let n as NaryNode: children = n.args
    case let n as AndNode: children = [n.lhs, n.rhs]
    case let n as OrNode: children = [n.lhs, n.rhs]
    case let n as ConditionalNode: children = [n.condition, n.then, n.otherwise]
    case let n as NotStrictlyFalseNode: children = [n.operand]
    case let n as ListNode: children = n.items
    case let n as MapNode: children = n.entries.flatMap { [$0.key, $0.value] }
    case let n as FieldNode: children = [n.operand]
    case let n as HasFieldNode: children = [n.operand]
    case let n as SelectNode: children = [n.operand]
    default: return node
    }
    guard children.allSatisfy({ $0.constantValue != nil }) else { return node }
    var context = EvalContext(variables: [], locals: [], budget: comprehensionBudget)
    return ConstNode(node.eval(&context))
  }

  private func call(_ function: Function, _ args: [Node]) -> Node {
    let exact = environment.profile == .rule
    func unary(_ f: @escaping @Sendable (Value) -> Value) -> Node {
      args.count == 1 ? UnaryNode(args[0], f) : arity(function)
    }
    func binary(_ f: @escaping @Sendable (Value, Value) -> Value) -> Node {
      args.count == 2 ? BinaryNode(args[0], args[1], f) : arity(function)
    }
    func ordering(
      _ relation: CompareIntConstNode.Relation, _ f: @escaping @Sendable (Value, Value) -> Value
    ) -> Node {
      if args.count == 2, case .int(let constant)? = args[1].constantValue, args[0].constantValue == nil {
        return CompareIntConstNode(args[0], constant, relation, general: f)
      }
      return binary(f)
    }
    switch function {
    case .add: return binary(Ops.add)
    case .subtract: return binary(Ops.subtract)
    case .multiply: return binary(Ops.multiply)
    case .divide: return binary(Ops.divide)
    case .remainder: return binary(Ops.remainder)
    case .negate: return unary(Ops.negate)
    case .not: return unary(Ops.not)
    case .equals, .notEquals:
      guard args.count == 2 else { return arity(function) }
      let negated = function == .notEquals
      if let constant = args[1].constantValue, !constant.isError {
        return EqualsConstNode(args[0], constant, negated: negated)
      }
      if let constant = args[0].constantValue, !constant.isError {
        return EqualsConstNode(args[1], constant, negated: negated)
      }
      return binary(negated ? Ops.notEquals : Ops.equals)
    case .less: return ordering(.less, Ops.less)
    case .lessOrEqual: return ordering(.lessOrEqual, Ops.lessOrEqual)
    case .greater: return ordering(.greater, Ops.greater)
    case .greaterOrEqual: return ordering(.greaterOrEqual, Ops.greaterOrEqual)
    case .index:
      if args.count == 2, case .map(let map)? = args[0].constantValue, args[1].constantValue == nil,
        let node = IndexConstStringMapNode(map: map, key: args[1])
      {
        return node
      }
      return binary(Ops.index)
    case .in: return binary(Ops.contained)
    case .size: return unary(Ops.size)
    case .contains: return binary(Ops.contains)
    case .startsWith: return binary(Ops.startsWith)
    case .endsWith: return binary(Ops.endsWith)
    case .matches:
      if args.count == 2, case .string(let pattern)? = args[1].constantValue,
        let regex = try? RE2Regex(pattern)
      {
        return MatchesNode(args[0], regex)
      }
      return binary(Ops.matches)
    case .int: return unary(Ops.toInt)
    case .uint: return unary(Ops.toUint)
    case .double: return unary(exact ? Ops.toDecimal : Ops.toDouble)
    case .string: return unary(Ops.toString)
    case .bytes: return unary(Ops.toBytes)
    case .bool: return unary(Ops.toBool)
    case .type: return unary(Ops.typeOf)
    case .dyn: return args.count == 1 ? args[0] : arity(function)
    case .date: return unary(Ops.toDate)
    case .days: return binary(Ops.days)
    case .workdays:
      let calendar = environment.calendar
      return binary { Ops.workdays($0, $1, calendar: calendar) }
    case .sum: return unary(Ops.sum)
    case .avg: return unary { Ops.average($0, exact: exact) }
    case .max: return unary { Ops.extreme($0, function: "max", wantGreater: true) }
    case .min: return unary { Ops.extreme($0, function: "min", wantGreater: false) }
    case .round:
      if args.count == 1 { return UnaryNode(args[0]) { Ops.round($0, .int(0), exact: exact) } }
      return binary { Ops.round($0, $1, exact: exact) }
    case .floor: return unary { Ops.roundToInteger($0, "math.floor", .down, exact: exact) }
    case .ceil: return unary { Ops.roundToInteger($0, "math.ceil", .up, exact: exact) }
    case .abs: return unary(Ops.abs)
    case .promote: return unary(Ops.promote)
    }
  }

  private func arity(_ function: Function) -> Node {
    ConstNode(.fail("wrong number of arguments for '\(Ops.displayName(function.rawValue))'"))
  }
}
