/// Reads `[+-]?digits` (ASCII, at least one digit, nothing else) as an Int64; nil
/// when the text is not of that form or the value does not fit.
func parseInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
  var i = 0
  let n = bytes.count
  var negative = false
  if n > 0, bytes[0] == 0x2B || bytes[0] == 0x2D {
    negative = bytes[0] == 0x2D
    i = 1
  }
  guard i < n else { return nil }
  // Accumulate as a negative number: its range includes Int64.min.
  var value: Int64 = 0
  while i < n {
    let digit = bytes[i] &- 0x30
    guard digit < 10 else { return nil }
    let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
    let (next, overflow2) = times10.subtractingReportingOverflow(Int64(digit))
    guard !overflow1, !overflow2 else { return nil }
    value = next
    i += 1
  }
  if negative { return value }
  return value == Int64.min ? nil : -value
}

/// Reads a `YYYY-MM-DD` date (exactly that: four, two and two ASCII digits) that
/// exists in the proleptic Gregorian calendar, years 0001–9999; nil otherwise.
func parseDate(_ bytes: UnsafeRawBufferPointer) -> (year: Int, month: Int, day: Int)? {
  guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
  func digits(_ from: Int, _ count: Int) -> Int? {
    var value = 0
    for i in from..<(from + count) {
      let digit = bytes[i] &- 0x30
      guard digit < 10 else { return nil }
      value = value * 10 + Int(digit)
    }
    return value
  }
  guard let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
    year >= 1, month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month)
  else { return nil }
  return (year, month, day)
}

/// The number of days in `month` (1–12) of `year` (proleptic Gregorian).
func daysInMonth(year: Int, month: Int) -> Int {
  switch month {
  case 2:
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    return leap ? 29 : 28
  case 4, 6, 9, 11: return 30
  default: return 31
  }
}

/// Days from 1970-01-01 (day 0) to the given proleptic Gregorian date (Howard
/// Hinnant's `days_from_civil`). Meant for real dates (such as from ``parseDate``);
/// out-of-range arguments are clamped (month to 1–12) so that nothing traps, and
/// for years beyond ±5 million the result is clamped to the Int32 range.
func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int32 {
  let clampedYear = min(max(year, -10_000_000), 10_000_000)
  let month = min(max(month, 1), 12)
  let day = min(max(day, -1_000_000), 1_000_000)
  let y = month <= 2 ? clampedYear - 1 : clampedYear
  let era = (y >= 0 ? y : y - 399) / 400
  let yearOfEra = y - era * 400  // 0...399
  let shiftedMonth = month > 2 ? month - 3 : month + 9  // March = 0
  let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1  // 0...365
  let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
  return Int32(clamping: era * 146_097 + dayOfEra - 719_468)
}
