// ExactDecimal, the number type of amounts and rule arithmetic: the operations
// that scoring does for every fact and subject. Each iteration works through
// 1,000 two-fraction-digit amounts (scaling factor 1,000, so the scaled figures
// are per operation).

import Benchmark
import BenchmarkSupport
import Kaoping
import Workload

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = Harness.configuration(
    maxDuration: .seconds(2), scalingFactor: .kilo)

  // 1,000 amounts such as 73.15 or -1204.50 (a tenth negative), always the same.
  var rng = SplitMix64(seed: 7)
  let texts: [String] = (0 ..< 1_000).map { _ in
    let cents = rng.below(200_000)
    let sign = rng.below(10) == 0 ? "-" : ""
    let fraction = cents % 100
    return "\(sign)\(cents / 100).\(fraction < 10 ? "0" : "")\(fraction)"
  }
  let amounts: [ExactDecimal] = texts.map { text in
    guard let value = ExactDecimal(parsing: text) else { Harness.fail("cannot parse \(text)") }
    return value
  }
  // On-time rates: done / total task counts, as the `ontime` indicator divides.
  let counts: [(done: ExactDecimal, total: ExactDecimal)] = (0 ..< 1_000).map { _ in
    let total = 1 + rng.below(400)
    return (ExactDecimal(rng.below(total + 1)), ExactDecimal(total))
  }
  let rate = ExactDecimal(parsing: "0.35") ?? .zero
  let seven = ExactDecimal(7)

  Harness.benchmark("sum of 1,000 amounts") { benchmark in
    var total = ExactDecimal.zero
    for index in benchmark.scaledIterations {
      total = try total.adding(amounts[index])
    }
    blackHole(total)
  }

  Harness.benchmark("multiply-round-add, 1,000 amounts") { benchmark in
    var total = ExactDecimal.zero
    for index in benchmark.scaledIterations {
      total = try total.adding(amounts[index].multiplied(by: rate).rounded(scale: 2))
    }
    blackHole(total)
  }

  Harness.benchmark("divide by 7 and round, 1,000 amounts") { benchmark in
    for index in benchmark.scaledIterations {
      blackHole(try amounts[index].divided(by: seven).rounded(scale: 2))
    }
  }

  Harness.benchmark("on-time rate done/total, 1,000 subjects") { benchmark in
    for index in benchmark.scaledIterations {
      blackHole(try counts[index].done.divided(by: counts[index].total))
    }
  }

  Harness.benchmark("parse 1,000 amounts") { benchmark in
    for index in benchmark.scaledIterations {
      blackHole(ExactDecimal(parsing: texts[index]))
    }
  }

  Harness.benchmark("format 1,000 amounts, 2 fraction digits") { benchmark in
    for index in benchmark.scaledIterations {
      blackHole(amounts[index].formatted(fractionDigits: 2))
    }
  }
}
