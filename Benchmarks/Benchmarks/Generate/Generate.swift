// The workload generator itself, on size S: mostly a check that the harness
// works end to end, and a figure for how long fixtures of later benchmarks take
// to make.

import Benchmark
import BenchmarkSupport
import Workload

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = Harness.configuration(maxDuration: .seconds(5), maxIterations: 50)

  Harness.benchmark("generate S in memory", setup: { check(Workload.generate(size: .s)) }) { _ in
    blackHole(Workload.generate(size: .s))
  }

  Harness.benchmark("generate S in 1 MiB chunks") { _ in
    var bytes = 0
    let summary = Workload.stream(
      shape: WorkloadSize.s.shape, subjects: { bytes += $0.count }, facts: { bytes += $0.count })
    blackHole(summary)
    blackHole(bytes)
  }
}

/// Checks the shape of a generated S workload (line counts, headers, type mix).
func check(_ workload: GeneratedWorkload) {
  let shape = WorkloadSize.s.shape
  let subjectLines = workload.subjectsCSV.lazy.filter { $0 == UInt8(ascii: "\n") }.count
  let factLines = workload.factsCSV.lazy.filter { $0 == UInt8(ascii: "\n") }.count
  guard subjectLines == shape.subjects + 1, factLines == shape.facts + 1 else {
    Harness.fail("S has \(subjectLines) subject lines and \(factLines) fact lines")
  }
  guard workload.subjects.hasPrefix(Workload.subjectsHeader + "\n"),
    workload.factsCSV.starts(with: Array((Workload.factsHeader + "\n").utf8))
  else {
    Harness.fail("S has unexpected headers")
  }
  let summary = workload.summary
  guard summary.factsByType.values.reduce(0, +) == shape.facts,
    summary.factsBytes == workload.factsCSV.count,
    summary.inactiveSubjects == shape.subjects * 3 / 100
  else {
    Harness.fail("S summary does not add up: \(summary)")
  }
}
