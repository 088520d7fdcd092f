// How a score or outcome expression uses the lists of `facts` (§12.3), found on its
// syntax tree: when the elements of `facts.T` are only ever looked at through their
// fields (`t.done`, `has(t.due)`) and the lists only counted, iterated or filtered, two
// facts that agree on the fields read are indistinguishable to the expression, so the
// engine may hand it one shared record for both (with the unread fields null) instead
// of a record per fact. Any other use (comparing records, passing them to a function,
// returning them, indexing a list, using `facts` itself as a value) keeps whole records.

enum FactListUse: Sendable, Equatable {
  /// The expression does not read the list.
  case none
  /// Only these fields (object slots: 0 id, 1 subject, 2 type, 3 date, 4 source, 5 note,
  /// then declared fields) of the elements are read.
  case fields([Int])
  /// Elements may be observed as whole records.
  case whole

  func union(_ other: FactListUse) -> FactListUse {
    switch (self, other) {
    case (.none, let x), (let x, .none): return x
    case (.whole, _), (_, .whole): return .whole
    case (.fields(let a), .fields(let b)): return .fields(Array(Set(a + b)).sorted())
    }
  }

  /// The uses of every fact type's list by these expressions (nil source: none).
  static func uses(_ sources: [String], types: [FactType], objects: [ObjectType?]) -> [FactListUse] {
    var result = [FactListUse](repeating: .none, count: types.count)
    for source in sources {
      var analysis = Analysis(types: types, objects: objects)
      if let expr = CELParser.parse(source).expr {
        analysis.run(expr)
      } else {
        analysis.all = true
      }
      for type in types.indices { result[type] = result[type].union(analysis.use(of: type)) }
    }
    return result
  }

  /// An abstract interpretation of the tree: what each subexpression may hold.
  private struct Analysis {
    let types: [FactType]
    let objects: [ObjectType?]
    var reads: [Set<Int>]
    var escaped: Set<Int> = []
    var touched: Set<Int> = []
    /// `facts` itself is used as a value: every list is whole.
    var all = false

    enum Shape: Equatable {
      /// Anything that holds no fact record.
      case value
      /// The `facts` object.
      case facts
      /// A record of fact type T.
      case record(Int)
      /// A list of records of type T (nil: an empty list of no known type).
      case records(Int?)
    }

    init(types: [FactType], objects: [ObjectType?]) {
      self.types = types
      self.objects = objects
      reads = types.map { _ in [] }
    }

    func use(of type: Int) -> FactListUse {
      if all || escaped.contains(type) { return .whole }
      if !touched.contains(type) { return .none }
      return .fields(reads[type].sorted())
    }

    mutating func run(_ expr: Expr) {
      escape(shape(expr, [:]))
    }

    /// The records a shape holds can be observed whole.
    mutating func escape(_ shape: Shape) {
      switch shape {
      case .value, .records(nil): break
      case .facts: all = true
      case .record(let type), .records(.some(let type)): escaped.insert(type)
      }
    }

    /// Two shapes one expression may take (branches, accumulator steps).
    mutating func join(_ a: Shape, _ b: Shape) -> Shape {
      switch (a, b) {
      case (.value, .value): return .value
      case (.records(nil), .records(let t)), (.records(let t), .records(nil)): return .records(t)
      case (.records(.some(let x)), .records(.some(let y))) where x == y: return .records(x)
      case (.records(nil), .value), (.value, .records(nil)): return .value
      default:
        escape(a)
        escape(b)
        return .value
      }
    }

    mutating func shape(_ expr: Expr, _ scope: [String: Shape]) -> Shape {
      switch expr.kind {
      case .literal:
        return .value
      case .ident(let name):
        if let bound = scope[name] { return bound }
        return name == "facts" ? .facts : .value
      case .select(let operand, let field, _):
        switch shape(operand, scope) {
        case .facts:
          guard let type = types.firstIndex(where: { $0.id == field }) else { return .value }
          touched.insert(type)
          return .records(type)
        case .record(let type):
          if let object = objects[type], let slot = object.fieldIndex(of: field) {
            reads[type].insert(slot)
          } else {
            escaped.insert(type)
          }
          return .value
        case let other:
          escape(other)
          return .value
        }
      case .call(let function, let target, let args):
        let targetShape = target.map { shape($0, scope) }
        let argShapes = args.map { shape($0, scope) }
        if function == "size" {
          if let targetShape, args.isEmpty, case .records = targetShape { return .value }
          if target == nil, argShapes.count == 1, case .records = argShapes[0] { return .value }
        }
        if function == "_+_", target == nil, argShapes.count == 2 {
          if case .records = argShapes[0], case .records = argShapes[1] { return join(argShapes[0], argShapes[1]) }
        }
        if function == "_?_:_", target == nil, argShapes.count == 3 {
          escape(argShapes[0])
          return join(argShapes[1], argShapes[2])
        }
        if let targetShape { escape(targetShape) }
        for argShape in argShapes { escape(argShape) }
        return .value
      case .list(let elements):
        let shapes = elements.map { shape($0, scope) }
        if shapes.isEmpty { return .records(nil) }
        if case .record(let type) = shapes[0], shapes.allSatisfy({ $0 == .record(type) }) { return .records(type) }
        for element in shapes { escape(element) }
        return .value
      case .map(let entries):
        for entry in entries {
          escape(shape(entry.key, scope))
          escape(shape(entry.value, scope))
        }
        return .value
      case .comprehension(let c):
        let range = shape(c.iterRange, scope)
        var inner = scope
        if c.iterVar2 == nil, case .records(.some(let type)) = range {
          inner[c.iterVar] = .record(type)
        } else {
          escape(range)
          inner[c.iterVar] = .value
          if let second = c.iterVar2 { inner[second] = .value }
        }
        // The accumulator: its initial shape, widened by one step, must be stable.
        var accumulator = shape(c.accuInit, scope)
        var stable = false
        for _ in 0..<3 {
          inner[c.accuVar] = accumulator
          escape(shape(c.loopCondition, inner))
          let step = shape(c.loopStep, inner)
          let widened = join(accumulator, step)
          if widened == accumulator {
            stable = true
            break
          }
          accumulator = widened
        }
        if !stable {
          escape(accumulator)
          accumulator = .value
        }
        inner[c.accuVar] = accumulator
        return shape(c.result, inner)
      }
    }
  }
}
