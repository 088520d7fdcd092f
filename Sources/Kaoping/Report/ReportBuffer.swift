// The byte buffer every report writer appends to: one growing `[UInt8]`, with fast
// appends for the pieces reports are made of (ASCII punctuation, text, integers, amounts).

/// Output bytes under construction.
struct ReportBuffer {
  private(set) var bytes: [UInt8] = []

  init(capacity: Int = 0) {
    bytes.reserveCapacity(capacity)
  }

  /// Appends literal text (punctuation, keys, indentation).
  @inline(__always)
  mutating func append(_ text: StaticString) {
    if text.hasPointerRepresentation {
      bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    } else {
      text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
  }

  /// Appends text as UTF-8.
  @inline(__always)
  mutating func append(text: String) {
    bytes.append(contentsOf: text.utf8)
  }

  /// Appends text as UTF-8.
  @inline(__always)
  mutating func append(text: Substring) {
    bytes.append(contentsOf: text.utf8)
  }

  @inline(__always)
  mutating func append(byte: UInt8) {
    bytes.append(byte)
  }

  mutating func append(bytes more: some Sequence<UInt8>) {
    bytes.append(contentsOf: more)
  }

  /// Appends `byte` `count` times (nothing when `count <= 0`).
  mutating func append(repeating byte: UInt8, count: Int) {
    if count > 0 { bytes.append(contentsOf: repeatElement(byte, count: count)) }
  }

  // MARK: - Numbers

  /// Appends an integer in decimal.
  mutating func append(int value: Int) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    appendDigits(UInt64(value.magnitude), minimumDigits: 1)
  }

  /// Appends the decimal digits of `value`, left-padded with zeros to `minimumDigits`.
  @inline(__always)
  private mutating func appendDigits(_ value: UInt64, minimumDigits: Int) {
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
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[end..<32]))
    }
  }

  /// Appends an amount with exactly `fractionDigits` fraction digits, rounded half away
  /// from zero, never `-0.00` (spec §2) — the bytes of
  /// `ExactDecimal.formatted(fractionDigits:)`, without its allocations in the common case.
  mutating func append(amount value: ExactDecimal, fractionDigits: Int) {
    let digits = max(fractionDigits, 0)
    if let scaled = Self.scaledInteger(value, fractionDigits: digits) {
      if scaled != 0 && value.negative { bytes.append(UInt8(ascii: "-")) }
      if digits == 0 {
        appendDigits(scaled, minimumDigits: 1)
        return
      }
      let unit = UInt64(truncatingIfNeeded: pow10(digits))
      let (whole, fraction) = scaled.quotientAndRemainder(dividingBy: unit)
      appendDigits(whole, minimumDigits: 1)
      bytes.append(UInt8(ascii: "."))
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

  /// Appends a decimal that is not an amount (a score value, a weight) in plain notation,
  /// rounded half away from zero to 6 fraction digits when it has more (spec §2, §8.2).
  mutating func append(plain value: ExactDecimal) {
    append(text: value.rounded(scale: 6, .halfAwayFromZero).description)
  }

  // MARK: - JSON

  /// Appends `text` as a JSON string literal (spec §13.1): text that needs no escape is
  /// copied as it is; anything else goes through `String.appendJSONString(_:)`.
  mutating func append(jsonString text: String) {
    var plain = true
    for byte in text.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F {
      plain = false
      break
    }
    if plain {
      bytes.append(UInt8(ascii: "\""))
      bytes.append(contentsOf: text.utf8)
      bytes.append(UInt8(ascii: "\""))
    } else {
      append(text: String.jsonLiteral(text))
    }
  }
}
