/// UTF-8 checks over raw input bytes: the byte order mark, validation with an ASCII
/// fast path, column counting, and a guess whether invalid bytes are GBK/GB18030.
enum UTF8Input {
  /// Length of a UTF-8 byte order mark (EF BB BF) at the start of `bytes`: 3 or 0.
  static func bomLength(_ bytes: UnsafeRawBufferPointer) -> Int {
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { return 3 }
    return 0
  }

  /// `bytes` without a leading byte order mark.
  static func droppingBOM(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    let skip = bomLength(bytes)
    return skip == 0 ? bytes : UnsafeRawBufferPointer(rebasing: bytes[skip...])
  }

  /// The offset of the first byte of `bytes[from...]` that does not belong to a
  /// well-formed UTF-8 sequence (Unicode table 3-7: no overlong forms, no surrogates,
  /// nothing above U+10FFFF), or nil when all of it is valid.
  ///
  /// ASCII is checked eight bytes at a time; a run of multi-byte characters is
  /// checked character by character without leaving the run.
  static func firstInvalidOffset(_ bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    let end = bytes.count
    var p = max(start, 0)
    let high: UInt64 = 0x8080_8080_8080_8080
    while p < end {
      // ASCII: eight bytes at a time while no byte has its top bit set.
      while p + 8 <= end {
        let top = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt64.self)) & high
        if top != 0 {
          p += top.trailingZeroBitCount >> 3
          break
        }
        p += 8
      }
      // Bytes one by one: the tail, and a run of non-ASCII characters.
      while p < end {
        let byte = base.load(fromByteOffset: p, as: UInt8.self)
        if byte < 0x80 {
          p += 1
          if p + 8 <= end { break }
          continue
        }
        let length = sequenceLength(base, at: p, end: end)
        if length == 0 { return p }
        p += length
      }
    }
    return nil
  }

  /// The length (2…4) of the well-formed multi-byte UTF-8 sequence starting at
  /// `base[p]` (a byte ≥ 0x80), or 0 when it is not well-formed.
  @inline(__always)
  static func sequenceLength(_ base: UnsafeRawPointer, at p: Int, end: Int) -> Int {
    let b0 = base.load(fromByteOffset: p, as: UInt8.self)
    // The usual case for Chinese text: a three-byte character (E1–EC, EE–EF lead)
    // with four bytes readable.
    if p + 4 <= end, b0 & 0xF0 == 0xE0, b0 != 0xE0, b0 != 0xED {
      let word = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt32.self))
      return word & 0x00C0_C000 == 0x0080_8000 ? 3 : 0
    }
    @inline(__always) func byte(_ i: Int) -> UInt8 {
      p + i < end ? base.load(fromByteOffset: p + i, as: UInt8.self) : 0
    }
    @inline(__always) func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
    switch b0 {
    case 0xC2...0xDF:
      return isContinuation(byte(1)) ? 2 : 0
    case 0xE0...0xEF:
      let b1 = byte(1)
      let secondOK: Bool
      switch b0 {
      case 0xE0: secondOK = b1 >= 0xA0 && b1 <= 0xBF
      case 0xED: secondOK = b1 >= 0x80 && b1 <= 0x9F
      default: secondOK = isContinuation(b1)
      }
      return secondOK && isContinuation(byte(2)) ? 3 : 0
    case 0xF0...0xF4:
      let b1 = byte(1)
      let secondOK: Bool
      switch b0 {
      case 0xF0: secondOK = b1 >= 0x90 && b1 <= 0xBF
      case 0xF4: secondOK = b1 >= 0x80 && b1 <= 0x8F
      default: secondOK = isContinuation(b1)
      }
      return secondOK && isContinuation(byte(2)) && isContinuation(byte(3)) ? 4 : 0
    default:
      return 0
    }
  }

  /// The 1-based column of `offset` on a row that starts at `rowStart`: one more than
  /// the number of Unicode scalars in between (the bytes there must be valid UTF-8).
  static func column(_ bytes: UnsafeRawBufferPointer, rowStart: Int, offset: Int) -> Int {
    var column = 1
    var i = max(rowStart, 0)
    let stop = min(offset, bytes.count)
    while i < stop {
      if bytes[i] & 0xC0 != 0x80 { column += 1 }
      i += 1
    }
    return column
  }

  /// Whether the invalid bytes around `offset` read well as GBK/GB18030 (the usual
  /// encoding of CSV files saved by spreadsheet programs on Chinese Windows).
  ///
  /// Looks at the run of non-ASCII bytes that holds `offset` and requires it to split
  /// into GBK double-byte characters (lead 81–FE, trail 40–7E or 80–FE) or GB18030
  /// four-byte sequences, with the character covering `offset` made of two high bytes
  /// (which rules out Latin-1 text such as "é" followed by a letter).
  static func looksLikeGBK(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
    guard offset >= 0, offset < bytes.count else { return false }
    // Back up over (at most 64) non-ASCII bytes to the start of the run.
    var start = offset
    while start > 0, offset - start < 64, bytes[start - 1] >= 0x80 { start -= 1 }
    var i = start
    let end = bytes.count
    while i < end, i - start < 128 {
      let lead = bytes[i]
      if lead < 0x80 {
        return i > offset
      }
      guard lead >= 0x81, lead <= 0xFE, i + 1 < end else { return false }
      let trail = bytes[i + 1]
      if trail >= 0x40, trail <= 0xFE, trail != 0x7F {
        if i <= offset, offset <= i + 1, trail < 0x81 { return false }
        i += 2
      } else if trail >= 0x30, trail <= 0x39, i + 3 < end,
        bytes[i + 2] >= 0x81, bytes[i + 2] <= 0xFE, bytes[i + 3] >= 0x30, bytes[i + 3] <= 0x39
      {
        i += 4
      } else {
        return false
      }
    }
    return i > offset
  }

  /// The error for a file that is not UTF-8, its first invalid byte at `offset`.
  /// `unit` names rows in the message ("row" for CSV, "line" for JSON Lines).
  static func encodingError(
    _ bytes: UnsafeRawBufferPointer, offset: Int, row: Int, column: Int, unit: String
  ) -> ScanError {
    let byte = offset < bytes.count ? bytes[offset] : 0
    let hex = String(byte, radix: 16, uppercase: true)
    let byteText = "0x" + (hex.count < 2 ? "0" + hex : hex)
    var hint = "save the file as UTF-8"
    if looksLikeGBK(bytes, at: offset) {
      hint =
        "the file looks like GBK/GB18030 (Chinese Windows encoding); in the spreadsheet program choose \"Save as\" and the type \"CSV UTF-8\""
    }
    return ScanError(
      row: row, column: column,
      message: "the file is not UTF-8: byte \(byteText) on \(unit) \(row) is not valid UTF-8 text",
      hint: hint)
  }
}
