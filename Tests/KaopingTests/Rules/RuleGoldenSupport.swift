import Foundation
import Kaoping
import Testing

/// Golden files for the rule-file tests. `KAOPING_RECORD=1` rewrites a golden that
/// differs (or is missing) and fails the test, so that re-recording is never silent.
enum Golden {
  static var recording: Bool { ProcessInfo.processInfo.environment["KAOPING_RECORD"] == "1" }

  /// Compares `actual` with the golden file at `path` (absolute).
  static func check(_ actual: String, golden path: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let expected = try? String(contentsOfFile: path, encoding: .utf8)
    if recording {
      if expected != actual {
        do {
          try actual.write(toFile: path, atomically: true, encoding: .utf8)
          Issue.record("re-recorded \(path); run the tests again without KAOPING_RECORD", sourceLocation: sourceLocation)
        } catch {
          Issue.record("cannot write \(path): \(error)", sourceLocation: sourceLocation)
        }
      }
      return
    }
    guard let expected else {
      Issue.record("no golden file \(path); record it with KAOPING_RECORD=1", sourceLocation: sourceLocation)
      return
    }
    #expect(actual == expected, "differs from \(path) (KAOPING_RECORD=1 re-records it)", sourceLocation: sourceLocation)
  }
}

/// The rule-file fixtures directory, `Tests/KaopingTests/Fixtures/rules`.
let ruleFixtures = fixturePath("rules")

/// The package root (for `Rules/`, `Sources/` and `docs/`).
let packageRoot: String = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Loads a rule fixture and renders its diagnostics as `kaoping check` prints them, with
/// the path relative to the fixtures directory so that goldens do not depend on the machine.
func loadRuleFixture(_ relative: String) -> (loaded: LoadedRules, diagnostics: [Diagnostic], text: String) {
  let loaded = RuleFiles.load(path: ruleFixtures + "/" + relative)
  let diagnostics = loaded.diagnostics.map { diagnostic in
    var diagnostic = diagnostic
    diagnostic.file = relative
    return diagnostic
  }
  var sources = SourceLines()
  if let text = loaded.text { sources.add(file: relative, text: text) }
  return (loaded, diagnostics, Diagnostic.render(diagnostics, as: .text, sources: sources))
}
