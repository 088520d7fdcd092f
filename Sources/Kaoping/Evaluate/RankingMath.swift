/// Ranks, bottom-k flags and grades within a ranking group (§9–§11). Everything here
/// works on positions within one ranking group.
enum RankingMath {
  /// Ranks of `totals` (1 is best). Equal totals are ties; nothing else breaks them.
  /// `shared`: 1, 2, 2, 4; `dense`: 1, 2, 2, 3.
  static func ranks(_ totals: [ExactDecimal], order: Ranking.Order, ties: Ranking.Ties) -> [Int] {
    if let keys = scaledKeys(totals) { return ranks(keys: keys, order: order, ties: ties) }
    return ranks(keys: totals, order: order, ties: ties)
  }

  /// The totals as integers at the smallest exponent among them (same order, equal
  /// exactly when the totals are), when each fits: nil otherwise.
  static func scaledKeys(_ totals: [ExactDecimal]) -> [Int128]? {
    guard let smallest = totals.lazy.map(\.exponent).min() else { return [] }
    var keys: [Int128] = []
    keys.reserveCapacity(totals.count)
    for total in totals {
      let shift = Int(total.exponent) - Int(smallest)
      guard shift <= 40, var magnitude = Int128(exactly: total.coefficient) else { return nil }
      for _ in 0..<shift {
        let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
        guard !overflow else { return nil }
        magnitude = product
      }
      keys.append(total.negative ? -magnitude : magnitude)
    }
    return keys
  }

  /// Ranks of `keys` in `order`; equal keys share a rank (`shared`: 1, 2, 2, 4; `dense`:
  /// 1, 2, 2, 3). Integer keys (`scaledKeys`) sort faster than decimals, in the same order.
  static func ranks<Key: Comparable>(keys: [Key], order: Ranking.Order, ties: Ranking.Ties) -> [Int] {
    let descending = order == .desc
    let sorted = keys.indices.sorted { a, b in
      let (x, y) = (keys[a], keys[b])
      if x != y { return descending ? x > y : x < y }
      return a < b
    }
    var ranks = [Int](repeating: 0, count: keys.count)
    var previous: Key? = nil
    var rank = 0
    var dense = 0
    for (position, index) in sorted.enumerated() {
      let key = keys[index]
      if key != previous {
        rank = position + 1
        dense += 1
        previous = key
      }
      ranks[index] = ties == .shared ? rank : dense
    }
    return ranks
  }

  /// k for `bottom` in a group of `size`: p/100 × size computed exactly, then rounded.
  static func bottomCount(_ bottom: Outcome.Bottom, groupSize size: Int, rounding: Outcome.Rounding) -> Int {
    RuleChecks.bottomCount(bottom, groupSize: size, rounding: rounding)
  }

  /// Which members `bottom` flags, given their ranks (1 best) and k (§10).
  /// `exclude`: flagged when the members ranked at or below it, itself included, number
  /// at most k. `include`: flagged when fewer than k members rank strictly below it.
  /// k = 0 flags nobody, and a member ranked 1 is never flagged.
  static func bottomFlags(ranks: [Int], k: Int, ties: Outcome.BoundaryTies) -> [Bool] {
    guard k > 0 else { return [Bool](repeating: false, count: ranks.count) }
    // Count members per rank, then members at or below each rank.
    var perRank: [Int: Int] = [:]
    for rank in ranks { perRank[rank, default: 0] += 1 }
    var countAtOrBelow: [Int: Int] = [:]
    var countBelow: [Int: Int] = [:]
    var running = 0
    for rank in perRank.keys.sorted(by: >) {
      countBelow[rank] = running
      running += perRank[rank] ?? 0
      countAtOrBelow[rank] = running
    }
    return ranks.map { rank in
      if rank == 1 { return false }
      switch ties {
      case .exclude: return (countAtOrBelow[rank] ?? 0) <= k
      case .include: return (countBelow[rank] ?? 0) < k
      }
    }
  }

  /// The reason text of a bottom flag.
  static func bottomReason(_ outcome: Outcome, k: Int, groupSize: Int) -> String {
    switch outcome.bottom {
    case .count?: return "bottom \(k) of \(groupSize)"
    case .share?: return "bottom \(outcome.bottomText ?? "") of \(groupSize) (\(k))"
    case nil: return ""
    }
  }

  /// What decided one member's grade.
  struct GradeInput {
    var total: ExactDecimal
    var rank: Int
    /// Grade ids denied by outcomes.
    var denied: Set<String>
    /// The grade forced by the first forcing outcome, if any.
    var forced: String?
  }

  /// Grades for the members of one ranking group (§11): the first grade (top to bottom)
  /// whose `min` the total reaches, that no outcome denies, and whose quota still has
  /// room; `force_grade` overrides all. Quota seats are floor(p × size), filled in rank
  /// order; a tie group that does not fit the remaining seats gets none, and filling stops.
  static func grades(_ members: [GradeInput], grades: [Grade]) -> [String?] {
    var assigned = [String?](repeating: nil, count: members.count)
    var settled = [Bool](repeating: false, count: members.count)
    for (index, member) in members.enumerated() where member.forced != nil {
      assigned[index] = member.forced
      settled[index] = true
    }
    let size = members.count
    for grade in grades {
      let eligible = members.indices.filter { index in
        guard !settled[index], !members[index].denied.contains(grade.id) else { return false }
        if let min = grade.min { return members[index].total >= min }
        return true
      }
      guard let quota = grade.quota else {
        for index in eligible {
          assigned[index] = grade.id
          settled[index] = true
        }
        continue
      }
      let exactSeats = (try? quota.multiplied(by: ExactDecimal(size)))?.rounded(.down) ?? .zero
      var remaining = (try? exactSeats.int64Value()).flatMap { Int(exactly: $0) } ?? 0
      let byRank = Dictionary(grouping: eligible) { members[$0].rank }
      for rank in byRank.keys.sorted() {
        guard let tieGroup = byRank[rank] else { continue }
        if tieGroup.count > remaining { break }
        for index in tieGroup {
          assigned[index] = grade.id
          settled[index] = true
        }
        remaining -= tieGroup.count
      }
    }
    return assigned
  }
}

