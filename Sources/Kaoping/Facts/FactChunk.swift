// Phase 1 (§3) output for one part of one fact file: typed facts in compact rows, and the
// records rejected so far. Both the general reader (raw records of any format) and the
// fast CSV reader fill chunks; `FactTableAssembler` joins them into a `FactTable`.

/// A record rejected in phase 1, before ids are checked for duplicates.
struct PendingRejection: Sendable {
  /// The explicit id (arena location, as in `FactRow.id`), or `FactChunk.noID`.
  var id: UInt64
  var row: Int32
  var code: DiagnosticCode
  var reason: String
}

/// What the rule file says about each fact type, for typing records.
struct FactSchema: Sendable {
  struct TypeInfo: Sendable {
    var id: String
    var fields: [FactType.Field]
    var kinds: [SlotKind]
    var refField: Int?
    /// Slots per fact: 2 inline, the rest (and the note) in overflow.
    var fieldCount: Int { fields.count }
  }

  let types: [TypeInfo]
  /// First index of each type id (`Dictionary(…, uniquingKeysWith: first)`).
  let typeIndex: [String: Int]
  let typeIDs: [String]
  /// Every field id declared by some type.
  let declaredAnywhere: Set<String>
  let periods: [Period]

  init(_ rules: RuleSet) {
    types = rules.factTypes.map { type in
      TypeInfo(
        id: type.id, fields: type.fields, kinds: type.fields.map { SlotKind($0.type) },
        refField: type.fields.firstIndex { $0.id == "ref" }.flatMap { index in
          // `ref` cancels only when it holds text.
          switch type.fields[index].type {
          case .string, .enumeration: index
          default: nil
          }
        })
    }
    typeIndex = Dictionary(rules.factTypes.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    typeIDs = rules.factTypes.map(\.id)
    declaredAnywhere = Set(rules.factTypes.flatMap { $0.fields.map(\.id) })
    periods = rules.periods
  }

  func unknownTypeReason(_ name: String) -> String {
    let hint = Suggest.closest(to: name, among: typeIDs).map { " (did you mean '\($0)'?)" } ?? ""
    return "unknown fact type '\(name)'\(hint)"
  }

  /// The date check of phase 1 for a parsed (or absent) date: nil when fine.
  func dateProblem(_ date: CELDate?) -> String? {
    guard !periods.isEmpty else { return nil }
    guard let date else { return "the record has no date (it is needed to place the fact in a period)" }
    if !periods.contains(where: { $0.from <= date && date <= $0.to }) { return "the date \(date) is outside every period" }
    return nil
  }
}

/// Facts and rejections of one part of one file, in record order.
struct FactChunk: Sendable {
  static let noID: UInt64 = .max

  var file: Int32
  var rows: [FactRow] = []
  /// Roster index of each row's subject.
  var subjects: [Int32] = []
  var overflow: [UInt64] = []
  var idArena: [UInt8] = []
  var longIDLengths: [Int: Int] = [:]
  /// Local string pool (ids in rows and slots are local until assembled).
  var pool = StringPool()
  var decimals: [Int32: ExactDecimal] = [:]
  /// (row index, field) of optional int fields holding Int64.min.
  var intMinSlots: [(row: Int, field: Int)] = []
  /// (row index, pool id) of subjects spelled differently from their roster id.
  var subjectText: [(row: Int, text: Int32)] = []
  var rejected: [PendingRejection] = []
  /// Records read (valid, rejected or malformed).
  var recordCount = 0
  /// Whether every explicit id is ASCII, and they strictly ascend in record order.
  var idsASCII = true
  var idsAscending = true
  var firstID: UInt64 = noID
  var lastID: UInt64 = noID
  /// Whether some fact has no explicit id (it is named FILE:ROW later).
  var hasSyntheticIDs = false

  init(file: Int32) {
    self.file = file
  }

  // MARK: Ids

  /// Stores an explicit id's bytes and returns its location.
  mutating func addID(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let start = idArena.count
    idArena.append(contentsOf: bytes)
    let packed: UInt64
    if bytes.count >= 0xFFFF {
      longIDLengths[start] = bytes.count
      packed = UInt64(start) << 16 | 0xFFFF
    } else {
      packed = UInt64(start) << 16 | UInt64(bytes.count)
    }
    if idsASCII && !Self.isASCII(bytes) { idsASCII = false }
    if idsAscending && lastID != Self.noID {
      let (s, n) = FactTable.idLocation(lastID, long: longIDLengths)
      let ascending = idArena.withUnsafeBytes { arena in
        FactTable.bytesLess(UnsafeRawBufferPointer(rebasing: arena[s..<s + n]),
                            UnsafeRawBufferPointer(rebasing: arena[start..<start + bytes.count]))
      }
      if !ascending { idsAscending = false }
    }
    if firstID == Self.noID { firstID = packed }
    lastID = packed
    return packed
  }

  mutating func addID(_ text: String) -> UInt64 {
    var text = text
    return text.withUTF8 { addID(UnsafeRawBufferPointer($0)) }
  }

  func withID<R>(_ packed: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let (start, length) = FactTable.idLocation(packed, long: longIDLengths)
    return idArena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<start + length])) }
  }

  func idText(_ packed: UInt64) -> String { withID(packed) { String(decoding: $0, as: UTF8.self) } }

  static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var i = 0
    let n = bytes.count
    while i + 8 <= n {
      if base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
      i += 8
    }
    while i < n {
      if base.load(fromByteOffset: i, as: UInt8.self) >= 0x80 { return false }
      i += 1
    }
    return true
  }

  // MARK: Records

  mutating func reject(id: UInt64, row: Int, _ code: DiagnosticCode, _ reason: String) {
    rejected.append(PendingRejection(id: id, row: Int32(truncatingIfNeeded: row), code: code, reason: reason))
  }

  /// Appends a valid fact. `values` are the declared fields' slots (local pool ids).
  mutating func addFact(
    id: UInt64, subject: Int, type: Int, date: Int32, source: Int32, note: Int32, row: Int,
    values: UnsafeBufferPointer<UInt64>
  ) {
    if id == Self.noID { hasSyntheticIDs = true }
    var extra: Int32 = -1
    if note >= 0 || values.count > 2 {
      extra = Int32(truncatingIfNeeded: overflow.count)
      overflow.append(note >= 0 ? UInt64(note) : FactSlot.null)
      if values.count > 2 { overflow.append(contentsOf: values[2...]) }
    }
    rows.append(FactRow(
      id: id, v0: values.count > 0 ? values[0] : FactSlot.null, v1: values.count > 1 ? values[1] : FactSlot.null,
      row: Int32(truncatingIfNeeded: row), file: file, date: date, source: source, extra: extra,
      type: Int32(truncatingIfNeeded: type)))
    subjects.append(Int32(truncatingIfNeeded: subject))
  }

  /// A typed value as a slot (strings and decimals interned in the local pool).
  mutating func slot(_ value: Value, text: String?) -> UInt64 {
    switch value {
    case .null: return FactSlot.null
    case .string(let string): return UInt64(pool.intern(string))
    case .int(let int): return UInt64(bitPattern: int)
    case .bool(let bool): return bool ? 1 : 0
    case .date(let date): return UInt64(bitPattern: Int64(date.daysSinceEpoch))
    case .decimal(let decimal):
      let id = pool.intern(text ?? decimal.description)
      decimals[id] = decimal
      return UInt64(id)
    default: return FactSlot.null
    }
  }
}
