/// What checking roster and fact files against rule files found (`kaoping check --facts`).
public struct InputCheckResult: Sendable {
  /// Diagnostics sorted by (file argument order, line, column, code): errors for files
  /// `eval` would refuse (unreadable, malformed, unknown columns, roster errors), a warning
  /// per fact `eval` would reject in phase 1 and per undeclared roster column.
  public var diagnostics: [Diagnostic]
  /// Source lines of the inputs where a diagnostic's line is known to be the file's line
  /// (headers; JSON Lines records; CSV files without line breaks inside cells).
  public var sources: SourceLines
  /// Whether some input could not be read at all.
  public var hasUnreadableFile: Bool
  /// Records read from the fact files, and how many of them phase 1 rejects (per rule set,
  /// summed when several rule sets are checked).
  public var records: Int
  public var rejected: Int
}

/// Checking the inputs of a run without evaluating it: the roster and every fact file are
/// read and typed against each rule set exactly as `kaoping eval` reads them (§3 phase 1),
/// so a rule change and its sample data can be validated together in CI.
///
/// Phases 2 and 3 (expression errors, scorers, cancellation) need an evaluation and are
/// not part of the check.
public enum InputCheck {
  /// Checks `factPaths` and `subjectsPath` (or each rule set's own `subjects`) against
  /// every rule set. `rulePaths` names the rule files, in the order of `ruleSets`, for
  /// diagnostics about an inline roster.
  public static func check(
    _ ruleSets: [RuleSet], rulePaths: [String], factPaths: [String], subjectsPath: String?,
    inputFormat: InputFileFormat? = nil
  ) -> InputCheckResult {
    var result = InputCheckResult(diagnostics: [], sources: SourceLines(), hasUnreadableFile: false, records: 0, rejected: 0)
    var found: [Diagnostic] = []
    var files: [RawFile] = []
    var rosterFile: RawFile? = nil
    var readable = true
    for (path, isRoster) in [subjectsPath].compactMap({ $0 }).map({ ($0, true) }) + factPaths.map({ ($0, false) }) {
      switch Evaluation.readRaw(path: path, format: inputFormat) {
      case .success(let file):
        addSources(of: file, to: &result.sources)
        if isRoster { rosterFile = file } else { files.append(file) }
      case .failure(let problem):
        readable = false
        switch problem {
        case .unreadable(let diagnostics):
          result.hasUnreadableFile = true
          found += diagnostics
        case .inputs(let diagnostics), .rules(let diagnostics):
          found += diagnostics
        case .evaluation:
          break
        }
      }
    }
    if readable {
      for (index, rules) in ruleSets.enumerated() {
        let rulePath = index < rulePaths.count ? rulePaths[index] : rules.id
        let (diagnostics, records, rejected) = check(rules, rulePath: rulePath, rosterFile: rosterFile, files: files)
        found += diagnostics
        result.records += records
        result.rejected += rejected
      }
    }
    // The same finding against several rule sets is reported once.
    var seen = Set<Diagnostic>()
    found = found.filter { seen.insert($0).inserted }
    result.diagnostics = Diagnostic.sorted(found, fileOrder: rulePaths + [subjectsPath].compactMap { $0 } + factPaths)
    return result
  }

  /// One rule set: (diagnostics, records read, records rejected).
  static func check(_ rules: RuleSet, rulePath: String, rosterFile: RawFile?, files: [RawFile])
    -> ([Diagnostic], Int, Int)
  {
    let environments = RuleEnvironments(rules)
    let loader = FactLoader(rules: rules, environments: environments)
    var diagnostics: [Diagnostic] = []
    let roster: Roster
    do {
      let warnings: [InputWarning]
      (roster, warnings) = try loader.roster(file: rosterFile)
      for warning in warnings {
        diagnostics.append(Diagnostic(
          .warning, code: warning.code, message: warning.message, file: rosterFile?.path ?? rulePath,
          line: rosterFile == nil ? 0 : 1, column: rosterFile == nil ? 0 : 1))
      }
    } catch {
      // An inline roster's problems point into the rule file.
      if rosterFile != nil { return (error.diagnostics, 0, 0) }
      return (FactLoader.locatingInlineRoster(error.diagnostics, rules: rules, rulePath: rulePath), 0, 0)
    }
    for file in files where file.hasHeader {
      diagnostics += loader.unknownColumnDiagnostics(file)
    }
    if diagnostics.hasErrors { return (diagnostics, 0, 0) }
    let inputs: FactInputs
    do {
      inputs = try loader.load(files: files, roster: roster)
    } catch {
      return (diagnostics + error.diagnostics, 0, 0)
    }
    for fact in inputs.rejected {
      let path = fact.file < inputs.files.count ? inputs.files[fact.file] : ""
      diagnostics.append(Diagnostic(
        .warning, code: fact.code, message: "fact \(fact.fact) is rejected: \(fact.reason)", file: path,
        line: fact.row, column: fact.row > 0 ? 1 : 0))
    }
    return (diagnostics, inputs.recordCount, inputs.rejected.count)
  }

  /// Source lines of an input whose rows are its lines.
  static func addSources(of file: RawFile, to sources: inout SourceLines) {
    guard var text = String(validating: file.bytes, as: UTF8.self) else { return }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    if file.hasHeader {
      // CSV: rows are lines unless a quoted cell holds a line break; then only the header is.
      if CSVLines.quotedLineBreak(in: file.bytes) {
        let header = text.prefix { !$0.isNewline }
        sources.add(file: file.path, text: String(header))
      } else {
        sources.add(file: file.path, text: text)
      }
    } else if InputFormat.of(path: file.path) == .jsonl {
      sources.add(file: file.path, text: text)
    }
  }
}
