// The exact decimal number used for amounts and for rule-profile CEL
// arithmetic (spec §2, §12.1).

/// An error from decimal arithmetic or conversion.
public enum DecimalError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A division or remainder by zero.
  case divisionByZero
  /// A result beyond the decimal128 range (magnitude of `10^6145` or more), or
  /// a conversion to an integer type that cannot hold the value.
  case overflow

  /// A short English message, suitable for an evaluation error.
  public var description: String {
    switch self {
    case .divisionByZero: return "division by zero"
    case .overflow: return "decimal overflow"
    }
  }
}

/// How `ExactDecimal.rounded(scale:_:)` treats the digits it removes.
public enum DecimalRoundingRule: Sendable, Hashable {
  /// To nearest; a half goes away from zero (`2.675` → `2.68`, `-2.5` → `-3`).
  /// The rule for every amount (spec §2).
  case halfAwayFromZero
  /// To nearest; a half goes to the even neighbour (`2.665` → `2.66`).
  case halfEven
  /// Truncation (`-2.9` → `-2`).
  case towardZero
  /// Toward negative infinity, i.e. floor (`-2.1` → `-3`).
  case down
  /// Toward positive infinity, i.e. ceiling (`2.1` → `3`).
  case up
}

/// An exact decimal number with the precision and range of IEEE 754
/// decimal128, without NaN, infinities or a signed zero.
///
/// The value is `±coefficient × 10^exponent` with `coefficient < 10^34` and
/// `-6176 <= exponent <= 6111`. Any `Int64` or `UInt64` is exactly
/// representable, and so is every decimal literal of at most 34 significant
/// digits within the range.
///
/// Arithmetic (`adding`, `subtracting`, `multiplied(by:)`, `divided(by:)`)
/// gives the exact result rounded once to 34 significant digits, half to even.
/// A result of magnitude `10^6145` or more throws `DecimalError.overflow`.
/// A result too small for the range does not throw: like decimal128's
/// subnormals, it is rounded (half to even) to a multiple of `10^-6176`, which
/// may be zero.
///
/// Equality, ordering and hashing are by numeric value: `1`, `1.0` and `1.00`
/// are equal and hash alike, and there is no negative zero.
///
/// The common case (coefficients below `2^64`, equal or close exponents) is
/// handled with 64- or 128-bit integer operations and allocates nothing.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The coefficient, below `10^34`.
  let coefficient: UInt128
  /// The power of ten the coefficient is multiplied by, in
  /// `decimalMinExponent ... decimalMaxExponent`.
  let exponent: Int32
  /// Whether the value is below zero (never set for zero).
  let negative: Bool

  /// Builds a value from parts that already satisfy the invariants (the
  /// caller checks the coefficient and exponent ranges); zero is made
  /// canonical here.
  @inline(__always)
  init(raw coefficient: UInt128, exponent: Int, negative: Bool) {
    if coefficient == 0 {
      self.coefficient = 0
      self.exponent = 0
      self.negative = false
    } else {
      self.coefficient = coefficient
      self.exponent = Int32(truncatingIfNeeded: exponent)
      self.negative = negative
    }
  }

  /// Zero.
  public static var zero: ExactDecimal { ExactDecimal(raw: 0, exponent: 0, negative: false) }

  /// One.
  public static var one: ExactDecimal { ExactDecimal(raw: 1, exponent: 0, negative: false) }

  /// The exact value of an `Int64`.
  public init(_ value: Int64) {
    self.init(raw: UInt128(value.magnitude), exponent: 0, negative: value < 0)
  }

  /// The exact value of a `UInt64`.
  public init(_ value: UInt64) {
    self.init(raw: UInt128(value), exponent: 0, negative: false)
  }

  /// The exact value of an `Int`.
  public init(_ value: Int) {
    self.init(raw: UInt128(value.magnitude), exponent: 0, negative: value < 0)
  }

  // MARK: - Properties

  /// Whether the value is zero.
  public var isZero: Bool { coefficient == 0 }

  /// Whether the value is below zero (zero is not negative).
  public var isNegative: Bool { negative }

  /// `-1`, `0` or `1` for a negative, zero or positive value.
  public var signum: Int { coefficient == 0 ? 0 : (negative ? -1 : 1) }

  /// The absolute value.
  public var magnitude: ExactDecimal {
    ExactDecimal(raw: coefficient, exponent: Int(exponent), negative: false)
  }

  /// The absolute value (the same as `magnitude`).
  public var abs: ExactDecimal { magnitude }

  /// The value with the opposite sign (zero stays zero). Never fails: the
  /// range is symmetric.
  public func negated() -> ExactDecimal {
    ExactDecimal(raw: coefficient, exponent: Int(exponent), negative: !negative)
  }

  /// Whether the value has no fraction part.
  public var isInteger: Bool {
    if coefficient == 0 || exponent >= 0 { return true }
    let fractionDigits = -Int(exponent)
    if fractionDigits > decimalPrecision { return false }
    return coefficient % pow10(fractionDigits) == 0
  }

  /// The number of significant digits, trailing zeros excluded: 1 for `0`
  /// and `0.001`, 2 for `1200`, 3 for `1.25` and `1.250`.
  public var significantDigits: Int {
    let (c, _) = ExactDecimal.strippingTrailingZeros(coefficient, Int(exponent))
    return c == 0 ? 1 : digitCount(c)
  }

  /// The number of fraction digits in plain notation (`description`): 0 for
  /// integers, 2 for `1.25` and for `1.250`.
  public var scale: Int {
    let (_, e) = ExactDecimal.strippingTrailingZeros(coefficient, Int(exponent))
    return e < 0 ? -e : 0
  }

  /// Removes trailing zero digits of a coefficient, raising the exponent to
  /// match (zero comes back as `(0, 0)`).
  static func strippingTrailingZeros(_ c: UInt128, _ e: Int) -> (UInt128, Int) {
    if c == 0 { return (0, 0) }
    var e = e
    if c <= UInt128(UInt64.max) {
      var small = UInt64(truncatingIfNeeded: c)
      while small % 10 == 0 {
        small /= 10
        e &+= 1
      }
      return (UInt128(small), e)
    }
    var c = c
    while c % 10 == 0 {
      c /= 10
      e &+= 1
    }
    return (c, e)
  }

  // MARK: - Equality, ordering, hashing

  /// Compares magnitudes: `-1`, `0` or `1`.
  static func compareMagnitudes(
    _ ca: UInt128, _ ea: Int, _ cb: UInt128, _ eb: Int
  ) -> Int {
    if ea == eb || ca == 0 || cb == 0 {
      return ca < cb ? -1 : (ca == cb ? 0 : 1)
    }
    let pa = digitCount(ca)
    let pb = digitCount(cb)
    // The position of the leading digit decides unless it is the same.
    let leadA = pa &+ ea
    let leadB = pb &+ eb
    if leadA != leadB { return leadA < leadB ? -1 : 1 }
    // Same leading position: the exponents differ by at most 33, and the
    // scaled coefficient has as many digits as the other one.
    if ea > eb {
      let scaled = ca &* pow10(ea &- eb)
      return scaled < cb ? -1 : (scaled == cb ? 0 : 1)
    } else {
      let scaled = cb &* pow10(eb &- ea)
      return ca < scaled ? -1 : (ca == scaled ? 0 : 1)
    }
  }

  /// Numeric equality: `1.0 == 1.00 == 1`.
  public static func == (a: ExactDecimal, b: ExactDecimal) -> Bool {
    if a.exponent == b.exponent {
      return a.coefficient == b.coefficient && a.negative == b.negative
    }
    if a.negative != b.negative { return false }
    return compareMagnitudes(a.coefficient, Int(a.exponent), b.coefficient, Int(b.exponent)) == 0
  }

  /// Numeric order.
  public static func < (a: ExactDecimal, b: ExactDecimal) -> Bool {
    if a.negative != b.negative { return a.negative }
    let order = compareMagnitudes(a.coefficient, Int(a.exponent), b.coefficient, Int(b.exponent))
    return a.negative ? order > 0 : order < 0
  }

  /// Hashes the numeric value: equal values hash alike whatever their
  /// representation.
  public func hash(into hasher: inout Hasher) {
    let (c, e) = ExactDecimal.strippingTrailingZeros(coefficient, Int(exponent))
    hasher.combine(negative)
    hasher.combine(c)
    hasher.combine(e)
  }
}

extension ExactDecimal: ExpressibleByIntegerLiteral {
  /// An integer literal, exactly.
  public init(integerLiteral value: Int64) {
    self.init(value)
  }
}
