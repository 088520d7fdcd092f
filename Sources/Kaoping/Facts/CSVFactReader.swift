#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Phase 1 (§3) straight from the bytes of a CSV fact file: the file is read in blocks
/// (never held whole), split into parts at line breaks that are typed on several threads,
/// and hashed alongside. Cells are typed from their bytes; repeated texts (subjects,
/// types, enum values, sources) are looked up once.
///
/// It handles the usual file: UTF-8, a header, no quoted cells, every row as wide as the
/// header, only known columns. For anything else `read` returns nil and the caller uses
/// the general reader, which reports problems exactly; so this path never changes a
/// result, only how fast it comes.
struct CSVFactReader {
  let path: String
  let fileIndex: Int
  let schema: FactSchema
  let roster: Roster
  let rosterIDs: LongIDIndex
  let rosterShort: ShortTextTable
  let threads: Int
  /// The size of each part's read buffer at first (it grows for a longer line; tests use
  /// small buffers).
  var bufferSize = 1 << 20
  /// Counts the bytes of the file read, when a run shows its progress.
  var progress: ProgressCounter? = nil
  /// Whether to hash the file (`InputInfo.sha256`; empty when false).
  var digest = true

  struct Output {
    var chunks: [FactChunk]
    var info: InputInfo
  }

  /// Roster ids longer than `ShortTextTable` keeps, by their bytes.
  struct LongIDIndex: Sendable {
    var interner = ByteStringInterner(capacity: 16)
    /// Roster index of each interned id.
    var positions: [Int] = []

    /// The roster index of the id with these bytes (longer than 16 bytes), if any.
    func index(of bytes: UnsafeRawBufferPointer) -> Int? {
      interner.id(of: bytes).map { positions[Int($0)] }
    }
  }

  /// A read-only index of the roster ids of more than 16 bytes (the others are looked up
  /// in `ShortTextTable`); a repeated id keeps its first position.
  static func rosterIndex(_ roster: Roster) -> LongIDIndex {
    var index = LongIDIndex()
    for (position, subject) in roster.subjects.enumerated() where subject.id.utf8.count > 16 {
      let before = index.interner.count
      guard let id = index.interner.intern(subject.id) else { break }
      if index.interner.count != before, Int(id) == index.positions.count { index.positions.append(position) }
    }
    return index
  }

  // MARK: Layout of the file

  /// What each column is, for one file, in flat arrays (no reference counting per record).
  struct Columns: Sendable {
    var width: Int
    var id = -1
    var subject = -1
    var type = -1
    var date = -1
    var source = -1
    var note = -1
    /// Declared fields of all types, one after another: `fieldStart[t]..<fieldStart[t + 1]` are type t's.
    var fieldStart: [Int] = [0]
    var fieldColumn: [Int] = []
    var fieldKind: [SlotKind] = []
    var fieldOptional: [Bool] = []
    /// Per type: columns whose non-empty value rejects the record, and why.
    var undeclaredStart: [Int] = [0]
    var undeclaredColumn: [Int] = []
    var undeclaredReason: [String] = []
    /// Per type: columns the record's typing does not read (x- columns, other types' fields).
    var otherStart: [Int] = [0]
    var otherColumn: [Int] = []
  }

  static func columns(_ names: [String], schema: FactSchema) -> Columns {
    var columns = Columns(width: names.count)
    func first(_ name: String) -> Int { names.firstIndex { $0 == name } ?? -1 }
    columns.id = first("id")
    columns.subject = first("subject")
    columns.type = first("type")
    columns.date = first("date")
    columns.source = first("source")
    columns.note = first("note")
    for type in schema.types {
      var read = Set([columns.id, columns.subject, columns.type, columns.date, columns.source, columns.note])
      for (index, field) in type.fields.enumerated() {
        let column = first(field.id)
        columns.fieldColumn.append(column)
        columns.fieldKind.append(type.kinds[index])
        columns.fieldOptional.append(field.optional)
        read.insert(column)
      }
      columns.fieldStart.append(columns.fieldColumn.count)
      for (index, name) in names.enumerated() {
        if !name.hasPrefix("x-") && !type.fields.contains(where: { $0.id == name })
          && !RuleEnvironments.builtInFactFields.contains(name)
        {
          columns.undeclaredColumn.append(index)
          columns.undeclaredReason.append(
            schema.declaredAnywhere.contains(name)
              ? "the field \(name) has a value, but fact type \(type.id) does not declare it"
              : "unknown field \(name)")
        } else if !read.contains(index) {
          columns.otherColumn.append(index)
        }
      }
      columns.undeclaredStart.append(columns.undeclaredColumn.count)
      columns.otherStart.append(columns.otherColumn.count)
    }
    return columns
  }

  // MARK: Reading

  /// Reads the file; nil when it needs the general reader. `accept` sees the header's
  /// column names first (false: stop, e.g. for unknown columns).
  func read(accept: ([String]) -> Bool) -> Output? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0 else { return nil }
    let size = Int(info.st_size)
    // The header: the first line, whole.
    var head = [UInt8](repeating: 0, count: Swift.min(size, 1 << 16))
    guard Self.readFully(fd, into: &head, at: 0) else { return nil }
    var bodyStart = 0
    var names: [String] = []
    let parsed = head.withUnsafeBytes { bytes -> Bool in
      let bom = UTF8Input.bomLength(bytes)
      var end = bom
      while end < bytes.count, bytes[end] != 0x0A, bytes[end] != 0x0D {
        if bytes[end] == 0x22 { return false }
        end += 1
      }
      guard end < bytes.count else { return false }  // no line break in the first block
      let line = UnsafeRawBufferPointer(rebasing: bytes[bom..<end])
      guard UTF8Input.firstInvalidOffset(line) == nil, !line.isEmpty else { return false }
      var cellStart = 0
      for i in 0...line.count where i == line.count || line[i] == 0x2C {
        names.append(String(decoding: UnsafeRawBufferPointer(rebasing: line[cellStart..<i]), as: UTF8.self))
        cellStart = i + 1
      }
      bodyStart = end + 1
      if bytes[end] == 0x0D {
        guard end + 1 < bytes.count else { return false }
        if bytes[end + 1] == 0x0A { bodyStart = end + 2 }
      }
      return true
    }
    guard parsed, !names.contains(where: \.isEmpty), Set(names).count == names.count, accept(names) else { return nil }
    progress?.add(bodyStart)
    let columns = Self.columns(names, schema: schema)

    // Parts: split at line feeds; `threads × 4` parts of at least 1 MiB.
    var starts = [bodyStart]
    let body = size - bodyStart
    let parts = threads <= 1 ? 1 : Swift.max(1, Swift.min(threads * 4, body / (1 << 20)))
    if parts > 1 {
      var window = [UInt8](repeating: 0, count: 1 << 16)
      for part in 1..<parts {
        let target = bodyStart + body / parts * part
        guard target > starts[starts.count - 1] else { continue }
        let count = Swift.min(window.count, size - target)
        guard count > 0 else { break }
        window.withUnsafeMutableBytes { _ = pread(fd, $0.baseAddress, count, off_t(target)) }
        guard let lf = window[0..<count].firstIndex(of: 0x0A) else { continue }
        let start = target + lf + 1
        if start < size, start > starts[starts.count - 1] { starts.append(start) }
      }
    }
    starts.append(size)
    let pieceCount = starts.count - 1

    // Parse the parts and hash the file, in parallel.
    var results = [PieceResult?](repeating: nil, count: pieceCount)
    var sha256 = ""
    let hashTasks = digest ? 1 : 0
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let output = buffer
      nonisolated(unsafe) var hex = ""
      Parallel.forEach(pieceCount + hashTasks, threads: threads) { task in
        if task < hashTasks {
          hex = Self.hash(fd, size: size)
        } else {
          let piece = task - hashTasks
          var parser = PieceParser(
            reader: self, columns: columns, fd: fd, start: starts[piece], end: starts[piece + 1])
          output[piece] = parser.run()
        }
      }
      sha256 = hex
    }
    // Rows: the header is row 1; each part's rows follow the line breaks before it.
    var chunks: [FactChunk] = []
    var rowBase = 1 + (bodyStart > 0 ? 1 : 0)
    var records = 0
    var bases: [Int32] = []
    for piece in 0..<pieceCount {
      guard var result = results[piece], !result.failed else { return nil }
      results[piece] = nil
      let base = Int32(truncatingIfNeeded: rowBase)
      bases.append(base)
      for index in result.chunk.rejected.indices { result.chunk.rejected[index].row += base }
      rowBase += result.lineBreaks
      records += result.chunk.recordCount
      chunks.append(result.chunk)
    }
    // The facts' rows, all chunks at once (the buckets' rows are written in place).
    Parallel.forEach(pieceCount, threads: threads) { piece in
      let base = bases[piece]
      for bucket in chunks[piece].buckets {
        let rows = bucket.rows
        for index in rows.indices { rows[index].row += base }
      }
    }
    guard !digest || !sha256.isEmpty else { return nil }
    return Output(chunks: chunks, info: InputInfo(role: .facts, path: path, sha256: sha256, records: records))
  }

  static func readFully(_ fd: Int32, into buffer: inout [UInt8], at offset: Int) -> Bool {
    var done = 0
    let wanted = buffer.count
    while done < wanted {
      let got = buffer.withUnsafeMutableBytes { bytes -> Int in
        guard let base = bytes.baseAddress else { return 0 }
        return pread(fd, base + done, wanted - done, off_t(offset + done))
      }
      if got < 0, errno == EINTR { continue }
      guard got > 0 else { return false }
      done += got
    }
    return true
  }

  static func hash(_ fd: Int32, size: Int) -> String {
    let digest = InputDigest()
    let block = 1 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: block, alignment: 64)
    defer { buffer.deallocate() }
    var offset = 0
    while offset < size {
      let got = pread(fd, buffer.baseAddress, Swift.min(block, size - offset), off_t(offset))
      if got < 0, errno == EINTR { continue }
      guard got > 0 else { return "" }
      digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
      offset += got
    }
    return digest.finalizeHex()
  }

  struct PieceResult: Sendable {
    var chunk: FactChunk
    var lineBreaks = 0
    var failed = false
  }
}



/// Results for short texts (at most 16 bytes) by their exact bytes and a tag: a small
/// direct-mapped table, so that repeated types, enum values and sources cost a few
/// compares instead of a hash lookup.
struct TextCache {
  struct Entry {
    var w0: UInt64 = 0
    var w1: UInt64 = 0
    /// length | tag << 8, or 0 for an empty entry.
    var meta: UInt32 = 0
    var value: Int32 = 0
  }

  private let entries: UnsafeMutablePointer<Entry>
  static let size = 2048

  init() {
    entries = .allocate(capacity: Self.size)
    entries.initialize(repeating: Entry(), count: Self.size)
  }

  func release() { entries.deallocate() }

  /// The text as two words (bytes past its end are zero). `bytes` may be read up to 16
  /// bytes from its start.
  @inline(__always)
  static func words(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
    let n = bytes.count
    guard let p = bytes.baseAddress else { return (0, 0) }
    let a = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
    let b = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    if n >= 16 { return (a, b) }
    if n >= 8 { return (a, n == 8 ? 0 : b & ((1 << UInt64(8 * (n - 8))) - 1)) }
    return (a & ((1 << UInt64(8 * n)) - 1), 0)
  }

  @inline(__always)
  private static func index(_ w0: UInt64, _ w1: UInt64, _ meta: UInt32) -> Int {
    let h = (w0 &* 0x9E37_79B9_7F4A_7C15) ^ (w1 &* 0xC2B2_AE3D_27D4_EB4F) ^ (UInt64(meta) &* 0x1656_67B1_9E37_79F9)
    return Int(truncatingIfNeeded: h >> 53) & (size - 1)
  }

  /// The value stored for `bytes` (1…16 bytes) under `tag`.
  @inline(__always)
  func lookup(_ bytes: UnsafeRawBufferPointer, tag: UInt32) -> Int32? {
    let (w0, w1) = Self.words(bytes)
    let meta = UInt32(bytes.count) | tag << 8
    let entry = entries[Self.index(w0, w1, meta)]
    return entry.meta == meta && entry.w0 == w0 && entry.w1 == w1 ? entry.value : nil
  }

  @inline(__always)
  func store(_ bytes: UnsafeRawBufferPointer, tag: UInt32, _ value: Int32) {
    let (w0, w1) = Self.words(bytes)
    let meta = UInt32(bytes.count) | tag << 8
    entries[Self.index(w0, w1, meta)] = Entry(w0: w0, w1: w1, meta: meta, value: value)
  }
}

/// Days of fixed-width `YYYY-MM-DD` dates of the years 1900–2155 by arithmetic: the
/// first day and length of each month in a table (filled by `CELDate`, so both agree).
struct MonthTable {
  static let firstYear = 1900
  static let years = 256
  /// Per month from January `firstYear`: its first day << 8 | its length.
  private let entries: UnsafeMutablePointer<Int64>

  init() {
    entries = .allocate(capacity: Self.years * 12)
    for index in 0..<(Self.years * 12) {
      let year = Self.firstYear + index / 12
      let month = index % 12 + 1
      let first = CELDate(year: year, month: month, day: 1)?.daysSinceEpoch ?? 0
      let length = CELDate.daysInMonth(year: year, month: month)
      entries[index] = Int64(first) << 8 | Int64(length)
    }
  }

  func release() { entries.deallocate() }

  /// The day of the 10 bytes at `p` when they are `YYYY-MM-DD` with a year of the table
  /// and a real day; nil when they are not (they may still be a date of another year).
  @inline(__always)
  func day(_ p: UnsafeRawPointer) -> Int32? {
    let w = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))  // YYYY-MM-
    let v = UInt64(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))  // DD
    // Bytes 0–3 and 5–6 of `w` and both of `v` must be ASCII digits, 4 and 7 dashes.
    let digitMask: UInt64 = 0x00FF_FF00_FFFF_FFFF
    let dashes: UInt64 = 0x2D00_002D_0000_0000
    guard w & ~digitMask == dashes,
      w & digitMask & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030 & digitMask,
      (w & digitMask &+ 0x0606_0606_0606_0606 & digitMask) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030 & digitMask,
      v & 0xF0F0 == 0x3030, (v &+ 0x0606) & 0xF0F0 == 0x3030
    else { return nil }
    let d = w & 0x0F0F_0F0F_0F0F_0F0F
    @inline(__always) func digit(_ i: UInt64) -> Int { Int(truncatingIfNeeded: (d >> (8 &* i)) & 0xF) }
    let year = digit(0) &* 1000 &+ digit(1) &* 100 &+ digit(2) &* 10 &+ digit(3)
    let month = digit(5) &* 10 &+ digit(6)
    let day = Int(truncatingIfNeeded: v & 0xF) &* 10 &+ Int(truncatingIfNeeded: (v >> 8) & 0xF)
    let yearIndex = year &- Self.firstYear
    guard yearIndex >= 0, yearIndex < Self.years, month >= 1, month <= 12 else { return nil }
    let entry = entries[yearIndex &* 12 &+ month &- 1]
    guard day >= 1, Int64(day) <= entry & 0xFF else { return nil }
    return Int32(truncatingIfNeeded: (entry >> 8) &+ Int64(day) &- 1)
  }
}

/// Types the records of one part of a CSV file.
private struct PieceParser {
  let reader: CSVFactReader
  let columns: CSVFactReader.Columns
  let fd: Int32
  let start: Int
  let end: Int
  var chunk: FactChunk
  /// Cell bounds of the current record (offsets in the buffer).
  let cellStart: UnsafeMutablePointer<Int>
  let cellEnd: UnsafeMutablePointer<Int>
  /// The typing plan, as plain memory.
  let fieldStart: UnsafeMutablePointer<Int>
  let fieldColumn: UnsafeMutablePointer<Int>
  let fieldKind: UnsafeMutablePointer<SlotKind>
  let fieldOptional: UnsafeMutablePointer<Bool>
  let undeclaredStart: UnsafeMutablePointer<Int>
  let undeclaredColumn: UnsafeMutablePointer<Int>
  let otherStart: UnsafeMutablePointer<Int>
  let otherColumn: UnsafeMutablePointer<Int>
  let cache = TextCache()
  let months = MonthTable()
  /// Per line of the batch: its row, and its subject when found by the short table
  /// (-1: not there, -2: not looked up).
  let batchRow: UnsafeMutablePointer<Int>
  let subjectHint: UnsafeMutablePointer<Int32>
  /// Per line of the batch: where the subject's lookup starts (-1: not looked up).
  let subjectSlot: UnsafeMutablePointer<Int>
  /// What the early loads of roster entries read (unused).
  var touchSink: Int32 = 0
  /// Per line of the batch: a bit per non-empty cell (the first 64 columns).
  let nonEmptyCells: UnsafeMutablePointer<UInt64>
  /// The current record's non-empty cells.
  var nonEmpty: UInt64 = 0
  /// Per fact type: cells that must be empty (undeclared fields), and cells the typing
  /// does not read (checked for UTF-8 when not empty); exact when the file has at most
  /// 64 columns.
  let undeclaredMask: [UInt64]
  let otherMask: [UInt64]
  let narrow: Bool
  /// Where the current record's cells are in `cellStart`/`cellEnd`.
  var current = 0
  let hasPeriods: Bool
  var subjectMiss: [String: Int?] = [:]
  var slots: UnsafeMutablePointer<UInt64>
  var lineBreaks = 0
  var failed = false

  static let typeTag: UInt32 = 1
  static let sourceTag: UInt32 = 2
  static let dateTag: UInt32 = 3
  static let enumTag: UInt32 = 16
  static let notMember: Int32 = -2

  init(reader: CSVFactReader, columns: CSVFactReader.Columns, fd: Int32, start: Int, end: Int) {
    self.reader = reader
    self.columns = columns
    self.fd = fd
    self.start = start
    self.end = end
    let blocks = SubjectBlocks(subjects: reader.roster.subjects.count)
    chunk = FactChunk(file: Int32(truncatingIfNeeded: reader.fileIndex), blocks: blocks, expectedFacts: (end - start) / 60)
    func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
      let pointer = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(1, array.count))
      _ = UnsafeMutableBufferPointer(start: pointer, count: array.count).initialize(from: array)
      return pointer
    }
    cellStart = .allocate(capacity: columns.width * Self.batch)
    cellEnd = .allocate(capacity: columns.width * Self.batch)
    batchRow = .allocate(capacity: Self.batch)
    subjectHint = .allocate(capacity: Self.batch)
    subjectSlot = .allocate(capacity: Self.batch)
    nonEmptyCells = .allocate(capacity: Self.batch)
    narrow = columns.width <= 64
    var undeclaredMask: [UInt64] = []
    var otherMask: [UInt64] = []
    for type in 0..<(columns.undeclaredStart.count - 1) {
      var u: UInt64 = 0
      for index in columns.undeclaredStart[type]..<columns.undeclaredStart[type + 1] where columns.undeclaredColumn[index] < 64 {
        u |= 1 << UInt64(columns.undeclaredColumn[index])
      }
      undeclaredMask.append(u)
      var o: UInt64 = 0
      for index in columns.otherStart[type]..<columns.otherStart[type + 1] where columns.otherColumn[index] < 64 {
        o |= 1 << UInt64(columns.otherColumn[index])
      }
      otherMask.append(o)
    }
    self.undeclaredMask = undeclaredMask
    self.otherMask = otherMask
    hasPeriods = !reader.schema.periods.isEmpty
    fieldStart = copy(columns.fieldStart)
    fieldColumn = copy(columns.fieldColumn)
    fieldKind = copy(columns.fieldKind)
    fieldOptional = copy(columns.fieldOptional)
    undeclaredStart = copy(columns.undeclaredStart)
    undeclaredColumn = copy(columns.undeclaredColumn)
    otherStart = copy(columns.otherStart)
    otherColumn = copy(columns.otherColumn)
    slots = .allocate(capacity: Swift.max(1, reader.schema.types.map(\.fields.count).max() ?? 1))
  }

  func release() {
    cellStart.deallocate()
    cellEnd.deallocate()
    batchRow.deallocate()
    subjectHint.deallocate()
    subjectSlot.deallocate()
    nonEmptyCells.deallocate()
    fieldStart.deallocate()
    fieldColumn.deallocate()
    fieldKind.deallocate()
    fieldOptional.deallocate()
    undeclaredStart.deallocate()
    undeclaredColumn.deallocate()
    otherStart.deallocate()
    otherColumn.deallocate()
    slots.deallocate()
    cache.release()
    months.release()
  }

  // MARK: Blocks

  mutating func run() -> CSVFactReader.PieceResult {
    defer { release() }
    var capacity = Swift.max(reader.bufferSize, 64)
    var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity + 32, alignment: 16)
    defer { buffer.deallocate() }
    var filled = 0  // bytes in the buffer
    var offset = start  // file offset of buffer[filled]
    var consumed = 0  // bytes of the buffer already parsed
    var row = 0  // line breaks so far in this part
    while !failed {
      // Refill: keep the unparsed tail at the front.
      if consumed > 0 {
        memmove(buffer, buffer + consumed, filled - consumed)
        filled -= consumed
        consumed = 0
      }
      if filled == capacity {
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2 + 32, alignment: 16)
        bigger.copyMemory(from: buffer, byteCount: filled)
        buffer.deallocate()
        buffer = bigger
        capacity *= 2
      }
      let want = Swift.min(capacity - filled, end - offset)
      if want > 0 {
        let got = pread(fd, buffer + filled, want, off_t(offset))
        if got < 0, errno == EINTR { continue }
        guard got > 0 else {
          failed = true
          break
        }
        filled += got
        offset += got
        reader.progress?.add(got)
      }
      memset(buffer + filled, 0, 32)
      let atEnd = offset >= end
      let used = parseLines(UnsafeRawPointer(buffer), count: filled, atEnd: atEnd, row: &row)
      consumed = used
      if atEnd && consumed >= filled { break }
      if atEnd && used == 0 && filled > 0 {
        failed = true
        break
      }
    }
    lineBreaks = row
    if chunk.tooManyStrings { failed = true }  // the general reader reports it
    return CSVFactReader.PieceResult(chunk: chunk, lineBreaks: lineBreaks, failed: failed)
  }

  /// Lines typed together: their subjects are looked up first, one after another, so
  /// that the memory accesses of those lookups overlap.
  static let batch = 32

  /// One bit per byte of `base[q..<q + 64]` (within `count`) that may be `,` `"` LF or
  /// CR (bytes below 0x2D), found eight bytes at a time.
  @inline(__always)
  static func candidates(_ base: UnsafeRawPointer, _ q: Int, _ count: Int) -> UInt64 {
    if q + 64 <= count {
      var mask: UInt64 = 0
      for k in 0..<8 {
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: q + 8 * k, as: UInt64.self))
        let high = ~((word | 0x8080_8080_8080_8080) &- 0x2D2D_2D2D_2D2D_2D2D) & ~word & 0x8080_8080_8080_8080
        // The eight high bits, gathered into one byte.
        mask |= (((high >> 7) &* 0x0102_0408_1020_4080) >> 56) << UInt64(8 * k)
      }
      return mask
    }
    var mask: UInt64 = 0
    var i = q
    while i < count {
      if base.load(fromByteOffset: i, as: UInt8.self) < 0x2D { mask |= 1 << UInt64(i - q) }
      i += 1
    }
    return mask
  }

  /// Parses the complete lines in `base[0..<count]`; returns the bytes used.
  mutating func parseLines(_ base: UnsafeRawPointer, count: Int, atEnd: Bool, row: inout Int) -> Int {
    let width = columns.width
    var lineStart = 0  // the line being scanned
    var cells = 0
    var cell = 0
    var nonEmpty: UInt64 = 0
    var n = 0  // complete lines in the batch
    var resume = 0  // candidates before this were consumed (the LF of a CRLF)
    var q = 0
    var starts = cellStart
    var ends = cellEnd
    scan: while q < count {
      var mask = Self.candidates(base, q, count)
      while mask != 0 {
        let j = q &+ mask.trailingZeroBitCount
        mask &= mask &- 1
        let byte = base.load(fromByteOffset: j, as: UInt8.self)
        if byte == 0x2C {
          if cells < width {
            starts[cells] = cell
            ends[cells] = j
            if j > cell, cells < 64 { nonEmpty |= 1 << UInt64(cells) }
          }
          cells &+= 1
          cell = j &+ 1
          continue
        }
        if j < resume { continue }
        if byte == 0x0A || byte == 0x0D {
          var next = j &+ 1
          if byte == 0x0D {
            if next >= count && !atEnd { break scan }
            if next < count, base.load(fromByteOffset: next, as: UInt8.self) == 0x0A {
              next &+= 1
              resume = next
            }
          }
          if j == lineStart {
            // A blank row: skipped, but counted.
            row &+= 1
          } else {
            if cells < width {
              starts[cells] = cell
              ends[cells] = j
              if j > cell, cells < 64 { nonEmpty |= 1 << UInt64(cells) }
            }
            cells &+= 1
            guard cells == width else {
              failed = true
              return lineStart
            }
            batchRow[n] = row
            nonEmptyCells[n] = nonEmpty
            n &+= 1
            row &+= 1
            starts += width
            ends += width
            if n == Self.batch {
              typeBatch(base, lines: n)
              if failed { return next }
              n = 0
              starts = cellStart
              ends = cellEnd
            }
          }
          lineStart = next
          cell = next
          cells = 0
          nonEmpty = 0
        } else if byte == 0x22 {
          failed = true
          return lineStart
        }
      }
      q &+= 64
    }
    // A last line without a line break: complete only at the end of the part.
    if atEnd, lineStart < count, q >= count {
      if cells < width {
        starts[cells] = cell
        ends[cells] = count
        if count > cell, cells < 64 { nonEmpty |= 1 << UInt64(cells) }
      }
      cells &+= 1
      guard cells == width else {
        failed = true
        return lineStart
      }
      batchRow[n] = row
      nonEmptyCells[n] = nonEmpty
      n &+= 1
      lineStart = count
    }
    if n > 0 { typeBatch(base, lines: n) }
    return lineStart
  }

  /// Types the lines of a batch: their subjects first, then each record.
  mutating func typeBatch(_ base: UnsafeRawPointer, lines n: Int) {
    let width = columns.width
    let subjectColumn = columns.subject
    if subjectColumn >= 0 {
      // The table's entries for all lines first (independent loads, many in flight), then
      // the lookups, which find them in the cache.
      var touched: Int32 = 0
      for k in 0..<n {
        let start = cellStart[k * width + subjectColumn]
        let length = cellEnd[k * width + subjectColumn] - start
        let slot = length > 0 && length <= 16
          ? reader.rosterShort.slot(UnsafeRawBufferPointer(start: base + start, count: length)) : -1
        subjectSlot[k] = slot
        if slot >= 0 { touched |= reader.rosterShort.touch(slot) }
      }
      for k in 0..<n {
        var hint: Int32 = -2
        let slot = subjectSlot[k]
        if slot >= 0 {
          let start = cellStart[k * width + subjectColumn]
          let length = cellEnd[k * width + subjectColumn] - start
          hint = reader.rosterShort.lookup(UnsafeRawBufferPointer(start: base + start, count: length), from: slot) ?? -1
        }
        subjectHint[k] = hint
      }
      touchSink &+= touched  // keeps the loads
    } else {
      for k in 0..<n { subjectHint[k] = -2 }
    }
    for k in 0..<n {
      current = k * width
      nonEmpty = nonEmptyCells[k]
      record(base, row: batchRow[k], subjectHint: subjectHint[k])
      if failed { return }
    }
  }

  // MARK: Records

  @inline(__always)
  func cell(_ base: UnsafeRawPointer, _ column: Int) -> UnsafeRawBufferPointer {
    guard column >= 0 else { return UnsafeRawBufferPointer(start: base, count: 0) }  // no such column: empty
    return UnsafeRawBufferPointer(start: base + cellStart[current + column], count: cellEnd[current + column] - cellStart[current + column])
  }

  @inline(__always)
  func valid(_ bytes: UnsafeRawBufferPointer) -> Bool {
    FactChunk.isASCII(bytes) || UTF8Input.firstInvalidOffset(bytes) == nil
  }

  func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }

  /// The day of a `YYYY-MM-DD` cell (as `CELDate(parsing:)` reads it): years of
  /// `MonthTable` by arithmetic, others remembered by their bytes.
  @inline(__always)
  mutating func date(_ bytes: UnsafeRawBufferPointer) -> Int32? {
    guard bytes.count == 10, let p = bytes.baseAddress else { return nil }
    if let day = months.day(p) { return day }  // (callers usually try this first)
    if let known = cache.lookup(bytes, tag: Self.dateTag) { return known }
    guard let (y, m, d) = parseDate(bytes), let date = CELDate(year: y, month: m, day: d) else { return nil }
    cache.store(bytes, tag: Self.dateTag, date.daysSinceEpoch)
    return date.daysSinceEpoch
  }

  /// Checks every cell of the record is UTF-8 (before a record is rejected: its cells
  /// may not all have been read); false (and the part fails) when one is not.
  mutating func validateAll(_ base: UnsafeRawPointer) -> Bool {
    for column in 0..<columns.width where !valid(cell(base, column)) {
      failed = true
      return false
    }
    return true
  }

  /// Interns a text in the chunk's pool, checking it is UTF-8 the first time.
  mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32? {
    if let id = chunk.pool.id(of: bytes) { return id }
    guard valid(bytes) else { return nil }
    return chunk.pool.intern(bytes)
  }

  mutating func reject(_ base: UnsafeRawPointer, id: UnsafeRawBufferPointer?, row: Int, _ code: DiagnosticCode, _ reason: String) {
    guard validateAll(base) else { return }
    chunk.reject(id: id, row: row, code, reason)
  }

  /// Phase 1 for one record (`row` counts the line breaks before it in this part).
  mutating func record(_ base: UnsafeRawPointer, row: Int, subjectHint: Int32) {
    chunk.recordCount += 1
    // Id.
    let idBytes = cell(base, columns.id)
    let id: UnsafeRawBufferPointer? = idBytes.count > 0 ? idBytes : nil
    if let id {
      guard valid(id) else {
        failed = true
        return
      }
      chunk.noteID(id, padded: true)
    }
    // Type.
    let typeBytes = cell(base, columns.type)
    guard typeBytes.count > 0 else { return reject(base, id: id, row: row, .unknownFactType, "the record has no type") }
    var type = -1
    if typeBytes.count <= 16, let known = cache.lookup(typeBytes, tag: Self.typeTag) {
      type = Int(known)
    } else {
      guard valid(typeBytes) else {
        failed = true
        return
      }
      type = reader.schema.typeIndex[text(typeBytes)] ?? -1
      if typeBytes.count <= 16 { cache.store(typeBytes, tag: Self.typeTag, Int32(type)) }
    }
    guard type >= 0 else {
      return reject(base, id: id, row: row, .unknownFactType, reader.schema.unknownTypeReason(text(typeBytes)))
    }
    // Subject.
    let subjectBytes = cell(base, columns.subject)
    guard subjectBytes.count > 0 else { return reject(base, id: id, row: row, .unknownSubject, "the record has no subject") }
    let subject: Int
    var respelled = false
    if subjectHint >= 0 {
      subject = Int(subjectHint)
    } else if subjectHint == -2, subjectBytes.count > 16, let known = reader.rosterIDs.index(of: subjectBytes) {
      subject = known
    } else {
      guard valid(subjectBytes) else {
        failed = true
        return
      }
      let name = text(subjectBytes)
      let found: Int?
      if let cached = subjectMiss[name] { found = cached } else {
        found = reader.roster.index[name]
        subjectMiss[name] = .some(found)
      }
      guard let found else { return reject(base, id: id, row: row, .unknownSubject, "the subject '\(name)' is not in the roster") }
      subject = found
      respelled = true
    }
    // Declared fields, in order.
    let first = fieldStart[type]
    let fieldCount = fieldStart[type + 1] - first
    var intMin: Int32 = -1
    for position in 0..<fieldCount {
      let f = first + position
      let bytes = cell(base, fieldColumn[f])
      let kind = fieldKind[f]
      guard bytes.count > 0 else {
        if fieldOptional[f] {
          slots[position] = kind == .int ? FactSlot.intNull : FactSlot.null
          continue
        }
        let name = reader.schema.types[type].fields[position].id
        return reject(base, id: id, row: row, .invalidFieldValue, "the required field \(name) is missing")
      }
      var slot: UInt64? = nil
      switch kind {
      case .string:
        guard let id = intern(bytes) else {
          failed = true
          return
        }
        slot = UInt64(id)
      case .enumeration:
        if bytes.count <= 16, let known = cache.lookup(bytes, tag: Self.enumTag + UInt32(f)), known >= 0 {
          slot = UInt64(known)
        }
      case .int:
        if let value = parseInt64(bytes) {
          if value == .min { intMin = Int32(position) }
          slot = UInt64(bitPattern: value)
        }
      case .bool:
        if bytes.count == 4, bytes.elementsEqual("true".utf8) { slot = 1 }
        if bytes.count == 5, bytes.elementsEqual("false".utf8) { slot = 0 }
      case .date:
        if bytes.count == 10, let p = bytes.baseAddress, let days = months.day(p) {
          slot = UInt64(bitPattern: Int64(days))
        } else if let days = date(bytes) {
          slot = UInt64(bitPattern: Int64(days))
        }
      case .decimal:
        break
      }
      if slot == nil {
        // The general typing decides (and words any problem).
        guard valid(bytes) else {
          failed = true
          return
        }
        let field = reader.schema.types[type].fields[position]
        let cellText = text(bytes)
        switch FactLoader.type(.text(cellText), as: field.type) {
        case .value(let value):
          if case .int(.min) = value { intMin = Int32(position) }
          let typed = chunk.slot(value, text: cellText)
          if kind == .enumeration, bytes.count <= 16 { cache.store(bytes, tag: Self.enumTag + UInt32(f), Int32(typed)) }
          slot = typed
        case .absent:
          if field.optional { slot = FactSlot.null } else {
            return reject(base, id: id, row: row, .invalidFieldValue, "the required field \(field.id) is missing")
          }
        case .invalid(let why):
          return reject(base, id: id, row: row, .invalidFieldValue, "field \(field.id): \(why)")
        }
      }
      slots[position] = slot ?? FactSlot.null
    }
    // Values for fields the type does not declare.
    if !narrow || nonEmpty & undeclaredMask[type] != 0 {
      for u in undeclaredStart[type]..<undeclaredStart[type + 1] {
        let column = current + undeclaredColumn[u]
        if cellEnd[column] > cellStart[column] {
          return reject(base, id: id, row: row, .undeclaredField, columns.undeclaredReason[u])
        }
      }
    }
    // Date, and the period it falls in.
    var date: Int32 = FactRow.noDate
    let dateBytes = cell(base, columns.date)
    if dateBytes.count == 10, let p = dateBytes.baseAddress, let day = months.day(p) {
      date = day
    } else if dateBytes.count > 0 {
      guard let parsed = self.date(dateBytes) else {
        guard valid(dateBytes) else {
          failed = true
          return
        }
        return reject(base, id: id, row: row, .invalidFactDate, "the date '\(text(dateBytes))' is not a date YYYY-MM-DD")
      }
      date = parsed
    }
    if hasPeriods,
      let problem = reader.schema.dateProblem(date == FactRow.noDate ? nil : CELDate(daysSinceEpoch: date))
    {
      return reject(base, id: id, row: row, .invalidFactDate, problem)
    }
    // Source and note.
    var source: Int32 = -1
    let sourceBytes = cell(base, columns.source)
    if sourceBytes.count > 0 {
      if sourceBytes.count <= 16, let known = cache.lookup(sourceBytes, tag: Self.sourceTag) {
        source = known
      } else {
        guard let interned = intern(sourceBytes) else {
          failed = true
          return
        }
        source = interned
        if sourceBytes.count <= 16 { cache.store(sourceBytes, tag: Self.sourceTag, interned) }
      }
    }
    var note: Int32 = -1
    let noteBytes = cell(base, columns.note)
    if noteBytes.count > 0 {
      guard let interned = intern(noteBytes) else {
        failed = true
        return
      }
      note = interned
    }
    // Cells nothing above read (x- columns, empty fields of other types) must be UTF-8 too.
    if !narrow || nonEmpty & otherMask[type] != 0 {
      for o in otherStart[type]..<otherStart[type + 1] {
        let column = otherColumn[o]
        if cellEnd[current + column] > cellStart[current + column], !valid(cell(base, column)) {
          failed = true
          return
        }
      }
    }
    let (bucket, index) = chunk.addFact(
      id: id, subject: subject, type: type, date: date, source: source, note: note, row: row,
      values: UnsafeBufferPointer(start: slots, count: fieldCount), paddedID: true)
    if intMin >= 0 {
      // Several fields may hold Int64.min: record each.
      for position in 0..<fieldCount where fieldKind[first + position] == .int && slots[position] == FactSlot.intNull {
        let bytes = cell(base, fieldColumn[first + position])
        if bytes.count > 0 { chunk.intMinSlots.append((bucket, index, Int32(position))) }
      }
    }
    if respelled {
      guard let text = chunk.pool.intern(subjectBytes) else {
        failed = true
        return
      }
      chunk.subjectText.append((bucket, index, text))
    }
  }
}
