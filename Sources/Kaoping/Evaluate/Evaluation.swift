/// What a run evaluates: a checked rule file, fact files and an optional roster file.
public struct EvaluationRequest: Sendable {
  public var rules: LoadedRules
  /// Fact files, read in this order.
  public var factPaths: [String]
  /// A roster file that replaces the rule file's `subjects`.
  public var subjectsPath: String?
  /// The format of inputs whose extension does not tell (`-` for standard input).
  public var inputFormat: InputFileFormat?
  /// Worker threads; results are identical whatever the count.
  public var threads: Int
  /// Called as the run gets on (from worker threads, about once per percent of a stage).
  public var progress: (@Sendable (EvaluationProgress) -> Void)?
  /// Whether to compute the SHA-256 of the fact files (`InputInfo.sha256`). When false, a
  /// run may leave fact files' `sha256` empty (the CSV fast path then reads each file
  /// once, not twice): for outputs that do not show digests. Nothing else changes.
  public var digests = true

  public init(
    rules: LoadedRules, factPaths: [String], subjectsPath: String? = nil, inputFormat: InputFileFormat? = nil,
    threads: Int = Evaluation.defaultThreads, progress: (@Sendable (EvaluationProgress) -> Void)? = nil
  ) {
    self.rules = rules
    self.factPaths = factPaths
    self.subjectsPath = subjectsPath
    self.inputFormat = inputFormat
    self.threads = threads
    self.progress = progress
  }

  /// A counter for `stage` that reports to `progress` (nil without a callback).
  func counter(_ stage: EvaluationProgress.Stage, total: Int) -> ProgressCounter? {
    EvaluationProgress.counter(stage, total: total, progress)
  }
}

/// How far a run has got, for a progress display.
public struct EvaluationProgress: Sendable, Hashable {
  public enum Stage: String, Sendable, Hashable {
    /// Reading and typing the fact files: `completed` and `total` count bytes.
    case reading
    /// Scoring subjects: `completed` and `total` count subjects.
    case scoring
  }

  public var stage: Stage
  public var completed: Int
  public var total: Int

  public init(stage: Stage, completed: Int, total: Int) {
    self.stage = stage
    self.completed = completed
    self.total = total
  }

  /// A counter of `stage`'s work that reports to `progress` (nil without a callback).
  static func counter(_ stage: Stage, total: Int, _ progress: (@Sendable (EvaluationProgress) -> Void)?)
    -> ProgressCounter?
  {
    guard let progress else { return nil }
    return ProgressCounter(total: total) { done, total in
      progress(EvaluationProgress(stage: stage, completed: done, total: total))
    }
  }
}

/// The formats of fact and roster files (§3).
public enum InputFileFormat: String, Sendable, CaseIterable {
  case csv
  case jsonl
  case yaml
}

/// Why an evaluation produced no result, by stage (§13 exit statuses).
public enum EvaluationProblem: Error, Sendable {
  /// The rule file has errors (exit 1).
  case rules([Diagnostic])
  /// A file could not be read (exit 2).
  case unreadable([Diagnostic])
  /// The roster or fact files are malformed (exit 2).
  case inputs([Diagnostic])
  /// Per-subject evaluation errors (exit 1).
  case evaluation([EvaluationError])
}

/// Evaluating rule files on facts: the library's main entry point.
public enum Evaluation {
  /// The number of worker threads used by default: the processor count.
  public static var defaultThreads: Int { ProcessorCount.active }

  /// Reads the roster and facts, evaluates every scope, and returns the result.
  public static func run(_ request: EvaluationRequest) -> Result<EvaluationResult, EvaluationProblem> {
    runDetailed(request, fastIngest: true, keepTables: false).map(\.result)
  }

  /// A result with what produced it, for explanations.
  struct Detailed {
    var result: EvaluationResult
    var rules: RuleSet
    var inputs: FactInputs
    var roster: Roster
  }

  static func runDetailed(_ request: EvaluationRequest) -> Result<Detailed, EvaluationProblem> {
    runDetailed(request, fastIngest: true)
  }

  /// `fastIngest: false` reads every file with the general reader (for tests: both
  /// give the same results); `keepTables: false` frees each block of facts once its
  /// subjects are evaluated (then `Detailed.inputs.facts` is empty).
  static func runDetailed(
    _ request: EvaluationRequest, fastIngest: Bool, keepTables: Bool = true
  ) -> Result<Detailed, EvaluationProblem> {
    guard let rules = request.rules.rules else {
      return .failure(.rules(request.rules.diagnostics))
    }
    if fastIngest, let result = runFast(request, rules: rules, keepTables: keepTables) { return result }
    var rosterFile: RawFile? = nil
    if let path = request.subjectsPath {
      switch readRaw(path: path, format: request.inputFormat) {
      case .success(let file): rosterFile = file
      case .failure(let problem): return .failure(problem)
      }
    }
    var files: [RawFile] = []
    let reading = request.counter(.reading, total: FileReader.totalSize(of: request.factPaths))
    for path in request.factPaths {
      switch readRaw(path: path, format: request.inputFormat) {
      case .success(let file):
        files.append(file)
        reading?.add(file.bytes.count)
      case .failure(let problem): return .failure(problem)
      }
    }
    return runDetailed(rules: rules, ruleBytes: request.rules.bytes, rosterFile: rosterFile, factFiles: files,
                       threads: request.threads, keepTables: keepTables, progress: request.progress)
      .mapError { problem in
        // Problems of the rule file's own roster point into the rule file.
        guard case .inputs(let diagnostics) = problem, rosterFile == nil else { return problem }
        return .inputs(FactLoader.locatingInlineRoster(diagnostics, rules: rules, rulePath: request.rules.path))
      }
  }

  /// The fast path for CSV fact files (typed from their bytes, in parallel); nil when a
  /// file or the roster needs the general path, which then also reports any problem.
  static func runFast(
    _ request: EvaluationRequest, rules: RuleSet, keepTables: Bool = true
  ) -> Result<Detailed, EvaluationProblem>? {
    guard !request.factPaths.isEmpty else { return nil }
    for path in request.factPaths {
      let format = request.inputFormat ?? InputFormat.of(path: path).flatMap { InputFileFormat(rawValue: $0.rawValue) }
      guard format == .csv, path != "-" else { return nil }
    }
    var rosterFile: RawFile? = nil
    if let path = request.subjectsPath {
      guard case .success(let file) = readRaw(path: path, format: request.inputFormat) else { return nil }
      rosterFile = file
    }
    let environments = RuleEnvironments(rules)
    let loader = FactLoader(rules: rules, environments: environments)
    guard let (roster, rosterWarnings) = try? loader.roster(file: rosterFile) else { return nil }
    let schema = FactSchema(rules)
    let rosterIDs = CSVFactReader.rosterIndex(roster)
    let rosterShort = ShortTextTable(roster.subjects.map(\.id))
    PhaseTrace.mark("rules and roster read")
    var chunks: [FactChunk] = []
    var infos: [InputInfo] = []
    let reading = request.counter(.reading, total: FileReader.totalSize(of: request.factPaths))
    for (index, path) in request.factPaths.enumerated() {
      var reader = CSVFactReader(
        path: path, fileIndex: index, schema: schema, roster: roster, rosterIDs: rosterIDs, rosterShort: rosterShort,
        threads: request.threads)
      reader.progress = reading
      reader.digest = request.digests
      guard let output = reader.read(accept: { loader.unknownColumns($0).isEmpty }) else { return nil }
      chunks += output.chunks
      infos.append(output.info)
    }
    PhaseTrace.mark("facts read")
    let assembled = FactTableAssembler(
      schema: schema, files: request.factPaths, subjectCount: roster.subjects.count, threads: request.threads
    ).prepare(chunks)
    if let problem = assembled.problem { return .failure(.inputs([problem])) }
    chunks = []  // the source owns the facts now (and frees them block by block)
    var inputs = FactInputs(
      source: assembled.source, rejected: assembled.rejected, files: request.factPaths, inputs: infos,
      recordCount: assembled.recordCount, warnings: rosterWarnings, rules: rules, roster: roster, environments: environments)
    inputs.keepTables = keepTables
    return evaluate(rules: rules, ruleBytes: request.rules.bytes, roster: roster, inputs: inputs,
                    environments: environments, threads: request.threads, progress: request.progress)
  }

  /// Evaluates checked rules on raw roster and fact files already read.
  static func runDetailed(
    rules: RuleSet, ruleBytes: [UInt8], rosterFile: RawFile?, factFiles files: [RawFile], threads: Int,
    keepTables: Bool = true, progress: (@Sendable (EvaluationProgress) -> Void)? = nil
  ) -> Result<Detailed, EvaluationProblem> {
    let environments = RuleEnvironments(rules)
    let loader = FactLoader(rules: rules, environments: environments)
    let roster: Roster
    let rosterWarnings: [InputWarning]
    do {
      (roster, rosterWarnings) = try loader.roster(file: rosterFile)
    } catch {
      return .failure(.inputs(error.diagnostics))
    }
    var unknown: [Diagnostic] = []
    for file in files where file.hasHeader { unknown += loader.unknownColumnDiagnostics(file) }
    if !unknown.isEmpty { return .failure(.inputs(unknown)) }
    var inputs: FactInputs
    do { inputs = try loader.load(files: files, roster: roster, threads: threads) } catch { return .failure(.inputs(error.diagnostics)) }
    inputs.keepTables = keepTables
    inputs.warnings = rosterWarnings
    return evaluate(rules: rules, ruleBytes: ruleBytes, roster: roster, inputs: inputs, environments: environments,
                    threads: threads, progress: progress)
  }

  static func evaluate(
    rules: RuleSet, ruleBytes: [UInt8], roster: Roster, inputs: FactInputs, environments: RuleEnvironments, threads: Int,
    progress: (@Sendable (EvaluationProgress) -> Void)? = nil
  ) -> Result<Detailed, EvaluationProblem> {
    PhaseTrace.mark("facts prepared")
    var engine = Engine(rules: rules, roster: roster, inputs: inputs, environments: environments, threads: threads)
    engine.scoring = EvaluationProgress.counter(.scoring, total: roster.subjects.count, progress)
    let info = RulesInfo(id: rules.id, title: rules.title, sha256: InputDigest.sha256Hex(ruleBytes))
    let run = engine.run(rulesInfo: info)
    PhaseTrace.mark("ranked, flagged, graded")
    switch run {
    case .success(let result): return .success(Detailed(result: result, rules: rules, inputs: inputs, roster: roster))
    case .failure(let failure): return .failure(.evaluation(failure.errors))
    }
  }

  static func readRaw(path: String, format: InputFileFormat?) -> Result<RawFile, EvaluationProblem> {
    guard let format = format ?? InputFormat.of(path: path).flatMap({ InputFileFormat(rawValue: $0.rawValue) }) else {
      return .failure(.inputs([Diagnostic(
        code: .malformedInput, message: "cannot tell the format of \(path) from its extension", file: path,
        hint: "name it .csv, .jsonl or .yaml, or pass --input-format csv|jsonl|yaml")]))
    }
    let bytes: [UInt8]
    do {
      bytes = try FileReader.bytes(atPath: path)
    } catch {
      return .failure(.unreadable([Diagnostic(code: .unreadableFile, message: error.description, file: path)]))
    }
    do {
      switch format {
      case .yaml: return .success(try RawFileReader.yaml(bytes: bytes, path: path))
      case .csv: return .success(try RawFileReader.csv(bytes: bytes, path: path))
      case .jsonl: return .success(try RawFileReader.jsonLines(bytes: bytes, path: path))
      }
    } catch {
      return .failure(.inputs(error.diagnostics))
    }
  }
}
