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
  var row: Int
  var cells: UnsafeBufferPointer<Cell>
}

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
  private var finished = false
  private let scratch = ScanScratch<Cell>(capacity: 16)
  /// Offset where the last scanned row's content ends (before its line break).
  private var rowEnd = 0
  /// Offset where the first cell beyond the header's width starts, or -1.
  private var overflowStart = -1

  /// A scanner over `bytes` (a leading byte order mark is skipped).
  init(_ bytes: UnsafeRawBufferPointer) {
    source = bytes
    position = UTF8Input.bomLength(bytes)
  }

  /// The number of columns (0 before the header has been read).
  var width: Int { headerCells.count }

  /// Checks the input is UTF-8 and reads the header row: the column names, decoded.
  /// Names must be non-empty and distinct. Calling it again returns the same names.
  mutating func readHeader() throws(ScanError) -> [String] {
    if let header { return header }
    if finished { return [] }
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
    if header == nil { _ = try readHeader() }
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
  private mutating func scanRow() throws(ScanError) -> Int {
    guard let base = source.baseAddress else { return 0 }
    let end = source.count
    let cells = scratch.base
    let capacity = scratch.capacity
    let width = headerCells.count
    let rowStart = position
    var p = position
    var count = 0
    overflowStart = -1
    while true {
      var cell: Cell
      let cellStart = p
      if p < end, base.load(fromByteOffset: p, as: UInt8.self) == Self.quote {
        p += 1
        let contentStart = p
        var escaped = false
        while true {
          guard p < end, let found = memchr(base + p, Int32(Self.quote), end - p) else {
            throw fail(
              ScanError(
                row: row, column: UTF8Input.column(source, rowStart: rowStart, offset: cellStart),
                message: "unterminated quoted field that starts on row \(row)",
                hint: "a cell that starts with \" must end with \"; inside it, write \" as \"\""))
          }
          let q = base.distance(to: UnsafeRawPointer(found))
          if q + 1 < end, base.load(fromByteOffset: q + 1, as: UInt8.self) == Self.quote {
            escaped = true
            p = q + 2
            continue
          }
          p = q
          break
        }
        cell = Cell(start: contentStart, end: p, needsUnescape: escaped, isQuoted: true)
        p += 1
        if p < end {
          let next = base.load(fromByteOffset: p, as: UInt8.self)
          if next != Self.comma, next != Self.lf, next != Self.cr {
            throw fail(
              ScanError(
                row: row, column: UTF8Input.column(source, rowStart: rowStart, offset: p),
                message: "row \(row) has text after the closing \" of a quoted cell",
                hint: "inside a quoted cell, write \" as \"\""))
          }
        }
      } else {
        p = Self.unquotedEnd(base, from: p, end: end)
        if p < end, base.load(fromByteOffset: p, as: UInt8.self) == Self.quote {
          throw fail(
            ScanError(
              row: row, column: UTF8Input.column(source, rowStart: rowStart, offset: p),
              message: "row \(row) has a \" inside a cell that does not start with one",
              hint: "write the whole cell in double quotes and each \" inside it as \"\", for example \"5\"\" screen\"")
          )
        }
        cell = Cell(start: cellStart, end: p, needsUnescape: false, isQuoted: false)
      }
      if count < capacity { cells[count] = cell }
      if count == width { overflowStart = cellStart }
      count += 1
      if p >= end {
        rowEnd = end
        break
      }
      let separator = base.load(fromByteOffset: p, as: UInt8.self)
      if separator == Self.comma {
        p += 1
        continue
      }
      rowEnd = p
      p += 1
      if separator == Self.cr, p < end, base.load(fromByteOffset: p, as: UInt8.self) == Self.lf { p += 1 }
      row += 1
      break
    }
    position = p
    return count
  }

  /// The offset of the first `,` `"` LF or CR at or after `start`, or `end`.
  ///
  /// Eight bytes at a time: a byte can only be one of those four if it is below
  /// 0x2D, which (for bytes below 0x80) `(byte | 0x80) - 0x2D` tells by its top bit,
  /// without borrows between bytes.
  @inline(__always)
  private static func unquotedEnd(_ base: UnsafeRawPointer, from start: Int, end: Int) -> Int {
    let high: UInt64 = 0x8080_8080_8080_8080
    let limit: UInt64 = 0x2D2D_2D2D_2D2D_2D2D
    var p = start
    while p + 8 <= end {
      let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt64.self))
      var low = ~((word | high) &- limit) & ~word & high
      while low != 0 {
        let i = p + low.trailingZeroBitCount >> 3
        let byte = base.load(fromByteOffset: i, as: UInt8.self)
        if byte == comma || byte == quote || byte == lf || byte == cr { return i }
        low &= low &- 1
      }
      p += 8
    }
    while p < end {
      let byte = base.load(fromByteOffset: p, as: UInt8.self)
      if byte < 0x2D, byte == comma || byte == quote || byte == lf || byte == cr { return p }
      p += 1
    }
    return end
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
