// The working-day calendar behind `workdays(a, b)` (spec §4, §12.2).

/// Which days are working days, over a declared span of dates.
///
/// A day is a working day when it is not a weekend day and not a holiday, or
/// when it is listed as an adjusted working day (a date listed both as a holiday
/// and as a working day is a working day). Counting over a date outside
/// `covers` is an evaluation error: an undeclared year must not silently have
/// no holidays.
public struct WorkCalendar: Sendable, Hashable {
  /// ISO weekdays (1 = Monday … 7 = Sunday) that are not working days.
  public let weekend: Set<Int>
  /// Days off that would otherwise be working days.
  public let holidays: Set<CELDate>
  /// Adjusted working days: weekend days or holidays that are worked.
  public let workdays: Set<CELDate>
  /// The span of dates the calendar knows.
  /// The span of dates the calendar knows (at most 0001-01-01 … 9999-12-31).
  public let covers: ClosedRange<CELDate>
  /// `prefix[i]` is the number of working days among the first `i` days of
  /// `covers`.
  private let prefix: [Int32]

  /// A calendar; `covers` is clamped to the years 1 to 9999.
  public init(
    weekend: Set<Int> = [6, 7], holidays: Set<CELDate> = [], workdays: Set<CELDate> = [],
    covers: ClosedRange<CELDate>
  ) {
    self.weekend = weekend
    self.holidays = holidays
    self.workdays = workdays
    let first = CELDate(year: 1, month: 1, day: 1) ?? covers.lowerBound
    let last = CELDate(year: 9999, month: 12, day: 31) ?? covers.upperBound
    let low = min(max(covers.lowerBound, first), last)
    let high = max(min(covers.upperBound, last), low)
    self.covers = low...high
    let start = Int(low.daysSinceEpoch)
    let count = Int(high.daysSinceEpoch) - start + 1
    var prefix = [Int32](repeating: 0, count: count + 1)
    for i in 0..<count {
      let day = CELDate(daysSinceEpoch: Int32(start + i))
      let working =
        workdays.contains(day) || (!weekend.contains(day.isoWeekday) && !holidays.contains(day))
      prefix[i + 1] = prefix[i] + (working ? 1 : 0)
    }
    self.prefix = prefix
  }

  /// Whether `day` is a working day; `nil` outside `covers`.
  public func isWorkingDay(_ day: CELDate) -> Bool? {
    guard covers.contains(day) else { return nil }
    let i = Int(day.daysSinceEpoch - covers.lowerBound.daysSinceEpoch)
    return prefix[i + 1] != prefix[i]
  }

  /// The number of working days `d` with `a < d <= b`; 0 when `b <= a`.
  /// Throws when a day in that span lies outside `covers`.
  public func workdays(from a: CELDate, to b: CELDate) throws(EvalError) -> Int64 {
    guard a < b else { return 0 }
    let first = Int(a.daysSinceEpoch) + 1
    let last = Int(b.daysSinceEpoch)
    let low = Int(covers.lowerBound.daysSinceEpoch)
    let high = Int(covers.upperBound.daysSinceEpoch)
    guard first >= low, last <= high else {
      let outside = first < low ? CELDate(daysSinceEpoch: Int32(first)) : b
      throw EvalError(
        "workdays(\(a), \(b)): \(outside) is outside the calendar (it covers \(covers.lowerBound)..\(covers.upperBound))"
      )
    }
    return Int64(prefix[last - low + 1] - prefix[first - low])
  }

  public static func == (a: WorkCalendar, b: WorkCalendar) -> Bool {
    a.weekend == b.weekend && a.holidays == b.holidays && a.workdays == b.workdays
      && a.covers == b.covers
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(weekend)
    hasher.combine(covers.lowerBound)
    hasher.combine(covers.upperBound)
  }
}
