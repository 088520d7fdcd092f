import Testing
@testable import Kaoping

/// Parses a literal the test relies on, failing the test if it does not parse.
private func dec(
  _ text: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> ExactDecimal {
  try #require(ExactDecimal(parsing: text), "\(text) should parse", sourceLocation: sourceLocation)
}

/// `10^n` as text.
private func tenTo(_ n: Int) -> String {
  "1" + String(repeating: "0", count: n)
}

// MARK: - Arithmetic

@Test func pointOnePlusPointTwoIsPointThree() throws {
  let sum = try dec("0.1").adding(dec("0.2"))
  #expect(sum == (try dec("0.3")))
  #expect(sum.description == "0.3")
}

@Test func specExampleIsExactlyTwoPointSixSevenFive() throws {
  // (0.95 - 3693.0/4000.0) * 100, spec §2.
  let quotient = try dec("3693.0").divided(by: dec("4000.0"))
  #expect(quotient.description == "0.92325")
  let value = try dec("0.95").subtracting(quotient).multiplied(by: dec("100"))
  #expect(value.description == "2.675")
  #expect(value == (try dec("2.675")))
  #expect(value.rounded(scale: 2).description == "2.68")
  #expect(value.formatted(fractionDigits: 2) == "2.68")
}

@Test func roundingRules() throws {
  #expect(try dec("-2.675").rounded(scale: 2).description == "-2.68")
  #expect(try dec("2.665").rounded(scale: 2, .halfEven).description == "2.66")
  #expect(try dec("2.675").rounded(scale: 2, .halfEven).description == "2.68")
  #expect(try dec("2.6651").rounded(scale: 2, .halfEven).description == "2.67")
  #expect(try dec("2.5").rounded(.halfAwayFromZero) == 3)
  #expect(try dec("-2.5").rounded(.halfAwayFromZero) == -3)
  #expect(try dec("2.5").rounded(.halfEven) == 2)
  #expect(try dec("3.5").rounded(.halfEven) == 4)
  #expect(try dec("-2.9").rounded(.towardZero) == -2)
  #expect(try dec("-2.1").rounded(.down) == -3)
  #expect(try dec("2.1").rounded(.down) == 2)
  #expect(try dec("2.1").rounded(.up) == 3)
  #expect(try dec("-2.9").rounded(.up) == -2)
  // Removing more digits than there are: 0.004 -> 0 or 0.01.
  #expect(try dec("0.004").rounded(scale: 2).isZero)
  #expect(try dec("0.004").rounded(scale: 2, .up).description == "0.01")
  #expect(try dec("-0.004").rounded(scale: 2, .down).description == "-0.01")
  #expect(try dec("-0.004").rounded(scale: 2).description == "0")
  // Carry through all digits; negative scale rounds to hundreds.
  #expect(try dec("9.995").rounded(scale: 2).description == "10")
  #expect(try dec("1250").rounded(scale: -2, .halfEven).description == "1200")
  #expect(try dec("1250").rounded(scale: -2).description == "1300")
  // Coefficients beyond 64 bits, and the widest 64-bit drop (19 digits).
  #expect(try dec("1234567890123456789012345.675").rounded(scale: 2).description == "1234567890123456789012345.68")
  #expect(try dec("-1234567890123456789012345.665").rounded(scale: 2, .halfEven).description == "-1234567890123456789012345.66")
  #expect(try dec("0.9999999999999999999").rounded() == 1)
  #expect(try dec("0.5000000000000000001").rounded(.halfEven) == 1)
  #expect(try dec("0.5").rounded(.halfEven).isZero)
  // Nothing to remove: unchanged.
  #expect(try dec("1.5").rounded(scale: 3).description == "1.5")
  // Absurd scales are clamped, never trap.
  #expect(try dec("5").rounded(scale: Int.min, .up).description == "1" + String(repeating: "0", count: 6111))
  #expect(try dec("5").rounded(scale: Int.max) == 5)
}

@Test func divisionRoundsToThirtyFourDigitsHalfEven() throws {
  let third = try dec("1.0").divided(by: dec("3.0"))
  #expect(third.description == "0." + String(repeating: "3", count: 34))
  #expect(third.significantDigits == 34)
  let twoThirds = try ExactDecimal(2).divided(by: 3)
  #expect(twoThirds.description == "0." + String(repeating: "6", count: 33) + "7")
  // Exact quotients carry no trailing zeros.
  #expect(try ExactDecimal(1).divided(by: 4).description == "0.25")
  #expect(try ExactDecimal(1).divided(by: 4).coefficient == 25)
  #expect(try dec("-7.5").divided(by: dec("2.5")).description == "-3")
  #expect(try ExactDecimal(10).divided(by: dec("0.001")).description == "10000")
  // 1/7 has a 6-digit period; digit 35 is 5 followed by more: rounds up.
  #expect(try ExactDecimal(1).divided(by: 7).description == "0.1428571428571428571428571428571429")
}

@Test func divisionByZeroThrows() throws {
  #expect(throws: DecimalError.divisionByZero) { try ExactDecimal(1).divided(by: .zero) }
  #expect(throws: DecimalError.divisionByZero) { try ExactDecimal(0).divided(by: dec("0.00")) }
  #expect(throws: DecimalError.divisionByZero) { try ExactDecimal(1).remainder(dividingBy: 0) }
  #expect(DecimalError.divisionByZero.description == "division by zero")
}

@Test func exponentOverflowThrows() throws {
  let big = try dec("9e6144")
  #expect(throws: DecimalError.overflow) { try big.multiplied(by: 10) }
  #expect(throws: DecimalError.overflow) { try big.multiplied(by: big) }
  #expect(throws: DecimalError.overflow) { try big.divided(by: dec("1e-10")) }
  let max = try dec(String(repeating: "9", count: 34) + "e6111")
  #expect(throws: DecimalError.overflow) { try max.adding(dec("1e6111")) }
  #expect(throws: DecimalError.overflow) { try max.negated().subtracting(dec("1e6111")) }
  // Just inside: 1e6144 is 10^33 x 10^6111.
  #expect(try dec("1e6143").multiplied(by: 10) == (try dec("1e6144")))
  // A tiny addend disappears in rounding instead of overflowing.
  #expect(try max.adding(dec("0.1")) == max)
}

@Test func underflowRoundsToTheSmallestUnit() throws {
  let tiny = try dec("1e-6176")
  #expect(try tiny.divided(by: 2).isZero)  // 0.5 units: half to even -> 0
  #expect(try dec("3e-6176").divided(by: 2) == (try dec("2e-6176")))  // 1.5 -> 2
  #expect(try tiny.multiplied(by: tiny).isZero)
  // 1.23456e-6175 keeps only the digits down to 1e-6176: 1.2e-6175.
  #expect(try dec("1e-6000").multiplied(by: dec("1.23456e-175")) == (try dec("1.2e-6175")))
  #expect(try dec("1e-6000").multiplied(by: dec("1.25e-175")) == (try dec("1.2e-6175")))
  #expect(try dec("1e-6000").multiplied(by: dec("1.35e-175")) == (try dec("1.4e-6175")))
}

@Test func resultsBeyondThirtyFourDigitsUseTheExponent() throws {
  // 10^33 with a full 34-digit coefficient.
  let p33 = try ExactDecimal(Int64(1_000_000_000_000_000_000))
    .multiplied(by: ExactDecimal(Int64(1_000_000_000_000_000)))
  #expect(p33.coefficient == pow10(33) && p33.exponent == 0)
  let product = try p33.multiplied(by: 10)
  #expect(product.coefficient == pow10(33) && product.exponent == 1)
  #expect(product.description == tenTo(34))
  #expect(product.coefficient < coefficientLimit)
  // (10^34 - 1) + 1 = 10^34, exactly, with 34 digits and exponent 1.
  let nines = try dec(String(repeating: "9", count: 34))
  let sum = try nines.adding(1)
  #expect(sum.description == tenTo(34))
  #expect(sum == product)
  // (10^34 - 1) + 0.5: tie, 999...9 is odd -> rounds up to 10^34.
  #expect(try nines.adding(dec("0.5")) == product)
  #expect(try nines.adding(dec("0.4999")) == nines)
  // 10^34 + 5: 35 digits, tie, 100...0 is even -> stays; + 15 -> 10^34 + 20.
  #expect(try product.adding(5) == product)
  #expect(try product.adding(15).description == "1" + String(repeating: "0", count: 32) + "20")
  #expect(try product.adding(16).description == "1" + String(repeating: "0", count: 32) + "20")
  #expect(try product.adding(14).description == "1" + String(repeating: "0", count: 32) + "10")
}

@Test func mixedScaleAdditionRoundsHalfEven() throws {
  // 1e20 + 1e-20 has 41 digits: rounds to 1e20.
  let big = try dec("1e20")
  #expect(try big.adding(dec("1e-20")) == big)
  #expect(try big.subtracting(dec("1e-20")) == big)
  // 10^33 + 0.5: a tie at the 34th digit, even -> stays; + 1.5 -> +2.
  let p33 = try dec(tenTo(33))
  #expect(try p33.adding(dec("0.5")) == p33)
  #expect(try p33.adding(dec("1.5")) == (try p33.adding(2)))
  #expect(try p33.adding(dec("0.5000000000000000000000000000000001")) == (try p33.adding(1)))
  // Far apart (67 digits): the last digit of the addend only survives as a
  // sticky bit, and it must still break the tie, both ways.
  #expect(try p33.subtracting(dec("0.5000000000000000000000000000000001")).description
    == String(repeating: "9", count: 33) + ".5")
  #expect(try p33.subtracting(dec("0.5")).description == String(repeating: "9", count: 33) + ".5")
  // Subtraction far apart borrows: 10^40 - 1e-10 = 999...9.9999999999 -> 10^40.
  let p40 = try dec(tenTo(40))
  #expect(try p40.subtracting(dec("1e-10")) == p40)
  #expect(try p40.subtracting(dec("1")) == p40)
  // 34 nines then 500000: a tie, odd -> up; one more below it -> down.
  #expect(try p40.subtracting(dec("500000")) == p40)
  #expect(try p40.subtracting(dec("500001")) == (try dec(String(repeating: "9", count: 34) + "e6")))
  #expect(try p40.subtracting(dec("499999.9999")) == p40)
  // Cancellation: exact.
  #expect(try dec("1.000000000000000000000000000000001").subtracting(1).description == "0.000000000000000000000000000000001")
  #expect(try dec("123.45").subtracting(dec("123.450")).isZero)
}

@Test func remainderIsTruncatingAndExact() throws {
  #expect(try dec("5.5").remainder(dividingBy: 2).description == "1.5")
  #expect(try ExactDecimal(-7).remainder(dividingBy: 3) == -1)
  #expect(try ExactDecimal(7).remainder(dividingBy: -3) == 1)
  #expect(try dec("0.3").remainder(dividingBy: dec("0.1")).isZero)
  #expect(try dec("1").remainder(dividingBy: dec("0.3")).description == "0.1")
  #expect(try dec("0.25").remainder(dividingBy: dec("7")).description == "0.25")
  // Large exponent difference: 10^100 mod 7 = 4 (10^6 = 1 mod 7, 10^100 = 10^4).
  #expect(try dec("1e100").remainder(dividingBy: 7) == 4)
  // 6111 = 6 x 1018 + 3, so 10^6111 = 10^3 = 6 (mod 7).
  #expect(try dec("1e6111").remainder(dividingBy: 7) == 6)
  #expect(try dec("-1e6111").remainder(dividingBy: dec("0.7")).description == "-0.4")  // 10^6112 = 10^4 = 4 (mod 7)
  #expect(try dec("1e-6176").remainder(dividingBy: dec("1e6111")) == (try dec("1e-6176")))
}

@Test func negationAndSigns() throws {
  let x = try dec("-2.5")
  #expect(x.negated().description == "2.5")
  #expect(x.magnitude.description == "2.5")
  #expect(x.abs == x.magnitude)
  #expect(x.signum == -1)
  #expect(x.isNegative)
  let zero = try dec("-0.00")
  #expect(zero.isZero && !zero.isNegative && zero.signum == 0)
  #expect(zero.negated() == .zero)
  #expect(!ExactDecimal.zero.negated().isNegative)
  #expect(try ExactDecimal(5).subtracting(5).description == "0")
}

// MARK: - Parsing

@Test func parsingAcceptedForms() throws {
  let cases: [(String, String)] = [
    ("0", "0"), ("-0", "0"), ("+0.000", "0"), ("007", "7"), ("1.50", "1.5"),
    (".5", "0.5"), ("5.", "5"), ("-.5", "-0.5"), ("+5", "5"), ("1e3", "1000"),
    ("1E+3", "1000"), ("1.5e-3", "0.0015"), ("25e-1", "2.5"), ("0e99999999999", "0"),
    ("0.000000001", "0.000000001"), ("10e-6177", "0." + String(repeating: "0", count: 6175) + "1"),
    (tenTo(39), tenTo(39)),
    ("1." + String(repeating: "0", count: 40), "1"),
    (String(repeating: "9", count: 34), String(repeating: "9", count: 34)),
    ("0000" + String(repeating: "9", count: 34), String(repeating: "9", count: 34)),
    ("1e6144", tenTo(6144)),
  ]
  for (text, expected) in cases {
    #expect(ExactDecimal(parsing: text)?.description == expected, "\(text)")
  }
  // Substrings work too.
  let line = "x=12.5;"
  #expect(ExactDecimal(parsing: line.dropFirst(2).dropLast())?.description == "12.5")
}

@Test func parsingRejectedForms() {
  let rejected = [
    "", " 1", "1 ", "-", "+", ".", "-.", "e5", ".e5", "1e", "1e+", "1.2.3", "1,5", "1_000",
    "0x10", "inf", "NaN", "--1", "+-1", "1e5.5", "1ee5", "١",
    "1" + String(repeating: "0", count: 33) + "1",  // 35 significant digits
    "0." + String(repeating: "1", count: 35),
    "1e6145", "1e-6177", "1e99999999999999999999", "1e-99999999999999999999",
  ]
  for text in rejected {
    #expect(ExactDecimal(parsing: text) == nil, "\(text)")
  }
}

@Test func approximatingDoubles() throws {
  #expect(ExactDecimal(approximating: 0.1)?.description == "0.1")
  #expect(ExactDecimal(approximating: -2.5)?.description == "-2.5")
  #expect(ExactDecimal(approximating: 1e20)?.description == tenTo(20))
  #expect(ExactDecimal(approximating: 1e-5)?.description == "0.00001")
  #expect(ExactDecimal(approximating: -0.0)?.description == "0")
  #expect(ExactDecimal(approximating: Double.greatestFiniteMagnitude) != nil)
  #expect(ExactDecimal(approximating: Double.leastNonzeroMagnitude) != nil)
  #expect(ExactDecimal(approximating: .nan) == nil)
  #expect(ExactDecimal(approximating: .infinity) == nil)
  #expect(ExactDecimal(approximating: -.infinity) == nil)
}

// MARK: - Formatting

@Test func plainNotation() throws {
  #expect(try dec("0.95").description == "0.95")
  #expect(ExactDecimal(1).description == "1")
  #expect(try dec("1.000").description == "1")
  #expect(try dec("-2.50").description == "-2.5")
  #expect(try dec("1e39").description == tenTo(39))
  #expect(try dec("1e-9").description == "0.000000001")
  #expect(try dec("-0").description == "0")
  #expect(try dec("123.456").description == "123.456")
  #expect(try dec("-0.001").description == "-0.001")
  #expect(try dec("1.5e3").description == "1500")
  #expect(try dec("1e-6176").description == "0." + String(repeating: "0", count: 6175) + "1")
  #expect(try dec("1e6144").description.count == 6145)
}

@Test func amountFormatting() throws {
  #expect(ExactDecimal.zero.formatted(fractionDigits: 2) == "0.00")
  #expect(try dec("-0.001").formatted(fractionDigits: 2) == "0.00")
  #expect(try dec("-0.005").formatted(fractionDigits: 2) == "-0.01")
  #expect(ExactDecimal(1044).formatted(fractionDigits: 2) == "1044.00")
  #expect(ExactDecimal(-6).formatted(fractionDigits: 2) == "-6.00")
  #expect(try dec("2.675").formatted(fractionDigits: 2) == "2.68")
  #expect(try dec("0.5").formatted(fractionDigits: 0) == "1")
  #expect(try dec("0.05").formatted(fractionDigits: 3) == "0.050")
  #expect(try dec("1e3").formatted(fractionDigits: 1) == "1000.0")
  #expect(try dec("12.345").formatted(fractionDigits: -1) == "12")
  #expect(try dec("0.001").formatted(fractionDigits: 6) == "0.001000")
}

// MARK: - Equality, hashing, ordering

@Test func equalityAndHashingAreNumeric() throws {
  let a = try dec("1.0")
  let b = try dec("1.00")
  let c = ExactDecimal(1)
  // Representations differ, values do not.
  let hundredths = try ExactDecimal(100).multiplied(by: dec("0.01"))
  #expect(hundredths.exponent == -2)
  #expect(a == b && b == c && hundredths == c)
  #expect(a.hashValue == b.hashValue && b.hashValue == hundredths.hashValue)
  #expect(try dec("1e3").hashValue == ExactDecimal(1000).hashValue)
  var table: [ExactDecimal: String] = [:]
  table[a] = "one"
  table[hundredths] = "uno"
  let minusZero = try dec("-0")
  let zeroes = try dec("0.000")
  table[minusZero] = "zero"
  table[.zero] = "nil"
  #expect(table.count == 2)
  #expect(table[c] == "uno")
  #expect(table[zeroes] == "nil")
  #expect(Set([a, b, c, hundredths, 2]).count == 2)
  #expect(try dec("-1") != dec("1"))
  #expect(try dec("1.01") != dec("1.1"))
}

@Test func orderingIsNumeric() throws {
  let sorted = try ["-10", "-2.5", "-2.45", "-0.001", "0", "1e-30", "0.5", "0.50001", "2", "2.0000001", "1e3", "1e34"]
    .map { try dec($0) }
  for i in sorted.indices {
    for j in sorted.indices {
      #expect((sorted[i] < sorted[j]) == (i < j), "\(sorted[i]) < \(sorted[j])")
      #expect((sorted[i] == sorted[j]) == (i == j), "\(sorted[i]) == \(sorted[j])")
    }
  }
  #expect(try dec("-1.0") < dec("-0.99"))
  #expect(try dec("100") > dec("99.999"))
  #expect(try dec("-100") < dec("-99.999"))
  #expect(try dec("1e-6176") > .zero)
  #expect(try dec("-1e-6176") < .zero)
}

// MARK: - Conversions

@Test func integerConversions() throws {
  #expect(try dec("-2.9").int64Value() == -2)
  #expect(try dec("2.9").int64Value() == 2)
  #expect(try dec("-0.5").int64Value() == 0)
  #expect(try dec("1.5e3").int64Value() == 1500)
  #expect(try dec("1e-40").int64Value() == 0)
  #expect(try ExactDecimal(Int64.min).int64Value() == Int64.min)
  #expect(ExactDecimal(Int64.min).description == "-9223372036854775808")
  #expect(try ExactDecimal(Int64.max).int64Value() == Int64.max)
  #expect(try ExactDecimal(UInt64.max).uint64Value() == UInt64.max)
  #expect(ExactDecimal(UInt64.max).description == "18446744073709551615")
  #expect(ExactDecimal(Int.min).description == "-9223372036854775808")
  #expect(try dec("-9223372036854775808.9").int64Value() == Int64.min)
  #expect(throws: DecimalError.overflow) { try dec("-9223372036854775809").int64Value() }
  #expect(throws: DecimalError.overflow) { try dec("9223372036854775808").int64Value() }
  #expect(throws: DecimalError.overflow) { try dec("1e39").int64Value() }
  #expect(throws: DecimalError.overflow) { try dec("1e6000").int64Value() }
  #expect(throws: DecimalError.overflow) { try dec("18446744073709551616").uint64Value() }
  #expect(throws: DecimalError.overflow) { try dec("-0.5").uint64Value() }
  #expect(try dec("18446744073709551615.99").uint64Value() == UInt64.max)
  let literal: ExactDecimal = -42
  #expect(literal.description == "-42")
}

@Test func predicatesAndDoubles() throws {
  #expect(try dec("1.000").isInteger)
  #expect(try dec("1e5").isInteger)
  #expect(try !dec("1.001").isInteger)
  #expect(try !dec("1e-40").isInteger)
  #expect(ExactDecimal.zero.isInteger)
  #expect(try dec("1.250").scale == 2)
  #expect(try dec("1200").scale == 0)
  #expect(try dec("1200").significantDigits == 2)
  #expect(try dec("0.1").doubleValue == 0.1)
  #expect(try dec("-2.675").doubleValue == -2.675)
  #expect(try dec("1e400").doubleValue == .infinity)
  #expect(try dec("1e-400").doubleValue == 0)
  #expect(ExactDecimal.zero.doubleValue == 0)
}

// MARK: - Randomised cross-checks


/// Plain notation of `units × 10^-scale`, computed with integers only.
private func plainText(_ units: Int64, scale: Int) -> String {
  if units == 0 { return "0" }
  var digits = String(units.magnitude)
  var scale = scale
  while scale > 0 && digits.last == "0" {
    digits.removeLast()
    scale -= 1
  }
  let sign = units < 0 ? "-" : ""
  if scale == 0 { return sign + digits }
  if digits.count <= scale {
    return sign + "0." + String(repeating: "0", count: scale - digits.count) + digits
  }
  let split = digits.index(digits.endIndex, offsetBy: -scale)
  return sign + digits[..<split] + "." + digits[split...]
}

@Test func randomisedAgainstIntegerArithmetic() throws {
  var rng = SplitMix64(state: 0x5EED_CAFE)
  let powers: [Int64] = (0...12).map { n in (0..<n).reduce(Int64(1)) { acc, _ in acc * 10 } }
  for _ in 0..<10_000 {
    let ua = Int64(rng.next() % UInt64(powers[12])) * (rng.next() & 1 == 0 ? 1 : -1)
    let ub = Int64(rng.next() % UInt64(powers[1 + Int(rng.next() % 12)])) * (rng.next() & 1 == 0 ? 1 : -1)
    let sa = Int(rng.next() % 7)
    let sb = Int(rng.next() % 7)
    let a = try ExactDecimal(ua).divided(by: ExactDecimal(powers[sa]))
    let b = try ExactDecimal(ub).divided(by: ExactDecimal(powers[sb]))
    #expect(a.description == plainText(ua, scale: sa))
    #expect(b.description == plainText(ub, scale: sb))
    #expect(ExactDecimal(parsing: plainText(ua, scale: sa)) == a)

    // a + b - b == a, and a + b against integers at the common scale.
    let sum = try a.adding(b)
    #expect(try sum.subtracting(b) == a)
    let s = max(sa, sb)
    let common = ua * powers[s - sa] + ub * powers[s - sb]
    #expect(sum.description == plainText(common, scale: s))
    #expect(try a.subtracting(b) == sum.subtracting(b).subtracting(b))

    // a * b against integers where the product fits in Int64.
    let product = try a.multiplied(by: b)
    let (units, overflow) = ua.multipliedReportingOverflow(by: ub)
    if !overflow {
      #expect(product.description == plainText(units, scale: sa + sb))
    }
    // (a * b) / b == a: both are exact.
    if !b.isZero {
      #expect(try product.divided(by: b) == a)
      // Truncating remainder against integers at the common scale.
      let ia = ua * powers[s - sa]
      let ib = ub * powers[s - sb]
      #expect(try a.remainder(dividingBy: b).description == plainText(ia % ib, scale: s))
    }

    // Ordering agrees with doubles wherever the doubles differ (both are
    // correctly rounded, so rounding is monotonic).
    let da = Double(ua) / Double(powers[sa])
    let db = Double(ub) / Double(powers[sb])
    #expect(a.doubleValue == da)
    if da < db { #expect(a < b) }
    if da > db { #expect(a > b) }
    #expect((a == b) == (ua * powers[s - sa] == ub * powers[s - sb]))
    if a == b { #expect(a.hashValue == b.hashValue) }
    #expect(a.rounded(scale: sa) == a)
  }
}
