/// A problem found in a rule file, a fact file or a test file, with the place it was
/// found and a stable code.
///
/// Lines and columns are 1-based; columns count Unicode scalars. A diagnostic that
/// concerns a whole file (for example, a file that cannot be read) has line 0.
public struct Diagnostic: Sendable, Hashable {
  /// How serious a diagnostic is.
  public enum Severity: String, Sendable, Hashable, Comparable {
    case error
    case warning
    case note

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
      lhs.rank < rhs.rank
    }

    private var rank: Int {
      switch self {
      case .error: 0
      case .warning: 1
      case .note: 2
      }
    }
  }

  public var severity: Severity
  /// The stable code, `K` and three digits (see ``DiagnosticCode``).
  public var code: DiagnosticCode
  /// What is wrong, in words a policy officer can act on.
  public var message: String
  /// The file as the user named it.
  public var file: String
  /// 1-based line, or 0 when the diagnostic concerns the whole file.
  public var line: Int
  /// 1-based column in Unicode scalars, or 0 when the diagnostic concerns the whole file.
  public var column: Int
  /// What to do about it, when there is something specific to suggest.
  public var hint: String?
  /// Further places or facts that explain the diagnostic.
  public var notes: [String]

  public init(
    _ severity: Severity = .error,
    code: DiagnosticCode,
    message: String,
    file: String,
    line: Int = 0,
    column: Int = 0,
    hint: String? = nil,
    notes: [String] = []
  ) {
    self.severity = severity
    self.code = code
    self.message = message
    self.file = file
    self.line = line
    self.column = column
    self.hint = hint
    self.notes = notes
  }
}

extension Diagnostic {
  /// Sorts diagnostics by file (in the order the files were given), line, column and code.
  public static func sorted(_ diagnostics: [Diagnostic], fileOrder: [String] = []) -> [Diagnostic] {
    var rank: [String: Int] = [:]
    for (index, file) in fileOrder.enumerated() where rank[file] == nil {
      rank[file] = index
    }
    return diagnostics.enumerated().sorted { lhs, rhs in
      let (a, b) = (lhs.element, rhs.element)
      let fileA = rank[a.file] ?? Int.max
      let fileB = rank[b.file] ?? Int.max
      if fileA != fileB { return fileA < fileB }
      if a.file != b.file { return a.file < b.file }
      if a.line != b.line { return a.line < b.line }
      if a.column != b.column { return a.column < b.column }
      if a.code != b.code { return a.code.rawValue < b.code.rawValue }
      return lhs.offset < rhs.offset
    }.map(\.element)
  }
}

extension Array where Element == Diagnostic {
  /// Whether any diagnostic is an error.
  public var hasErrors: Bool { contains { $0.severity == .error } }
}
