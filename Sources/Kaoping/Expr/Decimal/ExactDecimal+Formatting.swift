// Text output of `ExactDecimal` (spec §2).

extension ExactDecimal {
  /// Plain notation (spec §2): never an exponent, no trailing fraction zeros,
  /// no point when integral, no sign for zero: `0.95`, `1`, `-2.5`,
  /// `1000000000000000000000000000000000000000`, `0.000000001`.
  ///
  /// Every digit is written, so extreme values are long: up to 34 digits and
  /// 6111 zeros for the largest magnitudes, and `0.` with up to 6175 zeros
  /// before the digits for the smallest ones (about 6.2 kB at most).
  public var description: String {
    let (c, e) = ExactDecimal.strippingTrailingZeros(coefficient, Int(exponent))
    return ExactDecimal.plain(c, e, negative, fractionDigits: e < 0 ? -e : 0)
  }

  /// An amount with exactly `fractionDigits` fraction digits, rounded half
  /// away from zero (spec §2): `1044` → `"1044.00"`, `-6` → `"-6.00"`,
  /// `2.675` → `"2.68"`. A value that rounds to zero is written without a
  /// sign (`-0.001` → `"0.00"`). A negative `fractionDigits` counts as 0.
  public func formatted(fractionDigits: Int) -> String {
    let digits = max(fractionDigits, 0)
    let value = rounded(scale: digits, .halfAwayFromZero)
    return ExactDecimal.plain(
      value.coefficient, Int(value.exponent), value.negative, fractionDigits: digits)
  }

  /// Writes `±c × 10^e` in plain notation with exactly `fractionDigits`
  /// fraction digits; the caller guarantees `fractionDigits >= -e` (no digit is
  /// lost) and `fractionDigits >= 0`.
  static func plain(_ c: UInt128, _ e: Int, _ negative: Bool, fractionDigits: Int) -> String {
    let zero = UInt8(ascii: "0")
    var out: [UInt8] = []
    if c == 0 {
      out.reserveCapacity(fractionDigits &+ 2)
      out.append(zero)
      if fractionDigits > 0 {
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: repeatElement(zero, count: fractionDigits))
      }
      return String(decoding: out, as: UTF8.self)
    }
    let digits = Array(String(c).utf8)
    // Digits of the coefficient that belong to the fraction.
    let inFraction = e < 0 ? -e : 0
    let integerDigits = digits.count &- inFraction  // may be <= 0
    out.reserveCapacity(
      (negative ? 1 : 0) &+ max(integerDigits, 1) &+ max(e, 0) &+ fractionDigits &+ 1)
    if negative { out.append(UInt8(ascii: "-")) }
    if integerDigits > 0 {
      out.append(contentsOf: digits[..<integerDigits])
      if e > 0 { out.append(contentsOf: repeatElement(zero, count: e)) }
    } else {
      out.append(zero)
    }
    if fractionDigits > 0 {
      out.append(UInt8(ascii: "."))
      if integerDigits >= 0 {
        out.append(contentsOf: digits[integerDigits...])
      } else {
        out.append(contentsOf: repeatElement(zero, count: -integerDigits))
        out.append(contentsOf: digits)
      }
      let written = inFraction
      if fractionDigits > written {
        out.append(contentsOf: repeatElement(zero, count: fractionDigits &- written))
      }
    }
    return String(decoding: out, as: UTF8.self)
  }
}
