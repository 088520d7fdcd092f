import Synchronization

/// Work done so far, counted from any thread, passed on to a callback each time another
/// percent of `total` is done (so the callback runs at most about a hundred times).
final class ProgressCounter: Sendable {
  let total: Int
  private let done = Atomic<Int>(0)
  private let report: @Sendable (_ done: Int, _ total: Int) -> Void

  init(total: Int, report: @escaping @Sendable (_ done: Int, _ total: Int) -> Void) {
    self.total = Swift.max(total, 0)
    self.report = report
  }

  /// Counts `amount` more units of work.
  func add(_ amount: Int) {
    guard amount > 0, total > 0 else { return }
    let (before, after) = done.wrappingAdd(amount, ordering: .relaxed)
    // Report when the whole percent changes (and at the end).
    if Self.percent(before, of: total) != Self.percent(after, of: total) { report(Swift.min(after, total), total) }
  }

  static func percent(_ value: Int, of total: Int) -> Int {
    total > 0 ? Int((Double(value) / Double(total) * 100).rounded(.down)) : 0
  }
}
