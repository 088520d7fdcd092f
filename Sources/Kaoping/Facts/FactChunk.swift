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

/// Subjects grouped in blocks of consecutive roster indexes: facts are kept by block
/// while they are read, so that grouping them by subject later touches one block's
/// memory at a time (and blocks can be done in parallel).
struct SubjectBlocks: Sendable {
  let shift: Int
  let count: Int
  let subjects: Int

  init(subjects: Int) {
    var size = 64
    while size * 256 < subjects { size *= 2 }
    shift = size.trailingZeroBitCount
    count = Swift.max(1, (subjects + size - 1) / size)
    self.subjects = subjects
  }

  @inline(__always) func block(of subject: Int) -> Int { subject >> shift }

  func range(_ block: Int) -> Range<Int> { (block << shift)..<Swift.min(subjects, (block + 1) << shift) }
}

/// The facts of one subject block read from one chunk, in record order.
///
/// Until the block's table is built, a row's `file` holds the roster index of its subject
/// (all rows of a chunk are of the chunk's file): one store less per fact.
struct FactBucket: Sendable {
  var rowData: ByteBuffer
  /// Ids of the rows (`FactRow.id` locates them here).
  var ids: ByteBuffer
  var longIDLengths: [Int: Int] = [:]

  init(reserving count: Int = 0) {
    rowData = ByteBuffer(capacity: count * MemoryLayout<FactRow>.stride)
    ids = ByteBuffer(capacity: count * 10)
  }

  var rows: UnsafeMutableBufferPointer<FactRow> { rowData.elements(FactRow.self) }

  /// The roster index of a row's subject (kept in its `file`).
  @inline(__always) static func subject(_ row: FactRow) -> Int { Int(row.file) }
}

/// Facts and rejections of one part of one file.
struct FactChunk: Sendable {
  static let noID: UInt64 = .max

  var file: Int32
  var buckets: [FactBucket]
  var overflow: [UInt64] = []
  /// Local string pool (ids in rows and slots are local until assembled).
  var pool = StringPool()
  var decimals: [Int32: ExactDecimal] = [:]
  /// Rows (bucket, index) whose optional int field holds Int64.min.
  var intMinSlots: [(bucket: Int32, row: Int32, field: Int32)] = []
  /// Rows (bucket, index) whose subject is spelled differently from its roster id.
  var subjectText: [(bucket: Int32, row: Int32, text: Int32)] = []
  var rejected: [PendingRejection] = []
  /// Ids of rejected records (`PendingRejection.id` locates them here).
  var rejectedIDs = ByteBuffer(capacity: 64)
  /// Records read (valid, rejected or malformed).
  var recordCount = 0
  /// Whether every explicit id is ASCII, and they strictly ascend in record order.
  var idsASCII = true
  var idsAscending = true
  var firstID: [UInt8]? = nil

  /// Whether some fact has no explicit id (it is named FILE:ROW later).
  var hasSyntheticIDs = false
  /// Whether a text did not fit in the pool (2³¹ − 1 distinct texts): the run fails.
  var tooManyStrings = false
  let blocks: SubjectBlocks

  /// The buckets' buffers, unretained (`buckets` keeps them alive): appending through
  /// them costs no reference counting.
  private let rowRefs: [Unmanaged<ByteBuffer>]
  private let idRefs: [Unmanaged<ByteBuffer>]

  init(file: Int32, blocks: SubjectBlocks, expectedFacts: Int = 0) {
    self.file = file
    self.blocks = blocks
    let perBucket = expectedFacts / blocks.count
    buckets = (0..<blocks.count).map { _ in FactBucket(reserving: perBucket > 0 ? perBucket + perBucket / 8 + 16 : 0) }
    rowRefs = buckets.map { Unmanaged.passUnretained($0.rowData) }
    idRefs = buckets.map { Unmanaged.passUnretained($0.ids) }
  }

  // MARK: Ids

  /// Notes an explicit id, in record order (for the duplicate check's fast case); the
  /// id is then stored by `addFact` or `reject`, which remember where (`lastIDAt`).
  /// `padded`: 16 bytes may be read from the id's start (a cell of the CSV reader's buffer).
  @inline(__always)
  mutating func noteID(_ bytes: UnsafeRawBufferPointer, padded: Bool = false) {
    if idsASCII && !Self.isASCII(bytes) { idsASCII = false }
    if firstID == nil {
      firstID = Array(bytes)
    } else if idsAscending, let (buffer, start, length) = lastIDAt {
      let ascending = buffer._withUnsafeGuaranteedRef { ids in
        let last = ids.bytes(start, length)
        if padded, length <= 16, bytes.count <= 16, let x = last.baseAddress, let y = bytes.baseAddress {
          // Both ids (and 16 bytes from each: the ids' buffer has padding) as two big-endian words.
          return Self.shortLess(x, length, y, bytes.count)
        }
        return FactTable.bytesLess(last, bytes)
      }
      if !ascending { idsAscending = false }
    }
  }

  /// `FactTable.bytesLess` for texts of at most 16 bytes with 16 readable bytes each.
  @inline(__always)
  static func shortLess(_ x: UnsafeRawPointer, _ xCount: Int, _ y: UnsafeRawPointer, _ yCount: Int) -> Bool {
    @inline(__always) func word(_ p: UnsafeRawPointer, _ offset: Int, _ count: Int) -> UInt64 {
      let raw = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      let n = count - offset  // bytes of this word that belong to the text
      let masked = n >= 8 ? raw : (n <= 0 ? 0 : raw & ((1 << UInt64(8 * n)) - 1))
      return masked.byteSwapped  // first byte most significant
    }
    let x0 = word(x, 0, xCount)
    let y0 = word(y, 0, yCount)
    if x0 != y0 { return x0 < y0 }
    let x1 = word(x, 8, xCount)
    let y1 = word(y, 8, yCount)
    if x1 != y1 { return x1 < y1 }
    return xCount < yCount
  }

  /// Where the last explicit id was stored.
  private var lastIDAt: (Unmanaged<ByteBuffer>, Int, Int)? = nil

  /// The last explicit id (while they ascend).
  var lastID: [UInt8] {
    guard let (buffer, start, length) = lastIDAt else { return [] }
    return buffer._withUnsafeGuaranteedRef { Array($0.bytes(start, length)) }
  }

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

  /// A rejected record; `id` is its explicit id, if any.
  mutating func reject(id: UnsafeRawBufferPointer?, row: Int, _ code: DiagnosticCode, _ reason: String) {
    var packed = Self.noID
    if let id {
      let start = rejectedIDs.count
      rejectedIDs.append(id)
      lastIDAt = (Unmanaged.passUnretained(rejectedIDs), start, id.count)
      packed = UInt64(start) << 16 | UInt64(Swift.min(id.count, 0xFFFF))
      if id.count >= 0xFFFF { longRejectedIDs[start] = id.count }
    }
    rejected.append(PendingRejection(id: packed, row: Int32(truncatingIfNeeded: row), code: code, reason: reason))
  }

  var longRejectedIDs: [Int: Int] = [:]

  func rejectedIDText(_ packed: UInt64) -> String {
    let (start, length) = FactTable.idLocation(packed, long: longRejectedIDs)
    return String(decoding: rejectedIDs.bytes(start, length), as: UTF8.self)
  }

  func withRejectedID<R>(_ packed: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let (start, length) = FactTable.idLocation(packed, long: longRejectedIDs)
    return body(rejectedIDs.bytes(start, length))
  }

  /// Appends a valid fact. `values` are the declared fields' slots (local pool ids).
  @inline(__always)
  /// `paddedID`: 16 bytes may be read from the id's start (a cell of the CSV reader's buffer).
  mutating func addFact(
    id: UnsafeRawBufferPointer?, subject: Int, type: Int, date: Int32, source: Int32, note: Int32, row: Int,
    values: UnsafeBufferPointer<UInt64>, paddedID: Bool = false
  ) -> (bucket: Int32, row: Int32) {
    var extra: Int32 = -1
    if note >= 0 || values.count > 2 {
      extra = Int32(truncatingIfNeeded: overflow.count)
      overflow.append(note >= 0 ? UInt64(note) : FactSlot.null)
      if values.count > 2 {
        for index in 2..<values.count { overflow.append(values[index]) }
      }
    }
    let b = blocks.block(of: subject)
    var packed = Self.noID
    if let id {
      let start = idRefs[b]._withUnsafeGuaranteedRef { ids in
        let start = ids.count
        if paddedID { ids.appendShort(id) } else { ids.append(id) }
        return start
      }
      lastIDAt = (idRefs[b], start, id.count)
      if id.count >= 0xFFFF {
        buckets[b].longIDLengths[start] = id.count
        packed = UInt64(start) << 16 | 0xFFFF
      } else {
        packed = UInt64(start) << 16 | UInt64(id.count)
      }
    } else {
      hasSyntheticIDs = true
    }
    // The row's six words (see `FactRow.wordLayout`), stored with plain stores.
    @inline(__always) func pair(_ low: Int32, _ high: Int32) -> UInt64 {
      UInt64(UInt32(bitPattern: low)) | UInt64(UInt32(bitPattern: high)) << 32
    }
    // The subject in the `file` word (see `FactBucket`).
    let subjectIndex = Int32(truncatingIfNeeded: subject)
    let v0 = values.count > 0 ? values[0] : FactSlot.null
    let v1 = values.count > 1 ? values[1] : FactSlot.null
    let index = rowRefs[b]._withUnsafeGuaranteedRef { rows in
      let index = Int32(truncatingIfNeeded: rows.count / MemoryLayout<FactRow>.stride)
      if FactRow.wordLayout {
        rows.appendWords(
          packed, v0, v1, pair(Int32(truncatingIfNeeded: row), subjectIndex), pair(date, source),
          pair(extra, Int32(truncatingIfNeeded: type)))
      } else {
        rows.append(value: FactRow(
          id: packed, v0: v0, v1: v1, row: Int32(truncatingIfNeeded: row), file: subjectIndex, date: date,
          source: source, extra: extra, type: Int32(truncatingIfNeeded: type)))
      }
      return index
    }
    return (Int32(b), index)
  }

  /// The pool id of a text; when the pool is full, 0 and `tooManyStrings` (the run fails).
  mutating func internText(_ text: String) -> Int32 {
    if let id = pool.intern(text) { return id }
    tooManyStrings = true
    return 0
  }

  /// A typed value as a slot (strings and decimals interned in the local pool).
  mutating func slot(_ value: Value, text: String?) -> UInt64 {
    switch value {
    case .null: return FactSlot.null
    case .string(let string): return UInt64(internText(string))
    case .int(let int): return UInt64(bitPattern: int)
    case .bool(let bool): return bool ? 1 : 0
    case .date(let date): return UInt64(bitPattern: Int64(date.daysSinceEpoch))
    case .decimal(let decimal):
      let id = internText(text ?? decimal.description)
      decimals[id] = decimal
      return UInt64(id)
    default: return FactSlot.null
    }
  }
}
