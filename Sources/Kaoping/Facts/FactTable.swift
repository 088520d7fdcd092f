// The facts of one run after phase 1 (§3), stored compactly: one 48-byte row per fact,
// typed field values in fixed slots, strings interned once, ids as bytes. Nothing here
// allocates per fact; a `Fact` (with its `RecordValue`) is built only when asked for.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Interned strings: each distinct byte string once, with its Swift `String`.
struct StringPool: Sendable {
  private(set) var interner = ByteStringInterner(capacity: 64)
  /// The decoded text of each id.
  private(set) var strings: [String] = []

  var count: Int { strings.count }

  /// The id of `bytes` (added when new); nil when the pool holds 2³¹ − 1 strings already.
  mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32? {
    let before = interner.count
    guard let id = interner.intern(bytes) else { return nil }
    if interner.count != before { strings.append(String(decoding: bytes, as: UTF8.self)) }
    return id
  }

  /// The id of `text` (added when new, sharing `text`'s storage rather than decoding its
  /// bytes again); nil when the pool is full.
  mutating func intern(_ text: String) -> Int32? {
    var bytes = text
    let before = interner.count
    guard let id = bytes.withUTF8({ interner.intern(UnsafeRawBufferPointer($0)) }) else { return nil }
    if interner.count != before { strings.append(text) }
    return id
  }

  func id(of bytes: UnsafeRawBufferPointer) -> Int32? { interner.id(of: bytes) }

  func string(_ id: Int32) -> String { strings[Int(id)] }

  func withBytes<R>(_ id: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    interner.withBytes(for: id, body)
  }
}

/// How a slot holds a value of each field type.
///
/// - string, enum, decimal: the pool id of the text (a decimal's value is cached by id);
/// - int: the Int64's bits; `null` is `Int64.min`'s bits (an int field that really holds
///   Int64.min is listed in `FactStore.intMinSlots`);
/// - bool: 0 or 1; date: the day number's bits (Int64); null is `FactSlot.null` for all
///   but int.
enum FactSlot {
  static let null: UInt64 = .max
  static let intNull: UInt64 = 0x8000_0000_0000_0000
}

/// The kind of a declared field, for reading its slot.
enum SlotKind: Sendable, Equatable {
  case string
  case enumeration
  case int
  case decimal
  case bool
  case date

  init(_ type: FieldType) {
    switch type {
    case .string: self = .string
    case .enumeration: self = .enumeration
    case .int: self = .int
    case .decimal: self = .decimal
    case .bool: self = .bool
    case .date: self = .date
    }
  }

  var isPooled: Bool { self == .string || self == .enumeration || self == .decimal }
}

/// One fact: 48 bytes. `v0`, `v1` hold the first two declared fields; `extra` points into
/// `FactStore.overflow` at `[note, field 2, field 3, …]` when the fact has a note or more
/// than two fields.
struct FactRow: Sendable, BitwiseCopyable {
  /// Offset in the id arena << 16 | length (0xFFFF: see `longIDLengths`).
  var id: UInt64
  var v0: UInt64
  var v1: UInt64
  /// Spreadsheet row (CSV), line (JSON Lines) or item (YAML).
  var row: Int32
  /// Index of the fact file.
  var file: Int32
  /// Days since 1970-01-01, or `Int32.min` for no date.
  var date: Int32
  /// Pool id of the source, or -1.
  var source: Int32
  /// Start in `overflow`, or -1.
  var extra: Int32
  /// Index into the rule file's fact types.
  var type: Int32

  static let noDate = Int32.min

  var record: FileRow { FileRow(file: file, row: row) }

  /// Whether the fields lie as six little-endian words: id, v0, v1, row|file, date|source,
  /// extra|type (what `FactChunk.addFact` writes).
  static let wordLayout: Bool = {
    MemoryLayout<FactRow>.stride == 48 && MemoryLayout<FactRow>.offset(of: \.v0) == 8
      && MemoryLayout<FactRow>.offset(of: \.v1) == 16 && MemoryLayout<FactRow>.offset(of: \.row) == 24
      && MemoryLayout<FactRow>.offset(of: \.file) == 28 && MemoryLayout<FactRow>.offset(of: \.date) == 32
      && MemoryLayout<FactRow>.offset(of: \.source) == 36 && MemoryLayout<FactRow>.offset(of: \.extra) == 40
      && MemoryLayout<FactRow>.offset(of: \.type) == 44 && UInt32(1).littleEndian == 1
  }()
}

/// A record's identity: its file and row (unique within a run).
struct FileRow: Hashable, Sendable {
  var file: Int32
  var row: Int32
}

/// The fact a `ref` text names: the first fact, in input order, with that id.
struct RefTarget: Sendable {
  var record: FileRow
  /// Whether that fact carries a `ref` itself (then it cannot be cancelled).
  var hasRef: Bool
}

/// For each `ref` text (by pool id): the fact it names, if any. Texts whose keys (NFC)
/// are equal share a key; arrays, not dictionaries, so that building and looking up cost
/// no hashing.
struct RefTargets: Sendable {
  /// Per pool id: its key, or -1 for a text that is no `ref`.
  var keyOfText: [Int32] = []
  /// Per key: the fact it names, if any.
  var targets: [RefTarget?] = []

  subscript(text: Int32) -> RefTarget? {
    guard text >= 0, Int(text) < keyOfText.count else { return nil }
    let key = Int(keyOfText[Int(text)])
    guard key >= 0, key < targets.count else { return nil }
    return targets[key]
  }
}

/// What every part of a run's fact table shares: strings, decimals, overflow slots,
/// per-record exceptions and resolved refs.
final class FactStore: Sendable {
  let pool: StringPool
  /// Exact values of decimal fields, by pool id of their text.
  let decimals: [Int32: ExactDecimal]
  let overflow: [UInt64]
  /// Int fields that hold Int64.min (whose slot reads as null otherwise): (record, field index).
  let intMinSlots: Set<IntMinSlot>
  /// Facts whose `subject` text differs from the roster id it matched (canonically equal).
  let subjectText: [FileRow: Int32]
  /// Per fact type: its declared fields' slot kinds.
  let kinds: [[SlotKind]]
  /// Per fact type: the declared field `ref` (text), if any.
  let refField: [Int?]
  /// For each `ref` text (by pool id): the fact it names, if any.
  let refTargets: RefTargets
  /// Type ids, for records.
  let typeIDs: [String]

  struct IntMinSlot: Hashable, Sendable {
    var record: FileRow
    var field: Int
  }

  init(
    pool: StringPool, decimals: [Int32: ExactDecimal], overflow: [UInt64], intMinSlots: Set<IntMinSlot>,
    subjectText: [FileRow: Int32], kinds: [[SlotKind]], refField: [Int?], refTargets: RefTargets, typeIDs: [String]
  ) {
    self.pool = pool
    self.decimals = decimals
    self.overflow = overflow
    self.intMinSlots = intMinSlots
    self.subjectText = subjectText
    self.kinds = kinds
    self.refField = refField
    self.refTargets = refTargets
    self.typeIDs = typeIDs
  }

  /// The slot of declared field `field` of a row.
  @inline(__always)
  func slot(_ row: FactRow, _ field: Int) -> UInt64 {
    switch field {
    case 0: return row.v0
    case 1: return row.v1
    default: return overflow[Int(row.extra) + field - 1]
    }
  }

  /// The pool id of the row's note, or -1.
  func note(_ row: FactRow) -> Int32 {
    guard row.extra >= 0 else { return -1 }
    let value = overflow[Int(row.extra)]
    return value == FactSlot.null ? -1 : Int32(truncatingIfNeeded: value)
  }

  /// The value of a declared field as expressions see it.
  func value(_ row: FactRow, field: Int) -> Value {
    let raw = slot(row, field)
    switch kinds[Int(row.type)][field] {
    case .string, .enumeration:
      return raw == FactSlot.null ? .null : .string(pool.string(Int32(truncatingIfNeeded: raw)))
    case .decimal:
      guard raw != FactSlot.null, let decimal = decimals[Int32(truncatingIfNeeded: raw)] else { return .null }
      return .decimal(decimal)
    case .int:
      if raw == FactSlot.intNull {
        if !intMinSlots.isEmpty, intMinSlots.contains(IntMinSlot(record: row.record, field: field)) { return .int(.min) }
        return .null
      }
      return .int(Int64(bitPattern: raw))
    case .bool:
      return raw == FactSlot.null ? .null : .bool(raw == 1)
    case .date:
      return raw == FactSlot.null ? .null : .date(CELDate(daysSinceEpoch: Int32(truncatingIfNeeded: Int64(bitPattern: raw))))
    }
  }

  /// The pool id of the row's `ref` text, when its type declares one and it has a value.
  func refText(_ row: FactRow) -> Int32? {
    guard let field = refField[Int(row.type)] else { return nil }
    let raw = slot(row, field)
    return raw == FactSlot.null ? nil : Int32(truncatingIfNeeded: raw)
  }

  /// The subject text as the fact wrote it.
  func subjectText(_ row: FactRow, rosterID: String) -> String {
    if !subjectText.isEmpty, let id = subjectText[row.record] { return pool.string(id) }
    return rosterID
  }

  /// The `fact` object expressions see: built-in fields, then declared fields.
  func record(_ row: FactRow, id: String, rosterID: String, object: ObjectType) -> RecordValue {
    let type = Int(row.type)
    let declared = kinds[type].count
    let fields = [Value](unsafeUninitializedCapacity: 6 + declared) { buffer, initialized in
      buffer.initializeElement(at: 0, to: .string(id))
      buffer.initializeElement(at: 1, to: .string(subjectText(row, rosterID: rosterID)))
      buffer.initializeElement(at: 2, to: .string(typeIDs[type]))
      buffer.initializeElement(at: 3, to: row.date == FactRow.noDate ? .null : .date(CELDate(daysSinceEpoch: row.date)))
      buffer.initializeElement(at: 4, to: row.source < 0 ? .null : .string(pool.string(row.source)))
      let note = self.note(row)
      buffer.initializeElement(at: 5, to: note < 0 ? .null : .string(pool.string(note)))
      for field in 0..<declared { buffer.initializeElement(at: 6 + field, to: value(row, field: field)) }
      initialized = 6 + declared
    }
    return RecordValue(type: object, fields: fields)
  }
}

/// The valid facts of a block of subjects, each subject's facts in ledger order: by
/// (date, id) with undated facts first, those by (file, row) (§8.3).
final class FactTable: Sendable {
  let store: FactStore
  let rows: [FactRow]
  /// The first subject (roster index) of the block.
  let firstSubject: Int
  /// `subjectStart[s - firstSubject]..<subjectStart[s - firstSubject + 1]` are subject s's facts.
  let subjectStart: [Int]
  let idArena: ByteBuffer
  /// The real length of ids of 0xFFFF bytes or more, by arena offset.
  let longIDLengths: [Int: Int]

  init(store: FactStore, rows: [FactRow], firstSubject: Int, subjectStart: [Int], idArena: ByteBuffer, longIDLengths: [Int: Int]) {
    self.store = store
    self.rows = rows
    self.firstSubject = firstSubject
    self.subjectStart = subjectStart
    self.idArena = idArena
    self.longIDLengths = longIDLengths
  }

  var count: Int { rows.count }

  /// The facts of a subject of the block.
  @inline(__always)
  func range(of subject: Int) -> Range<Int> {
    subjectStart[subject - firstSubject]..<subjectStart[subject - firstSubject + 1]
  }

  // MARK: Ids

  @inline(__always)
  static func idLocation(_ packed: UInt64, long: [Int: Int]) -> (start: Int, count: Int) {
    let start = Int(packed >> 16)
    let short = Int(packed & 0xFFFF)
    return (start, short == 0xFFFF ? (long[start] ?? 0) : short)
  }

  /// Calls `body` with the id's bytes.
  @inline(__always)
  func withID<R>(_ fact: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let (start, length) = Self.idLocation(rows[fact].id, long: longIDLengths)
    return body(idArena.bytes(start, length))
  }

  func id(_ fact: Int) -> String { withID(fact) { String(decoding: $0, as: UTF8.self) } }

  /// Whether fact `a`'s id precedes `b`'s by code point (UTF-8 byte order).
  func idLess(_ a: Int, _ b: Int) -> Bool {
    withID(a) { x in withID(b) { y in Self.bytesLess(x, y) } }
  }

  static func bytesLess(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool {
    let n = Swift.min(x.count, y.count)
    if n > 0, let a = x.baseAddress, let b = y.baseAddress {
      let c = memcmp(a, b, n)
      if c != 0 { return c < 0 }
    }
    return x.count < y.count
  }

  // MARK: Values

  @inline(__always)
  func slot(_ fact: Int, _ field: Int) -> UInt64 { store.slot(rows[fact], field) }

  func note(_ fact: Int) -> Int32 { store.note(rows[fact]) }

  func date(_ fact: Int) -> CELDate? {
    let days = rows[fact].date
    return days == FactRow.noDate ? nil : CELDate(daysSinceEpoch: days)
  }

  func source(_ fact: Int) -> String? {
    let id = rows[fact].source
    return id < 0 ? nil : store.pool.string(id)
  }

  /// The text of the fact's `ref`, when its type declares one and it has a value.
  func ref(_ fact: Int) -> String? { store.refText(rows[fact]).map { store.pool.string($0) } }

  func hasRef(_ fact: Int) -> Bool { store.refText(rows[fact]) != nil }

  /// The `fact` object expressions see: built-in fields, then declared fields.
  func record(_ fact: Int, subject: Int, roster: Roster, object: ObjectType) -> RecordValue {
    store.record(rows[fact], id: id(fact), rosterID: roster.subjects[subject].id, object: object)
  }

  /// The fact as a standalone value (for explanations).
  func fact(_ index: Int, subject: Int, roster: Roster, rules: RuleSet, environments: RuleEnvironments) -> Fact? {
    let row = rows[index]
    let type = rules.factTypes[Int(row.type)]
    guard let object = environments.factObjects[type.id] else { return nil }
    let note = self.note(index)
    return Fact(
      id: id(index), subject: subject, type: Int(row.type), date: date(index), source: source(index), ref: ref(index),
      note: note < 0 ? nil : store.pool.string(note), file: Int(row.file), row: Int(row.row),
      record: record(index, subject: subject, roster: roster, object: object))
  }
}
