// Checking a typical rule file, as `kaoping check` does: loading the YAML (with
// positions and diagnostics), decoding the rules, the rule checks and compiling
// every expression. The library's YAML loader is internal, so this goes through
// the public `RuleFiles.check(paths:)`, on a file in the temporary folder
// (written in setup, so the page cache serves it), and `RuleFiles.load(bytes:path:)`
// for the same work without the file.

import Benchmark
import BenchmarkSupport
import Foundation
import Kaoping

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = Harness.configuration(maxDuration: .seconds(3))

  let rules = Harness.resourceText("perf-rules.yaml")
  registerCheck("check perf-rules.yaml", text: rules, file: "perf-rules.yaml")
  registerCheck(
    "check perf-rules.yaml, indicators x50", text: scaled(rules, indicatorCopies: 50),
    file: "perf-rules-x50.yaml")

  let bytes = Array(rules.utf8)
  Harness.benchmark("load perf-rules.yaml from memory") { _ in
    blackHole(RuleFiles.load(bytes: bytes, path: "perf-rules.yaml"))
  }
}

/// Registers a benchmark of `RuleFiles.check` on `text`, written to a scratch file.
func registerCheck(_ name: String, text: String, file: String) {
  let path = Harness.temporaryPath(file)
  Harness.benchmark(
    name,
    setup: {
      try text.write(toFile: path, atomically: false, encoding: .utf8)
      let result = RuleFiles.check(paths: [path])
      if result.hasUnreadableFile { Harness.fail("\(name): \(path) is unreadable") }
      let errors = result.diagnostics.filter { $0.severity == .error }
      if !errors.isEmpty {
        // Still measured (a checker in progress may not accept everything
        // yet), but the figures are then those of a failing check.
        let first = errors[0]
        FileHandle.standardError.write(Data("""
          warning: \(name): the check reports \(errors.count) error(s), \
          first \(first.line):\(first.column) \(first.message)

          """.utf8))
      }
    },
    teardown: { try? FileManager.default.removeItem(atPath: path) }
  ) { _ in
    blackHole(RuleFiles.check(paths: [path]))
  }
}

/// The rule file with its indicator list repeated `indicatorCopies` times (the
/// copies' ids get a `_2`, `_3`… suffix), for a larger file of the same kind.
func scaled(_ rules: String, indicatorCopies: Int) -> String {
  let lines = rules.split(separator: "\n", omittingEmptySubsequences: false)
  guard let start = lines.firstIndex(of: "indicators:"),
    let end = lines[start...].firstIndex(where: { !$0.hasPrefix(" ") && $0 != "indicators:" })
  else {
    Harness.fail("perf-rules.yaml has no top-level indicators list")
  }
  let block = lines[(start + 1) ..< end]
  var out = Array(lines[..<end])
  for copy in 2 ... max(indicatorCopies, 2) {
    for line in block {
      if line.hasPrefix("  - id: ") {
        out.append("\(line)_\(copy)")
      } else {
        out.append(line)
      }
    }
  }
  out += lines[end...]
  return out.joined(separator: "\n")
}
