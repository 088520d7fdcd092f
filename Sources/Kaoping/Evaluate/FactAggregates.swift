// Score expressions mostly count and test the lists of `facts`: `facts.T.size()`,
// `facts.T.filter(x, P).size()`, `facts.T.exists(x, P)`, `all`, `exists_one`. The
// engine computes such subexpressions itself, in one pass over a subject's facts per
// scope, evaluating P per fact remembered by the fields it reads, and evaluates the
// rest of the expression with their values in extra variables: no list and no record
// per fact is built.
//
// The subexpressions are found on the checked tree (names resolved, promotions
// inserted), in the exact shapes the macro expansions take there, and the fold over P's
// results mirrors the nodes the compiler makes of them (`OrNode`, `AndNode`,
// `ConditionalNode`, `AppendNode`): errors are absorbed in `exists` and `all` as CEL
// does, `filter` and `exists_one` keep the last error. An expression is taken only
// when nothing else of it reads `facts`, neither P nor the rest holds a comprehension
// (so the iteration budget is spent by the aggregates alone, and the engine checks it
// before using them), and P reads nothing but the element, `subject` and `scope`.

/// One aggregate over the list of a fact type.
struct FactAggregate: Sendable {
  enum Kind: Sendable, Equatable {
    /// `facts.T.size()`.
    case size
    /// `facts.T.filter(x, P).size()`.
    case count
    case exists
    case all
    case existsOne
  }

  let kind: Kind
  /// The fact type (index in the rule file's types).
  let type: Int
  /// P, reading the element in local `iterSlot` (nil for `size`).
  let predicate: Node?
  let iterSlot: Int
  let localCount: Int
  /// What P reads, for remembering its results (nil: not remembered).
  let reads: ExpressionUse.Reads?
  /// The object slots P reads when it reads nothing else of the element (then a record
  /// with only them and the type filled is all it can see); nil: a whole record.
  var fill: UInt64? = nil
  /// P read from the row, when it can be (`RowPredicate`).
  var row: RowPredicate? = nil

  var iterates: Bool { kind != .size }

  /// How to key P's results, as plain values for the hot loop.
  var keyPlan: KeyPlan? { reads.map(KeyPlan.init) }

  /// The parts of a key: -1 date, -2 source, -3 note, -4 subject (index), -5 scope,
  /// n >= 0 declared field n.
  struct KeyPlan: Sendable {
    var count = 0
    var parts: (Int16, Int16, Int16, Int16) = (0, 0, 0, 0)

    init(_ reads: ExpressionUse.Reads) {
      var codes: [Int16] = reads.fields.map { field in
        switch field {
        case .date: -1
        case .source: -2
        case .note: -3
        case .subjectText: -4
        case .declared(let index): Int16(truncatingIfNeeded: index)
        }
      }
      if reads.subject { codes.append(-4) }
      if reads.scope { codes.append(-5) }
      count = min(codes.count, 4)
      for (position, code) in codes.prefix(4).enumerated() {
        switch position {
        case 0: parts.0 = code
        case 1: parts.1 = code
        case 2: parts.2 = code
        default: parts.3 = code
        }
      }
    }

    @inline(__always)
    func key(_ row: FactRow, _ store: FactStore, subject: Int, scope: Int) -> MemoKey {
      @inline(__always) func value(_ code: Int16) -> UInt64 {
        switch code {
        case -1: return UInt64(bitPattern: Int64(row.date))
        case -2: return UInt64(bitPattern: Int64(row.source))
        case -3: return UInt64(bitPattern: Int64(store.note(row)))
        case -4: return UInt64(subject)
        case -5: return UInt64(scope)
        default: return store.slot(row, Int(code))
        }
      }
      var key = MemoKey()
      if count > 0 { key.a = value(parts.0) }
      if count > 1 { key.b = value(parts.1) }
      if count > 2 { key.c = value(parts.2) }
      if count > 3 { key.d = value(parts.3) }
      return key
    }

    /// The key in 64 bits when it has at most two parts, each a small number or a
    /// null marker (every part value a distinct 32-bit code); nil otherwise.
    @inline(__always)
    func packed(_ key: MemoKey) -> UInt64? {
      guard count <= 2, let a = Self.code(key.a), let b = Self.code(key.b) else { return nil }
      return UInt64(a) | UInt64(b) << 32
    }

    @inline(__always)
    static func code(_ raw: UInt64) -> UInt32? {
      let signed = Int64(bitPattern: raw)
      if signed >= -0x4000_0000, signed < 0x4000_0000 { return UInt32(truncatingIfNeeded: signed) & 0x7FFF_FFFF }
      if raw == FactSlot.null { return 0x8000_0000 }
      if raw == FactSlot.intNull { return 0x8000_0001 }
      if signed == Int64(FactRow.noDate) { return 0x8000_0002 }
      return nil
    }
  }
}

/// Small numbers remembered by a 64-bit key, in 16-byte entries (a table of tens of
/// thousands stays in the second-level cache). `UInt64.max` marks an empty slot (such
/// a key is not stored). Bounded: past `limit` entries nothing more is stored.
final class PackedOutcomes {
  private struct Entry {
    var key: UInt64
    var value: Int32
  }

  private var entries: UnsafeMutablePointer<Entry>
  private var capacity: Int
  private(set) var count = 0
  let limit: Int

  init(limit: Int = 1 << 16) {
    self.limit = limit
    capacity = 64
    entries = .allocate(capacity: capacity)
    entries.initialize(repeating: Entry(key: .max, value: 0), count: capacity)
  }

  deinit { entries.deallocate() }

  @inline(__always)
  private static func hash(_ key: UInt64) -> Int {
    var h = key &* 0x9E37_79B9_7F4A_7C15
    h ^= h >> 31
    return Int(truncatingIfNeeded: h)
  }

  @inline(__always)
  func lookup(_ key: UInt64) -> Int32? {
    let mask = capacity - 1
    var slot = Self.hash(key) & mask
    while true {
      let entry = entries[slot]
      if entry.key == key { return entry.value }
      if entry.key == .max { return nil }
      slot = (slot + 1) & mask
    }
  }

  func store(_ key: UInt64, _ value: Int32) {
    guard key != .max, count < limit else { return }
    if (count + 1) * 2 > capacity { grow() }
    let mask = capacity - 1
    var slot = Self.hash(key) & mask
    while entries[slot].key != .max {
      if entries[slot].key == key { return }
      slot = (slot + 1) & mask
    }
    entries[slot] = Entry(key: key, value: value)
    count += 1
  }

  private func grow() {
    let old = entries
    let oldCapacity = capacity
    capacity *= 2
    entries = .allocate(capacity: capacity)
    entries.initialize(repeating: Entry(key: .max, value: 0), count: capacity)
    let mask = capacity - 1
    for index in 0..<oldCapacity where old[index].key != .max {
      var slot = Self.hash(old[index].key) & mask
      while entries[slot].key != .max { slot = (slot + 1) & mask }
      entries[slot] = old[index]
    }
    old.deallocate()
  }
}

/// A score expression whose aggregates are read from variables: `program` reads
/// aggregate `i` of the plan in activation slot `base + i`.
struct AggregateExpression: Sendable {
  let program: CompiledExpression
  /// The fact types of the iterating aggregates it reads (one entry each).
  let iteratedTypes: [Int]
  /// The iteration budget of the expression as written.
  let limit: Int
  /// Whether it reads any aggregate.
  let readsAggregates: Bool
}

/// Finds the aggregates of expressions compiled against one environment, collecting
/// them (the same `size` once).
struct AggregateAnalysis {
  let types: [FactType]
  let objects: [ObjectType?]
  let store: FactStore
  /// The first activation slot of aggregates.
  let base: Int
  private(set) var aggregates: [FactAggregate] = []
  private var sizes: [Int: Int] = [:]

  init(types: [FactType], objects: [ObjectType?], store: FactStore, base: Int) {
    self.types = types
    self.objects = objects
    self.store = store
    self.base = base
  }

  /// The expression with its aggregates as variables; nil when it does not qualify.
  mutating func analyse(_ expression: RuleExpression?, environment: ExprEnvironment) -> AggregateExpression? {
    guard let expression, let original = expression.compiled,
      let factsSlot = environment.slot(of: "facts"), case .object? = environment.type(of: "facts")
    else { return nil }
    guard let ast = CELParser.parse(expression.source).expr else { return nil }
    let checker = Checker(environment: environment)
    let (checked, type) = checker.checkExpression(ast)
    guard !checker.issues.contains(where: { $0.severity == .error }) else { return nil }
    var rewriter = Rewriter(
      analysis: self, environment: environment, factsSlot: factsSlot, subjectSlot: environment.slot(of: "subject"),
      scopeSlot: environment.slot(of: "scope"))
    guard let rest = rewriter.rewrite(checked), !Self.reads(rest, slot: factsSlot) else { return nil }
    self = rewriter.analysis
    let root = Compiler(environment: environment).compile(rest)
    var program = CompiledExpression(source: expression.source, resultType: type, root: root, localCount: checker.localCount)
    program.iterationLimit = original.iterationLimit
    return AggregateExpression(
      program: program, iteratedTypes: rewriter.iterated, limit: original.iterationLimit, readsAggregates: rewriter.found)
  }

  /// Whether a tree reads global `slot`.
  private static func reads(_ c: Checked, slot: Int) -> Bool {
    var found = false
    visit(c) { node in
      if case .global(slot, _) = node { found = true }
    }
    return found
  }

  /// Calls `body` on every node of a tree.
  fileprivate static func visit(_ c: Checked, _ body: (Checked) -> Void) {
    body(c)
    switch c {
    case .constant, .global, .local, .failure: break
    case .field(let x, _, _, _), .hasField(let x, _, _, _), .select(let x, _, _), .notStrictlyFalse(let x): visit(x, body)
    case .call(_, let args, _), .list(let args): for arg in args { visit(arg, body) }
    case .and(let a, let b), .or(let a, let b):
      visit(a, body)
      visit(b, body)
    case .conditional(let a, let b, let d):
      visit(a, body)
      visit(b, body)
      visit(d, body)
    case .map(let entries):
      for entry in entries {
        visit(entry.key, body)
        visit(entry.value, body)
      }
    case .comprehension(let comprehension):
      for part in [comprehension.range, comprehension.initial, comprehension.condition, comprehension.step,
                   comprehension.result] { visit(part, body) }
    }
  }

  fileprivate mutating func add(_ aggregate: FactAggregate) -> Int {
    if aggregate.kind == .size, let known = sizes[aggregate.type] { return known }
    let index = aggregates.count
    aggregates.append(aggregate)
    if aggregate.kind == .size { sizes[aggregate.type] = index }
    return index
  }

  /// Replaces aggregates by variables; nil when a comprehension is left.
  private struct Rewriter {
    var analysis: AggregateAnalysis
    let environment: ExprEnvironment
    let factsSlot: Int
    let subjectSlot: Int?
    let scopeSlot: Int?
    var found = false
    var iterated: [Int] = []

    /// `facts.T`: the type.
    func factList(_ c: Checked) -> Int? {
      guard case .field(.global(factsSlot, _), let slot, let name, _) = c, slot >= 0, slot < analysis.types.count,
        analysis.types[slot].id == name, analysis.types.firstIndex(where: { $0.id == name }) == slot,
        analysis.objects[slot] != nil
      else { return nil }
      return slot
    }

    mutating func variable(_ aggregate: FactAggregate) -> Checked {
      let index = analysis.add(aggregate)
      found = true
      if aggregate.iterates { iterated.append(aggregate.type) }
      return .global(slot: analysis.base + index, name: "@aggregate\(index)")
    }

    /// A macro over `facts.T` in one of the shapes of `exists`, `all`, `exists_one`,
    /// `filter`, with its predicate.
    func macro(_ c: CheckedComprehension) -> (FactAggregate.Kind, type: Int, predicate: Checked)? {
      guard c.iterSlot2 == nil, let type = factList(c.range) else { return nil }
      let accu = c.accuSlot
      func isAccu(_ x: Checked) -> Bool {
        if case .local(accu, _) = x { return true }
        return false
      }
      func isOne(_ x: Checked) -> Bool {
        if case .constant(.int(1)) = x { return true }
        return false
      }
      switch (c.initial, c.condition, c.step) {
      case (.constant(.bool(false)), .notStrictlyFalse(.call(.not, let notArgs, _)), .or(let a, let p))
      where notArgs.count == 1 && isAccu(notArgs[0]) && isAccu(a) && isAccu(c.result):
        return (.exists, type, p)
      case (.constant(.bool(true)), .notStrictlyFalse(let x), .and(let a, let p))
      where isAccu(x) && isAccu(a) && isAccu(c.result):
        return (.all, type, p)
      case (.constant(.int(0)), .constant(.bool(true)), .conditional(let p, .call(.add, let addArgs, _), let otherwise))
      where addArgs.count == 2 && isAccu(addArgs[0]) && isOne(addArgs[1]) && isAccu(otherwise):
        guard case .call(.equals, let args, _) = c.result, args.count == 2, isAccu(args[0]), isOne(args[1])
        else { return nil }
        return (.existsOne, type, p)
      case (.list(let empty), .constant(.bool(true)), .conditional(let p, .call(.add, let addArgs, _), let otherwise))
      where empty.isEmpty && addArgs.count == 2 && isAccu(addArgs[0]) && isAccu(otherwise) && isAccu(c.result):
        guard case .list(let items) = addArgs[1], items.count == 1, case .local(c.iterSlot, _) = items[0] else { return nil }
        return (.count, type, p)
      default:
        return nil
      }
    }

    /// The aggregate of a predicate `p` over element `iter` of `type`, when `p` reads
    /// only the element, `subject`, `scope` and constants.
    func aggregate(_ kind: FactAggregate.Kind, type: Int, predicate p: Checked, iter: Int, localCount: Int) -> FactAggregate? {
      var ok = true
      var whole = false
      var slots: [Int] = []
      var reads = ExpressionUse.Reads()
      func walk(_ c: Checked) {
        switch c {
        case .local(let slot, _):
          if slot == iter { whole = true } else { ok = false }
        case .global(let slot, _):
          if slot == subjectSlot {
            reads.subject = true
          } else if slot == scopeSlot {
            reads.scope = true
          } else {
            ok = false
          }
        case .field(.local(iter, _), let slot, _, _), .hasField(.local(iter, _), let slot, _, _):
          if !slots.contains(slot) { slots.append(slot) }
        case .comprehension:
          ok = false
        case .constant, .failure: break
        case .field(let x, _, _, _), .hasField(let x, _, _, _), .select(let x, _, _), .notStrictlyFalse(let x): walk(x)
        case .call(_, let args, _), .list(let args): for arg in args { walk(arg) }
        case .and(let a, let b), .or(let a, let b):
          walk(a)
          walk(b)
        case .conditional(let a, let b, let d):
          walk(a)
          walk(b)
          walk(d)
        case .map(let entries):
          for entry in entries {
            walk(entry.key)
            walk(entry.value)
          }
        }
      }
      walk(p)
      guard ok else { return nil }
      var keyed: ExpressionUse.Reads? = nil
      var fill: UInt64? = nil
      if !whole, let object = analysis.objects[type], object.fields.count <= 64, !slots.contains(0),
        slots.allSatisfy({ $0 >= 0 && $0 < object.fields.count })
      {
        fill = slots.reduce(UInt64(0)) { $0 | 1 << UInt64($1) }
      }
      if !whole {
        var memo = true
        for slot in slots.sorted() {
          switch slot {
          case 0: memo = false  // the id: every fact differs
          case 1: reads.fields.append(.subjectText)
          case 2: break  // the type: the same for every element
          case 3: reads.fields.append(.date)
          case 4: reads.fields.append(.source)
          case 5: reads.fields.append(.note)
          default:
            if slot - 6 < analysis.types[type].fields.count { reads.fields.append(.declared(slot - 6)) } else { memo = false }
          }
        }
        if memo { keyed = ExpressionUse.keyable(reads, type: analysis.types[type], store: analysis.store) }
      }
      let predicate = Compiler(environment: environment).compile(p)
      return FactAggregate(
        kind: kind, type: type, predicate: predicate, iterSlot: iter, localCount: localCount, reads: keyed, fill: fill,
        row: RowPredicate.compile(p, iter: iter, type: analysis.types[type]))
    }

    mutating func rewrite(_ c: Checked) -> Checked? {
      switch c {
      case .constant, .global, .local, .failure:
        return c
      case .call(.size, let args, let offset):
        if args.count == 1 {
          if let type = factList(args[0]) {
            return variable(FactAggregate(kind: .size, type: type, predicate: nil, iterSlot: 0, localCount: 0, reads: nil))
          }
          if case .comprehension(let comprehension) = args[0], let (kind, type, p) = macro(comprehension), kind == .count,
            let found = aggregate(kind, type: type, predicate: p, iter: comprehension.iterSlot,
                                  localCount: localCount(comprehension))
          {
            return variable(found)
          }
        }
        guard let rewritten = rewriteAll(args) else { return nil }
        return .call(.size, rewritten, offset: offset)
      case .comprehension(let comprehension):
        guard let (kind, type, p) = macro(comprehension), kind != .count,
          let found = aggregate(kind, type: type, predicate: p, iter: comprehension.iterSlot,
                                localCount: localCount(comprehension))
        else { return nil }
        return variable(found)
      case .call(let function, let args, let offset):
        guard let rewritten = rewriteAll(args) else { return nil }
        return .call(function, rewritten, offset: offset)
      case .field(let x, let slot, let name, let type):
        return rewrite(x).map { .field($0, slot: slot, name: name, type: type) }
      case .hasField(let x, let slot, let name, let type):
        return rewrite(x).map { .hasField($0, slot: slot, name: name, type: type) }
      case .select(let x, let field, let testOnly):
        return rewrite(x).map { .select($0, field: field, testOnly: testOnly) }
      case .notStrictlyFalse(let x):
        return rewrite(x).map { .notStrictlyFalse($0) }
      case .and(let a, let b):
        guard let x = rewrite(a), let y = rewrite(b) else { return nil }
        return .and(x, y)
      case .or(let a, let b):
        guard let x = rewrite(a), let y = rewrite(b) else { return nil }
        return .or(x, y)
      case .conditional(let a, let b, let d):
        guard let x = rewrite(a), let y = rewrite(b), let z = rewrite(d) else { return nil }
        return .conditional(x, y, z)
      case .list(let items):
        return rewriteAll(items).map { .list($0) }
      case .map(let entries):
        var out: [(key: Checked, value: Checked)] = []
        for entry in entries {
          guard let key = rewrite(entry.key), let value = rewrite(entry.value) else { return nil }
          out.append((key, value))
        }
        return .map(out)
      }
    }

    mutating func rewriteAll(_ items: [Checked]) -> [Checked]? {
      var out: [Checked] = []
      out.reserveCapacity(items.count)
      for item in items {
        guard let rewritten = rewrite(item) else { return nil }
        out.append(rewritten)
      }
      return out
    }

    /// Locals a predicate may use: every slot of the comprehension.
    func localCount(_ c: CheckedComprehension) -> Int {
      max(c.iterSlot, c.accuSlot, c.iterSlot2 ?? 0) + 1
    }
  }
}

// MARK: Predicates read from the row

/// A predicate evaluated on a fact's row without a record, where that is certain to give
/// what the compiled expression gives: 0 (false), 1 (true), or `unknown` (a null operand,
/// an int slot that may hold Int64.min…), for which the engine evaluates the expression.
/// `&&` and `||` decide with one side unknown as `AndNode` and `OrNode` do (false and
/// true absorb whatever the other side is, an error included).
class RowPredicate: @unchecked Sendable {
  static let unknown: UInt8 = 2

  func eval(_ row: FactRow, _ store: FactStore) -> UInt8 { Self.unknown }

  /// A field as a comparable number: date fields (the day) and int fields.
  enum Operand {
    case date(slot: Int)  // object slot 3 (the fact's date) or a declared field (slot - 6)
    case int(field: Int)
    case constant(Int64)
  }

  /// Compiles a predicate over local `iter` of a fact type; nil when some part is not
  /// handled here.
  static func compile(_ p: Checked, iter: Int, type: FactType) -> RowPredicate? {
    func declared(_ slot: Int) -> SlotKind? {
      let index = slot - 6
      guard index >= 0, index < type.fields.count, !type.fields[index].untyped else { return nil }
      return SlotKind(type.fields[index].type)
    }
    func operand(_ c: Checked) -> Operand? {
      switch c {
      case .field(.local(iter, _), let slot, _, _):
        if slot == 3 { return .date(slot: 3) }
        switch declared(slot) {
        case .date?: return .date(slot: slot)
        case .int?: return .int(field: slot - 6)
        default: return nil
        }
      case .constant(.int(let value)): return .constant(value)
      default: return nil
      }
    }
    /// A field tested for null (`== null`, `has`): slot 3 or a declared field.
    func nullable(_ c: Checked) -> Int? {
      guard case .field(.local(iter, _), let slot, _, _) = c else { return nil }
      if slot == 3 || declared(slot) != nil { return slot }
      return nil
    }
    switch p {
    case .constant(.bool(let value)):
      return ConstantRow(value)
    case .and(let a, let b):
      guard let x = compile(a, iter: iter, type: type), let y = compile(b, iter: iter, type: type) else { return nil }
      return AndRow(x, y)
    case .or(let a, let b):
      guard let x = compile(a, iter: iter, type: type), let y = compile(b, iter: iter, type: type) else { return nil }
      return OrRow(x, y)
    case .call(.not, let args, _):
      guard args.count == 1, let x = compile(args[0], iter: iter, type: type) else { return nil }
      return NotRow(x)
    case .hasField(.local(iter, _), let slot, _, _):
      guard slot == 3 || declared(slot) != nil else { return nil }
      return NullRow(slot: slot, kind: slot == 3 ? .date : declared(slot), negated: true)
    case .call(let function, let args, _) where args.count == 2:
      if function == .equals || function == .notEquals {
        if case .constant(.null) = args[1], let slot = nullable(args[0]) {
          return NullRow(slot: slot, kind: slot == 3 ? .date : declared(slot), negated: function == .notEquals)
        }
        if case .constant(.null) = args[0], let slot = nullable(args[1]) {
          return NullRow(slot: slot, kind: slot == 3 ? .date : declared(slot), negated: function == .notEquals)
        }
      }
      let relation: CompareRow.Relation
      switch function {
      case .less: relation = .less
      case .lessOrEqual: relation = .lessOrEqual
      case .greater: relation = .greater
      case .greaterOrEqual: relation = .greaterOrEqual
      case .equals: relation = .equal
      case .notEquals: relation = .notEqual
      default: return nil
      }
      guard let a = operand(args[0]), let b = operand(args[1]) else { return nil }
      switch (a, b) {
      case (.date, .date), (.int, .int), (.int, .constant), (.constant, .int): return CompareRow(a, b, relation)
      default: return nil
      }
    default:
      return nil
    }
  }
}

final class ConstantRow: RowPredicate, @unchecked Sendable {
  let value: UInt8
  init(_ value: Bool) { self.value = value ? 1 : 0 }
  override func eval(_ row: FactRow, _ store: FactStore) -> UInt8 { value }
}

final class AndRow: RowPredicate, @unchecked Sendable {
  let lhs: RowPredicate
  let rhs: RowPredicate
  init(_ lhs: RowPredicate, _ rhs: RowPredicate) {
    self.lhs = lhs
    self.rhs = rhs
  }
  override func eval(_ row: FactRow, _ store: FactStore) -> UInt8 {
    let a = lhs.eval(row, store)
    if a == 0 { return 0 }
    let b = rhs.eval(row, store)
    if b == 0 { return 0 }
    return a == 1 && b == 1 ? 1 : Self.unknown
  }
}

final class OrRow: RowPredicate, @unchecked Sendable {
  let lhs: RowPredicate
  let rhs: RowPredicate
  init(_ lhs: RowPredicate, _ rhs: RowPredicate) {
    self.lhs = lhs
    self.rhs = rhs
  }
  override func eval(_ row: FactRow, _ store: FactStore) -> UInt8 {
    let a = lhs.eval(row, store)
    if a == 1 { return 1 }
    let b = rhs.eval(row, store)
    if b == 1 { return 1 }
    return a == 0 && b == 0 ? 0 : Self.unknown
  }
}

final class NotRow: RowPredicate, @unchecked Sendable {
  let operand: RowPredicate
  init(_ operand: RowPredicate) { self.operand = operand }
  override func eval(_ row: FactRow, _ store: FactStore) -> UInt8 {
    let a = operand.eval(row, store)
    return a < 2 ? 1 - a : Self.unknown
  }
}

/// `x.f == null`, `x.f != null`, `has(x.f)` (negated: not null).
final class NullRow: RowPredicate, @unchecked Sendable {
  let slot: Int
  let isInt: Bool
  let negated: Bool
  init(slot: Int, kind: SlotKind?, negated: Bool) {
    self.slot = slot
    isInt = kind == .int
    self.negated = negated
  }
  override func eval(_ row: FactRow, _ store: FactStore) -> UInt8 {
    let isNull: Bool
    if slot == 3 {
      isNull = row.date == FactRow.noDate
    } else {
      let raw = store.slot(row, slot - 6)
      if isInt {
        if raw == FactSlot.intNull { return Self.unknown }  // null, or Int64.min
        isNull = false
      } else {
        isNull = raw == FactSlot.null
      }
    }
    return isNull != negated ? 1 : 0
  }
}

/// `<`, `<=`, `>`, `>=`, `==`, `!=` between two dates or two ints, none null.
final class CompareRow: RowPredicate, @unchecked Sendable {
  enum Relation { case less, lessOrEqual, greater, greaterOrEqual, equal, notEqual }
  let lhs: Operand
  let rhs: Operand
  let relation: Relation
  init(_ lhs: Operand, _ rhs: Operand, _ relation: Relation) {
    self.lhs = lhs
    self.rhs = rhs
    self.relation = relation
  }

  @inline(__always)
  private func value(_ operand: Operand, _ row: FactRow, _ store: FactStore) -> Int64? {
    switch operand {
    case .date(let slot):
      if slot == 3 { return row.date == FactRow.noDate ? nil : Int64(row.date) }
      let raw = store.slot(row, slot - 6)
      return raw == FactSlot.null ? nil : Int64(Int32(truncatingIfNeeded: Int64(bitPattern: raw)))
    case .int(let field):
      let raw = store.slot(row, field)
      return raw == FactSlot.intNull ? nil : Int64(bitPattern: raw)
    case .constant(let value):
      return value
    }
  }

  override func eval(_ row: FactRow, _ store: FactStore) -> UInt8 {
    guard let x = value(lhs, row, store), let y = value(rhs, row, store) else { return Self.unknown }
    let result: Bool
    switch relation {
    case .less: result = x < y
    case .lessOrEqual: result = x <= y
    case .greater: result = x > y
    case .greaterOrEqual: result = x >= y
    case .equal: result = x == y
    case .notEqual: result = x != y
    }
    return result ? 1 : 0
  }
}
