// What the benchmark suites share: one configuration (with the smoke mode that
// CI uses), registration that turns any error into a failed run, and access to
// the files in Benchmarks/Resources.

import Benchmark
import Foundation

public enum Harness {
  /// Whether `BENCHMARK_SMOKE` is set (to anything but empty or `0`): every
  /// benchmark then runs exactly two iterations, without warm-up, so that a
  /// run shows that each one builds and executes. Smoke figures mean nothing.
  public static let isSmoke: Bool = {
    let value = ProcessInfo.processInfo.environment["BENCHMARK_SMOKE"] ?? ""
    return !value.isEmpty && value != "0"
  }()

  /// The metrics every suite reports.
  public static let metrics: [BenchmarkMetric] = [
    .wallClock, .throughput, .mallocCountTotal, .peakMemoryResident,
  ]

  /// A configuration with `metrics`: at most `maxDuration` and `maxIterations`
  /// per benchmark after `warmupIterations`, or two iterations in smoke mode.
  public static func configuration(
    maxDuration: Duration = .seconds(3), maxIterations: Int = 10_000,
    warmupIterations: Int = 1, scalingFactor: BenchmarkScalingFactor = .one
  ) -> Benchmark.Configuration {
    if isSmoke {
      return Benchmark.Configuration(
        metrics: metrics, warmupIterations: 0, scalingFactor: scalingFactor,
        maxDuration: .seconds(600), maxIterations: 2)
    }
    return Benchmark.Configuration(
      metrics: metrics, warmupIterations: warmupIterations, scalingFactor: scalingFactor,
      maxDuration: maxDuration, maxIterations: maxIterations)
  }

  /// Registers a benchmark. An error thrown by `setup`, `body` or `teardown`
  /// ends the process with a failure, so that `swift package benchmark`
  /// exits non-zero: errors recorded with `Benchmark.error` alone are only
  /// printed, and its `--quiet` hides all output of the measured closure, so
  /// an error there stops the iterations and is reported from the teardown.
  /// In smoke mode the teardown prints `bench-smoke: ran NAME`.
  public static func benchmark(
    _ name: String,
    configuration: Benchmark.Configuration = Benchmark.defaultConfiguration,
    setup: (@Sendable () throws -> Void)? = nil,
    teardown: (@Sendable () throws -> Void)? = nil,
    _ body: @escaping (Benchmark) throws -> Void
  ) {
    let failure = FailureRecord()
    Benchmark(
      name, configuration: configuration,
      closure: { benchmark in
        do {
          try body(benchmark)
        } catch {
          failure.message = "\(error)"
          benchmark.error("\(name): \(error)")
        }
      },
      setup: {
        do {
          try setup?()
        } catch {
          fail("\(name), setup: \(error)")
        }
      },
      teardown: {
        if let message = failure.message { fail("\(name): \(message)") }
        do {
          try teardown?()
        } catch {
          fail("\(name), teardown: \(error)")
        }
        if isSmoke { print("bench-smoke: ran \(name)") }
      })
  }

  /// Stops the benchmark process with a failure.
  public static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("benchmark failed: \(message)\n".utf8))
    exit(1)
  }

  /// The path of a file in Benchmarks/Resources (found from this source
  /// file's location: benchmarks run from their source tree).
  public static func resourcePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent()  // BenchmarkSupport
      .deletingLastPathComponent()  // Sources
      .deletingLastPathComponent()  // Benchmarks
      .appendingPathComponent("Resources")
      .appendingPathComponent(name)
      .path
  }

  /// The text of a file in Benchmarks/Resources; a missing file fails the run.
  public static func resourceText(_ name: String) -> String {
    let path = resourcePath(name)
    guard let data = FileManager.default.contents(atPath: path) else {
      fail("cannot read \(path)")
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// A path for a scratch file in the temporary folder, unique to this
  /// process.
  public static func temporaryPath(_ name: String) -> String {
    let pid = ProcessInfo.processInfo.processIdentifier
    return URL(fileURLWithPath: NSTemporaryDirectory())
      .appendingPathComponent("kaoping-bench-\(pid)-\(name)")
      .path
  }
}

/// The error of a benchmark's measured closure, kept for its teardown (the
/// runner calls both on one thread, one after the other).
private final class FailureRecord: @unchecked Sendable {
  var message: String?
}
