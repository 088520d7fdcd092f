#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// One CSV cell: a byte range of the scanned buffer.
///
/// For a quoted cell the range is what lies between the quotes, with any `""`
/// still doubled (then `needsUnescape` is true).
struct Cell: Equatable, Sendable {
  /// Offset of the first byte of the content (after the opening quote, if any).
  var start: Int
  /// Offset just past the content (the closing quote, if any).
  var end: Int
  /// The cell is quoted and holds `""`, which stands for one `"`.
  var needsUnescape: Bool
  /// The cell was written in double quotes.
  var isQuoted: Bool

  /// Whether the content is empty (an empty cell or `""`).
  var isEmpty: Bool { start == end }

  /// The content's bytes as they are in `source` (quotes inside still doubled).
  func rawBytes(in source: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: source[start..<end])
  }

  /// The cell's text, with `""` turned into `"`.
  func string(in source: UnsafeRawBufferPointer) -> String {
    let raw = rawBytes(in: source)
    guard needsUnescape else { return String(decoding: raw, as: UTF8.self) }
    return String(unsafeUninitializedCapacity: raw.count) { out in
      CSVText.unescape(raw, into: UnsafeMutableRawBufferPointer(out))
    }
  }

  /// Calls `body` with the cell's text as UTF-8 bytes, `""` turned into `"`: the
  /// bytes in `source` themselves unless the cell needs unescaping (then a copy).
  func withBytes<R, E: Error>(
    in source: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(E) -> R
  ) throws(E) -> R {
    let raw = rawBytes(in: source)
    guard needsUnescape else { return try body(raw) }
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(raw.count, 1), alignment: 1)
    defer { copy.deallocate() }
    let length = CSVText.unescape(raw, into: copy)
    return try body(UnsafeRawBufferPointer(rebasing: copy[0..<length]))
  }
}

/// One CSV record: its spreadsheet row and its cells (one per header column).
///
/// `cells` points into the scanner's reused storage: it is valid until the scanner
/// is asked for the next record.
struct CSVRecord {
  /// The spreadsheet row where the record starts.
  var row: Int
  /// The cells, one per header column, in order.
  var cells: UnsafeBufferPointer<Cell>
}

/// Helpers for CSV text: unescaping quoted cells, naming columns.
enum CSVText {
  /// Copies `raw` into `out` with each `""` written as `"`; returns the length.
  @discardableResult
  static func unescape(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
    var length = 0
    var i = 0
    while i < raw.count, length < out.count {
      let byte = raw[i]
      out[length] = byte
      length += 1
      i += byte == 0x22 && i + 1 < raw.count && raw[i + 1] == 0x22 ? 2 : 1
    }
    return length
  }

  /// The spreadsheet name of the 0-based column `index`: A, B, …, Z, AA, AB, …
  static func columnLetters(_ index: Int) -> String {
    var n = max(index, 0) + 1
    var letters: [Unicode.Scalar] = []
    while n > 0 {
      let digit = (n - 1) % 26
      letters.append(Unicode.Scalar(UInt8(65 + digit)))
      n = (n - 1) / 26
    }
    var text = ""
    for letter in letters.reversed() { text.unicodeScalars.append(letter) }
    return text
  }
}

/// Splits CSV bytes (RFC 4180 as spreadsheet programs write it) into records of
/// cells, without allocating per record.
///
/// - A UTF-8 byte order mark at the start is skipped; the whole input is checked to
///   be UTF-8 before the header is read (a file error otherwise).
/// - Separator `,`; line ends CRLF, LF or a lone CR. Cells may be written in double
///   quotes, which may then hold `,`, line breaks and `""` (one `"`). Nothing is
///   trimmed.
/// - Rows are spreadsheet rows: the header is row 1 and every line break outside
///   quotes starts a new row; line breaks inside a quoted cell do not. An empty line
///   is a blank row: it is skipped, but counts.
/// - A `"` inside a cell that does not start with one is an error (not taken
///   literally: it usually means a cell that should have been quoted, and guessing
///   could split cells wrongly). So is text after a closing quote.
/// - Every record has exactly as many cells as the header: otherwise the row is an
///   error, which is recoverable (the scanner has moved on to the next row).
struct CSVScanner {
  /// The scanned bytes, as given (offsets in cells are into these).
  let source: UnsafeRawBufferPointer
  /// Offset of the next byte to read.
  private(set) var position: Int
  /// The spreadsheet row of the line that starts at `position`.
  private(set) var row = 1
  /// The header's cells once read (offsets into `source`).
  private(set) var headerCells: [Cell] = []
  private var header: [String]?
  private var headerError: ScanError?
  private var finished = false
  private let scratch = ScanScratch<Cell>(capacity: 16)
  /// Offset where the last scanned row's content ends (before its line break).
  private var rowEnd = 0
  /// Offset where the first cell beyond the header's width starts (its quote, if
  /// quoted), or -1.
  private var overflowStart = -1

  /// A scanner over `bytes` (a leading byte order mark is skipped).
  init(_ bytes: UnsafeRawBufferPointer) {
    source = bytes
    position = UTF8Input.bomLength(bytes)
  }

  /// The number of columns (0 before the header has been read).
  var width: Int { headerCells.count }

  /// Checks the input is UTF-8 and reads the header row: the column names, decoded.
  /// Names must be non-empty and distinct (compared as Swift strings, so two
  /// canonically equivalent spellings are the same name). Calling it again returns
  /// the same names.
  /// After an error, calling it again throws the same error.
  mutating func readHeader() throws(ScanError) -> [String] {
    if let header { return header }
    if let headerError { throw headerError }
    do {
      return try scanHeader()
    } catch {
      headerError = error
      throw error
    }
  }

  private mutating func scanHeader() throws(ScanError) -> [String] {
    let bomEnd = position
    if let bad = UTF8Input.firstInvalidOffset(source, from: bomEnd) {
      let (errorRow, column) = Self.location(of: bad, in: source, from: bomEnd)
      throw fail(UTF8Input.encodingError(source, offset: bad, row: errorRow, column: column, unit: "row"))
    }
    guard position < source.count else {
      throw fail(
        ScanError(
          row: 1, column: 1, message: "the file is empty; a CSV file needs a header row with the column names"))
    }
    let start = position
    var count = try scanRow()
    if count > scratch.capacity {
      scratch.grow(to: count, keeping: 0)
      position = start
      row = 1
      count = try scanRow()
    }
    let cells = Array(UnsafeBufferPointer(start: scratch.base, count: count))
    var names: [String] = []
    names.reserveCapacity(count)
    var seen: [String: Int] = [:]
    for (index, cell) in cells.enumerated() {
      let name = cell.string(in: source)
      let column = UTF8Input.column(source, rowStart: start, offset: cell.isQuoted ? cell.start - 1 : cell.start)
      if name.isEmpty {
        throw fail(
          ScanError(
            row: 1, column: column,
            message: "the header of column \(CSVText.columnLetters(index)) is empty; every column needs a name"))
      }
      if let first = seen[name] {
        throw fail(
          ScanError(
            row: 1, column: column,
            message:
              "the header names column \"\(name)\" twice (columns \(CSVText.columnLetters(first)) and \(CSVText.columnLetters(index)))",
            hint: "rename or remove one of the two columns"))
      }
      seen[name] = index
      names.append(name)
    }
    headerCells = cells
    header = names
    return names
  }

  /// The 1-based column (in Unicode scalars) where header cell `index` starts.
  func headerColumn(_ index: Int) -> Int {
    guard index >= 0, index < headerCells.count else { return 1 }
    let cell = headerCells[index]
    return UTF8Input.column(
      source, rowStart: UTF8Input.bomLength(source), offset: cell.isQuoted ? cell.start - 1 : cell.start)
  }

  /// The next record, or nil at the end of the input. Reads the header first if
  /// that has not been done. The record's cells stay valid until the next call.
  mutating func next() throws(ScanError) -> CSVRecord? {
    if header == nil {
      if headerError != nil { return nil }
      _ = try readHeader()
    }
    guard let base = source.baseAddress else { return nil }
    let end = source.count
    while !finished, position < end {
      let byte = base.load(fromByteOffset: position, as: UInt8.self)
      if byte == Self.lf {
        position += 1
        row += 1
        continue
      }
      if byte == Self.cr {
        position += 1
        if position < end, base.load(fromByteOffset: position, as: UInt8.self) == Self.lf { position += 1 }
        row += 1
        continue
      }
      let recordRow = row
      let rowStart = position
      let count = try scanRow()
      let width = headerCells.count
      if count != width {
        let offset = count > width ? overflowStart : rowEnd
        throw ScanError(
          row: recordRow, column: UTF8Input.column(source, rowStart: rowStart, offset: offset),
          message: "row \(recordRow) has \(count) \(count == 1 ? "cell" : "cells") but the header has \(width)",
          hint: count > width
            ? "a cell that contains a comma must be written in double quotes"
            : "every row needs a cell for each column (an empty cell is fine)",
          isRecoverable: true)
      }
      return CSVRecord(row: recordRow, cells: UnsafeBufferPointer(start: scratch.base, count: count))
    }
    return nil
  }

  /// Calls `body` once per record with its spreadsheet row and its cells (valid
  /// during the call only); stops early when `body` returns false.
  ///
  /// Throws the first ``ScanError`` (or `body`'s error). After a recoverable
  /// error, calling it again continues with the following row.
  mutating func forEachRecord(_ body: (_ row: Int, _ cells: UnsafeBufferPointer<Cell>) throws -> Bool) throws {
    while let record = try next() {
      if try !body(record.row, record.cells) { return }
    }
  }

  // MARK: - Scanning

  private static let lf: UInt8 = 0x0A
  private static let cr: UInt8 = 0x0D
  private static let quote: UInt8 = 0x22
  private static let comma: UInt8 = 0x2C

  /// Marks the scanner finished (no further records) and returns `error`.
  private mutating func fail(_ error: ScanError) -> ScanError {
    finished = true
    position = source.count
    return error
  }

  /// Scans the row starting at `position` (which is not a line end), storing up to
  /// `scratch.capacity` cells; returns the number of cells and moves `position`
  /// past the row's line break (and `row` on to the next row).
  ///
  /// Unquoted text is read eight bytes at a time: a byte can only be `,` `"` LF or
  /// CR if it is below 0x2D, which `candidates` marks for all eight bytes at once;
  /// the marks of one word serve every cell that ends in it.
  private mutating func scanRow() throws(ScanError) -> Int {
    guard let base = source.baseAddress else { return 0 }
    let end = source.count
    let cells = scratch.base
    let capacity = scratch.capacity
    let width = headerCells.count
    let rowStart = position
    var count = 0
    var overflow = -1
    var cellStart = rowStart
    var lineEnd = end
    var next = end

    @inline(__always) func store(_ cell: Cell) {
      if count < capacity { cells[count] = cell }
      if count == width { overflow = cellStart }
      count += 1
    }

    var wordAt = rowStart
    var mask = Self.candidates(Self.word(base, at: wordAt, end: end))
    while true {
      // The next byte below 0x2D (or `end`).
      var i: Int
      while true {
        if mask != 0 {
          i = wordAt + mask.trailingZeroBitCount >> 3
          mask &= mask &- 1
          break
        }
        wordAt += 8
        if wordAt >= end {
          i = end
          break
        }
        mask = Self.candidates(Self.word(base, at: wordAt, end: end))
      }
      if i >= end {
        store(Cell(start: cellStart, end: end, needsUnescape: false, isQuoted: false))
        break
      }
      let byte = base.load(fromByteOffset: i, as: UInt8.self)
      if byte == Self.comma {
        store(Cell(start: cellStart, end: i, needsUnescape: false, isQuoted: false))
        cellStart = i + 1
        continue
      }
      if byte == Self.lf || byte == Self.cr {
        store(Cell(start: cellStart, end: i, needsUnescape: false, isQuoted: false))
        lineEnd = i
        next = i + 1
        if byte == Self.cr, next < end, base.load(fromByteOffset: next, as: UInt8.self) == Self.lf { next += 1 }
        row += 1
        break
      }
      guard byte == Self.quote else { continue }  // another byte below 0x2D, such as a space
      guard i == cellStart else {
        throw fail(
          ScanError(
            row: row, column: UTF8Input.column(source, rowStart: rowStart, offset: i),
            message: "row \(row) has a \" inside a cell that does not start with one",
            hint: "write the whole cell in double quotes and each \" inside it as \"\", for example \"5\"\" screen\""))
      }
      // A quoted cell: find its closing quote, skipping doubled ones.
      var q = i + 1
      var escaped = false
      while true {
        guard q < end, let found = memchr(base + q, Int32(Self.quote), end - q) else {
          throw fail(
            ScanError(
              row: row, column: UTF8Input.column(source, rowStart: rowStart, offset: i),
              message: "unterminated quoted field that starts on row \(row)",
              hint: "a cell that starts with \" must end with \"; inside it, write \" as \"\""))
        }
        q = base.distance(to: UnsafeRawPointer(found))
        guard q + 1 < end, base.load(fromByteOffset: q + 1, as: UInt8.self) == Self.quote else { break }
        escaped = true
        q += 2
      }
      store(Cell(start: i + 1, end: q, needsUnescape: escaped, isQuoted: true))
      let after = q + 1
      if after >= end { break }
      let separator = base.load(fromByteOffset: after, as: UInt8.self)
      if separator == Self.comma {
        cellStart = after + 1
        wordAt = cellStart
        mask = cellStart < end ? Self.candidates(Self.word(base, at: cellStart, end: end)) : 0
        continue
      }
      guard separator == Self.lf || separator == Self.cr else {
        throw fail(
          ScanError(
            row: row, column: UTF8Input.column(source, rowStart: rowStart, offset: after),
            message: "row \(row) has text after the closing \" of a quoted cell",
            hint: "inside a quoted cell, write \" as \"\""))
      }
      lineEnd = after
      next = after + 1
      if separator == Self.cr, next < end, base.load(fromByteOffset: next, as: UInt8.self) == Self.lf { next += 1 }
      row += 1
      break
    }
    position = next
    rowEnd = lineEnd
    overflowStart = overflow
    return count
  }

  /// The eight bytes at `p` as a little-endian word; past `end`, zero bytes.
  @inline(__always)
  private static func word(_ base: UnsafeRawPointer, at p: Int, end: Int) -> UInt64 {
    if p + 8 <= end { return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt64.self)) }
    var word: UInt64 = 0
    var k = 0
    while p + k < end {
      word |= UInt64(base.load(fromByteOffset: p + k, as: UInt8.self)) << UInt64(8 * k)
      k += 1
    }
    return word
  }

  /// The top bit of each byte of `word` that is below 0x2D: `(byte | 0x80) - 0x2D`
  /// keeps its top bit exactly when `byte & 0x7F` is at least 0x2D, and no byte
  /// borrows from its neighbour; bytes from 0x80 up are not marked.
  @inline(__always)
  private static func candidates(_ word: UInt64) -> UInt64 {
    let high: UInt64 = 0x8080_8080_8080_8080
    let limit: UInt64 = 0x2D2D_2D2D_2D2D_2D2D
    return ~((word | high) &- limit) & ~word & high
  }

  /// The spreadsheet row and column of `offset`, counting from `start` (row 1), for
  /// errors found before scanning (such as invalid UTF-8).
  static func location(of offset: Int, in bytes: UnsafeRawBufferPointer, from start: Int) -> (row: Int, column: Int) {
    var row = 1
    var rowStart = start
    var inQuotes = false
    var i = start
    let stop = min(offset, bytes.count)
    while i < stop {
      let byte = bytes[i]
      if byte == quote {
        inQuotes.toggle()
      } else if !inQuotes, byte == lf || byte == cr {
        if byte == cr, i + 1 < stop, bytes[i + 1] == lf { i += 1 }
        row += 1
        rowStart = i + 1
      }
      i += 1
    }
    return (row, UTF8Input.column(bytes, rowStart: rowStart, offset: offset))
  }
}
