internal import CLibYAML

/// Loads YAML text into ``YAMLNode`` trees through libyaml's event parser.
///
/// The loader resolves anchors, aliases and `<<` merge keys, rejects duplicate keys,
/// tags other than the core ones and a second document, bounds nesting depth and alias
/// expansion, and turns every problem into a ``Diagnostic`` with its position. It never
/// traps on any input.
struct YAMLLoader: Sendable {
  /// Deepest nesting of sequences and mappings accepted.
  var maxDepth = 200
  /// Most nodes that alias references may stand for, in total, in one file.
  var maxAliasExpansion = 100_000

  /// Loads `bytes` as the single YAML document of `file`. The document is returned
  /// whenever the bytes are UTF-8 (so diagnostics can show source lines); its `root` is
  /// nil when the file is empty or has errors. Diagnostics are in file order.
  func load(bytes: [UInt8], file: String) -> (document: YAMLDocument?, diagnostics: [Diagnostic]) {
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    let invalid = body.withUnsafeBytes { UTF8Input.firstInvalidOffset($0) }
    if let bad = invalid {
      let (line, column) = Self.position(ofByte: bad, in: body)
      let byte = body[body.startIndex + bad]
      var hint = "save the file as UTF-8"
      if body.withUnsafeBytes({ UTF8Input.looksLikeGBK($0, at: bad) }) {
        hint = "the file looks like GBK/GB18030: save it as UTF-8 (in Excel: \"CSV UTF-8\")"
      }
      return (nil, [Diagnostic(
        code: .invalidUTF8,
        message: "the file is not valid UTF-8 (byte 0x\(Self.hex(byte)) at byte offset \(bad))",
        file: file, line: line, column: column, hint: hint)])
    }
    let text = String(decoding: body, as: UTF8.self)
    var builder = Builder(file: file, text: text, maxDepth: maxDepth, maxAliasExpansion: maxAliasExpansion)
    let contiguous = Array(body)
    contiguous.withUnsafeBufferPointer { buffer in
      builder.run(buffer)
    }
    let diagnostics = Diagnostic.sorted(builder.diagnostics)
    let root = diagnostics.hasErrors ? nil : builder.root
    return (YAMLDocument(file: file, root: root, text: text), diagnostics)
  }

  /// Loads the text of a string (tests and inline inputs).
  func load(_ text: String, file: String = "<input>") -> (document: YAMLDocument?, diagnostics: [Diagnostic]) {
    load(bytes: Array(text.utf8), file: file)
  }

  // MARK: Positions

  /// 1-based line and column (in scalars, counting each invalid byte as one) of a byte.
  static func position(ofByte offset: Int, in bytes: ArraySlice<UInt8>) -> (line: Int, column: Int) {
    var line = 1
    var column = 1
    var index = bytes.startIndex
    let target = bytes.startIndex + min(offset, bytes.count)
    while index < target {
      let byte = bytes[index]
      if byte == 0x0A {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
      index += 1
    }
    return (line, column)
  }

  static func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
  }
}

// MARK: - Building nodes from events

extension YAMLLoader {
  private struct Anchored {
    var node: YAMLNode
  }

  /// A collection being built.
  private struct Frame {
    enum Kind {
      case sequence([YAMLNode])
      /// Entries so far; `merges` are positions in `entries` where `<<` stood, with the
      /// mappings to merge there.
      case mapping(entries: [YAMLEntry], pendingKey: YAMLNode?, merges: [(at: Int, sources: [YAMLNode])])
    }

    var kind: Kind
    var start: SourceMark
    var anchor: String?
    var tag: YAMLCoreTag?
    var weight = 1
  }

  fileprivate struct Builder {
    let file: String
    let text: String
    let maxDepth: Int
    let maxAliasExpansion: Int
    var diagnostics: [Diagnostic] = []
    var root: YAMLNode?
    private var stack: [Frame] = []
    private var anchors: [String: YAMLNode] = [:]
    private var aliasExpansion = 0
    private var documents = 0
    private var lines: [Substring]

    init(file: String, text: String, maxDepth: Int, maxAliasExpansion: Int) {
      self.file = file
      self.text = text
      self.maxDepth = maxDepth
      self.maxAliasExpansion = maxAliasExpansion
      self.lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) {
      var parser = yaml_parser_t()
      guard yaml_parser_initialize(&parser) != 0 else {
        error(.yamlSyntax, "the YAML parser could not start (out of memory)", at: nil)
        return
      }
      defer { yaml_parser_delete(&parser) }
      // An empty input has no document (and no buffer for libyaml to read).
      guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
      yaml_parser_set_input_string(&parser, base, buffer.count)
      var event = yaml_event_t()
      while true {
        guard yaml_parser_parse(&parser, &event) != 0 else {
          reportParserError(parser)
          return
        }
        let keepGoing = handle(event)
        let done = event.type == YAML_STREAM_END_EVENT
        yaml_event_delete(&event)
        if !keepGoing || done { break }
      }
    }

    private func mark(_ mark: yaml_mark_t) -> SourceMark {
      SourceMark(line: Int(clamping: mark.line) + 1, column: Int(clamping: mark.column) + 1, offset: Int(clamping: mark.index))
    }

    /// Handles one event; returns false to stop parsing.
    private mutating func handle(_ event: yaml_event_t) -> Bool {
      let start = mark(event.start_mark)
      let end = mark(event.end_mark)
      switch event.type {
      case YAML_DOCUMENT_START_EVENT:
        documents += 1
        if documents > 1 {
          error(.secondDocument, "a second YAML document starts here; the file must hold exactly one", at: start,
                hint: "remove the `---` line and what follows, or put it in its own file")
          return false
        }
      case YAML_SCALAR_EVENT:
        let scalar = event.data.scalar
        let value = Self.string(scalar.value, Int(clamping: scalar.length))
        let style: YAMLScalar.Style
        switch scalar.style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: style = .literal
        case YAML_FOLDED_SCALAR_STYLE: style = .folded
        default: style = .plain
        }
        guard let tag = checkTag(scalar.tag, at: start, value: value) else { return false }
        let node = YAMLNode(kind: .scalar(YAMLScalar(text: value, style: style)), start: start, end: end, tag: tag.tag, weight: 1)
        return add(node, anchor: Self.optionalString(scalar.anchor))
      case YAML_ALIAS_EVENT:
        let name = Self.optionalString(event.data.alias.anchor) ?? ""
        guard let target = anchors[name] else {
          error(.undefinedAlias, "the alias '*\(name)' names no anchor defined before it", at: start,
                hint: "define '&\(name)' earlier, or quote the value if '*' was meant literally")
          return false
        }
        aliasExpansion += target.weight
        if aliasExpansion > maxAliasExpansion {
          error(.aliasExpansion,
                "aliases expand to more than \(maxAliasExpansion) nodes; the file is too large or nests aliases too deeply",
                at: start, hint: "write the repeated parts out, or use fewer levels of aliases")
          return false
        }
        var node = target
        node.weight = target.weight
        return add(node, anchor: nil, aliasStart: start)
      case YAML_SEQUENCE_START_EVENT:
        let data = event.data.sequence_start
        guard let tag = checkTag(data.tag, at: start, value: nil) else { return false }
        return push(Frame(kind: .sequence([]), start: start, anchor: Self.optionalString(data.anchor), tag: tag.tag))
      case YAML_MAPPING_START_EVENT:
        let data = event.data.mapping_start
        guard let tag = checkTag(data.tag, at: start, value: nil) else { return false }
        return push(Frame(kind: .mapping(entries: [], pendingKey: nil, merges: []), start: start,
                          anchor: Self.optionalString(data.anchor), tag: tag.tag))
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        guard let frame = stack.popLast() else { return false }
        let node: YAMLNode
        switch frame.kind {
        case .sequence(let items):
          node = YAMLNode(kind: .sequence(items), start: frame.start, end: end, tag: frame.tag, weight: frame.weight)
        case .mapping(let entries, _, let merges):
          node = YAMLNode(kind: .mapping(applyMerges(entries, merges)), start: frame.start, end: end, tag: frame.tag, weight: frame.weight)
        }
        return add(node, anchor: frame.anchor)
      default:
        break
      }
      return true
    }

    private mutating func push(_ frame: Frame) -> Bool {
      if stack.count >= maxDepth {
        error(.tooDeep, "the YAML nests more than \(maxDepth) levels deep", at: frame.start,
              hint: "a rule file needs far fewer levels; check for runaway brackets")
        return false
      }
      stack.append(frame)
      return true
    }

    /// Adds a finished node to the collection being built (or makes it the root).
    private mutating func add(_ node: YAMLNode, anchor: String?, aliasStart: SourceMark? = nil) -> Bool {
      if let anchor { anchors[anchor] = node }
      guard var frame = stack.popLast() else {
        root = node
        return true
      }
      let (sum, overflow) = frame.weight.addingReportingOverflow(node.weight)
      frame.weight = overflow ? Int.max : sum
      switch frame.kind {
      case .sequence(var items):
        frame.kind = .sequence([])
        items.append(node)
        frame.kind = .sequence(items)
      case .mapping(var entries, let pendingKey, var merges):
        frame.kind = .sequence([])
        if let key = pendingKey {
          if key.scalar == YAMLScalar(text: "<<", style: .plain), key.tag == nil {
            guard let sources = mergeSources(node, at: aliasStart ?? node.start) else { return false }
            merges.append((at: entries.count, sources: sources))
          } else {
            if let keyText = key.scalar?.text,
              let first = entries.first(where: { $0.key.scalar?.text == keyText })
            {
              error(.duplicateKey,
                    "duplicate key '\(keyText)'; it is already set at line \(first.key.start.line), column \(first.key.start.column)",
                    at: key.start, hint: "keep one of the two")
            } else {
              entries.append(YAMLEntry(key: key, value: node))
            }
          }
          frame.kind = .mapping(entries: entries, pendingKey: nil, merges: merges)
        } else {
          if node.scalar == nil {
            error(.complexKey, "a mapping key must be a plain name, not a list or a mapping", at: aliasStart ?? node.start)
            return false
          }
          frame.kind = .mapping(entries: entries, pendingKey: node, merges: merges)
        }
      }
      stack.append(frame)
      return true
    }

    /// The mappings a `<<` value stands for: one mapping, or a list of mappings.
    private mutating func mergeSources(_ node: YAMLNode, at position: SourceMark) -> [YAMLNode]? {
      switch node.kind {
      case .mapping:
        return [node]
      case .sequence(let items) where items.allSatisfy({ $0.mapping != nil }):
        return items
      default:
        error(.invalidMerge, "the value of a `<<` merge key must be a mapping or a list of mappings (usually an alias such as *base)",
              at: position)
        return nil
      }
    }

    /// Entries written in the mapping win over merged ones; among merged sources the
    /// first listed wins. Merged entries stand where the `<<` key stood.
    private func applyMerges(_ entries: [YAMLEntry], _ merges: [(at: Int, sources: [YAMLNode])]) -> [YAMLEntry] {
      if merges.isEmpty { return entries }
      var present = Set(entries.compactMap { $0.key.scalar?.text })
      var mergedAt: [Int: [YAMLEntry]] = [:]
      for merge in merges {
        for source in merge.sources {
          for entry in source.mapping ?? [] {
            guard let key = entry.key.scalar?.text, !present.contains(key) else { continue }
            present.insert(key)
            var copy = entry
            copy.merged = true
            mergedAt[merge.at, default: []].append(copy)
          }
        }
      }
      var result: [YAMLEntry] = []
      for index in 0...entries.count {
        if let merged = mergedAt[index] { result += merged }
        if index < entries.count { result.append(entries[index]) }
      }
      return result
    }

    private struct TagCheck { var tag: YAMLCoreTag? }

    private mutating func checkTag(_ pointer: UnsafeMutablePointer<yaml_char_t>?, at position: SourceMark, value: String?) -> TagCheck? {
      guard let tag = Self.optionalString(pointer) else { return TagCheck(tag: nil) }
      if let core = YAMLCoreTag(rawValue: tag), value != nil { return TagCheck(tag: core) }
      let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
      var hint = "only the core tags !!str, !!int, !!float, !!bool and !!null may be written, on scalars"
      if shown.hasPrefix("!"), !shown.hasPrefix("!!") {
        hint = "a value starting with '!' is read as a YAML tag; quote it, e.g. when: \"!fact.late\""
      }
      error(.unsupportedTag, "the tag '\(shown)' is not allowed here", at: position, hint: hint)
      return nil
    }

    private mutating func reportParserError(_ parser: yaml_parser_t) {
      let problem = Self.optionalCString(parser.problem) ?? "malformed YAML"
      var position: SourceMark
      if parser.error == YAML_READER_ERROR {
        position = positionOfByte(Int(clamping: parser.problem_offset))
      } else {
        position = mark(parser.problem_mark)
      }
      var message = problem
      if let context = Self.optionalCString(parser.context) {
        let contextMark = mark(parser.context_mark)
        message = "\(problem) (\(context) at line \(contextMark.line), column \(contextMark.column))"
      }
      if parser.error == YAML_MEMORY_ERROR { message = "out of memory while reading YAML" }
      if let slip = fullWidthSlip(near: position) {
        // libyaml stumbles after the slip (often on the next line): point at the slip itself.
        error(.yamlSyntax, message, at: slip.position, hint: slip.hint)
        return
      }
      error(.yamlSyntax, message, at: position, hint: hint(for: problem, at: position))
    }

    /// A full-width punctuation mark (typed with a Chinese input method) on the line of a
    /// syntax error or the line before: where it is, and what to write instead.
    private func fullWidthSlip(near position: SourceMark) -> (position: SourceMark, hint: String)? {
      let fullWidth: [(Unicode.Scalar, String)] = [
        ("：", ":"), ("（", "("), ("）", ")"), ("，", ","), ("“", "\""), ("”", "\""), ("＝", "="), ("！", "!"),
      ]
      for (wide, ascii) in fullWidth {
        for line in [position.line, position.line - 1] where line >= 1 && line <= lines.count {
          guard let index = lines[line - 1].unicodeScalars.firstIndex(of: wide) else { continue }
          let column = lines[line - 1].unicodeScalars.distance(from: lines[line - 1].unicodeScalars.startIndex, to: index) + 1
          let mark = SourceMark(line: line, column: column, offset: position.offset)
          return (mark, "line \(line) holds a full-width '\(wide)'; use the ASCII '\(ascii)'")
        }
      }
      return nil
    }

    /// A hint for the slips policy staff make most often.
    private func hint(for problem: String, at position: SourceMark) -> String? {
      let line = position.line >= 1 && position.line <= lines.count ? lines[position.line - 1] : ""
      let scalars = Array(line.unicodeScalars)
      let at = position.column - 1
      let char: Unicode.Scalar? = at >= 0 && at < scalars.count ? scalars[at] : nil
      if line.unicodeScalars.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") || char == "\t" {
        return "YAML is indented with spaces; replace the tabs with spaces"
      }
      if problem.contains("mapping values are not allowed") {
        return "a value that contains ': ' must be quoted, e.g. when: \"fact.note == 'a: b'\", or written as a block (>-)"
      }
      if problem.contains("cannot start any token"), let char, "@`%".unicodeScalars.contains(char) {
        return "a value starting with '\(char)' must be quoted"
      }
      if problem.contains("did not find expected") || problem.contains("could not find expected") {
        return "check the indentation and that every key is followed by ': '; quote values that start with [ { * & ! | > ' \" % @ `"
      }
      if problem.contains("found unexpected end of stream") {
        return "a quoted value or a bracket is not closed"
      }
      return nil
    }

    private func positionOfByte(_ offset: Int) -> SourceMark {
      let bytes = Array(text.utf8)[...]
      let (line, column) = YAMLLoader.position(ofByte: offset, in: bytes)
      var scalars = 0
      var index = 0
      let limit = min(offset, bytes.count)
      while index < limit {
        if bytes[index] & 0xC0 != 0x80 { scalars += 1 }
        index += 1
      }
      return SourceMark(line: line, column: column, offset: scalars)
    }

    private mutating func error(_ code: DiagnosticCode, _ message: String, at position: SourceMark?, hint: String? = nil) {
      diagnostics.append(Diagnostic(
        code: code, message: message, file: file,
        line: position?.line ?? 0, column: position?.column ?? 0, hint: hint))
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, _ length: Int) -> String {
      guard let pointer, length > 0 else { return "" }
      return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private static func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
      guard let pointer else { return nil }
      var length = 0
      while pointer[length] != 0 { length += 1 }
      return string(pointer, length)
    }

    private static func optionalCString(_ pointer: UnsafePointer<CChar>?) -> String? {
      guard let pointer else { return nil }
      return String(cString: pointer)
    }
  }
}
