#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

// The diagnostics of a run that failed (`eval`, `explain`, `diff`), printed as §13 asks:
// `FILE:LINE:COLUMN: error: MESSAGE [CODE]`, the source line and a caret.

/// Positions and source lines for the diagnostics of a failed run.
public enum RunDiagnostics {
  /// The lines of the rule file and of those roster and fact files that `diagnostics`
  /// point into. An input's lines are known where its rows are its lines (a CSV header,
  /// CSV without line breaks inside cells, JSON Lines), as for `kaoping check --facts`;
  /// standard input (`-`) cannot be read again and is left out.
  public static func sources(
    rulePath: String, ruleText: String?, inputPaths: [String], inputFormat: InputFileFormat?,
    for diagnostics: [Diagnostic]
  ) -> SourceLines {
    var sources = SourceLines()
    let files = Set(diagnostics.filter { $0.line > 0 }.map(\.file))
    if let ruleText, files.contains(rulePath) { sources.add(file: rulePath, text: ruleText) }
    var read: Set<String> = [rulePath, "-"]
    for path in inputPaths where files.contains(path) && read.insert(path).inserted {
      if case .success(let file) = Evaluation.readRaw(path: path, format: inputFormat) {
        InputCheck.addSources(of: file, to: &sources)
      }
    }
    return sources
  }

  /// `K001` for each of `paths` that cannot be opened for reading (missing, a directory, no
  /// permission), without reading it: when a rule file does not check, its run still
  /// reports unreadable inputs, reading a file being the earlier stage (§13, exit 2).
  /// Standard input (`-`) is always readable.
  public static func unreadableFiles(_ paths: [String]) -> [Diagnostic] {
    var seen: Set<String> = []
    var found: [Diagnostic] = []
    for path in paths where path != "-" && seen.insert(path).inserted {
      let fd = open(path, O_RDONLY)
      var reason: String? = nil
      if fd < 0 {
        switch errno {
        case ENOENT: reason = "no such file"
        case EACCES: reason = "permission denied"
        case EISDIR: reason = "it is a directory"
        default: reason = strerror(errno).map { String(cString: $0) } ?? "error \(errno)"
        }
      } else {
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { reason = "it is a directory" }
        close(fd)
      }
      if let reason {
        found.append(Diagnostic(code: .unreadableFile, message: "cannot read \(path): \(reason)", file: path))
      }
    }
    return found
  }

  /// Per-subject evaluation errors as diagnostics in the rule file, in the order given
  /// (scope, roster, node — §13): each points at the expression that failed (its first
  /// character), or at the node when no expression is to blame (an amount beyond the
  /// decimal range, `K502`).
  public static func diagnostics(for errors: [EvaluationError], rules: RuleSet, rulePath: String) -> [Diagnostic] {
    errors.map { error in
      let place = location(of: error, in: rules)
      return Diagnostic(
        code: error.code, message: error.description, file: rulePath, line: place?.line ?? 0, column: place?.column ?? 0)
    }
  }

  /// Where the expression of `error` was written, else its node or outcome.
  static func location(of error: EvaluationError, in rules: RuleSet) -> RuleLocation? {
    var expressions: [RuleExpression] = []
    var node: RuleLocation? = nil
    for indicator in rules.allIndicators where indicator.id == error.node {
      node = node ?? indicator.location
      switch indicator.kind {
      case .score(let score):
        expressions.append(score.value)
        switch score.rule {
        case .points(let points): expressions.append(points)
        case .tiers(let tiers):
          for tier in tiers {
            if case .expression(let points) = tier.points { expressions.append(points) }
          }
        }
      case .bonus(let rule), .deduction(let rule):
        if let when = rule.when { expressions.append(when) }
        switch rule.points {
        case .expression(let points): expressions.append(points)
        case .table(let table): expressions.append(table.by)
        case .fixed: break
        }
      case .parts: break
      }
    }
    for outcome in rules.outcomes where outcome.id == error.node {
      node = node ?? outcome.location
      expressions += [outcome.when, outcome.onlyIf].compactMap { $0 }
    }
    if !error.expression.isEmpty, let expression = expressions.first(where: { $0.source == error.expression }) {
      // Its first character (in a block scalar, the first line of the text).
      return expression.location(ofOffset: 0)
    }
    return node
  }
}
