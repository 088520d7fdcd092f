/// Converts a count of days since 1970-01-01 to a proleptic Gregorian
/// (year, month, day), after Howard Hinnant's `civil_from_days`.
func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
  let z = days + 719_468
  let era = (z >= 0 ? z : z - 146_096) / 146_097
  let dayOfEra = z - era * 146_097
  let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
  let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
  let mp = (5 * dayOfYear + 2) / 153
  let day = dayOfYear - (153 * mp + 2) / 5 + 1
  let month = mp < 10 ? mp + 3 : mp - 9
  return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

/// ISO dates (`YYYY-MM-DD`, 10 bytes each) for a range of days around a start
/// date, stored back to back.
struct DateTable {
  /// The first day in the table, as an offset from the start date (may be negative).
  let firstOffset: Int
  private let bytes: [UInt8]

  /// Dates for `offsets` days after the date `daysSinceEpoch`.
  init(startDaysSinceEpoch start: Int, offsets: Range<Int>) {
    firstOffset = offsets.lowerBound
    var bytes: [UInt8] = []
    bytes.reserveCapacity(offsets.count * 10)
    for offset in offsets {
      let (y, m, d) = civilDate(daysSinceEpoch: start + offset)
      appendPadded(y, width: 4, to: &bytes)
      bytes.append(UInt8(ascii: "-"))
      appendPadded(m, width: 2, to: &bytes)
      bytes.append(UInt8(ascii: "-"))
      appendPadded(d, width: 2, to: &bytes)
    }
    self.bytes = bytes
  }

  /// Appends the date `offset` days after the start date.
  @inline(__always)
  func append(offset: Int, to out: inout [UInt8]) {
    let start = (offset - firstOffset) * 10
    out.append(contentsOf: bytes[start ..< start + 10])
  }
}

/// Appends a non-negative integer in decimal, zero-padded to at least `width` digits.
@inline(__always)
func appendPadded(_ value: Int, width: Int, to out: inout [UInt8]) {
  var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  var count = 0
  var rest = value.magnitude
  withUnsafeMutableBytes(of: &digits) { buffer in
    repeat {
      buffer[count] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
      rest /= 10
      count += 1
    } while rest > 0
    while count < width && count < buffer.count {
      buffer[count] = UInt8(ascii: "0")
      count += 1
    }
    for index in stride(from: count - 1, through: 0, by: -1) {
      out.append(buffer[index])
    }
  }
}
