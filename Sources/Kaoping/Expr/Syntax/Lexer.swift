// The CEL lexer: turns an array of Unicode scalars into tokens, reporting lexical errors
// (unexpected characters, unterminated strings, malformed numbers) as it goes. Offsets
// are indices into the scalar array. Escape sequences and numeric values are checked
// later, when the parser decodes a literal token.

/// Splits CEL source into tokens. Never traps: every problem becomes an `.invalid` token
/// plus an issue.
struct Lexer {
  /// The source as Unicode scalars.
  let src: [Unicode.Scalar]
  /// The tokens found so far; after `run()`, ends with exactly one `.eof`.
  private(set) var tokens: [Token] = []
  /// The lexical issues found, in source order.
  private(set) var issues: [ExprIssue] = []
  private var pos = 0
  /// Set after an unterminated string: later ones are likely its consequence, so only
  /// the first is reported.
  private var sawUnterminatedString = false
  /// No closing curly quote (double, single) was found between an opening one and
  /// this offset.
  private var noCurlyCloseBefore = (double: 0, single: 0)
  /// At most this many lexical issues are reported.
  private let maxIssues = 50

  init(_ src: [Unicode.Scalar]) {
    self.src = src
  }

  /// Tokenizes `src`.
  static func tokenize(_ src: [Unicode.Scalar]) -> (tokens: [Token], issues: [ExprIssue]) {
    var lexer = Lexer(src)
    lexer.run()
    return (lexer.tokens, lexer.issues)
  }

  /// Tokenizes the whole source.
  mutating func run() {
    let n = src.count
    tokens.reserveCapacity(n / 3 + 4)
    while true {
      skipTrivia()
      guard pos < n else {
        tokens.append(Token(kind: .eof, start: n, end: n))
        return
      }
      let v = src[pos].value
      if v < 0x80 {
        lexASCII(v)
      } else {
        lexNonASCII()
      }
    }
  }

  // MARK: - Helpers

  @inline(__always)
  private func at(_ i: Int) -> UInt32 {
    i < src.count ? src[i].value : 0
  }

  private mutating func emit(_ kind: TokenKind, _ start: Int, _ end: Int) {
    tokens.append(Token(kind: kind, start: start, end: end))
    pos = end
  }

  private mutating func report(
    _ code: String, _ message: String, at offset: Int, hint: String? = nil
  ) {
    guard issues.count < maxIssues else { return }
    issues.append(ExprIssue(code: code, message: message, offset: offset, hint: hint))
  }

  /// Reports an error and emits an `.invalid` token for `start..<end`.
  private mutating func invalid(
    _ code: String, _ message: String, _ start: Int, _ end: Int, hint: String? = nil
  ) {
    report(code, message, at: start, hint: hint)
    emit(.invalid, start, max(end, start + 1))
  }

  private func text(_ start: Int, _ end: Int) -> String {
    Parser.string(src, start, end)
  }

  // MARK: - Trivia

  /// Skips whitespace (`\t \n \f \r` and space) and `//` comments.
  private mutating func skipTrivia() {
    let n = src.count
    while pos < n {
      switch src[pos].value {
      case 0x20, 0x09, 0x0A, 0x0C, 0x0D:
        pos += 1
      case 0x2F where at(pos + 1) == 0x2F:
        pos += 2
        while pos < n {
          let v = src[pos].value
          if v == 0x0A || v == 0x0D { break }
          pos += 1
        }
      default:
        return
      }
    }
  }

  // MARK: - ASCII

  private mutating func lexASCII(_ v: UInt32) {
    let start = pos
    switch v {
    case 0x61...0x7A, 0x41...0x5A, 0x5F:  // a-z A-Z _
      lexIdentOrPrefixedString()
    case 0x30...0x39:
      lexNumber()
    case 0x2E:  // .
      if isDigit(at(pos + 1)) { lexNumber() } else { emit(.dot, start, start + 1) }
    case 0x22, 0x27:  // " '
      lexString(start: start, quote: start, raw: false)
    case 0x28: emit(.lparen, start, start + 1)
    case 0x29: emit(.rparen, start, start + 1)
    case 0x5B: emit(.lbracket, start, start + 1)
    case 0x5D: emit(.rbracket, start, start + 1)
    case 0x7B: emit(.lbrace, start, start + 1)
    case 0x7D: emit(.rbrace, start, start + 1)
    case 0x2C: emit(.comma, start, start + 1)
    case 0x3A: emit(.colon, start, start + 1)
    case 0x3F: emit(.question, start, start + 1)
    case 0x2B: emit(.plus, start, start + 1)
    case 0x2D: emit(.minus, start, start + 1)
    case 0x2A: emit(.star, start, start + 1)
    case 0x2F: emit(.slash, start, start + 1)
    case 0x25: emit(.percent, start, start + 1)
    case 0x3D:  // =
      if at(pos + 1) == 0x3D {
        emit(.eq, start, start + 2)
      } else {
        invalid(
          SyntaxCode.unexpectedCharacter, "unexpected '='", start, start + 1,
          hint: "use '==' to compare; CEL has no assignment")
      }
    case 0x21:  // !
      if at(pos + 1) == 0x3D { emit(.ne, start, start + 2) } else { emit(.bang, start, start + 1) }
    case 0x3C:  // <
      if at(pos + 1) == 0x3D { emit(.le, start, start + 2) } else { emit(.lt, start, start + 1) }
    case 0x3E:  // >
      if at(pos + 1) == 0x3D { emit(.ge, start, start + 2) } else { emit(.gt, start, start + 1) }
    case 0x26:  // &
      if at(pos + 1) == 0x26 {
        emit(.and, start, start + 2)
      } else {
        invalid(
          SyntaxCode.unexpectedCharacter, "unexpected '&'", start, start + 1,
          hint: "use '&&' for logical and")
      }
    case 0x7C:  // |
      if at(pos + 1) == 0x7C {
        emit(.or, start, start + 2)
      } else {
        invalid(
          SyntaxCode.unexpectedCharacter, "unexpected '|'", start, start + 1,
          hint: "use '||' for logical or")
      }
    default:
      let shown: String
      if v < 0x20 || v == 0x7F {
        shown = "control character " + Lexer.codePointName(v)
      } else {
        shown = "'" + text(start, start + 1) + "'"
      }
      var hint: String? = nil
      switch v {
      case 0x3B: hint = "an expression has no statements; remove the ';'"
      case 0x60: hint = "quote text with ' or \""
      case 0x5E: hint = "CEL has no power operator"
      case 0x0B: hint = "replace it with a space"
      default: break
      }
      invalid(SyntaxCode.unexpectedCharacter, "unexpected " + shown, start, start + 1, hint: hint)
    }
  }

  @inline(__always)
  private func isDigit(_ v: UInt32) -> Bool { v >= 0x30 && v <= 0x39 }

  @inline(__always)
  private func isHexDigit(_ v: UInt32) -> Bool {
    (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x46) || (v >= 0x61 && v <= 0x66)
  }

  @inline(__always)
  private func isIdentChar(_ v: UInt32) -> Bool {
    (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || v == 0x5F
  }

  /// `U+XXXX` for a code point.
  static func codePointName(_ v: UInt32) -> String {
    var hex = String(v, radix: 16, uppercase: true)
    while hex.count < 4 { hex = "0" + hex }
    return "U+" + hex
  }

  // MARK: - Identifiers and keywords

  private mutating func lexIdentOrPrefixedString() {
    let start = pos
    let n = src.count
    var i = start + 1
    while i < n && isIdentChar(src[i].value) { i += 1 }
    let len = i - start
    if len <= 2 && i < n && (src[i].value == 0x22 || src[i].value == 0x27) {
      // r'…', b'…', rb'…', br'…' (any case).
      let a = src[start].value | 0x20
      let b: UInt32 = len == 2 ? src[start + 1].value | 0x20 : 0
      let isR = a == 0x72 || b == 0x72
      let isB = a == 0x62 || b == 0x62
      let valid = len == 1 ? (a == 0x72 || a == 0x62) : (isR && isB)
      if valid {
        lexString(start: start, quote: i, raw: isR)
        return
      }
    }
    emit(keyword(start, len), start, i)
  }

  private func keyword(_ s: Int, _ len: Int) -> TokenKind {
    switch len {
    case 2:
      if src[s] == "i" && src[s + 1] == "n" { return .kwIn }
    case 4:
      if src[s] == "t" && src[s + 1] == "r" && src[s + 2] == "u" && src[s + 3] == "e" {
        return .kwTrue
      }
      if src[s] == "n" && src[s + 1] == "u" && src[s + 2] == "l" && src[s + 3] == "l" {
        return .kwNull
      }
    case 5:
      if src[s] == "f" && src[s + 1] == "a" && src[s + 2] == "l" && src[s + 3] == "s"
        && src[s + 4] == "e"
      {
        return .kwFalse
      }
    default:
      break
    }
    return .ident
  }

  // MARK: - Numbers

  /// INT_LIT, UINT_LIT and FLOAT_LIT. A number immediately followed by a letter, digit
  /// or `_` (e.g. `1e`, `0x`, `12ab`, `1.5u`) is one malformed token.
  private mutating func lexNumber() {
    let start = pos
    let n = src.count
    var i = start
    var kind = TokenKind.intLit
    if at(i) == 0x30 && at(i + 1) == 0x78 && isHexDigit(at(i + 2)) {  // 0x
      i += 2
      while i < n && isHexDigit(src[i].value) { i += 1 }
      if at(i) == 0x75 || at(i) == 0x55 {
        i += 1
        kind = .uintLit
      }
    } else {
      while i < n && isDigit(src[i].value) { i += 1 }
      if at(i) == 0x2E && isDigit(at(i + 1)) {
        kind = .doubleLit
        i += 1
        while i < n && isDigit(src[i].value) { i += 1 }
      }
      if at(i) == 0x65 || at(i) == 0x45 {  // e E
        var j = i + 1
        if at(j) == 0x2B || at(j) == 0x2D { j += 1 }
        if isDigit(at(j)) {
          kind = .doubleLit
          i = j
          while i < n && isDigit(src[i].value) { i += 1 }
        }
      }
      if kind == .intLit && (at(i) == 0x75 || at(i) == 0x55) {
        i += 1
        kind = .uintLit
      }
    }
    if i < n && isIdentChar(src[i].value) {
      var j = i
      while j < n && isIdentChar(src[j].value) { j += 1 }
      let word = text(start, j)
      var hint = "a number cannot be followed directly by a letter"
      if word.hasPrefix("0X") {
        hint = "write hexadecimal numbers with a lowercase '0x'"
      } else if word.hasPrefix("0x") {
        hint = "hexadecimal digits are 0-9 and a-f"
      } else if kind == .doubleLit && (src[i] == "u" || src[i] == "U") {
        hint = "only integers can have the 'u' suffix"
      } else if src[i] == "e" || src[i] == "E" {
        hint = "an exponent needs digits, e.g. 1e10"
      }
      invalid(
        SyntaxCode.invalidNumber, "invalid number literal '\(word)'", start, j, hint: hint)
      return
    }
    emit(kind, start, i)
  }

  // MARK: - Strings

  /// Scans a string or bytes literal whose opening quote is at `quote` (a prefix, if
  /// any, runs from `start` to `quote`). Escapes are validated later; here a backslash
  /// only protects the next scalar (except in raw strings).
  private mutating func lexString(start: Int, quote: Int, raw: Bool) {
    let n = src.count
    let q = src[quote].value
    let shownQuote = q == 0x22 ? "\"" : "'"
    if at(quote + 1) == q && at(quote + 2) == q {
      var i = quote + 3
      while i < n {
        let v = src[i].value
        if v == 0x5C && !raw {
          i += 2
          continue
        }
        if v == q && at(i + 1) == q && at(i + 2) == q {
          emit(isBytesPrefix(start, quote) ? .bytes : .string, start, i + 3)
          return
        }
        i += 1
      }
      let delimiter = shownQuote + shownQuote + shownQuote
      unterminated(
        SyntaxCode.unterminatedString,
        "unterminated string: the closing \(delimiter) is missing", start, n)
      pos = n
      return
    }
    var i = quote + 1
    while i < n {
      let v = src[i].value
      if v == 0x5C && !raw {
        let next = at(i + 1)
        i += (next == 0x0A || next == 0x0D || i + 1 >= n) ? 1 : 2
        continue
      }
      if v == q {
        emit(isBytesPrefix(start, quote) ? .bytes : .string, start, i + 1)
        return
      }
      if v == 0x0A || v == 0x0D {
        unterminated(
          SyntaxCode.unterminatedString,
          "unterminated string: the closing \(shownQuote) is missing", start, i,
          hint: "a quoted string must end on the same line; "
            + "use ''' or \"\"\" for text spanning lines")
        pos = i
        return
      }
      i += 1
    }
    unterminated(
      SyntaxCode.unterminatedString,
      "unterminated string: the closing \(shownQuote) is missing", start, n)
    pos = n
  }

  /// Reports an unterminated string (only the first one) and emits an `.invalid` token.
  private mutating func unterminated(
    _ code: String, _ message: String, _ start: Int, _ end: Int, hint: String? = nil
  ) {
    if sawUnterminatedString {
      emit(.invalid, start, max(end, start + 1))
    } else {
      sawUnterminatedString = true
      invalid(code, message, start, end, hint: hint)
    }
  }

  private func isBytesPrefix(_ start: Int, _ quote: Int) -> Bool {
    var i = start
    while i < quote {
      if src[i].value | 0x20 == 0x62 { return true }
      i += 1
    }
    return false
  }

  // MARK: - Non-ASCII

  private mutating func lexNonASCII() {
    let start = pos
    let v = src[start].value
    if let ascii = Lexer.asciiLookalike(v) {
      let shown = text(start, start + 1)
      let what = (v >= 0xFF01 && v <= 0xFF5E) || v == 0x3000 ? "full-width " : ""
      if v == 0x3000 {
        invalid(
          SyntaxCode.unexpectedCharacter, "unexpected full-width space", start, start + 1,
          hint: "use a normal space")
      } else {
        invalid(
          SyntaxCode.unexpectedCharacter, "unexpected \(what)'\(shown)'", start, start + 1,
          hint: "use the ASCII '\(ascii)' instead")
      }
      return
    }
    switch v {
    case 0x201C, 0x2018, 0x201D, 0x2019:
      // Curly quotes, usually from a word processor: report a quoted run once.
      let close: UInt32 = (v == 0x201C || v == 0x201D) ? 0x201D : 0x2019
      let straight = close == 0x201D ? "\"" : "'"
      let limit = close == 0x201D ? noCurlyCloseBefore.double : noCurlyCloseBefore.single
      if (v == 0x201C || v == 0x2018) && start >= limit {
        var i = start + 1
        while i < src.count && src[i].value != 0x0A && src[i].value != 0x0D {
          if src[i].value == close {
            let quoted = text(start + 1, min(i, start + 41)) + (i > start + 41 ? "…" : "")
            invalid(
              SyntaxCode.unexpectedCharacter,
              "text in curly quotes \(text(start, start + 1))\(quoted)\(text(i, i + 1))",
              start, i + 1, hint: "use straight quotes: \(straight)\(quoted)\(straight)")
            return
          }
          i += 1
        }
        // No closing quote on this line: do not scan it again (keeps lexing linear).
        if close == 0x201D { noCurlyCloseBefore.double = i } else { noCurlyCloseBefore.single = i }
      }
      invalid(
        SyntaxCode.unexpectedCharacter, "unexpected curly quote '\(text(start, start + 1))'",
        start, start + 1, hint: "use the ASCII '\(straight)' instead")
    case 0x00A0, 0x2000...0x200D, 0x2028, 0x2029, 0x202F, 0x205F, 0x2060, 0xFEFF, 0x0085:
      invalid(
        SyntaxCode.unexpectedCharacter,
        "unexpected invisible character \(Lexer.codePointName(v))", start, start + 1,
        hint: "replace it with a normal space or delete it")
    default:
      // A run of other non-ASCII characters (e.g. a name written in Chinese).
      var i = start + 1
      while i < src.count {
        let w = src[i].value
        if w < 0x80 || Lexer.asciiLookalike(w) != nil || Lexer.isSpecial(w) { break }
        i += 1
      }
      let word = text(start, min(i, start + 24)) + (i > start + 24 ? "…" : "")
      invalid(
        SyntaxCode.unexpectedCharacter, "unexpected '\(word)'", start, i,
        hint: "names may only use ASCII letters, digits and '_'; to write text, put it in quotes")
    }
  }

  private static func isSpecial(_ v: UInt32) -> Bool {
    switch v {
    case 0x201C, 0x2018, 0x201D, 0x2019, 0x00A0, 0x2000...0x200D, 0x2028, 0x2029, 0x202F,
      0x205F, 0x2060, 0xFEFF, 0x0085:
      return true
    default:
      return false
    }
  }

  /// The ASCII text that a look-alike non-ASCII character probably stands for.
  static func asciiLookalike(_ v: UInt32) -> String? {
    switch v {
    case 0xFF01...0xFF5E:
      guard let scalar = Unicode.Scalar(v - 0xFEE0) else { return nil }
      return String(Character(scalar))
    case 0x3000: return " "
    case 0x3001: return ","
    case 0x3002: return "."
    case 0x3010: return "["
    case 0x3011: return "]"
    case 0x2212, 0x2013, 0x2014: return "-"
    case 0x00D7: return "*"
    case 0x00F7: return "/"
    case 0x2264: return "<="
    case 0x2265: return ">="
    case 0x2260: return "!="
    case 0x2227: return "&&"
    case 0x2228: return "||"
    case 0x00AC: return "!"
    default: return nil
    }
  }
}
