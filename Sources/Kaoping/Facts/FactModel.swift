/// A subject of the roster, typed.
struct RosterSubject: Sendable {
  var id: String
  var name: String
  var group: String
  /// Index into the ranking groups (the rule file's groups, or 0 for `all`).
  var groupIndex: Int
  /// The `subject` object expressions see.
  var record: RecordValue
}

/// The roster of one run, in order.
struct Roster: Sendable {
  var subjects: [RosterSubject]
  /// Index of a subject id.
  var index: [String: Int]
  /// Where the roster came from (nil for the rule file's inline roster).
  var input: InputInfo?
}

/// A fact that passed phase 1 (§3): typed, with a known subject and type, dated inside a
/// period when periods are declared. Runs keep facts in a `FactTable`; this standalone
/// form is built on demand (for explanations).
struct Fact: Sendable {
  /// The fact's id, or `FILE:ROW` when the record has none.
  var id: String
  /// Roster index of the subject.
  var subject: Int
  /// Index into the rule file's fact types.
  var type: Int
  var date: CELDate?
  var source: String?
  /// The id this fact cancels (types named by `cancelled_by`).
  var ref: String?
  var note: String?
  /// Index of the input file, and the record's row in it.
  var file: Int
  var row: Int
  /// The `fact` object expressions see: built-in fields, then declared fields.
  var record: RecordValue
}

/// The facts of one run after phase 1, with what was rejected there.
struct FactInputs: Sendable {
  /// The facts, grouped by subject as the engine asks for each block.
  var source: FactSource
  /// Facts rejected in phase 1.
  var rejected: [(fact: String, file: Int, row: Int, code: DiagnosticCode, reason: String)]
  /// The fact files as given, in order.
  var files: [String]
  /// One entry per fact file.
  var inputs: [InputInfo]
  /// Every record read (valid or not).
  var recordCount: Int
  var warnings: [InputWarning]
  let rules: RuleSet
  let roster: Roster
  let environments: RuleEnvironments
  /// Whether the engine keeps each block's table (for `facts`); false frees them as it goes.
  var keepTables = true

  /// Every valid fact as a standalone value, in input order (for explanations; needs
  /// `keepTables`).
  var facts: [Fact] {
    var result: [Fact] = []
    for table in source.keptTables {
      for subject in table.firstSubject..<(table.firstSubject + table.subjectStart.count - 1) {
        for index in table.range(of: subject) {
          if let fact = table.fact(index, subject: subject, roster: roster, rules: rules, environments: environments) {
            result.append(fact)
          }
        }
      }
    }
    result.sort { $0.file != $1.file ? $0.file < $1.file : $0.row < $1.row }
    return result
  }
}

extension DiagnosticCode {
  // MARK: Facts and rosters (K4xx)

  /// Two records carry the same id (every one of them is rejected).
  public static let duplicateFactID: DiagnosticCode = "K401"
  /// A record's `type` is not a declared fact type.
  public static let unknownFactType: DiagnosticCode = "K402"
  /// A record's `subject` is not in the roster.
  public static let unknownSubject: DiagnosticCode = "K403"
  /// A field value does not fit its type (or a required field is missing).
  public static let invalidFieldValue: DiagnosticCode = "K404"
  /// A date that is missing, malformed, or outside every period.
  public static let invalidFactDate: DiagnosticCode = "K405"
  /// A value for a field that the record's type does not declare.
  public static let undeclaredField: DiagnosticCode = "K406"
  /// A per-fact expression (`when`, `points`, `by`) failed, a table has no key for the fact, or its points are negative.
  public static let factExpression: DiagnosticCode = "K410"
  /// The fact's source is not a scorer of the indicator that selected it (谁部署谁赋分).
  public static let unauthorisedSource: DiagnosticCode = "K411"
  /// A cancelling fact whose `ref` names no fact that can be cancelled.
  public static let refNamesNoFact: DiagnosticCode = "K412"
  /// A fact file's column that no fact type declares.
  public static let unknownColumn: DiagnosticCode = "K420"
  /// A fact or roster file that cannot be parsed (CSV, JSON Lines, YAML).
  public static let malformedInput: DiagnosticCode = "K421"
  /// A roster problem: duplicate or empty id, unknown group, missing attribute.
  public static let rosterError: DiagnosticCode = "K430"
  /// No roster was given (neither `subjects` in the rule file nor `--subjects`).
  public static let missingRoster: DiagnosticCode = "K431"
  /// Valid facts that no indicator applied (a warning).
  public static let unmatchedFacts: DiagnosticCode = "K450"
  /// Roster columns that are not declared attributes (a warning).
  public static let undeclaredRosterColumn: DiagnosticCode = "K451"

  // MARK: Evaluation (K5xx)

  /// A per-subject expression (a score value or points, an outcome condition) failed.
  public static let subjectExpression: DiagnosticCode = "K501"
  /// An amount beyond the decimal range.
  public static let amountOverflow: DiagnosticCode = "K502"
}
