// The `date` type Kaoping adds to CEL (spec §12.2): a calendar day of the
// proleptic Gregorian calendar, without time or time zone.

/// A calendar day: the number of days since 1970-01-01 (proleptic Gregorian).
/// Written and read as `YYYY-MM-DD` (years 0001 to 9999).
public struct CELDate: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Days since 1970-01-01; negative before it.
  public var daysSinceEpoch: Int32

  /// The day `daysSinceEpoch` days after 1970-01-01.
  public init(daysSinceEpoch: Int32) {
    self.daysSinceEpoch = daysSinceEpoch
  }

  /// The day with these parts, or `nil` when there is no such day (month 13,
  /// February 30) or the year is outside 1...9999.
  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
      day <= CELDate.daysInMonth(year: year, month: month)
    else { return nil }
    daysSinceEpoch = Int32(CELDate.daysFromCivil(year: year, month: month, day: day))
  }

  /// Reads exactly `YYYY-MM-DD` (ASCII digits, a real day); `nil` otherwise.
  public init?(parsing text: some StringProtocol) {
    let bytes = Array(text.utf8)
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else {
      return nil
    }
    func number(_ range: Range<Int>) -> Int? {
      var n = 0
      for i in range {
        let b = bytes[i]
        guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
        n = n * 10 + Int(b - UInt8(ascii: "0"))
      }
      return n
    }
    guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
    self.init(year: y, month: m, day: d)
  }

  /// Year, month (1–12) and day (1–31).
  public var components: (year: Int, month: Int, day: Int) {
    CELDate.civilFromDays(Int(daysSinceEpoch))
  }

  /// ISO weekday: 1 is Monday, 7 is Sunday.
  public var isoWeekday: Int {
    // 1970-01-01 was a Thursday (4).
    let r = (Int(daysSinceEpoch) + 3) % 7
    return (r < 0 ? r + 7 : r) + 1
  }

  /// `YYYY-MM-DD`.
  public var description: String {
    let (y, m, d) = components
    func pad(_ n: Int, _ width: Int) -> String {
      let s = String(n < 0 ? -n : n)
      let padded = String(repeating: "0", count: max(0, width - s.count)) + s
      return n < 0 ? "-" + padded : padded
    }
    return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
  }

  /// The day `n` days later, or `nil` beyond the representable range.
  public func adding(days n: Int) -> CELDate? {
    let (sum, overflow) = Int(daysSinceEpoch).addingReportingOverflow(n)
    guard !overflow, let days = Int32(exactly: sum) else { return nil }
    return CELDate(daysSinceEpoch: days)
  }

  public static func < (a: CELDate, b: CELDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

  static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

  static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  // Howard Hinnant's days_from_civil / civil_from_days.
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
    return (y, m, d)
  }
}
