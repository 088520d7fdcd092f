// Evaluation on the generated workloads, through the public API only:
// `Evaluation.run` on subjects.csv and facts.csv written to the temporary folder
// (by setup, so the page cache serves them), as `kaoping eval` does minus the process
// start and writing the report to a file.
//
// - "eval S end to end": `Evaluation.run` with perf-rules.yaml (the workload's scheme),
//   then `ReportWriter.write(.csv)`.
// - "ingest S": `Evaluation.run` with a rule file that declares the same fact types but
//   has one indicator (a fixed 1 point per `delay` fact, cancelled by `rectified`):
//   reading and typing every CSV fact, plus a trivial ledger.
//
// Size M (1,000,000 facts) too when `KAOPING_BENCH_M=1` (never in smoke mode unless set).
// The rule file is loaded and checked in setup (YAMLLoading measures that). Every
// iteration checks that the run succeeded and counted every fact; a failure fails the
// run through the Harness. Besides the usual metrics, `facts/s` is the workload's fact
// count divided by the iteration's wall clock.

import Benchmark
import BenchmarkSupport
import Foundation
import Kaoping
import Workload

/// Facts per second of one iteration (not scaled: computed from its own clock).
let factsPerSecond = BenchmarkMetric.custom("facts/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
  var configuration = Harness.configuration(maxDuration: .seconds(10), maxIterations: 100)
  configuration.metrics.append(factsPerSecond)
  Benchmark.defaultConfiguration = configuration

  let environment = ProcessInfo.processInfo.environment["KAOPING_BENCH_M"] ?? ""
  let withM = !environment.isEmpty && environment != "0"
  let perfRules = Harness.resourceText("perf-rules.yaml")
  let ingestRules = ingestOnlyRules(perfRules)
  for size in withM ? [WorkloadSize.s, .m] : [.s] {
    registerEvaluation(
      "eval \(size.rawValue) end to end", size: size, rules: perfRules, rulesFile: "perf-rules.yaml",
      writeReport: true)
    registerEvaluation(
      "ingest \(size.rawValue)", size: size, rules: ingestRules, rulesFile: "ingest-rules.yaml",
      writeReport: false)
  }
}

/// What a failing iteration reports.
struct EvaluationFailure: Error, CustomStringConvertible {
  var description: String
}

/// What setup prepares for the measured closure (the runner calls setup, the
/// iterations and teardown one after the other).
final class Fixture: @unchecked Sendable {
  var request: EvaluationRequest?
}

/// Registers a benchmark of `Evaluation.run` with `rules` on a workload of `size`,
/// written to its own scratch folder; with `writeReport`, the CSV report is written
/// (to memory) too.
func registerEvaluation(
  _ name: String, size: WorkloadSize, rules: String, rulesFile: String, writeReport: Bool
) {
  let shape = size.shape
  let directory = Harness.temporaryPath(
    name.replacingOccurrences(of: " ", with: "-"))
  let fixture = Fixture()
  Harness.benchmark(
    name,
    setup: {
      // A failing setup ends the process before teardown: remove the files first.
      do {
        let summary = try Workload.write(shape: shape, toDirectory: directory)
        guard summary.facts == shape.facts else {
          throw EvaluationFailure(description: "the workload has \(summary.facts) facts, not \(shape.facts)")
        }
        let loaded = RuleFiles.load(bytes: Array(rules.utf8), path: directory + "/" + rulesFile)
        guard loaded.rules != nil else {
          let messages = loaded.diagnostics.filter { $0.severity == .error }.prefix(3)
            .map { "\($0.line):\($0.column) \($0.message)" }
          throw EvaluationFailure(description: "\(rulesFile) does not load: \(messages)")
        }
        let request = EvaluationRequest(
          rules: loaded, factPaths: [directory + "/facts.csv"], subjectsPath: directory + "/subjects.csv",
          threads: Evaluation.defaultThreads)
        // One run outside the measurement, with checks the iterations leave out.
        let result = try evaluate(request, facts: shape.facts)
        guard result.accounting.rejected == 0, result.rejected.isEmpty else {
          throw EvaluationFailure(description: "\(result.accounting.rejected) facts rejected")
        }
        let report = ReportWriter.write(result, format: .csv)
        let lines = report.lazy.filter { $0 == UInt8(ascii: "\n") }.count
        guard lines > shape.subjects else {
          throw EvaluationFailure(description: "the CSV report has \(lines) lines for \(shape.subjects) subjects")
        }
        fixture.request = request
      } catch {
        try? FileManager.default.removeItem(atPath: directory)
        throw error
      }
    },
    teardown: { try? FileManager.default.removeItem(atPath: directory) }
  ) { benchmark in
    guard let request = fixture.request else {
      throw EvaluationFailure(description: "setup did not run")
    }
    let clock = ContinuousClock()
    let start = clock.now
    let result = try evaluate(request, facts: shape.facts)
    if writeReport {
      blackHole(ReportWriter.write(result, format: .csv))
    } else {
      blackHole(result)
    }
    let elapsed = (clock.now - start) / .nanoseconds(1)
    if elapsed > 0 {
      benchmark.measurement(factsPerSecond, Int((Double(shape.facts) * 1e9 / elapsed).rounded()))
    }
  }
}

/// Runs `request`; throws unless it succeeds and accounts for `facts` facts.
func evaluate(_ request: EvaluationRequest, facts: Int) throws -> EvaluationResult {
  switch Evaluation.run(request) {
  case .success(let result):
    guard result.accounting.facts == facts else {
      throw EvaluationFailure(description: "the run counted \(result.accounting.facts) facts, not \(facts)")
    }
    return result
  case .failure(let problem):
    throw EvaluationFailure(description: "the run failed: \(String(describing: problem).prefix(500))")
  }
}

/// perf-rules.yaml up to its indicators (header, groups, the same fact types, so that
/// every column and type of facts.csv is declared and typed), then one indicator: a
/// fixed point per `delay` fact, cancelled by `rectified` (the checks require it: a
/// `ref` field is reserved for cancellation), and no outcomes or grades.
func ingestOnlyRules(_ rules: String) -> String {
  guard let range = rules.range(of: "\nindicators:\n") else {
    Harness.fail("perf-rules.yaml has no top-level indicators list")
  }
  return String(rules[..<range.lowerBound]) + """

    indicators:
      - id: delays
        deduction:
          facts: delay
          points: 1
          cancelled_by: rectified

    """
}
