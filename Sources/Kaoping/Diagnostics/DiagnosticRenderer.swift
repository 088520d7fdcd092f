/// The ways diagnostics can be printed.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
  /// `FILE:LINE:COL: error: MESSAGE [CODE]`, the source line and a caret.
  case text
  /// A JSON array of `{file, line, column, severity, code, message}` objects.
  case json
  /// GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=CODE::MESSAGE`).
  case github
}

/// Source lines by file, so that text diagnostics can show the line they point at.
public struct SourceLines: Sendable {
  private var files: [String: [Substring]] = [:]

  public init() {}

  /// Remembers the text of `file`.
  public mutating func add(file: String, text: String) {
    files[file] = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
  }

  /// Adds the files of `other` (its text wins for a file both know).
  public mutating func merge(_ other: SourceLines) {
    files.merge(other.files) { _, theirs in theirs }
  }

  /// Line `line` (1-based) of `file` without its line break, if known.
  public func line(_ line: Int, of file: String) -> Substring? {
    guard let lines = files[file], line >= 1, line <= lines.count else { return nil }
    return lines[line - 1]
  }
}

extension Diagnostic {
  /// Renders diagnostics in `format`. Text output ends each diagnostic with a line break;
  /// JSON output is one array followed by a line break.
  public static func render(
    _ diagnostics: [Diagnostic], as format: DiagnosticFormat, sources: SourceLines = SourceLines()
  ) -> String {
    switch format {
    case .text:
      return diagnostics.map { $0.renderedText(sources: sources) }.joined()
    case .json:
      return renderJSON(diagnostics)
    case .github:
      return diagnostics.map(\.renderedGitHub).joined()
    }
  }

  /// The text form: the header line, the source line with a caret under the column, then
  /// the hint and notes.
  public func renderedText(sources: SourceLines = SourceLines()) -> String {
    var out = ""
    if line > 0 {
      out += "\(file):\(line):\(column): "
    } else {
      out += "\(file): "
    }
    out += "\(severity.rawValue): \(message) [\(code.rawValue)]\n"
    if line > 0, let source = sources.line(line, of: file) {
      out += source
      out += "\n"
      out += Self.caretLine(for: source, column: column)
      out += "\n"
    }
    if let hint {
      out += "  hint: \(hint)\n"
    }
    for note in notes {
      out += "  note: \(note)\n"
    }
    return out
  }

  /// Spaces up to the column (two for a wide character, a tab for a tab) and a caret.
  static func caretLine(for source: Substring, column: Int) -> String {
    var pad = ""
    var index = 1
    for scalar in source.unicodeScalars {
      if index >= column { break }
      if scalar == "\t" {
        pad += "\t"
      } else if !scalar.isZeroWidth {
        pad += scalar.isWide ? "  " : " "
      }
      index += 1
    }
    if column > index {
      pad += String(repeating: " ", count: column - index)
    }
    return pad + "^"
  }

  var renderedGitHub: String {
    let command: String
    switch severity {
    case .error: command = "error"
    case .warning: command = "warning"
    case .note: command = "notice"
    }
    var properties = "file=\(Self.escapeGitHubProperty(file))"
    if line > 0 {
      properties += ",line=\(line),col=\(column)"
    }
    properties += ",title=\(code.rawValue)"
    var text = message
    if let hint { text += " (hint: \(hint))" }
    return "::\(command) \(properties)::\(Self.escapeGitHubData(text))\n"
  }

  static func escapeGitHubData(_ text: String) -> String {
    var out = ""
    for character in text.unicodeScalars {
      switch character {
      case "%": out += "%25"
      case "\r": out += "%0D"
      case "\n": out += "%0A"
      default: out.unicodeScalars.append(character)
      }
    }
    return out
  }

  static func escapeGitHubProperty(_ text: String) -> String {
    var out = ""
    for character in escapeGitHubData(text).unicodeScalars {
      switch character {
      case ":": out += "%3A"
      case ",": out += "%2C"
      default: out.unicodeScalars.append(character)
      }
    }
    return out
  }

  static func renderJSON(_ diagnostics: [Diagnostic]) -> String {
    if diagnostics.isEmpty { return "[]\n" }
    var out = "[\n"
    for (index, diagnostic) in diagnostics.enumerated() {
      out += "  {\"file\": "
      out.appendJSONString(diagnostic.file)
      out += ", \"line\": \(diagnostic.line), \"column\": \(diagnostic.column), \"severity\": "
      out.appendJSONString(diagnostic.severity.rawValue)
      out += ", \"code\": "
      out.appendJSONString(diagnostic.code.rawValue)
      out += ", \"message\": "
      out.appendJSONString(diagnostic.message)
      if let hint = diagnostic.hint {
        out += ", \"hint\": "
        out.appendJSONString(hint)
      }
      out += "}"
      out += index + 1 < diagnostics.count ? ",\n" : "\n"
    }
    out += "]\n"
    return out
  }
}
