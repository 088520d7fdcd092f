// Arithmetic on `ExactDecimal`: exact results rounded once to 34 significant
// digits, half to even, like IEEE 754 decimal128.

extension ExactDecimal {
  /// The sum `self + other`, rounded to 34 significant digits (half to even).
  /// - Throws: `DecimalError.overflow` beyond the decimal128 range.
  @inline(__always)
  public func adding(_ other: ExactDecimal) throws(DecimalError) -> ExactDecimal {
    try ExactDecimal.sum(self, other.coefficient, Int(other.exponent), other.negative)
  }

  /// The difference `self - other`, rounded to 34 significant digits (half to
  /// even).
  /// - Throws: `DecimalError.overflow` beyond the decimal128 range.
  @inline(__always)
  public func subtracting(_ other: ExactDecimal) throws(DecimalError) -> ExactDecimal {
    // A zero `other` is returned early by `sum`, so its flipped sign is unused.
    try ExactDecimal.sum(self, other.coefficient, Int(other.exponent), !other.negative)
  }

  /// The product `self × other`, rounded to 34 significant digits (half to
  /// even).
  /// - Throws: `DecimalError.overflow` beyond the decimal128 range.
  public func multiplied(by other: ExactDecimal) throws(DecimalError) -> ExactDecimal {
    let ca = coefficient
    let cb = other.coefficient
    if ca == 0 || cb == 0 { return .zero }
    let e = Int(exponent) &+ Int(other.exponent)
    let negative = self.negative != other.negative
    let limit64 = UInt128(UInt64.max)
    if ca <= limit64 && cb <= limit64 {
      // 64 × 64 → 128 bits: one machine multiplication.
      let p = UInt64(truncatingIfNeeded: ca).multipliedFullWidth(by: UInt64(truncatingIfNeeded: cb))
      let c = UInt128(p.high) << 64 | UInt128(p.low)
      if c < coefficientLimit && e >= decimalMinExponent && e <= decimalMaxExponent {
        return ExactDecimal(raw: c, exponent: e, negative: negative)
      }
      return try ExactDecimal.rounding(negative: negative, high: 0, low: c, exponent: e, tail: .zero)
    }
    let p = ca.multipliedFullWidth(by: cb)
    return try ExactDecimal.rounding(negative: negative, high: p.high, low: p.low, exponent: e, tail: .zero)
  }

  /// The quotient `self ÷ other`, rounded to 34 significant digits (half to
  /// even): `1 / 3` is `0.3333333333333333333333333333333333`. Exact quotients
  /// come back without needless trailing zeros.
  /// - Throws: `DecimalError.divisionByZero` when `other` is zero,
  ///   `DecimalError.overflow` beyond the decimal128 range.
  public func divided(by other: ExactDecimal) throws(DecimalError) -> ExactDecimal {
    let ca = coefficient
    let cb = other.coefficient
    if cb == 0 { throw .divisionByZero }
    if ca == 0 { return .zero }
    let negative = self.negative != other.negative
    let ideal = Int(exponent) &- Int(other.exponent)
    // Exact integer quotient of the coefficients (e.g. `6 / 2`, `1.50 / 0.5`).
    let (q0, r0) = ca.quotientAndRemainder(dividingBy: cb)
    if r0 == 0 {
      return try ExactDecimal.rounding(negative: negative, high: 0, low: q0, exponent: ideal, tail: .zero)
    }
    // Scale the dividend so the quotient has 35 or 36 digits, then round once.
    let pa = digitCount(ca)
    let pb = digitCount(cb)
    let shift = 35 &+ pb &- pa  // 2 ... 68
    let first = min(shift, 38 &- pa)  // ca × 10^first < 10^38 fits in 128 bits
    let numerator = (ca &* pow10(first)).multipliedFullWidth(by: pow10(shift &- first))
    // The quotient is below 10^36, so `numerator.high < cb` as required.
    let (q, r) = cb.dividingFullWidth(numerator)
    let tail: DecimalTail
    if r == 0 {
      tail = .zero
    } else {
      let twice = r << 1  // r < 10^34, no overflow
      tail = twice < cb ? .belowHalf : (twice == cb ? .half : .aboveHalf)
    }
    let rounded = try ExactDecimal.rounding(
      negative: negative, high: 0, low: q, exponent: ideal &- shift, tail: tail)
    // Drop trailing zeros of exact quotients (1 / 4 = 0.25, not 0.2500…0),
    // but not past the ideal exponent.
    var c = rounded.coefficient
    var e = Int(rounded.exponent)
    while e < ideal && c != 0 && c % 10 == 0 {
      c /= 10
      e &+= 1
    }
    return ExactDecimal(raw: c, exponent: e, negative: rounded.negative)
  }

  /// The remainder of truncating division, like C's `fmod`: `self − n × other`
  /// where `n` is `self ÷ other` truncated toward zero. It has the sign of
  /// `self` and is always exact (`5.5 % 2` is `1.5`, `-7 % 3` is `-1`).
  /// - Throws: `DecimalError.divisionByZero` when `other` is zero.
  public func remainder(dividingBy other: ExactDecimal) throws(DecimalError) -> ExactDecimal {
    let ca = coefficient
    let cb = other.coefficient
    if cb == 0 { throw .divisionByZero }
    if ca == 0 { return .zero }
    let ea = Int(exponent)
    let eb = Int(other.exponent)
    if ea >= eb {
      // (ca × 10^(ea − eb)) mod cb, at exponent eb.
      var r = ca % cb
      var remaining = ea &- eb
      while remaining > 0 && r != 0 {
        let step = min(remaining, 38)
        // r < cb, so r × 10^step < cb × 2^128 and the quotient fits.
        let wide = r.multipliedFullWidth(by: pow10(step))
        r = cb.dividingFullWidth(wide).remainder
        remaining &-= step
      }
      return ExactDecimal(raw: r, exponent: eb, negative: negative)
    }
    if ExactDecimal.compareMagnitudes(ca, ea, cb, eb) < 0 { return self }
    // |self| >= |other|: cb × 10^(eb − ea) <= ca < 10^34, so it fits.
    let m = cb &* pow10(eb &- ea)
    return ExactDecimal(raw: ca % m, exponent: ea, negative: negative)
  }

  // MARK: - Internals

  /// `a + (±cb × 10^eb)`.
  @inline(__always)
  static func sum(
    _ a: ExactDecimal, _ cb: UInt128, _ eb: Int, _ nb: Bool
  ) throws(DecimalError) -> ExactDecimal {
    let ca = a.coefficient
    if cb == 0 { return a }
    if ca == 0 { return ExactDecimal(raw: cb, exponent: eb, negative: nb) }
    let ea = Int(a.exponent)
    let na = a.negative
    if ea == eb {
      // The common case: same scale. Coefficients are below 10^34, so the
      // 128-bit sum cannot overflow.
      if na == nb {
        let c = ca &+ cb
        if c < coefficientLimit { return ExactDecimal(raw: c, exponent: ea, negative: na) }
        return try rounding(negative: na, high: 0, low: c, exponent: ea, tail: .zero)
      }
      if ca >= cb { return ExactDecimal(raw: ca &- cb, exponent: ea, negative: na) }
      return ExactDecimal(raw: cb &- ca, exponent: ea, negative: nb)
    }
    if ea > eb {
      return try sumOfDifferentExponents(ca, ea, na, cb, eb, nb)
    }
    return try sumOfDifferentExponents(cb, eb, nb, ca, ea, na)
  }

  /// `±ch × 10^eh + ±cl × 10^el` with `eh > el`, both coefficients nonzero.
  static func sumOfDifferentExponents(
    _ ch: UInt128, _ eh: Int, _ nh: Bool, _ cl: UInt128, _ el: Int, _ nl: Bool
  ) throws(DecimalError) -> ExactDecimal {
    let d = eh &- el
    var scaled: UInt128 = 0
    var near = false
    if d <= 19 && ch <= UInt128(UInt64.max) {
      // < 2^64 × 10^19 < 2^128.
      scaled = ch &* pow10(d)
      near = true
    } else if digitCount(ch) &+ d <= 38 {
      scaled = ch &* pow10(d)
      near = true
    }
    if near {
      // Exact in 128 bits: scaled < 10^38 and cl < 10^34.
      let total: UInt128
      let negative: Bool
      if nh == nl {
        total = scaled &+ cl
        negative = nh
      } else if scaled >= cl {
        total = scaled &- cl
        negative = nh
      } else {
        total = cl &- scaled
        negative = nl
      }
      if total < coefficientLimit {
        return ExactDecimal(raw: total, exponent: el, negative: negative)
      }
      return try rounding(negative: negative, high: 0, low: total, exponent: el, tail: .zero)
    }
    // Far apart: the result has more than 38 digits at exponent `el`, so at
    // least 5 are dropped. Bring the larger operand to 37 digits; the smaller
    // one then only contributes its top digits and a sticky "something below".
    // The larger operand is also the larger in magnitude.
    let up = 37 &- digitCount(ch)  // >= 3
    let big = ch &* pow10(up)
    let down = d &- up  // > 0
    let q: UInt128
    let r: UInt128
    if down > 38 {
      q = 0
      r = cl
    } else {
      (q, r) = cl.quotientAndRemainder(dividingBy: pow10(down))
    }
    let total: UInt128
    let tail: DecimalTail
    if nh == nl {
      total = big &+ q
      tail = r == 0 ? .zero : .belowHalf
    } else if r == 0 {
      total = big &- q
      tail = .zero
    } else {
      // big − q − r/10^down = (big − q − 1) + (something strictly between 0 and 1).
      total = big &- q &- 1
      tail = .belowHalf
    }
    // `total` has 36 or 37 digits, so rounding drops at least 2 of them and
    // the tail only needs to say "nonzero".
    return try rounding(negative: nh, high: 0, low: total, exponent: eh &- up, tail: tail)
  }

  /// Rounds the exact value `±(high × 2^128 + low + tail) × 10^exponent` once,
  /// half to even, to at most 34 digits and an exponent of at least −6176,
  /// then checks the upper end of the range. `tail` is what was already cut
  /// off below `low` (only its being nonzero matters when digits are dropped).
  static func rounding(
    negative: Bool, high: UInt128, low: UInt128, exponent: Int, tail: DecimalTail
  ) throws(DecimalError) -> ExactDecimal {
    let digits = digitCount(high: high, low: low)
    var drop = digits &- decimalPrecision
    let belowRange = decimalMinExponent &- exponent
    if belowRange > drop { drop = belowRange }
    var c: UInt128
    var e = exponent
    var t: DecimalTail
    if drop > 0 {
      (c, t) = shiftRight(high: high, low: low, by: drop, lower: tail)
      e &+= drop
    } else {
      c = low
      t = tail
    }
    if t == .aboveHalf || (t == .half && c & 1 == 1) {
      c &+= 1
      if c == coefficientLimit {
        c = pow10(decimalPrecision &- 1)
        e &+= 1
      }
    }
    if c == 0 { return .zero }
    return try folded(c, e, negative)
  }

  /// A value with a valid coefficient whose exponent may be above the range:
  /// pads the coefficient with zeros when it has room (decimal128's
  /// "clamping"), else throws `.overflow`.
  @inline(__always)
  static func folded(_ c: UInt128, _ e: Int, _ negative: Bool) throws(DecimalError) -> ExactDecimal {
    if e <= decimalMaxExponent {
      return ExactDecimal(raw: c, exponent: e, negative: negative)
    }
    let pad = e &- decimalMaxExponent
    if pad >= decimalPrecision || digitCount(c) &+ pad > decimalPrecision { throw .overflow }
    return ExactDecimal(raw: c &* pow10(pad), exponent: decimalMaxExponent, negative: negative)
  }
}
