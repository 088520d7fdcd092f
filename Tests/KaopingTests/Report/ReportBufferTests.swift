import Testing

@testable import Kaoping

@Suite struct ReportBufferTests {
  private func amount(_ value: ExactDecimal, _ digits: Int) -> String {
    let out = ReportBuffer()
    out.append(amount: value, fractionDigits: digits)
    return out.bytes.reportText
  }

  @Test(arguments: [
    ("1044", 2, "1044.00"), ("-6", 2, "-6.00"), ("0", 2, "0.00"), ("-0.004", 2, "0.00"), ("2.675", 2, "2.68"),
    ("-2.675", 2, "-2.68"), ("0.05", 2, "0.05"), ("-0.5", 0, "-1"), ("0.4", 0, "0"), ("1E+3", 2, "1000.00"),
    ("12.3", 6, "12.300000"), ("0.000001", 6, "0.000001"), ("18446744073709551615", 0, "18446744073709551615"),
    ("18446744073709551616", 2, "18446744073709551616.00"), ("1E+30", 1, "1000000000000000000000000000000.0"),
  ])
  func amounts(_ text: String, _ digits: Int, _ expected: String) {
    #expect(amount(reportDecimal(text), digits) == expected)
  }

  @Test func amountsMatchFormatted() {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    for _ in 0..<20_000 {
      let units = Int64(bitPattern: next()) >> Int64(next() % 64)
      let scale = Int(next() % 12)
      let text = String(units) + "E-" + String(scale)
      let value = reportDecimal(text)
      let digits = Int(next() % 7)
      #expect(amount(value, digits) == value.formatted(fractionDigits: digits), "\(text) at \(digits)")
    }
  }

  @Test func integers() {
    let out = ReportBuffer()
    for value in [0, 7, -42, Int.max, Int.min] {
      out.append(int: value)
      out.append(" ")
    }
    #expect(out.bytes.reportText == "0 7 -42 \(Int.max) \(Int.min) ")
  }

  @Test func plainValues() {
    let out = ReportBuffer()
    for text in ["0.98721590909", "0.95", "1.000", "-0", "-0.0000004", "2.5E+3", "0.333333333"] {
      out.append(plain: reportDecimal(text))
      out.append(" ")
    }
    #expect(out.bytes.reportText == "0.98721590909 0.95 1 0 -0.0000004 2500 0.333333333 ")
  }

  @Test func jsonStrings() {
    let out = ReportBuffer()
    out.append(jsonString: "城关区/a")
    out.append(jsonString: "q\"b\\\u{0}\u{7F}")
    #expect(out.bytes.reportText == #""城关区/a""q\"b\\\u0000\u007F""#)
  }

  // §13.1: control characters as `\u00XX` (upper-case hex) — tab and line breaks too,
  // and the C1 controls (U+0080–U+009F); other non-ASCII as it is.
  @Test func everyControlCharacterIsAHexEscape() {
    let out = ReportBuffer()
    out.append(jsonString: "a\tb\nc\rd\u{1B}\u{85}é\u{9F}\u{A0}")
    #expect(out.bytes.reportText == #""a\u0009b\u000Ac\u000Dd\u001B\u0085é\u009F\#u{A0}""#)
  }

  @Test func largeOutputsCrossChunkBoundaries() {
    let out = ReportBuffer(capacity: 10)
    var expected: [UInt8] = []
    let long = String(repeating: "城关区", count: 20_000)  // 180,000 bytes, more than a chunk
    let medium = String(repeating: "x", count: 40_000)
    for round in 0..<30 {
      out.append(int: round)
      expected += Array(String(round).utf8)
      out.append(", ")
      expected += Array(", ".utf8)
      out.append(text: round % 3 == 0 ? long : medium)
      expected += Array((round % 3 == 0 ? long : medium).utf8)
      out.append(jsonString: "a\u{1}")
      expected += Array(#""a\u0001""#.utf8)
      out.append(byte: UInt8(ascii: "\n"))
      expected.append(UInt8(ascii: "\n"))
    }
    #expect(out.bytes == expected)
    out.append("tail")
    #expect(out.bytes == expected + Array("tail".utf8))
  }
}
