/// A value as an input file wrote it, before typing against the schema.
enum RawValue: Sendable, Equatable {
  /// A CSV cell: text parsed by the field type.
  case text(String)
  /// A JSON string or a quoted YAML scalar: text, never a number or a boolean.
  case string(String)
  /// A plain YAML scalar (may be a number, a bool or text, depending on the field).
  case plain(String)
  /// A JSON number, with its source text.
  case number(String)
  case bool(Bool)
  case null
  /// A list or mapping where a plain value is expected.
  case nested

  /// Whether the value counts as absent (§3: an empty cell or `""`, or null).
  var isAbsent: Bool {
    switch self {
    case .text(let text), .string(let text): text.isEmpty
    case .plain(let text): text.isEmpty || text == "null" || text == "~"
    case .null: true
    default: false
    }
  }

  /// The value read as text (for `id`, `subject`, strings, enums, dates).
  var textValue: String? {
    switch self {
    case .text(let text), .string(let text), .plain(let text), .number(let text): text
    case .bool(let bool): bool ? "true" : "false"
    case .null, .nested: nil
    }
  }
}

/// One record of an input file: its row and its values by column name.
struct RawRecord: Sendable {
  var row: Int
  var values: [(column: String, value: RawValue)]

  func value(_ column: String) -> RawValue? {
    values.first { $0.column == column }?.value
  }
}

/// An input file read into raw records.
struct RawFile: Sendable {
  var path: String
  var bytes: [UInt8]
  /// Column names (CSV header; for JSON Lines and YAML the union of keys in order of first use).
  var columns: [String]
  /// Whether the file has a header that names its columns (CSV).
  var hasHeader: Bool
  var records: [RawRecord]
  /// Records that could not be parsed (a CSV row with the wrong number of cells, a JSON
  /// Lines line that is not an object): each is rejected, by row.
  var malformed: [(row: Int, message: String)] = []
}

/// Why an input file cannot be read.
struct InputFileError: Error, Sendable {
  var diagnostics: [Diagnostic]
}

enum InputFormat: String, Sendable, CaseIterable {
  case csv
  case jsonl
  case yaml

  /// The format of a path by its extension (§3).
  static func of(path: String) -> InputFormat? {
    let lower = path.lowercased()
    if lower.hasSuffix(".csv") { return .csv }
    if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
    if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yaml }
    return nil
  }
}

enum RawFileReader {
  /// Reads a YAML input: a list of mappings.
  static func yaml(bytes: [UInt8], path: String) throws(InputFileError) -> RawFile {
    let (document, diagnostics) = YAMLLoader().load(bytes: bytes, file: path)
    if diagnostics.hasErrors { throw InputFileError(diagnostics: diagnostics) }
    guard let root = document?.root else {
      return RawFile(path: path, bytes: bytes, columns: [], hasHeader: false, records: [])
    }
    guard let items = root.sequence else {
      throw InputFileError(diagnostics: [Diagnostic(
        code: .malformedInput, message: "a YAML input file must be a list of records (- { id: …, subject: … })",
        file: path, line: root.start.line, column: root.start.column)])
    }
    var columns: [String] = []
    var seen: Set<String> = []
    var records: [RawRecord] = []
    for (index, item) in items.enumerated() {
      guard let entries = item.mapping else {
        throw InputFileError(diagnostics: [Diagnostic(
          code: .malformedInput, message: "item \(index + 1) is not a mapping of field names to values",
          file: path, line: item.start.line, column: item.start.column)])
      }
      var values: [(column: String, value: RawValue)] = []
      for entry in entries {
        guard let key = entry.key.scalar?.text else { continue }
        if seen.insert(key).inserted { columns.append(key) }
        let value: RawValue
        switch entry.value.kind {
        case .scalar(let scalar):
          if entry.value.tag == .str || !scalar.isPlain { value = .string(scalar.text) } else { value = .plain(scalar.text) }
        case .sequence, .mapping:
          value = .nested
        }
        values.append((key, value))
      }
      records.append(RawRecord(row: index + 1, values: values))
    }
    return RawFile(path: path, bytes: bytes, columns: columns, hasHeader: false, records: records)
  }
}

extension RawFileReader {
  private static func diagnostic(_ error: ScanError, path: String) -> Diagnostic {
    Diagnostic(code: .malformedInput, message: error.message, file: path, line: error.row, column: error.column, hint: error.hint)
  }

  /// Reads a CSV input (header row, `,` separator, `"` quoting).
  static func csv(bytes: [UInt8], path: String) throws(InputFileError) -> RawFile {
    let result: Result<RawFile, InputFileError> = bytes.withUnsafeBytes { raw in
      var scanner = CSVScanner(raw)
      let header: [String]
      do throws(ScanError) {
        header = try scanner.readHeader()
      } catch {
        if raw.count <= UTF8Input.bomLength(raw) { return .success(RawFile(path: path, bytes: bytes, columns: [], hasHeader: true, records: [])) }
        return .failure(InputFileError(diagnostics: [diagnostic(error, path: path)]))
      }
      var records: [RawRecord] = []
      var malformed: [(row: Int, message: String)] = []
      while true {
        do throws(ScanError) {
          guard let record = try scanner.next() else { break }
          var values: [(column: String, value: RawValue)] = []
          values.reserveCapacity(header.count)
          for (index, cell) in record.cells.enumerated() where index < header.count {
            values.append((header[index], .text(cell.string(in: raw))))
          }
          records.append(RawRecord(row: record.row, values: values))
        } catch {
          if error.isRecoverable {
            malformed.append((error.row, error.message))
            continue
          }
          return .failure(InputFileError(diagnostics: [diagnostic(error, path: path)]))
        }
      }
      return .success(RawFile(path: path, bytes: bytes, columns: header, hasHeader: true, records: records, malformed: malformed))
    }
    return try result.get()
  }

  /// Reads a JSON Lines input (one flat JSON object per line).
  static func jsonLines(bytes: [UInt8], path: String) throws(InputFileError) -> RawFile {
    let result: Result<RawFile, InputFileError> = bytes.withUnsafeBytes { raw in
      var scanner = JSONLinesScanner(raw)
      var records: [RawRecord] = []
      var malformed: [(row: Int, message: String)] = []
      var columns: [String] = []
      var seen: Set<String> = []
      while true {
        do throws(ScanError) {
          guard let record = try scanner.next() else { break }
          var values: [(column: String, value: RawValue)] = []
          for field in record.fields {
            let key = field.key(in: raw)
            if seen.insert(key).inserted { columns.append(key) }
            let value: RawValue
            switch field.kind {
            case .string: value = .string(field.valueText(in: raw))
            case .number: value = .number(field.valueText(in: raw))
            case .bool(let bool): value = .bool(bool)
            case .null: value = .null
            }
            values.append((key, value))
          }
          records.append(RawRecord(row: record.line, values: values))
        } catch {
          if error.isRecoverable {
            malformed.append((error.row, error.message))
            continue
          }
          return .failure(InputFileError(diagnostics: [diagnostic(error, path: path)]))
        }
      }
      return .success(RawFile(path: path, bytes: bytes, columns: columns, hasHeader: false, records: records, malformed: malformed))
    }
    return try result.get()
  }
}
