// Low-level helpers for `ExactDecimal`: powers of ten, digit counts and the one
// rounding routine every inexact result goes through.

/// The most significant digits a coefficient may have (decimal128's precision).
let decimalPrecision = 34

/// The smallest exponent of the coefficient (decimal128's `Etiny`).
let decimalMinExponent = -6176

/// The largest exponent of the coefficient (decimal128's `Emax - (p - 1)`).
let decimalMaxExponent = 6111

/// `10^34`: every coefficient is below this.
let coefficientLimit: UInt128 = 10_000_000_000_000_000_000_000_000_000_000_000

/// `10^n` for `0 <= n <= 38` (the powers of ten that fit in `UInt128`).
/// Callers guarantee the range; anything else returns 0, which no caller
/// reaches (a switch keeps this free of global-initialisation checks).
@inline(__always)
func pow10(_ n: Int) -> UInt128 {
  switch n {
  case 0: return 1
  case 1: return 10
  case 2: return 100
  case 3: return 1_000
  case 4: return 10_000
  case 5: return 100_000
  case 6: return 1_000_000
  case 7: return 10_000_000
  case 8: return 100_000_000
  case 9: return 1_000_000_000
  case 10: return 10_000_000_000
  case 11: return 100_000_000_000
  case 12: return 1_000_000_000_000
  case 13: return 10_000_000_000_000
  case 14: return 100_000_000_000_000
  case 15: return 1_000_000_000_000_000
  case 16: return 10_000_000_000_000_000
  case 17: return 100_000_000_000_000_000
  case 18: return 1_000_000_000_000_000_000
  case 19: return 10_000_000_000_000_000_000
  case 20: return 100_000_000_000_000_000_000
  case 21: return 1_000_000_000_000_000_000_000
  case 22: return 10_000_000_000_000_000_000_000
  case 23: return 100_000_000_000_000_000_000_000
  case 24: return 1_000_000_000_000_000_000_000_000
  case 25: return 10_000_000_000_000_000_000_000_000
  case 26: return 100_000_000_000_000_000_000_000_000
  case 27: return 1_000_000_000_000_000_000_000_000_000
  case 28: return 10_000_000_000_000_000_000_000_000_000
  case 29: return 100_000_000_000_000_000_000_000_000_000
  case 30: return 1_000_000_000_000_000_000_000_000_000_000
  case 31: return 10_000_000_000_000_000_000_000_000_000_000
  case 32: return 100_000_000_000_000_000_000_000_000_000_000
  case 33: return 1_000_000_000_000_000_000_000_000_000_000_000
  case 34: return 10_000_000_000_000_000_000_000_000_000_000_000
  case 35: return 100_000_000_000_000_000_000_000_000_000_000_000
  case 36: return 1_000_000_000_000_000_000_000_000_000_000_000_000
  case 37: return 10_000_000_000_000_000_000_000_000_000_000_000_000
  case 38: return 100_000_000_000_000_000_000_000_000_000_000_000_000
  default: return 0
  }
}

/// The number of decimal digits of `x` (0 for 0).
@inline(__always)
func digitCount(_ x: UInt128) -> Int {
  if x == 0 { return 0 }
  let bits = 128 - x.leadingZeroBitCount
  // 1233 / 4096 is just above log10(2); `t` is the digit count or one more.
  let t = (bits &* 1233) >> 12
  return x < pow10(t) ? t : t &+ 1
}

/// The number of decimal digits of the 256-bit value `high * 2^128 + low`.
/// The value must be below `10^76` (callers pass at most a product of two
/// coefficients, below `10^68`), so that `10^t` fits in 256 bits.
func digitCount(high: UInt128, low: UInt128) -> Int {
  if high == 0 { return digitCount(low) }
  let bits = 256 - high.leadingZeroBitCount
  let t = (bits &* 1233) >> 12  // >= 38 because bits >= 129
  let power = pow10(t &- 38).multipliedFullWidth(by: pow10(38))
  let below = high < power.high || (high == power.high && low < power.low)
  return below ? t : t &+ 1
}

/// What was cut off when digits were dropped, relative to one unit in the
/// last kept place.
enum DecimalTail: Equatable {
  /// Nothing: the kept digits are exact.
  case zero
  /// More than nothing, less than a half.
  case belowHalf
  /// Exactly a half.
  case half
  /// More than a half, less than one.
  case aboveHalf

  /// Classifies a remainder `r` of a division by `divisor` (`0 <= r < divisor`,
  /// `divisor` even), given what was cut off below `r` earlier.
  @inline(__always)
  static func classify(_ r: UInt128, divisor: UInt128, lower: DecimalTail) -> DecimalTail {
    let half = divisor >> 1
    if r == 0 { return lower == .zero ? .zero : .belowHalf }
    if r < half { return .belowHalf }
    if r == half { return lower == .zero ? .half : .aboveHalf }
    return .aboveHalf
  }
}

/// Divides the 256-bit value `high * 2^128 + low` by `10^count`, truncating,
/// and says what was cut off. `lower` is what was already cut off below the
/// value (a sticky tail), so tails compose. The caller guarantees that the
/// quotient fits in `UInt128`.
func shiftRight(
  high: UInt128, low: UInt128, by count: Int, lower: DecimalTail
) -> (quotient: UInt128, tail: DecimalTail) {
  if count <= 0 { return (low, lower) }
  let digits = digitCount(high: high, low: low)
  if count > digits {
    // The value is below a tenth of the new unit.
    let nothing = digits == 0 && lower == .zero
    return (0, nothing ? .zero : .belowHalf)
  }
  var hi = high
  var lo = low
  var tail = lower
  var remaining = count
  while remaining > 0 {
    let step = min(remaining, 38)
    let divisor = pow10(step)
    let qh = hi / divisor
    let rh = hi % divisor
    let (ql, r) = divisor.dividingFullWidth((rh, lo))
    tail = DecimalTail.classify(r, divisor: divisor, lower: tail)
    hi = qh
    lo = ql
    remaining &-= step
  }
  return (lo, tail)
}
