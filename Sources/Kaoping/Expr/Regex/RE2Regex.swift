// RE2-syntax regular expressions matched in linear time, for CEL's `matches`.

/// A compiled regular expression in RE2 syntax.
///
/// Matching never backtracks: it simulates the pattern's NFA over the text
/// once, so it takes time proportional to pattern size × text length, even
/// for patterns such as `(a*)*b` that make backtracking engines explode.
///
/// Patterns and texts are read as Unicode scalars: `.` matches one scalar
/// (not `\n`, unless the `s` flag is set), and repeat counts and error
/// offsets count scalars.
struct RE2Regex: Sendable {
  /// The source pattern.
  let pattern: String
  private let program: RegexProgram

  /// Parses and compiles `pattern`.
  ///
  /// - Throws: `RegexSyntaxError` for anything RE2 rejects (unbalanced
  ///   parentheses or brackets, bad escapes, backreferences, lookarounds,
  ///   nested repetition operators such as `**`, repeat counts over 1000),
  ///   for groups nested more than 1000 deep, and for patterns whose
  ///   compiled program would exceed 100,000 instructions.
  init(_ pattern: String) throws(RegexSyntaxError) {
    let ast = try RegexParser.parse(pattern)
    self.pattern = pattern
    self.program = RegexProgram(ast)
  }

  /// RE2 PartialMatch semantics (as CEL's `matches`): true when some substring matches.
  func matches(_ text: String) -> Bool {
    program.matches(text)
  }
}

/// Why a pattern was rejected.
struct RegexSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong, worded like RE2's (Go's) messages, usually followed by
  /// the offending text: "missing closing )", "invalid escape sequence: \8",
  /// "invalid repeat count: {1001}", "invalid nested repetition operator: **".
  var message: String
  /// Unicode-scalar offset into the pattern where the problem is (where the
  /// quoted text starts; for "missing closing )", the unclosed parenthesis).
  var offset: Int

  /// `error parsing regexp: <message> (at offset <offset>)`.
  var description: String {
    "error parsing regexp: \(message) (at offset \(offset))"
  }
}
