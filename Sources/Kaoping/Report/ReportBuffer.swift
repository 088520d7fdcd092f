// The byte buffer every report writer appends to: one growing `[UInt8]`, with fast
// appends for the pieces reports are made of (ASCII punctuation, text, integers, amounts).

/// Output bytes under construction. Appends go through a pointer into a small chunk that
/// is moved into the result array when full, so that an append is a capacity check and a
/// copy, and the result is built in place (reports run to hundreds of megabytes).
final class ReportBuffer {
  /// The bytes already moved out of the chunk.
  private var storage: [UInt8] = []
  private let chunk: UnsafeMutablePointer<UInt8>
  /// How many bytes of `chunk` are written.
  private var used = 0
  private static var chunkSize: Int { 1 << 16 }

  /// A buffer that expects about `capacity` bytes.
  init(capacity: Int = 0) {
    storage.reserveCapacity(capacity)
    chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.chunkSize)
  }

  deinit {
    chunk.deallocate()
  }

  /// The bytes written so far.
  var bytes: [UInt8] {
    flush()
    return storage
  }

  /// Moves the chunk's bytes to `storage`.
  @inline(never)
  private func flush() {
    storage.append(contentsOf: UnsafeBufferPointer(start: chunk, count: used))
    used = 0
  }

  /// Appends `length` bytes from `source`.
  @inline(__always)
  private func append(_ source: UnsafePointer<UInt8>, length: Int) {
    if length > Self.chunkSize &- used {
      appendLong(source, length: length)
      return
    }
    (chunk + used).initialize(from: source, count: length)
    used &+= length
  }

  @inline(never)
  private func appendLong(_ source: UnsafePointer<UInt8>, length: Int) {
    flush()
    if length > Self.chunkSize / 2 {
      storage.append(contentsOf: UnsafeBufferPointer(start: source, count: length))
    } else {
      chunk.initialize(from: source, count: length)
      used = length
    }
  }

  /// Appends literal text (punctuation, keys, indentation).
  @inline(__always)
  func append(_ text: StaticString) {
    if text.hasPointerRepresentation {
      append(text.utf8Start, length: text.utf8CodeUnitCount)
    } else {
      text.withUTF8Buffer { buffer in
        if let start = buffer.baseAddress { append(start, length: buffer.count) }
      }
    }
  }

  /// Appends text as UTF-8.
  @inline(__always)
  func append(text: String) {
    let copied: Void? = text.utf8.withContiguousStorageIfAvailable { buffer in
      if let start = buffer.baseAddress { append(start, length: buffer.count) }
    }
    if copied == nil {
      for byte in text.utf8 { append(byte: byte) }
    }
  }

  @inline(__always)
  func append(byte: UInt8) {
    if used == Self.chunkSize { flush() }
    chunk[used] = byte
    used &+= 1
  }

  func append(bytes more: [UInt8]) {
    more.withUnsafeBufferPointer { buffer in
      if let start = buffer.baseAddress { append(start, length: buffer.count) }
    }
  }

  // MARK: - Numbers

  /// Appends an integer in decimal.
  func append(int value: Int) {
    if value < 0 { append(byte: UInt8(ascii: "-")) }
    appendDigits(UInt64(value.magnitude), minimumDigits: 1)
  }

  /// Appends the decimal digits of `value`, left-padded with zeros to `minimumDigits`.
  @inline(__always)
  private func appendDigits(_ value: UInt64, minimumDigits: Int) {
    // 20 digits hold any UInt64, and callers pad to at most 6 digits.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { scratch in
      var end = 32
      var rest = value
      repeat {
        end &-= 1
        let (q, r) = rest.quotientAndRemainder(dividingBy: 10)
        scratch[end] = UInt8(truncatingIfNeeded: r) &+ UInt8(ascii: "0")
        rest = q
      } while rest != 0
      while 32 &- end < minimumDigits && end > 0 {
        end &-= 1
        scratch[end] = UInt8(ascii: "0")
      }
      if let start = scratch.baseAddress { append(start + end, length: 32 &- end) }
    }
  }

  /// Appends an amount with exactly `fractionDigits` fraction digits, rounded half away
  /// from zero, never `-0.00` (spec §2) — the bytes of
  /// `ExactDecimal.formatted(fractionDigits:)`, without its allocations in the common case.
  func append(amount value: ExactDecimal, fractionDigits: Int) {
    let digits = max(fractionDigits, 0)
    if let scaled = Self.scaledInteger(value, fractionDigits: digits) {
      if scaled != 0 && value.negative { append(byte: UInt8(ascii: "-")) }
      if digits == 0 {
        appendDigits(scaled, minimumDigits: 1)
        return
      }
      let unit = UInt64(truncatingIfNeeded: pow10(digits))
      let (whole, fraction) = scaled.quotientAndRemainder(dividingBy: unit)
      appendDigits(whole, minimumDigits: 1)
      append(byte: UInt8(ascii: "."))
      appendDigits(fraction, minimumDigits: digits)
      return
    }
    append(text: value.formatted(fractionDigits: digits))
  }

  /// `|value| × 10^fractionDigits` when that is an integer that fits in 64 bits with
  /// `fractionDigits <= 6` (no rounding needed), else nil.
  @inline(__always)
  private static func scaledInteger(_ value: ExactDecimal, fractionDigits: Int) -> UInt64? {
    guard fractionDigits <= 6, value.coefficient <= UInt128(UInt64.max) else { return nil }
    let shift = Int(value.exponent) &+ fractionDigits
    guard shift >= 0, shift <= 19 else { return nil }
    let (product, overflow) = UInt64(truncatingIfNeeded: value.coefficient)
      .multipliedReportingOverflow(by: UInt64(truncatingIfNeeded: pow10(shift)))
    return overflow ? nil : product
  }

  /// Appends a decimal that is not an amount (a weight, a score value) in plain notation
  /// (spec §2): no exponent, no trailing fraction zeros, no point when integral.
  func append(plain value: ExactDecimal) {
    append(text: value.description)
  }

  // MARK: - JSON

  /// Appends `text` as a JSON string literal (spec §13.1): non-ASCII characters and `/` as
  /// they are, `"` and `\` escaped, and every control character (U+0000–U+001F,
  /// U+007F–U+009F, tab and line breaks included) as `\u00XX` with upper-case hex.
  func append(jsonString text: String) {
    let copied: Bool? = text.utf8.withContiguousStorageIfAvailable { buffer in
      // 0xC2 leads the UTF-8 of U+0080–U+00BF, where the C1 controls are.
      for byte in buffer where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xC2 {
        return false
      }
      append(byte: UInt8(ascii: "\""))
      if let start = buffer.baseAddress { append(start, length: buffer.count) }
      append(byte: UInt8(ascii: "\""))
      return true
    }
    if copied != true {
      appendEscapedJSONString(text)
    }
  }

  private func appendEscapedJSONString(_ text: String) {
    append(byte: UInt8(ascii: "\""))
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x22: append("\\\"")
      case 0x5C: append("\\\\")
      case 0x00..<0x20, 0x7F..<0xA0:
        let hex: StaticString = "0123456789ABCDEF"
        append("\\u00")
        hex.withUTF8Buffer { digits in
          append(byte: digits[Int(scalar.value >> 4)])
          append(byte: digits[Int(scalar.value & 0xF)])
        }
      default:
        append(text: String(scalar))
      }
    }
    append(byte: UInt8(ascii: "\""))
  }
}
