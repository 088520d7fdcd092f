// Writes an expression back as CEL text, for the fixes hints suggest
// ("write double(fact.days) * 0.5"), and edit-distance suggestions for
// misspelt names.

enum Unparse {
  /// The CEL text of an expression, or `nil` when it contains a macro (which
  /// has no faithful short text).
  static func text(_ e: Expr) -> String? {
    text(e, parentPrecedence: 0)
  }

  private static func precedence(of function: String) -> Int? {
    switch function {
    case "_?_:_": return 1
    case "_||_": return 2
    case "_&&_": return 3
    case "_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_", "@in": return 4
    case "_+_", "_-_": return 5
    case "_*_", "_/_", "_%_": return 6
    case "!_", "-_": return 7
    default: return nil
    }
  }

  private static func text(_ e: Expr, parentPrecedence: Int) -> String? {
    switch e.kind {
    case .literal(let literal):
      switch literal {
      case .null: return "null"
      case .bool(let b): return b ? "true" : "false"
      case .int(let i): return i < 0 && parentPrecedence >= 7 ? "(\(i))" : String(i)
      case .uint(let u): return "\(u)u"
      case .double(_, let text): return text
      case .string(let s): return quoteCEL(s)
      case .bytes(let b): return "b" + quoteCELBytes(b)
      }
    case .ident(let name):
      return name
    case .select(let operand, let field, let testOnly):
      guard let base = text(operand, parentPrecedence: 8) else { return nil }
      return testOnly ? "has(\(base).\(field))" : "\(base).\(field)"
    case .list(let items):
      var parts: [String] = []
      for item in items {
        guard let t = text(item, parentPrecedence: 0) else { return nil }
        parts.append(t)
      }
      return "[" + parts.joined(separator: ", ") + "]"
    case .map(let entries):
      var parts: [String] = []
      for entry in entries {
        guard let k = text(entry.key, parentPrecedence: 0), let v = text(entry.value, parentPrecedence: 0)
        else { return nil }
        parts.append("\(k): \(v)")
      }
      return "{" + parts.joined(separator: ", ") + "}"
    case .comprehension:
      return nil
    case .call(let function, let target, let args):
      if let p = precedence(of: function), target == nil {
        let out: String
        switch (function, args.count) {
        case ("_?_:_", 3):
          guard let c = text(args[0], parentPrecedence: p + 1), let x = text(args[1], parentPrecedence: p + 1),
            let y = text(args[2], parentPrecedence: p)
          else { return nil }
          out = "\(c) ? \(x) : \(y)"
        case (_, 1):
          guard let x = text(args[0], parentPrecedence: p) else { return nil }
          out = (function == "!_" ? "!" : "-") + x
        case (_, 2):
          guard let x = text(args[0], parentPrecedence: p), let y = text(args[1], parentPrecedence: p + 1)
          else { return nil }
          out = "\(x) \(Ops.displayName(function)) \(y)"
        default:
          return nil
        }
        return p < parentPrecedence ? "(\(out))" : out
      }
      if function == "_[_]", args.count == 2 {
        guard let x = text(args[0], parentPrecedence: 8), let i = text(args[1], parentPrecedence: 0) else {
          return nil
        }
        return "\(x)[\(i)]"
      }
      var parts: [String] = []
      for arg in args {
        guard let t = text(arg, parentPrecedence: 0) else { return nil }
        parts.append(t)
      }
      let call = "\(function)(\(parts.joined(separator: ", ")))"
      if let target {
        guard let t = text(target, parentPrecedence: 8) else { return nil }
        return "\(t).\(call)"
      }
      return call
    }
  }
}

enum Suggest {
  /// The candidate closest to `name` by edit distance (ignoring case), when it
  /// is close enough to be a likely misspelling.
  static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
    let target = Array(name.lowercased().unicodeScalars)
    let limit = max(1, min(3, target.count / 3 + 1))
    var best: (name: String, distance: Int)?
    for candidate in candidates where candidate != name {
      let other = Array(candidate.lowercased().unicodeScalars)
      guard abs(other.count - target.count) <= limit else { continue }
      let d = editDistance(target, other, limit: best.map { min($0.distance - 1, limit) } ?? limit)
      if let d, d < (best?.distance ?? Int.max) { best = (candidate, d) }
    }
    return best?.name
  }

  static func didYouMean(_ name: String, among candidates: some Sequence<String>) -> String? {
    closest(to: name, among: candidates).map { "did you mean '\($0)'?" }
  }

  /// Levenshtein distance, or `nil` when it exceeds `limit`.
  static func editDistance(_ x: [Unicode.Scalar], _ y: [Unicode.Scalar], limit: Int) -> Int? {
    if x.isEmpty { return y.count <= limit ? y.count : nil }
    if y.isEmpty { return x.count <= limit ? x.count : nil }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
      current[0] = i
      var rowMin = i
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        rowMin = min(rowMin, current[j])
      }
      if rowMin > limit { return nil }
      swap(&previous, &current)
    }
    return previous[y.count] <= limit ? previous[y.count] : nil
  }
}
