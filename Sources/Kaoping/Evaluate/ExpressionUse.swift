// What an expression can read, judged conservatively from its text, so that the engine
// builds only the records an expression may look at and remembers per-fact results by
// the values they depend on. Expressions are pure: the same inputs give the same value
// (errors included), so a remembered result is the result.

enum ExpressionUse {
  /// The fact types whose lists in `facts` an expression may read (`facts.T`; any other
  /// use of `facts` reads them all). A type counts when its id occurs anywhere in the
  /// text, which over-approximates `facts.T`.
  static func factTypes(readBy sources: [String], types: [FactType]) -> [Bool] {
    var read = [Bool](repeating: false, count: types.count)
    for source in sources {
      if Engine.readsAllFacts(source) { return [Bool](repeating: true, count: types.count) }
      for (index, type) in types.enumerated() where !read[index] && source.contains(type.id) { read[index] = true }
    }
    return read
  }

  /// A built-in or declared field of `fact`.
  enum Field: Equatable, Sendable {
    case date
    case source
    case note
    case subjectText
    case declared(Int)
  }

  /// What a per-fact expression reads: fields of `fact`, and whether `subject` or
  /// `scope`; nil when it uses `fact` other than as `fact.FIELD` or reads its id.
  struct Reads: Sendable {
    var fields: [Field] = []
    var subject = false
    var scope = false
  }

  static func perFactReads(_ source: String, declared: [FactType.Field]) -> Reads? {
    let bytes = Array(source.utf8)
    var reads = Reads()
    func isIdentifier(_ byte: UInt8) -> Bool {
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }
    var i = 0
    while i < bytes.count {
      guard isIdentifier(bytes[i]), i == 0 || !isIdentifier(bytes[i - 1]) else {
        i += 1
        continue
      }
      var end = i
      while end < bytes.count, isIdentifier(bytes[end]) { end += 1 }
      let word = String(decoding: bytes[i..<end], as: UTF8.self)
      switch word {
      case "subject": reads.subject = true
      case "scope": reads.scope = true
      case "fact":
        guard end < bytes.count, bytes[end] == UInt8(ascii: ".") else { return nil }
        var fieldEnd = end + 1
        while fieldEnd < bytes.count, isIdentifier(bytes[fieldEnd]) { fieldEnd += 1 }
        let name = String(decoding: bytes[(end + 1)..<fieldEnd], as: UTF8.self)
        let field: Field?
        switch name {
        case "id": return nil
        case "type": field = nil  // the same for every fact a node reads
        case "subject": field = .subjectText
        case "date": field = .date
        case "source": field = .source
        case "note": field = .note
        default:
          guard let index = declared.firstIndex(where: { $0.id == name }) else { return nil }
          field = .declared(index)
        }
        if let field, !reads.fields.contains(field) { reads.fields.append(field) }
        end = fieldEnd
      default: break
      }
      i = end
    }
    return reads
  }
}

/// A key of up to four slot values.
struct MemoKey: Hashable, Sendable {
  var a: UInt64 = 0
  var b: UInt64 = 0
  var c: UInt64 = 0
  var d: UInt64 = 0
}

/// A per-fact expression with how to key its results.
struct FactExpression: Sendable {
  let source: RuleExpression
  let compiled: CompiledExpression
  /// The values its result depends on (nil: not remembered).
  let reads: ExpressionUse.Reads?

  init(_ expression: RuleExpression, compiled: CompiledExpression, type: FactType, store: FactStore) {
    source = expression
    self.compiled = compiled
    var reads = ExpressionUse.perFactReads(expression.source, declared: type.fields)
    if let current = reads {
      let keys = current.fields.count + (current.subject ? 1 : 0) + (current.scope ? 1 : 0)
      let ambiguousInt = !store.intMinSlots.isEmpty && current.fields.contains { field in
        if case .declared(let index) = field, SlotKind(type.fields[index].type) == .int { return true }
        return false
      }
      let respelled = !store.subjectText.isEmpty && current.fields.contains(.subjectText)
      if keys > 4 || ambiguousInt || respelled { reads = nil }
    }
    self.reads = reads
  }

  /// The key of a fact's inputs (nil when not remembered).
  @inline(__always)
  func key(_ table: FactTable, fact: Int, subject: Int, scope: Int) -> MemoKey? {
    guard let reads else { return nil }
    var parts: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var count = 0
    @inline(__always) func put(_ value: UInt64) {
      switch count {
      case 0: parts.0 = value
      case 1: parts.1 = value
      case 2: parts.2 = value
      default: parts.3 = value
      }
      count += 1
    }
    for field in reads.fields {
      switch field {
      case .date: put(UInt64(bitPattern: Int64(table.rows[fact].date)))
      case .source: put(UInt64(bitPattern: Int64(table.rows[fact].source)))
      case .note: put(UInt64(bitPattern: Int64(table.note(fact))))
      case .subjectText: put(UInt64(subject))
      case .declared(let index): put(table.slot(fact, index))
      }
    }
    if reads.subject { put(UInt64(subject)) }
    if reads.scope { put(UInt64(scope)) }
    return MemoKey(a: parts.0, b: parts.1, c: parts.2, d: parts.3)
  }
}

/// Remembered results of one expression, bounded in size: an open-addressing table.
struct Memo<Result> {
  private var keys: [MemoKey] = []
  private var results: [Result] = []
  /// Index into `keys` + 1, or 0 for an empty slot.
  private var slots = [Int32](repeating: 0, count: 64)
  static var limit: Int { 1 << 16 }

  @inline(__always)
  private static func hash(_ key: MemoKey) -> Int {
    var h = key.a &* 0x9E37_79B9_7F4A_7C15
    h = (h ^ (h >> 29) ^ key.b) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 31) ^ key.c) &* 0x94D0_49BB_1331_11EB
    h = (h ^ (h >> 29) ^ key.d) &* 0x9E37_79B9_7F4A_7C15
    return Int(truncatingIfNeeded: h ^ (h >> 32))
  }

  @inline(__always)
  func lookup(_ key: MemoKey?) -> Result? {
    guard let key else { return nil }
    let mask = slots.count - 1
    var slot = Self.hash(key) & mask
    while true {
      let entry = Int(slots[slot])
      if entry == 0 { return nil }
      if keys[entry - 1] == key { return results[entry - 1] }
      slot = (slot + 1) & mask
    }
  }

  mutating func store(_ key: MemoKey?, _ result: Result) {
    guard let key, keys.count < Self.limit else { return }
    keys.append(key)
    results.append(result)
    if keys.count * 2 > slots.count {
      slots = [Int32](repeating: 0, count: slots.count * 2)
      for (index, key) in keys.enumerated() { place(key, Int32(index + 1)) }
    } else {
      place(key, Int32(keys.count))
    }
  }

  private mutating func place(_ key: MemoKey, _ entry: Int32) {
    let mask = slots.count - 1
    var slot = Self.hash(key) & mask
    while slots[slot] != 0 { slot = (slot + 1) & mask }
    slots[slot] = entry
  }
}
