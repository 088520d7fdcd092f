/// What checking rule files found: every diagnostic, in order, and the source lines they
/// point at (for rendering).
public struct CheckResult: Sendable {
  /// Diagnostics sorted by (file argument order, line, column, code).
  public var diagnostics: [Diagnostic]
  /// The text of every file that could be read.
  public var sources: SourceLines
  /// Whether some file could not be read at all.
  public var hasUnreadableFile: Bool
}

/// Checking rule files, as `kaoping check` does.
public enum RuleFiles {
  /// Loads and checks each file, collecting every problem found.
  public static func check(paths: [String]) -> CheckResult {
    var diagnostics: [Diagnostic] = []
    var sources = SourceLines()
    var unreadable = false
    for path in paths {
      let bytes: [UInt8]
      do {
        bytes = try FileReader.bytes(atPath: path)
      } catch {
        unreadable = true
        diagnostics.append(Diagnostic(code: .unreadableFile, message: error.description, file: path))
        continue
      }
      let (document, found) = YAMLLoader().load(bytes: bytes, file: path)
      diagnostics += found
      guard let document else { continue }
      sources.add(file: path, text: document.text)
      if document.root == nil, !found.hasErrors {
        diagnostics.append(Diagnostic(
          code: .emptyFile, message: "the file is empty", file: path,
          hint: "a rule file starts with `kaoping: 1`"))
      }
    }
    return CheckResult(
      diagnostics: Diagnostic.sorted(diagnostics, fileOrder: paths), sources: sources,
      hasUnreadableFile: unreadable)
  }
}
