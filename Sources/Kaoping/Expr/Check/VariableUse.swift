/// Which fields of a variable an expression selects, read from its syntax tree (so
/// `facts.task` is not found inside `facts.task_issue`, nor in a string literal).
enum VariableUse {
  /// The fields selected from `variable` (`variable.FIELD`), or nil when the expression
  /// uses the variable in any other way (whole, indexed, passed to a function), or does
  /// not parse. A comprehension variable of the same name hides it inside its macro.
  static func selectedFields(of variable: String, in source: String) -> Set<String>? {
    let parsed = CELParser.parse(source)
    guard let expr = parsed.expr else { return nil }
    var fields: Set<String> = []
    var whole = false
    // Depth-first over the tree without recursion: (node, names hidden by comprehensions).
    var stack: [(Expr, Set<String>)] = [(expr, [])]
    while let (node, hidden) = stack.popLast() {
      switch node.kind {
      case .literal:
        break
      case .ident(let name):
        if name == variable, !hidden.contains(name) { whole = true }
      case .select(let operand, let field, _):
        if case .ident(let name) = operand.kind, name == variable, !hidden.contains(name) {
          fields.insert(field)
        } else {
          stack.append((operand, hidden))
        }
      case .call(_, let target, let args):
        if let target { stack.append((target, hidden)) }
        for arg in args { stack.append((arg, hidden)) }
      case .list(let items):
        for item in items { stack.append((item, hidden)) }
      case .map(let entries):
        for entry in entries {
          stack.append((entry.key, hidden))
          stack.append((entry.value, hidden))
        }
      case .comprehension(let c):
        stack.append((c.iterRange, hidden))
        stack.append((c.accuInit, hidden))
        var inner = hidden
        inner.insert(c.iterVar)
        if let second = c.iterVar2 { inner.insert(second) }
        inner.insert(c.accuVar)
        for part in [c.loopCondition, c.loopStep, c.result] { stack.append((part, inner)) }
      }
      if whole { return nil }
    }
    return fields
  }
}
