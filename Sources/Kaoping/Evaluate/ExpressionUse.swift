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
final class FactExpression: Sendable {
  let source: RuleExpression
  let compiled: CompiledExpression
  /// The values its result depends on (nil: not remembered).
  let reads: ExpressionUse.Reads?

  init(_ expression: RuleExpression, compiled: CompiledExpression, type: FactType, store: FactStore) {
    source = expression
    self.compiled = compiled
    reads = ExpressionUse.perFactReads(expression.source, declared: type.fields).flatMap {
      ExpressionUse.keyable($0, type: type, store: store)
    }
    keyPlan = reads.map(FactAggregate.KeyPlan.init)
  }

  /// `reads` as plain values for the hot loop.
  private let keyPlan: FactAggregate.KeyPlan?

  /// The key of a fact's inputs, from its row (nil when not remembered).
  @inline(__always)
  func key(_ row: FactRow, _ store: FactStore, subject: Int, scope: Int) -> MemoKey? {
    guard let keyPlan else { return nil }
    return keyPlan.key(row, store, subject: subject, scope: scope)
  }
}

extension ExpressionUse {
  /// `reads` when results can be remembered by them: at most four values, none that
  /// reads alike for two different inputs (an int null and Int64.min in the slot, a
  /// subject id respelled in the facts); nil otherwise.
  static func keyable(_ reads: Reads, type: FactType, store: FactStore) -> Reads? {
    let keys = reads.fields.count + (reads.subject ? 1 : 0) + (reads.scope ? 1 : 0)
    let ambiguousInt = !store.intMinSlots.isEmpty && reads.fields.contains { field in
      if case .declared(let index) = field, index < type.fields.count, SlotKind(type.fields[index].type) == .int { return true }
      return false
    }
    let respelled = !store.subjectText.isEmpty && reads.fields.contains(.subjectText)
    if keys > 4 || ambiguousInt || respelled { return nil }
    return reads
  }
}

/// Values remembered by a key of slot values, in one open-addressing table whose
/// entries hold key and value side by side (a lookup touches one place in memory).
/// Bounded: past `limit` entries nothing more is stored. Its state sits behind a
/// pointer, so that using it costs no run-time exclusivity checks.
final class KeyedValues<Stored> {
  private struct Entry {
    var key: MemoKey
    var value: Stored
  }

  private struct State {
    var entries: UnsafeMutablePointer<Entry>
    var used: UnsafeMutablePointer<Bool>
    var capacity: Int
    var count: Int
  }

  private let state: UnsafeMutablePointer<State>
  let limit: Int

  init(limit: Int = 1 << 16) {
    self.limit = limit
    let capacity = 64
    let used = UnsafeMutablePointer<Bool>.allocate(capacity: capacity)
    used.initialize(repeating: false, count: capacity)
    state = .allocate(capacity: 1)
    state.initialize(to: State(entries: .allocate(capacity: capacity), used: used, capacity: capacity, count: 0))
  }

  deinit {
    let s = state.pointee
    for index in 0..<s.capacity where s.used[index] { (s.entries + index).deinitialize(count: 1) }
    s.entries.deallocate()
    s.used.deallocate()
    state.deinitialize(count: 1)
    state.deallocate()
  }

  var count: Int { state.pointee.count }

  @inline(__always)
  private static func hash(_ key: MemoKey) -> Int {
    var h = key.a &* 0x9E37_79B9_7F4A_7C15
    h = (h ^ (h >> 29) ^ key.b) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 31) ^ key.c) &* 0x94D0_49BB_1331_11EB
    h = (h ^ (h >> 29) ^ key.d) &* 0x9E37_79B9_7F4A_7C15
    return Int(truncatingIfNeeded: h ^ (h >> 32))
  }

  @inline(__always)
  func lookup(_ key: MemoKey) -> Stored? {
    let entries = state.pointee.entries
    let used = state.pointee.used
    let mask = state.pointee.capacity - 1
    var slot = Self.hash(key) & mask
    while used[slot] {
      if entries[slot].key == key { return entries[slot].value }
      slot = (slot + 1) & mask
    }
    return nil
  }

  func store(_ key: MemoKey, _ value: Stored) {
    guard state.pointee.count < limit else { return }
    if (state.pointee.count + 1) * 2 > state.pointee.capacity { grow() }
    let entries = state.pointee.entries
    let used = state.pointee.used
    let mask = state.pointee.capacity - 1
    var slot = Self.hash(key) & mask
    while used[slot] {
      if entries[slot].key == key { return }
      slot = (slot + 1) & mask
    }
    (entries + slot).initialize(to: Entry(key: key, value: value))
    used[slot] = true
    state.pointee.count += 1
  }

  private func grow() {
    let old = state.pointee
    let capacity = old.capacity * 2
    let entries = UnsafeMutablePointer<Entry>.allocate(capacity: capacity)
    let used = UnsafeMutablePointer<Bool>.allocate(capacity: capacity)
    used.initialize(repeating: false, count: capacity)
    let mask = capacity - 1
    for index in 0..<old.capacity where old.used[index] {
      let entry = (old.entries + index).move()
      var slot = Self.hash(entry.key) & mask
      while used[slot] { slot = (slot + 1) & mask }
      (entries + slot).initialize(to: entry)
      used[slot] = true
    }
    old.entries.deallocate()
    old.used.deallocate()
    state.pointee = State(entries: entries, used: used, capacity: capacity, count: old.count)
  }
}

/// Records remembered by a 64-bit key: 16-byte entries (the key and the record, unretained;
/// `owned` keeps the records), so a table of tens of thousands stays in the second-level
/// cache. `UInt64.max` marks an empty slot (such a key is not stored).
final class PackedRecords {
  private struct Entry {
    var key: UInt64
    var record: Unmanaged<RecordValue>?
  }

  private struct State {
    var entries: UnsafeMutablePointer<Entry>
    var capacity: Int
    var count: Int
  }

  private let state: UnsafeMutablePointer<State>
  private var owned: [RecordValue] = []
  let limit: Int

  init(limit: Int = 1 << 16) {
    self.limit = limit
    let capacity = 64
    let entries = UnsafeMutablePointer<Entry>.allocate(capacity: capacity)
    entries.initialize(repeating: Entry(key: .max, record: nil), count: capacity)
    state = .allocate(capacity: 1)
    state.initialize(to: State(entries: entries, capacity: capacity, count: 0))
  }

  deinit {
    state.pointee.entries.deallocate()
    state.deallocate()
  }

  @inline(__always)
  private static func hash(_ key: UInt64) -> Int {
    var h = key &* 0x9E37_79B9_7F4A_7C15
    h ^= h >> 31
    return Int(truncatingIfNeeded: h)
  }

  @inline(__always)
  func lookup(_ key: UInt64) -> RecordValue? {
    let entries = state.pointee.entries
    let mask = state.pointee.capacity - 1
    var slot = Self.hash(key) & mask
    while true {
      let entry = entries[slot]
      if entry.key == key { return entry.record?.takeUnretainedValue() }
      if entry.key == .max { return nil }
      slot = (slot + 1) & mask
    }
  }

  func store(_ key: UInt64, _ record: RecordValue) {
    guard key != .max, state.pointee.count < limit else { return }
    if (state.pointee.count + 1) * 2 > state.pointee.capacity { grow() }
    let entries = state.pointee.entries
    let mask = state.pointee.capacity - 1
    var slot = Self.hash(key) & mask
    while entries[slot].key != .max {
      if entries[slot].key == key { return }
      slot = (slot + 1) & mask
    }
    owned.append(record)
    entries[slot] = Entry(key: key, record: Unmanaged.passUnretained(record))
    state.pointee.count += 1
  }

  private func grow() {
    let old = state.pointee
    let capacity = old.capacity * 2
    let entries = UnsafeMutablePointer<Entry>.allocate(capacity: capacity)
    entries.initialize(repeating: Entry(key: .max, record: nil), count: capacity)
    let mask = capacity - 1
    for index in 0..<old.capacity where old.entries[index].key != .max {
      var slot = Self.hash(old.entries[index].key) & mask
      while entries[slot].key != .max { slot = (slot + 1) & mask }
      entries[slot] = old.entries[index]
    }
    old.entries.deallocate()
    state.pointee = State(entries: entries, capacity: capacity, count: old.count)
  }
}
