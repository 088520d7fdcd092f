#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What checking rule files found: every diagnostic, in order, and the source lines they
/// point at (for rendering).
public struct CheckResult: Sendable {
  /// Diagnostics sorted by (file argument order, line, column, code).
  public var diagnostics: [Diagnostic]
  /// The text of every file that could be read.
  public var sources: SourceLines
  /// Whether some file could not be read at all.
  public var hasUnreadableFile: Bool
  /// The rule sets that loaded without errors, in argument order.
  public var ruleSets: [RuleSet]
  /// The file of each rule set in `ruleSets`.
  public var ruleSetPaths: [String] = []
}

/// A rule file loaded and checked.
public struct LoadedRules: Sendable {
  /// The path as given.
  public var path: String
  /// The checked rules, when the file has no errors.
  public var rules: RuleSet?
  /// Every problem found, sorted by position.
  public var diagnostics: [Diagnostic]
  /// The file's bytes (for hashing) — empty when unreadable.
  public var bytes: [UInt8]
  /// The file's text, when it could be decoded.
  public var text: String?
  /// Whether the file could not be read.
  public var unreadable: Bool
}

/// Loading and checking rule files, as `kaoping check` does.
public enum RuleFiles {
  /// Loads one rule file from disk and checks it.
  public static func load(path: String) -> LoadedRules {
    let bytes: [UInt8]
    do {
      bytes = try FileReader.bytes(atPath: path)
    } catch {
      return LoadedRules(
        path: path, rules: nil,
        diagnostics: [Diagnostic(code: .unreadableFile, message: error.description, file: path)],
        bytes: [], text: nil, unreadable: true)
    }
    return load(bytes: bytes, path: path)
  }

  /// Loads rule-file bytes (named `path` in diagnostics) and checks them.
  public static func load(bytes: [UInt8], path: String) -> LoadedRules {
    let (document, found) = YAMLLoader().load(bytes: bytes, file: path)
    var diagnostics = found
    var rules: RuleSet? = nil
    if let document, !found.hasErrors {
      if let root = document.root {
        var decoder = RuleDecoder(file: path, text: document.text)
        if var decoded = decoder.decode(root) {
          var checks = RuleChecks(rules: decoded, reader: decoder.reader)
          checks.run()
          var expressions = ExpressionChecks(reader: checks.reader)
          expressions.compileAll(&decoded)
          diagnostics += expressions.reader.diagnostics
          rules = decoded
        } else {
          diagnostics += decoder.reader.diagnostics
        }
      } else {
        diagnostics.append(Diagnostic(
          code: .emptyFile, message: "the file is empty", file: path,
          hint: "a rule file starts with `kaoping: 1`"))
      }
    }
    diagnostics = Diagnostic.sorted(diagnostics)
    return LoadedRules(
      path: path, rules: diagnostics.hasErrors ? nil : rules, diagnostics: diagnostics, bytes: bytes,
      text: document?.text, unreadable: false)
  }

  /// The rule files a list of arguments names: files as given, and for a directory every
  /// `*.yaml`/`*.yml` under it (recursively, in path order) except `*.test.yaml` files.
  public static func expand(_ arguments: [String]) -> [String] {
    arguments.flatMap { argument -> [String] in
      var info = stat()
      guard stat(argument, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return [argument] }
      return TestFileFinder.find(under: argument) { name in
        (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && !name.hasSuffix(".test.yaml")
      }
    }
  }

  /// Loads and checks each file, collecting every problem found.
  public static func check(paths: [String]) -> CheckResult {
    var diagnostics: [Diagnostic] = []
    var sources = SourceLines()
    var unreadable = false
    var ruleSets: [RuleSet] = []
    var ruleSetPaths: [String] = []
    for path in paths {
      let loaded = load(path: path)
      diagnostics += loaded.diagnostics
      unreadable = unreadable || loaded.unreadable
      if let text = loaded.text { sources.add(file: path, text: text) }
      if let rules = loaded.rules {
        ruleSets.append(rules)
        ruleSetPaths.append(path)
      }
    }
    return CheckResult(
      diagnostics: Diagnostic.sorted(diagnostics, fileOrder: paths), sources: sources,
      hasUnreadableFile: unreadable, ruleSets: ruleSets, ruleSetPaths: ruleSetPaths)
  }
}
