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
  let rosterIDs: ByteStringInterner
  let threads: Int

  struct Output {
    var chunks: [FactChunk]
    var info: InputInfo
  }

  /// A read-only index of roster ids: interner id = roster index.
  static func rosterIndex(_ roster: Roster) -> ByteStringInterner {
    var interner = ByteStringInterner(capacity: roster.subjects.count)
    for subject in roster.subjects { _ = interner.intern(subject.id) }
    return interner
  }

  // MARK: Layout of the file

  /// What each column is, for one file.
  struct Columns {
    var width: Int
    var id = -1
    var subject = -1
    var type = -1
    var date = -1
    var source = -1
    var note = -1
    /// Per fact type, per declared field: its column, or -1.
    var fields: [[Int]] = []
    /// Per fact type: columns whose non-empty value rejects the record, with the reason.
    var undeclared: [[(column: Int, reason: String)]] = []
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
      columns.fields.append(type.fields.map { first($0.id) })
      var undeclared: [(Int, String)] = []
      for (index, name) in names.enumerated()
      where !name.hasPrefix("x-") && !type.fields.contains(where: { $0.id == name })
        && !RuleEnvironments.builtInFactFields.contains(name)
      {
        let reason = schema.declaredAnywhere.contains(name)
          ? "the field \(name) has a value, but fact type \(type.id) does not declare it"
          : "unknown field \(name)"
        undeclared.append((index, reason))
      }
      columns.undeclared.append(undeclared)
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
    var digest = ""
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let output = buffer
      nonisolated(unsafe) var hex = ""
      Parallel.forEach(pieceCount + 1, threads: threads) { task in
        if task == 0 {
          hex = Self.hash(fd, size: size)
        } else {
          let piece = task - 1
          var parser = PieceParser(reader: self, columns: columns, fd: fd, start: starts[piece], end: starts[piece + 1])
          output[piece] = parser.run()
        }
      }
      digest = hex
    }
    // Rows: the header is row 1; each part's rows follow the line breaks before it.
    var chunks: [FactChunk] = []
    var rowBase = 1 + (bodyStart > 0 ? 1 : 0)
    var records = 0
    for result in results {
      guard var result, !result.failed else { return nil }
      let base = Int32(truncatingIfNeeded: rowBase)
      for index in result.chunk.rows.indices { result.chunk.rows[index].row += base }
      for index in result.chunk.rejected.indices { result.chunk.rejected[index].row += base }
      rowBase += result.lineBreaks
      records += result.chunk.recordCount
      chunks.append(result.chunk)
    }
    guard !digest.isEmpty else { return nil }
    return Output(chunks: chunks, info: InputInfo(role: .facts, path: path, sha256: digest, records: records))
  }

  static func readFully(_ fd: Int32, into buffer: inout [UInt8], at offset: Int) -> Bool {
    var done = 0
    let wanted = buffer.count
    while done < wanted {
      let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, wanted - done, off_t(offset + done)) }
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

  struct PieceResult {
    var chunk: FactChunk
    var lineBreaks = 0
    var failed = false
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
  var cellStart: [Int]
  var cellEnd: [Int]
  /// Texts already judged: type and subject cells that miss the exact indexes.
  var typeMiss: [String: Int?] = [:]
  var subjectMiss: [String: Int?] = [:]
  let typeIDs: ByteStringInterner
  let typeOfID: [Int]
  /// Per fact type, per declared field: the enum's values (interner id = value position) and
  /// their pool ids in this chunk.
  let enumValues: [[ByteStringInterner?]]
  let enumPool: [[[Int32]]]
  var enumMiss: [String: Int32?] = [:]
  var slots: [UInt64] = []
  var lineBreaks = 0
  var failed = false

  init(reader: CSVFactReader, columns: CSVFactReader.Columns, fd: Int32, start: Int, end: Int) {
    self.reader = reader
    self.columns = columns
    self.fd = fd
    self.start = start
    self.end = end
    chunk = FactChunk(file: Int32(truncatingIfNeeded: reader.fileIndex))
    cellStart = [Int](repeating: 0, count: columns.width)
    cellEnd = [Int](repeating: 0, count: columns.width)
    var types = ByteStringInterner(capacity: reader.schema.types.count)
    var typeOfID: [Int] = []
    for type in reader.schema.types {
      let before = types.count
      _ = types.intern(type.id)
      if types.count != before { typeOfID.append(reader.schema.typeIndex[type.id] ?? 0) }
    }
    typeIDs = types
    self.typeOfID = typeOfID
    var enumValues: [[ByteStringInterner?]] = []
    var enumPool: [[[Int32]]] = []
    for type in reader.schema.types {
      var perField: [ByteStringInterner?] = []
      var perFieldPool: [[Int32]] = []
      for field in type.fields {
        if case .enumeration(let values) = field.type {
          var interner = ByteStringInterner(capacity: values.count)
          var pool: [Int32] = []
          for value in values {
            let before = interner.count
            _ = interner.intern(value)
            if interner.count != before { pool.append(chunk.pool.intern(value)) }
          }
          perField.append(interner)
          perFieldPool.append(pool)
        } else {
          perField.append(nil)
          perFieldPool.append([])
        }
      }
      enumValues.append(perField)
      enumPool.append(perFieldPool)
    }
    self.enumValues = enumValues
    self.enumPool = enumPool
  }

  // MARK: Blocks

  mutating func run() -> CSVFactReader.PieceResult {
    let estimate = Swift.max(16, (end - start) / 64)
    chunk.rows.reserveCapacity(estimate)
    chunk.subjects.reserveCapacity(estimate)
    chunk.idArena.reserveCapacity(estimate * 10)
    var capacity = 1 << 20
    var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity + 8, alignment: 16)
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
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2 + 8, alignment: 16)
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
      }
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
    return CSVFactReader.PieceResult(chunk: chunk, lineBreaks: lineBreaks, failed: failed)
  }

  /// Parses the complete lines in `base[0..<count]`; returns the bytes used.
  mutating func parseLines(_ base: UnsafeRawPointer, count: Int, atEnd: Bool, row: inout Int) -> Int {
    var p = 0
    let width = columns.width
    while p < count, !failed {
      let byte = base.load(fromByteOffset: p, as: UInt8.self)
      // Blank rows: skipped, but counted.
      if byte == 0x0A {
        p += 1
        row += 1
        continue
      }
      if byte == 0x0D {
        if p + 1 >= count && !atEnd { return p }
        p += 1
        if p < count, base.load(fromByteOffset: p, as: UInt8.self) == 0x0A { p += 1 }
        row += 1
        continue
      }
      // One line: cells at commas, up to a line break.
      var cells = 0
      var cell = p
      var i = p
      var lineEnd = -1
      var next = -1
      scan: while true {
        // Eight bytes at a time: a byte below 0x2D may be `,` `"` LF or CR.
        while i + 8 <= count {
          let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
          let mask = ~((word | 0x8080_8080_8080_8080) &- 0x2D2D_2D2D_2D2D_2D2D) & ~word & 0x8080_8080_8080_8080
          if mask != 0 {
            i += mask.trailingZeroBitCount >> 3
            break
          }
          i += 8
        }
        guard i < count else { break scan }
        let b = base.load(fromByteOffset: i, as: UInt8.self)
        switch b {
        case 0x2C:
          if cells < width {
            cellStart[cells] = cell
            cellEnd[cells] = i
          }
          cells += 1
          i += 1
          cell = i
        case 0x0A:
          lineEnd = i
          next = i + 1
          break scan
        case 0x0D:
          if i + 1 >= count && !atEnd { break scan }
          lineEnd = i
          next = i + 1
          if next < count, base.load(fromByteOffset: next, as: UInt8.self) == 0x0A { next += 1 }
          break scan
        case 0x22:
          failed = true
          return p
        default:
          i += 1
        }
      }
      if lineEnd < 0 {
        // No line break in the buffer: the line is complete only at the end of the part.
        guard atEnd else { return p }
        lineEnd = count
        next = count
      } else {
        row += 1
      }
      if cells < width {
        cellStart[cells] = cell
        cellEnd[cells] = lineEnd
      }
      cells += 1
      guard cells == width else {
        failed = true
        return p
      }
      record(base, row: row - (lineEnd < count ? 1 : 0))
      p = next
    }
    return p
  }

  // MARK: Records

  @inline(__always)
  func cell(_ base: UnsafeRawPointer, _ column: Int) -> UnsafeRawBufferPointer {
    guard column >= 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: base + cellStart[column], count: cellEnd[column] - cellStart[column])
  }

  @inline(__always)
  func valid(_ bytes: UnsafeRawBufferPointer) -> Bool {
    FactChunk.isASCII(bytes) || UTF8Input.firstInvalidOffset(bytes) == nil
  }

  func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }

  /// Interns a text in the chunk's pool, checking it is UTF-8 the first time.
  mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32? {
    if let id = chunk.pool.id(of: bytes) { return id }
    guard valid(bytes) else { return nil }
    return chunk.pool.intern(bytes)
  }

  /// Phase 1 for one record (`row` counts the line breaks before it in this part).
  mutating func record(_ base: UnsafeRawPointer, row: Int) {
    chunk.recordCount += 1
    let schema = reader.schema
    // Every cell must be UTF-8 (or the general reader reports the file): sources and
    // notes are checked once per distinct text, when interned; other cells here.
    for column in 0..<columns.width where column != columns.source && column != columns.note {
      let bytes = cell(base, column)
      if bytes.count > 0, !FactChunk.isASCII(bytes), UTF8Input.firstInvalidOffset(bytes) != nil {
        failed = true
        return
      }
    }
    var source: Int32 = -1
    let sourceBytes = cell(base, columns.source)
    if sourceBytes.count > 0 {
      guard let id = intern(sourceBytes) else {
        failed = true
        return
      }
      source = id
    }
    var note: Int32 = -1
    let noteBytes = cell(base, columns.note)
    if noteBytes.count > 0 {
      guard let id = intern(noteBytes) else {
        failed = true
        return
      }
      note = id
    }
    let idBytes = cell(base, columns.id)
    let id = idBytes.count > 0 ? chunk.addID(idBytes) : FactChunk.noID
    func reject(_ parser: inout PieceParser, _ code: DiagnosticCode, _ reason: String) {
      parser.chunk.reject(id: id, row: row, code, reason)
    }
    // Type.
    let typeBytes = cell(base, columns.type)
    guard typeBytes.count > 0 else { return reject(&self, .unknownFactType, "the record has no type") }
    let type: Int
    if let known = typeIDs.id(of: typeBytes) {
      type = typeOfID[Int(known)]
    } else {
      let name = text(typeBytes)
      let found: Int?
      if let cached = typeMiss[name] { found = cached } else {
        found = schema.typeIndex[name]
        typeMiss[name] = .some(found)
      }
      guard let found else { return reject(&self, .unknownFactType, schema.unknownTypeReason(name)) }
      type = found
    }
    // Subject.
    let subjectBytes = cell(base, columns.subject)
    guard subjectBytes.count > 0 else { return reject(&self, .unknownSubject, "the record has no subject") }
    let subject: Int
    var respelled = false
    if let known = reader.rosterIDs.id(of: subjectBytes) {
      subject = Int(known)
    } else {
      let name = text(subjectBytes)
      let found: Int?
      if let cached = subjectMiss[name] { found = cached } else {
        found = reader.roster.index[name]
        subjectMiss[name] = .some(found)
      }
      guard let found else { return reject(&self, .unknownSubject, "the subject '\(name)' is not in the roster") }
      subject = found
      respelled = true
    }
    // Declared fields, in order.
    let info = schema.types[type]
    slots.removeAll(keepingCapacity: true)
    var intMin: [Int] = []
    for (position, field) in info.fields.enumerated() {
      let bytes = cell(base, columns.fields[type][position])
      guard bytes.count > 0 else {
        if field.optional {
          slots.append(info.kinds[position] == .int ? FactSlot.intNull : FactSlot.null)
          continue
        }
        return reject(&self, .invalidFieldValue, "the required field \(field.id) is missing")
      }
      var slot: UInt64? = nil
      switch info.kinds[position] {
      case .string:
        guard let id = intern(bytes) else {
          failed = true
          return
        }
        slot = UInt64(id)
      case .enumeration:
        if let value = enumValues[type][position]?.id(of: bytes) {
          slot = UInt64(enumPool[type][position][Int(value)])
        }
      case .int:
        if let value = parseInt64(bytes) {
          if value == .min { intMin.append(position) }
          slot = UInt64(bitPattern: value)
        }
      case .bool:
        if bytes.count == 4, bytes.elementsEqual("true".utf8) { slot = 1 }
        if bytes.count == 5, bytes.elementsEqual("false".utf8) { slot = 0 }
      case .date:
        if let (y, m, d) = parseDate(bytes), let date = CELDate(year: y, month: m, day: d) {
          slot = UInt64(bitPattern: Int64(date.daysSinceEpoch))
        }
      case .decimal:
        break
      }
      if slot == nil {
        // The general typing decides (and words any problem).
        let cellText = text(bytes)
        switch FactLoader.type(.text(cellText), as: field.type) {
        case .value(let value):
          if case .int(.min) = value { intMin.append(position) }
          slot = chunk.slot(value, text: cellText)
        case .absent:
          if field.optional { slot = FactSlot.null } else {
            return reject(&self, .invalidFieldValue, "the required field \(field.id) is missing")
          }
        case .invalid(let why):
          return reject(&self, .invalidFieldValue, "field \(field.id): \(why)")
        }
      }
      slots.append(slot ?? FactSlot.null)
    }
    // Values for fields the type does not declare.
    for (column, reason) in columns.undeclared[type] where cellEnd[column] > cellStart[column] {
      return reject(&self, .undeclaredField, reason)
    }
    // Date, and the period it falls in.
    var date: Int32 = FactRow.noDate
    let dateBytes = cell(base, columns.date)
    if dateBytes.count > 0 {
      guard let (y, m, d) = parseDate(dateBytes), let parsed = CELDate(year: y, month: m, day: d) else {
        return reject(&self, .invalidFactDate, "the date '\(text(dateBytes))' is not a date YYYY-MM-DD")
      }
      date = parsed.daysSinceEpoch
    }
    if !schema.periods.isEmpty,
      let problem = schema.dateProblem(date == FactRow.noDate ? nil : CELDate(daysSinceEpoch: date))
    {
      return reject(&self, .invalidFactDate, problem)
    }
    let rowIndex = chunk.rows.count
    for position in intMin { chunk.intMinSlots.append((rowIndex, position)) }
    if respelled { chunk.subjectText.append((rowIndex, chunk.pool.intern(subjectBytes))) }
    slots.withUnsafeBufferPointer { values in
      chunk.addFact(id: id, subject: subject, type: type, date: date, source: source, note: note, row: row, values: values)
    }
  }
}
