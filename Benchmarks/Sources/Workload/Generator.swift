import Foundation

// The distributions, after perf/gen.py:
//  - subjects `S000001`…, names `单位000001`…, groups g1…g7 with weights
//    5, 10, 15, 15, 20, 15, 20 percent; 3% of subjects get no facts;
//  - each active subject has an activity weight (log-normal, σ = 0.9) and a
//    quality q in [0, 1): awards and notices go to subjects weighted by
//    activity × (0.2 + 1.6q), delays by activity × (1.8 − 1.6q), tasks and
//    major errors by activity alone;
//  - fact types per ten thousand: award 1000, notice 1500, delay 2000,
//    rectified 300, major_error 5, task 5195; a rectified fact refers to an
//    earlier delay of the same subject (a rectified fact drawn before any delay
//    becomes a delay);
//  - dates lie in 2023; levels national/provincial/municipal 10/30/60%; notices
//    are praise with probability 0.35 + 0.6q; delays last 1…30 days; a task is
//    dated on its due day, has no done date 5% of the time, is late (1…20
//    days) with probability 0.15 × (1 − q), and is otherwise done on the due
//    day or up to 20 days early.

private let groupWeights: [Double] = [5, 10, 15, 15, 20, 15, 20]
private let inactiveShare = 0.03

// Cumulative per-ten-thousand shares: award, notice, delay, rectified, major_error, task.
private let awardBelow = 1_000
private let noticeBelow = 2_500
private let delayBelow = 4_500
private let rectifiedBelow = 4_800
private let majorErrorBelow = 4_805

private let levels: [[UInt8]] = ["national", "provincial", "municipal"].map { Array($0.utf8) }
private let sources: [[UInt8]] = ["督查室", "组织部", "办公室", "纪检监察组", "绩效办"].map {
  Array($0.utf8)
}
private let praise = Array("praise".utf8)
private let criticism = Array("criticism".utf8)
private let namePrefix = Array("单位".utf8)

private let daysInYear = 365
/// Days before 2023-01-01 and after 2023-12-31 that a done date may reach.
private let datePad = 20
/// 2023-01-01 as days since 1970-01-01.
private let yearStart = 19_358

private let comma = UInt8(ascii: ",")
private let newline = UInt8(ascii: "\n")

/// Picks members with probability proportional to their weights, like
/// Python's `choices(cum_weights=)`: the first cumulative weight above
/// `u × total`.
struct WeightedPicker {
  private let members: [Int32]
  private let cumulative: [Double]
  private let total: Double

  init(members: [Int32], weights: [Double]) {
    self.members = members
    var running = 0.0
    cumulative = weights.map { weight in
      running += weight
      return running
    }
    total = running
  }

  @inline(__always)
  func pick(_ rng: inout SplitMix64) -> Int {
    let target = rng.unit() * total
    var low = 0
    var high = cumulative.count - 1
    while low < high {
      let middle = (low + high) >> 1
      if cumulative[middle] > target { high = middle } else { low = middle + 1 }
    }
    return Int(members[low])
  }
}

/// The generation state: per-subject attributes and the random sequence.
/// Subjects must be written before facts (both draw from one sequence).
struct Generator {
  private let shape: WorkloadShape
  private var rng: SplitMix64
  private let dates = DateTable(
    startDaysSinceEpoch: yearStart, offsets: -datePad ..< daysInYear + datePad)
  private(set) var summary: WorkloadSummary

  init(shape: WorkloadShape) {
    self.shape = shape
    rng = SplitMix64(seed: shape.seed)
    summary = WorkloadSummary(
      subjects: shape.subjects, inactiveSubjects: 0, facts: shape.facts,
      factsByType: Dictionary(uniqueKeysWithValues: FactType.allCases.map { ($0, 0) }),
      subjectsBytes: 0, factsBytes: 0)
  }

  /// Writes `subjects.csv`, calling `flush` with the buffer whenever it holds
  /// `flushAt` bytes or more (and emptying it afterwards).
  mutating func writeSubjects(
    into out: inout [UInt8], flushAt: Int, flush: ([UInt8]) throws -> Void
  ) rethrows {
    let picker = WeightedPicker(
      members: Array(1 ... Int32(groupWeights.count)), weights: groupWeights)
    out.append(contentsOf: Workload.subjectsHeader.utf8)
    out.append(newline)
    var flushed = 0
    for index in 0 ..< shape.subjects {
      let group = picker.pick(&rng)
      appendSubjectID(index, to: &out)
      out.append(comma)
      out.append(contentsOf: namePrefix)
      appendPadded(index + 1, width: 6, to: &out)
      out.append(comma)
      out.append(UInt8(ascii: "g"))
      appendPadded(group, width: 1, to: &out)
      out.append(newline)
      if out.count >= flushAt {
        flushed += out.count
        try flush(out)
        out.removeAll(keepingCapacity: true)
      }
    }
    summary.subjectsBytes = flushed + out.count
  }

  /// Writes `facts.csv`, flushing like `writeSubjects`.
  mutating func writeFacts(
    into out: inout [UInt8], flushAt: Int, flush: ([UInt8]) throws -> Void
  ) rethrows {
    let subjectCount = shape.subjects
    // 3% of the subjects get no facts: a partial Fisher–Yates shuffle picks them.
    let inactiveCount = Int(Double(subjectCount) * inactiveShare)
    var order = Array(0 ..< Int32(subjectCount))
    for index in 0 ..< inactiveCount {
      order.swapAt(index, index + rng.below(subjectCount - index))
    }
    var isInactive = [Bool](repeating: false, count: subjectCount)
    for index in order[..<inactiveCount] { isInactive[Int(index)] = true }
    let active = (0 ..< Int32(subjectCount)).filter { !isInactive[Int($0)] }
    summary.inactiveSubjects = inactiveCount

    let activity = active.map { _ in exp(0.9 * normal()) }
    var quality = [Double](repeating: 0, count: subjectCount)
    for subject in active { quality[Int(subject)] = rng.unit() }
    let good = WeightedPicker(
      members: active,
      weights: zip(active, activity).map { $1 * (0.2 + 1.6 * quality[Int($0)]) })
    let bad = WeightedPicker(
      members: active,
      weights: zip(active, activity).map { $1 * (1.8 - 1.6 * quality[Int($0)]) })
    let plain = WeightedPicker(members: active, weights: activity)

    var delays: [(fact: Int32, subject: Int32)] = []
    var counts = [Int](repeating: 0, count: FactType.allCases.count)
    let typeNames = FactType.allCases.map { Array($0.rawValue.utf8) }

    out.append(contentsOf: Workload.factsHeader.utf8)
    out.append(newline)
    var flushed = 0
    for number in stride(from: 1, through: shape.facts, by: 1) {
      let share = rng.below(10_000)
      var type: FactType
      if share < awardBelow {
        type = .award
      } else if share < noticeBelow {
        type = .notice
      } else if share < delayBelow {
        type = .delay
      } else if share < rectifiedBelow {
        type = .rectified
      } else if share < majorErrorBelow {
        type = .majorError
      } else {
        type = .task
      }
      if type == .rectified && delays.isEmpty { type = .delay }
      let source = rng.below(sources.count)
      var day = rng.below(daysInYear)

      // id,subject,type,date,source,level,kind,days,due,done,ref
      let subject: Int
      var level = -1
      var praised: Bool? = nil
      var delayDays = 0
      var done: Int? = nil
      var ref: Int32 = 0
      switch type {
      case .award:
        subject = good.pick(&rng)
        level = pickLevel()
      case .notice:
        subject = good.pick(&rng)
        level = pickLevel()
        praised = rng.unit() < 0.35 + 0.6 * quality[subject]
      case .delay:
        subject = bad.pick(&rng)
        delayDays = 1 + rng.below(30)
        delays.append((Int32(number), Int32(subject)))
      case .rectified:
        let delay = delays[rng.below(delays.count)]
        ref = delay.fact
        subject = Int(delay.subject)
      case .task:
        subject = plain.pick(&rng)
        day = rng.below(daysInYear)
        if rng.unit() < 0.05 {
          done = nil
        } else if rng.unit() < 0.15 * (1 - quality[subject]) {
          done = day + 1 + rng.below(20)
        } else {
          done = day - rng.below(21)
        }
      case .majorError:
        subject = plain.pick(&rng)
      }
      counts[typeIndex(type)] += 1

      out.append(UInt8(ascii: "F"))
      appendPadded(number, width: 8, to: &out)
      out.append(comma)
      appendSubjectID(subject, to: &out)
      out.append(comma)
      out.append(contentsOf: typeNames[typeIndex(type)])
      out.append(comma)
      dates.append(offset: day, to: &out)
      out.append(comma)
      out.append(contentsOf: sources[source])
      out.append(comma)
      if level >= 0 { out.append(contentsOf: levels[level]) }
      out.append(comma)
      if let praised { out.append(contentsOf: praised ? praise : criticism) }
      out.append(comma)
      if delayDays > 0 { appendPadded(delayDays, width: 1, to: &out) }
      out.append(comma)
      if type == .task { dates.append(offset: day, to: &out) }
      out.append(comma)
      if let done { dates.append(offset: done, to: &out) }
      out.append(comma)
      if ref > 0 {
        out.append(UInt8(ascii: "F"))
        appendPadded(Int(ref), width: 8, to: &out)
      }
      out.append(newline)
      if out.count >= flushAt {
        flushed += out.count
        try flush(out)
        out.removeAll(keepingCapacity: true)
      }
    }
    for (index, type) in FactType.allCases.enumerated() {
      summary.factsByType[type] = counts[index]
    }
    summary.factsBytes = flushed + out.count
  }

  @inline(__always)
  private func typeIndex(_ type: FactType) -> Int {
    switch type {
    case .award: return 0
    case .notice: return 1
    case .delay: return 2
    case .rectified: return 3
    case .majorError: return 4
    case .task: return 5
    }
  }

  /// national 10%, provincial 30%, municipal 60%.
  @inline(__always)
  private mutating func pickLevel() -> Int {
    let r = rng.below(100)
    return r < 10 ? 0 : (r < 40 ? 1 : 2)
  }

  /// A standard normal deviate (Box–Muller, one of the pair).
  private mutating func normal() -> Double {
    let u1 = 1 - rng.unit()  // in (0, 1]
    let u2 = rng.unit()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  @inline(__always)
  private func appendSubjectID(_ index: Int, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "S"))
    appendPadded(index + 1, width: 6, to: &out)
  }
}
