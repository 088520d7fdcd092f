// The facts of one run after phase 1 (§3), stored compactly: one 48-byte row per fact,
// typed field values in fixed slots, strings interned once, ids as bytes. Nothing here
// allocates per fact; a `Fact` (with its `RecordValue`) is built only when asked for.

/// Interned strings: each distinct byte string once, with its Swift `String`.
struct StringPool: Sendable {
  private(set) var interner = ByteStringInterner(capacity: 64)
  /// The decoded text of each id.
  private(set) var strings: [String] = []

  var count: Int { strings.count }

  /// The id of `bytes` (added when new).
  mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
    let before = interner.count
    guard let id = interner.intern(bytes) else { preconditionFailure("more than 2³¹ distinct strings") }
    if interner.count != before { strings.append(String(decoding: bytes, as: UTF8.self)) }
    return id
  }

  mutating func intern(_ text: String) -> Int32 {
    var text = text
    return text.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
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
/// - int: the Int64's bits; `null` is `Int64.min`'s bits (an optional int field that
///   really holds Int64.min is listed in `FactTable.intMinSlots`);
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
/// `FactTable.overflow` at `[note, field 2, field 3, …]` when the fact has a note or more
/// than two fields.
struct FactRow: Sendable {
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
}

/// A record's identity that survives reordering: its file and row.
struct FileRow: Hashable, Sendable {
  var file: Int32
  var row: Int32
}

/// The valid facts of a run, by subject, each subject's facts in ledger order: by
/// (date, id) with undated facts first, those by (file, row) (§8.3).
final class FactTable: Sendable {
  let rows: [FactRow]
  /// `subjectStart[s]..<subjectStart[s + 1]` are the facts of roster subject `s`.
  let subjectStart: [Int]
  let overflow: [UInt64]
  let idArena: ByteBuffer
  /// The real length of ids of 0xFFFF bytes or more, by arena offset.
  let longIDLengths: [Int: Int]
  let pool: StringPool
  /// Exact values of decimal fields, by pool id of their text.
  let decimals: [Int32: ExactDecimal]
  /// Optional int fields that hold Int64.min (whose slot reads as null otherwise): (record, field index).
  let intMinSlots: Set<IntMinSlot>
  /// Facts whose `subject` text differs from the roster id it matched (canonically equal).
  let subjectText: [FileRow: Int32]
  /// Per fact type: its declared fields' slot kinds.
  let kinds: [[SlotKind]]
  /// Per fact type: the declared field `ref` (string), if any.
  let refField: [Int?]
  /// For each `ref` text (by pool id): the fact (table index) with that id, the first
  /// in input order; -1 when there is none.
  let refTargets: [Int32: Int32]

  struct IntMinSlot: Hashable, Sendable {
    var record: FileRow
    var field: Int
  }

  init(
    rows: [FactRow], subjectStart: [Int], overflow: [UInt64], idArena: ByteBuffer, longIDLengths: [Int: Int],
    pool: StringPool, decimals: [Int32: ExactDecimal], intMinSlots: Set<IntMinSlot>, subjectText: [FileRow: Int32],
    kinds: [[SlotKind]], refField: [Int?], refTargets: [Int32: Int32]
  ) {
    self.rows = rows
    self.subjectStart = subjectStart
    self.overflow = overflow
    self.idArena = idArena
    self.longIDLengths = longIDLengths
    self.pool = pool
    self.decimals = decimals
    self.intMinSlots = intMinSlots
    self.subjectText = subjectText
    self.kinds = kinds
    self.refField = refField
    self.refTargets = refTargets
  }

  /// The same table with `ref`s resolved.
  func withRefTargets(_ targets: [Int32: Int32]) -> FactTable {
    FactTable(
      rows: rows, subjectStart: subjectStart, overflow: overflow, idArena: idArena, longIDLengths: longIDLengths,
      pool: pool, decimals: decimals, intMinSlots: intMinSlots, subjectText: subjectText, kinds: kinds,
      refField: refField, refTargets: targets)
  }

  /// The fact a fact's `ref` names (table index), if any.
  func refTarget(_ fact: Int) -> Int? {
    guard let field = refField[Int(rows[fact].type)] else { return nil }
    let raw = slot(fact, field)
    guard raw != FactSlot.null, let target = refTargets[Int32(truncatingIfNeeded: raw)], target >= 0 else { return nil }
    return Int(target)
  }

  var count: Int { rows.count }

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

  /// The slot of declared field `field` of a fact.
  @inline(__always)
  func slot(_ fact: Int, _ field: Int) -> UInt64 {
    let row = rows[fact]
    switch field {
    case 0: return row.v0
    case 1: return row.v1
    default: return overflow[Int(row.extra) + field - 1]
    }
  }

  /// The pool id of the fact's note, or -1.
  func note(_ fact: Int) -> Int32 {
    let extra = rows[fact].extra
    guard extra >= 0 else { return -1 }
    let value = overflow[Int(extra)]
    return value == FactSlot.null ? -1 : Int32(truncatingIfNeeded: value)
  }

  /// The value of a declared field as expressions see it.
  func value(_ fact: Int, field: Int) -> Value {
    let raw = slot(fact, field)
    let row = rows[fact]
    switch kinds[Int(row.type)][field] {
    case .string, .enumeration:
      return raw == FactSlot.null ? .null : .string(pool.string(Int32(truncatingIfNeeded: raw)))
    case .decimal:
      guard raw != FactSlot.null, let decimal = decimals[Int32(truncatingIfNeeded: raw)] else { return .null }
      return .decimal(decimal)
    case .int:
      if raw == FactSlot.intNull {
        if !intMinSlots.isEmpty,
          intMinSlots.contains(IntMinSlot(record: FileRow(file: row.file, row: row.row), field: field))
        {
          return .int(.min)
        }
        return .null
      }
      return .int(Int64(bitPattern: raw))
    case .bool:
      return raw == FactSlot.null ? .null : .bool(raw == 1)
    case .date:
      return raw == FactSlot.null ? .null : .date(CELDate(daysSinceEpoch: Int32(truncatingIfNeeded: Int64(bitPattern: raw))))
    }
  }

  func date(_ fact: Int) -> CELDate? {
    let days = rows[fact].date
    return days == FactRow.noDate ? nil : CELDate(daysSinceEpoch: days)
  }

  func source(_ fact: Int) -> String? {
    let id = rows[fact].source
    return id < 0 ? nil : pool.string(id)
  }

  /// The text of the fact's `ref`, when its type declares one and it has a value.
  func ref(_ fact: Int) -> String? {
    guard let field = refField[Int(rows[fact].type)] else { return nil }
    let raw = slot(fact, field)
    return raw == FactSlot.null ? nil : pool.string(Int32(truncatingIfNeeded: raw))
  }

  func hasRef(_ fact: Int) -> Bool {
    guard let field = refField[Int(rows[fact].type)] else { return false }
    return slot(fact, field) != FactSlot.null
  }

  /// The subject text as the fact wrote it.
  func subjectText(_ fact: Int, roster: Roster, subject: Int) -> String {
    if !subjectText.isEmpty, let id = subjectText[FileRow(file: rows[fact].file, row: rows[fact].row)] {
      return pool.string(id)
    }
    return roster.subjects[subject].id
  }

  /// The subject (roster index) of a fact.
  func subject(of fact: Int) -> Int {
    var low = 0
    var high = subjectStart.count - 1
    while low + 1 < high {
      let middle = (low + high) / 2
      if subjectStart[middle] <= fact { low = middle } else { high = middle }
    }
    return low
  }

  /// The `fact` object expressions see: built-in fields, then declared fields.
  func record(_ fact: Int, subject: Int, roster: Roster, rules: RuleSet, object: ObjectType) -> RecordValue {
    let row = rows[fact]
    let type = Int(row.type)
    let declared = kinds[type].count
    var fields: [Value] = []
    fields.reserveCapacity(6 + declared)
    fields.append(.string(id(fact)))
    fields.append(.string(subjectText(fact, roster: roster, subject: subject)))
    fields.append(.string(rules.factTypes[type].id))
    fields.append(row.date == FactRow.noDate ? .null : .date(CELDate(daysSinceEpoch: row.date)))
    fields.append(row.source < 0 ? .null : .string(pool.string(row.source)))
    let note = self.note(fact)
    fields.append(note < 0 ? .null : .string(pool.string(note)))
    for field in 0..<declared { fields.append(value(fact, field: field)) }
    return RecordValue(type: object, fields: fields)
  }

  /// The fact as a standalone value (for explanations).
  func fact(_ index: Int, subject: Int, roster: Roster, rules: RuleSet, environments: RuleEnvironments) -> Fact? {
    let row = rows[index]
    let type = rules.factTypes[Int(row.type)]
    guard let object = environments.factObjects[type.id] else { return nil }
    let note = self.note(index)
    return Fact(
      id: id(index), subject: subject, type: Int(row.type), date: date(index), source: source(index), ref: ref(index),
      note: note < 0 ? nil : pool.string(note), file: Int(row.file), row: Int(row.row),
      record: record(index, subject: subject, roster: roster, rules: rules, object: object))
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
