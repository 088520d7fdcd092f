// Tokens of the CEL lexical grammar (cel-spec `doc/langdef.md`, "Syntax").

/// The kind of one CEL token.
enum TokenKind: UInt8, Sendable, Equatable {
  /// The end of the source; always the last token.
  case eof
  case ident
  case intLit
  case uintLit
  case doubleLit
  case string
  case bytes
  case kwTrue
  case kwFalse
  case kwNull
  case kwIn
  case lparen
  case rparen
  case lbracket
  case rbracket
  case lbrace
  case rbrace
  case dot
  case comma
  case colon
  case question
  case plus
  case minus
  case star
  case slash
  case percent
  case bang
  case eq
  case ne
  case lt
  case le
  case gt
  case ge
  case and
  case or
  /// A lexical error that the lexer has already reported.
  case invalid
}

/// One token: its kind and its scalar range `start..<end` in the source.
/// Literal values are decoded by the parser from the source range.
struct Token: Sendable, Equatable {
  var kind: TokenKind
  var start: Int
  var end: Int
}

/// Stable codes of syntax issues (K201–K219). See `CELParser` for the list.
enum SyntaxCode {
  static let unexpectedCharacter = "K201"
  static let syntax = "K202"
  static let unterminatedString = "K203"
  static let invalidEscape = "K204"
  static let invalidNumber = "K205"
  static let reservedIdentifier = "K206"
  static let invalidMacro = "K207"
  static let tooDeep = "K208"
  static let unsupported = "K209"
  static let tooLarge = "K210"
}
