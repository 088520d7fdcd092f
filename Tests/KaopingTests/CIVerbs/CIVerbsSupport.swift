import Foundation
import Testing

/// Helpers of the `kaoping test`, `diff` and `explain` tests.
enum CIVerbs {
  /// The repository's root folder (golden runs use paths relative to it).
  static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  /// A fixture of this suite, relative to the repository root.
  static func fixture(_ relative: String) -> String {
    "Tests/KaopingTests/Fixtures/civerbs/" + relative
  }

  /// Runs `kaoping` in the repository root, so that paths in the output are relative.
  static func run(_ arguments: [String]) throws -> RunResult {
    try runKaoping(arguments, currentDirectory: repositoryRoot)
  }

  /// A fresh temporary folder, removed by `remove`.
  static func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaoping-civerbs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  /// Copies `source` (relative to the repository root) to `folder/name`.
  static func copy(_ source: String, to folder: URL, as name: String) throws {
    try FileManager.default.copyItem(
      at: URL(fileURLWithPath: repositoryRoot).appendingPathComponent(source), to: folder.appendingPathComponent(name))
  }

  /// Compares `actual` with the golden file `Fixtures/civerbs/golden/NAME`. With
  /// `KAOPING_RECORD=1` in the environment the file is (re)written and the test fails,
  /// so that a recording run is never mistaken for a passing one.
  static func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let url = URL(fileURLWithPath: repositoryRoot).appendingPathComponent(fixture("golden/" + name))
    if ProcessInfo.processInfo.environment["KAOPING_RECORD"] == "1" {
      do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(actual.utf8).write(to: url)
        Issue.record("recorded \(url.path); run again without KAOPING_RECORD=1", sourceLocation: sourceLocation)
      } catch {
        Issue.record("cannot record \(url.path): \(error)", sourceLocation: sourceLocation)
      }
      return
    }
    guard let data = FileManager.default.contents(atPath: url.path) else {
      Issue.record("no golden file \(url.path); run with KAOPING_RECORD=1 to record it", sourceLocation: sourceLocation)
      return
    }
    let expected = String(decoding: data, as: UTF8.self)
    if expected != actual {
      Issue.record(
        "output differs from \(name) (run with KAOPING_RECORD=1 to re-record):\n\(firstDifference(expected, actual))",
        sourceLocation: sourceLocation)
    }
  }

  /// The first line where two texts differ, for a readable failure.
  static func firstDifference(_ expected: String, _ actual: String) -> String {
    let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(a.count, b.count) {
      let left = index < a.count ? String(a[index]) : "<end>"
      let right = index < b.count ? String(b[index]) : "<end>"
      if left != right { return "line \(index + 1):\n  golden: \(left)\n  actual: \(right)" }
    }
    return "(no line differs)"
  }
}
