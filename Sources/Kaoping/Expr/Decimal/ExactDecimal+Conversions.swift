// Parsing, rounding to a scale, and conversions to and from other number
// types.

extension ExactDecimal {
  // MARK: - Parsing

  /// Parses decimal text: `[-+]?(digits)(\.digits)?([eE][-+]?digits)?`, where
  /// either the integer or the fraction digits may be missing (`.5`, `5.`)
  /// but not both. Leading zeros are fine (`007` is 7): which texts count as
  /// numbers in a rule file is the loader's business, not this type's.
  ///
  /// Returns nil for anything else (including spaces, `_`, `inf`, `nan`) and
  /// for values this type cannot hold exactly: more than 34 significant
  /// digits, counting from the first nonzero digit to the last nonzero digit
  /// (zeros after it are free: `1` followed by 39 zeros, or `1.000…0`, is
  /// fine), or a magnitude outside the decimal128 range (`1e6145`, `1e-6177`).
  public init?(parsing text: some StringProtocol) {
    var iterator = text.utf8.makeIterator()
    var byte = iterator.next()
    var negative = false
    if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
      negative = byte == UInt8(ascii: "-")
      byte = iterator.next()
    }
    var coefficient: UInt128 = 0
    var significant = 0  // digits in `coefficient` from the first nonzero one
    var pendingZeros = 0  // zeros seen after the last nonzero digit
    var fractionDigits = 0
    var sawDigit = false
    var inFraction = false
    while let b = byte {
      if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
        sawDigit = true
        if inFraction { fractionDigits &+= 1 }
        let digit = UInt128(b &- UInt8(ascii: "0"))
        if digit == 0 {
          // Leading zeros never count; others wait until a nonzero digit
          // shows they are inside the coefficient.
          if coefficient != 0 { pendingZeros &+= 1 }
        } else if coefficient == 0 {
          coefficient = digit
          significant = 1
        } else {
          let grow = pendingZeros &+ 1
          if significant &+ grow > decimalPrecision { return nil }
          coefficient = coefficient &* pow10(grow) &+ digit
          significant &+= grow
          pendingZeros = 0
        }
      } else if b == UInt8(ascii: ".") && !inFraction {
        inFraction = true
      } else {
        break
      }
      byte = iterator.next()
    }
    if !sawDigit { return nil }
    var exponentPart = 0
    if let b = byte {
      guard b == UInt8(ascii: "e") || b == UInt8(ascii: "E") else { return nil }
      byte = iterator.next()
      var exponentNegative = false
      if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
        exponentNegative = byte == UInt8(ascii: "-")
        byte = iterator.next()
      }
      var sawExponentDigit = false
      while let b = byte {
        guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
        sawExponentDigit = true
        // Saturate far beyond any meaningful exponent; the range check below
        // rejects it (zero ignores it).
        if exponentPart < 1_000_000 {
          exponentPart = exponentPart &* 10 &+ Int(b &- UInt8(ascii: "0"))
        }
        byte = iterator.next()
      }
      if !sawExponentDigit { return nil }
      if exponentNegative { exponentPart = -exponentPart }
    }
    if coefficient == 0 {
      self = .zero
      return
    }
    let exponent = pendingZeros &- fractionDigits &+ exponentPart
    if exponent < decimalMinExponent { return nil }
    guard let value = try? ExactDecimal.folded(coefficient, exponent, negative) else { return nil }
    self = value
  }

  /// The decimal whose plain notation is Swift's shortest round-trip
  /// `description` of `double`: `0.1` becomes exactly `0.1`, not
  /// `0.1000000000000000055511151231257827…`. Nil for NaN and infinities.
  /// Every finite double fits (17 significant digits, exponent −324 … 308).
  public init?(approximating double: Double) {
    guard double.isFinite else { return nil }
    guard let value = ExactDecimal(parsing: double.description) else { return nil }
    self = value
  }

  // MARK: - Rounding to a scale

  /// The value rounded to `scale` fraction digits by `rule`: with
  /// `.halfAwayFromZero`, `2.675` → `2.68` and `-2.675` → `-2.68` at scale 2.
  /// A negative scale rounds to tens, hundreds, …. Values with no more than
  /// `scale` fraction digits come back unchanged.
  ///
  /// Rounding only removes digits, so it cannot fail. `scale` is clamped to
  /// `-6111 ... 6176` (the exponent range), so that every result is
  /// representable: rounding to units beyond `10^6111` rounds to `10^6111`.
  public func rounded(scale: Int, _ rule: DecimalRoundingRule = .halfAwayFromZero) -> ExactDecimal {
    let clamped = min(max(scale, -decimalMaxExponent), -decimalMinExponent)
    let target = -clamped
    let e = Int(exponent)
    if coefficient == 0 || e >= target { return self }
    let drop = target &- e
    let q: UInt128
    let tail: DecimalTail
    if drop <= 19 && coefficient <= UInt128(UInt64.max) {
      // The common case (amounts): one 64-bit division. 10^19 fits in 64 bits.
      let divisor = UInt64(truncatingIfNeeded: pow10(drop))
      let (quotient, r) = UInt64(truncatingIfNeeded: coefficient).quotientAndRemainder(dividingBy: divisor)
      q = UInt128(quotient)
      let half = divisor >> 1
      tail = r == 0 ? .zero : (r < half ? .belowHalf : (r == half ? .half : .aboveHalf))
    } else if drop > digitCount(coefficient) {
      q = 0
      tail = .belowHalf
    } else {
      // drop <= 34, so the power fits.
      let divisor = pow10(drop)
      let (quotient, r) = coefficient.quotientAndRemainder(dividingBy: divisor)
      q = quotient
      tail = DecimalTail.classify(r, divisor: divisor, lower: .zero)
    }
    let up: Bool
    switch rule {
    case .halfAwayFromZero: up = tail == .half || tail == .aboveHalf
    case .halfEven: up = tail == .aboveHalf || (tail == .half && q & 1 == 1)
    case .towardZero: up = false
    case .down: up = negative && tail != .zero
    case .up: up = !negative && tail != .zero
    }
    // q has at most 33 digits here, so q + 1 stays below 10^34.
    return ExactDecimal(raw: up ? q &+ 1 : q, exponent: target, negative: negative)
  }

  /// The value rounded to an integer by `rule` (the same as `scale: 0`).
  public func rounded(_ rule: DecimalRoundingRule = .halfAwayFromZero) -> ExactDecimal {
    rounded(scale: 0, rule)
  }

  // MARK: - Conversions

  /// The integer part (truncated toward zero) of the magnitude, or nil when it
  /// does not fit in 128 bits.
  private var truncatedMagnitude: UInt128? {
    if coefficient == 0 { return 0 }
    let e = Int(exponent)
    if e >= 0 {
      if e > 38 { return nil }
      let (product, overflow) = coefficient.multipliedReportingOverflow(by: pow10(e))
      return overflow ? nil : product
    }
    if -e > 38 { return 0 }
    return coefficient / pow10(-e)
  }

  /// The value truncated toward zero (`-2.9` → `-2`).
  /// - Throws: `DecimalError.overflow` when that is outside `Int64`.
  public func int64Value() throws(DecimalError) -> Int64 {
    guard let m = truncatedMagnitude else { throw .overflow }
    if negative {
      guard m <= UInt128(Int64.max.magnitude) &+ 1 else { throw .overflow }
      return Int64(truncatingIfNeeded: 0 &- UInt64(truncatingIfNeeded: m))
    }
    guard m <= UInt128(Int64.max) else { throw .overflow }
    return Int64(truncatingIfNeeded: m)
  }

  /// The value truncated toward zero (`2.9` → `2`).
  /// - Throws: `DecimalError.overflow` for any negative value (even `-0.5`)
  ///   and when the value is `2^64` or more.
  public func uint64Value() throws(DecimalError) -> UInt64 {
    if negative { throw .overflow }
    guard let m = truncatedMagnitude, m <= UInt128(UInt64.max) else { throw .overflow }
    return UInt64(truncatingIfNeeded: m)
  }

  /// The nearest `Double` (correctly rounded, via the standard library's
  /// decimal-to-binary conversion). Magnitudes beyond `Double`'s range give
  /// ±infinity; tiny ones give zero.
  public var doubleValue: Double {
    if coefficient == 0 { return 0 }
    let text = (negative ? "-" : "") + String(coefficient) + "e" + String(exponent)
    return Double(text) ?? 0
  }
}
