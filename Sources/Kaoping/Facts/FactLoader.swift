/// Types raw records against a rule file's schema (§3 phase 1) and builds the roster (§6).
struct FactLoader {
  let rules: RuleSet
  let environments: RuleEnvironments

  // MARK: Values

  enum Typed {
    case value(Value)
    case absent
    case invalid(String)
  }

  /// Types one value for a field type. CSV cells and quoted YAML are text parsed by the
  /// field type; JSON numbers and plain YAML scalars are read from their source text.
  static func type(_ raw: RawValue, as type: FieldType) -> Typed {
    if raw.isAbsent { return .absent }
    switch raw {
    case .nested: return .invalid("a list or mapping is not a plain value")
    case .null: return .absent
    default: break
    }
    switch type {
    case .string:
      guard let text = raw.textValue else { return .invalid("not text") }
      if case .bool = raw { return .invalid("true/false where text is expected (write it in quotes)") }
      return .value(.string(text))
    case .enumeration(let values):
      guard case .some(let text) = raw.textValue, values.contains(text) else {
        let shown = raw.textValue ?? ""
        let hint = Suggest.closest(to: shown, among: values).map { " (did you mean '\($0)'?)" } ?? ""
        return .invalid("'\(shown)' is not one of \(values.joined(separator: ", "))\(hint)")
      }
      return .value(.string(text))
    case .int:
      switch raw {
      case .text(let text), .plain(let text), .number(let text):
        guard let value = parseInt(text) else { return .invalid("'\(text)' is not a whole number") }
        return .value(.int(value))
      case .string(let text): return .invalid("\"\(text)\" is text; write the whole number without quotes")
      default: return .invalid("not a whole number")
      }
    case .decimal:
      switch raw {
      case .text(let text), .plain(let text), .number(let text):
        guard isDecimalText(text), let value = ExactDecimal(parsing: text) else {
          return .invalid("'\(text)' is not a number (or has more than 34 significant digits)")
        }
        return .value(.decimal(value))
      case .string(let text): return .invalid("\"\(text)\" is text; write the number without quotes")
      default: return .invalid("not a number")
      }
    case .bool:
      switch raw {
      case .bool(let bool): return .value(.bool(bool))
      case .text(let text), .plain(let text):
        if text == "true" { return .value(.bool(true)) }
        if text == "false" { return .value(.bool(false)) }
        return .invalid("'\(text)' is not true or false")
      default: return .invalid("not true or false")
      }
    case .date:
      guard let text = raw.textValue, let date = CELDate(parsing: text) else {
        return .invalid("'\(raw.textValue ?? "")' is not a date YYYY-MM-DD")
      }
      return .value(.date(date))
    }
  }

  static func parseInt(_ text: String) -> Int64? {
    var digits = Substring(text)
    if let first = digits.first, first == "+" || first == "-" { digits = digits.dropFirst() }
    guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
    return Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text)
  }

  /// Plain or exponent notation: `[+-]?digits[.digits]([eE][+-]?digits)?` (leading zeros allowed).
  static func isDecimalText(_ text: String) -> Bool {
    var bytes = Array(text.utf8)[...]
    if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    func digits() -> Int {
      var count = 0
      while let c = bytes.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
        bytes = bytes.dropFirst()
        count += 1
      }
      return count
    }
    guard digits() > 0 else { return false }
    if bytes.first == UInt8(ascii: ".") {
      bytes = bytes.dropFirst()
      guard digits() > 0 else { return false }
    }
    if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
      bytes = bytes.dropFirst()
      if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
      guard digits() > 0 else { return false }
    }
    return bytes.isEmpty
  }

  // MARK: Facts

  /// The columns a fact file may have: built-in fields, declared fields of any type, `x-` columns.
  func unknownColumns(_ columns: [String]) -> [String] {
    let known = Set(RuleEnvironments.builtInFactFields + rules.factTypes.flatMap { $0.fields.map(\.id) })
    return columns.filter { !known.contains($0) && !$0.hasPrefix("x-") }
  }

  /// Types every record of the fact files (phase 1 of §3) into a fact table.
  func load(files: [RawFile], roster: Roster, threads: Int = 1) throws(InputFileError) -> FactInputs {
    let schema = FactSchema(rules)
    var chunks: [FactChunk] = []
    for (fileIndex, file) in files.enumerated() {
      chunks.append(chunk(file, index: fileIndex, roster: roster, schema: schema))
    }
    let assembled = FactTableAssembler(
      schema: schema, files: files.map(\.path), subjectCount: roster.subjects.count, threads: threads
    ).prepare(chunks)
    if let problem = assembled.problem { throw InputFileError(diagnostics: [problem]) }
    return FactInputs(
      source: assembled.source, rejected: assembled.rejected, files: files.map(\.path),
      inputs: files.map {
        InputInfo(role: .facts, path: $0.path, sha256: InputDigest.sha256Hex($0.bytes),
                  records: $0.records.count + $0.malformed.count)
      },
      recordCount: assembled.recordCount, warnings: [], rules: rules, roster: roster, environments: environments)
  }

  /// Phase 1 for the records of one raw file.
  func chunk(_ file: RawFile, index fileIndex: Int, roster: Roster, schema: FactSchema) -> FactChunk {
    var chunk = FactChunk(file: Int32(fileIndex), blocks: SubjectBlocks(subjects: roster.subjects.count))
    for bad in file.malformed {
      chunk.recordCount += 1
      chunk.reject(id: nil, row: bad.row, .malformedInput, bad.message)
    }
    var slots: [UInt64] = []
    for record in file.records {
      chunk.recordCount += 1
      let explicitID = record.value("id").flatMap { $0.isAbsent ? nil : $0.textValue }
      if var id = explicitID { id.withUTF8 { chunk.noteID(UnsafeRawBufferPointer($0)) } }
      func reject(_ code: DiagnosticCode, _ reason: String) {
        if var id = explicitID {
          id.withUTF8 { chunk.reject(id: UnsafeRawBufferPointer($0), row: record.row, code, reason) }
        } else {
          chunk.reject(id: nil, row: record.row, code, reason)
        }
      }
      guard let typeName = record.value("type").flatMap({ $0.isAbsent ? nil : $0.textValue }) else {
        reject(.unknownFactType, "the record has no type")
        continue
      }
      guard let type = schema.typeIndex[typeName] else {
        reject(.unknownFactType, schema.unknownTypeReason(typeName))
        continue
      }
      guard let subjectID = record.value("subject").flatMap({ $0.isAbsent ? nil : $0.textValue }) else {
        reject(.unknownSubject, "the record has no subject")
        continue
      }
      guard let subject = roster.index[subjectID] else {
        reject(.unknownSubject, "the subject '\(subjectID)' is not in the roster")
        continue
      }
      let factType = rules.factTypes[type]
      slots.removeAll(keepingCapacity: true)
      var intMin: [Int] = []
      var failure: String? = nil
      for (position, field) in factType.fields.enumerated() {
        let raw = record.value(field.id) ?? .null
        switch Self.type(raw, as: field.type) {
        case .value(let value):
          if case .int(.min) = value { intMin.append(position) }
          slots.append(chunk.slot(value, text: raw.textValue))
        case .absent:
          if field.optional { slots.append(field.type == .int ? FactSlot.intNull : FactSlot.null) } else {
            failure = "the required field \(field.id) is missing"
          }
        case .invalid(let why): failure = "field \(field.id): \(why)"
        }
        if failure != nil { break }
      }
      if let failure {
        reject(.invalidFieldValue, failure)
        continue
      }
      if let extra = record.values.first(where: { entry in
        !entry.value.isAbsent && !entry.column.hasPrefix("x-") && factType.field(entry.column) == nil
          && !RuleEnvironments.builtInFactFields.contains(entry.column)
      }) {
        let reason = schema.declaredAnywhere.contains(extra.column)
          ? "the field \(extra.column) has a value, but fact type \(factType.id) does not declare it"
          : "unknown field \(extra.column)"
        reject(.undeclaredField, reason)
        continue
      }
      var date: CELDate? = nil
      if let raw = record.value("date"), !raw.isAbsent {
        guard let text = raw.textValue, let parsed = CELDate(parsing: text) else {
          reject(.invalidFactDate, "the date '\(raw.textValue ?? "")' is not a date YYYY-MM-DD")
          continue
        }
        date = parsed
      }
      if let problem = schema.dateProblem(date) {
        reject(.invalidFactDate, problem)
        continue
      }
      let source = record.value("source").flatMap { $0.isAbsent ? nil : $0.textValue }
      let note = record.value("note").flatMap { $0.isAbsent ? nil : $0.textValue }
      let sourceID = source.map { chunk.internText($0) } ?? -1
      let noteID = note.map { chunk.internText($0) } ?? -1
      let (bucket, index) = slots.withUnsafeBufferPointer { values in
        if var id = explicitID {
          return id.withUTF8 { bytes in
            chunk.addFact(
              id: UnsafeRawBufferPointer(bytes), subject: subject, type: type, date: date?.daysSinceEpoch ?? FactRow.noDate,
              source: sourceID, note: noteID, row: record.row, values: values)
          }
        }
        return chunk.addFact(
          id: nil, subject: subject, type: type, date: date?.daysSinceEpoch ?? FactRow.noDate, source: sourceID,
          note: noteID, row: record.row, values: values)
      }
      for position in intMin { chunk.intMinSlots.append((bucket, index, Int32(position))) }
      if !roster.subjects[subject].id.utf8.elementsEqual(subjectID.utf8) {
        chunk.subjectText.append((bucket, index, chunk.internText(subjectID)))
      }
    }
    return chunk
  }

  // MARK: Roster

  /// Builds the roster from a file, or from the rule file's inline subjects.
  func roster(file: RawFile?) throws(InputFileError) -> (Roster, [InputWarning]) {
    var rows: [(row: Int, values: RawRecord)] = []
    var path = Self.inlineRosterFile
    var undeclared: [String] = []
    if let file {
      path = file.path
      rows = file.records.map { ($0.row, $0) }
      let allowed = Set(["id", "name", "group"] + rules.attributes.map(\.id))
      undeclared = file.columns.filter { !allowed.contains($0) && !$0.hasPrefix("x-") }
    } else if let subjects = rules.subjects {
      for (index, subject) in subjects.enumerated() {
        var values: [(column: String, value: RawValue)] = [("id", .text(subject.id))]
        if let name = subject.name { values.append(("name", .text(name))) }
        if let group = subject.group { values.append(("group", .text(group))) }
        for (key, value) in subject.attributes.sorted(by: { $0.key < $1.key }) { values.append((key, .plain(value))) }
        rows.append((subject.location.line, RawRecord(row: index + 1, values: values)))
      }
    } else {
      throw InputFileError(diagnostics: [Diagnostic(
        code: .missingRoster, message: "no roster: the rule file has no subjects and no --subjects file was given",
        file: rules.id, hint: "pass --subjects FILE (CSV, JSON Lines or YAML with columns id, name, group)")])
    }
    var diagnostics: [Diagnostic] = []
    var subjects: [RosterSubject] = []
    var index: [String: Int] = [:]
    subjects.reserveCapacity(rows.count)
    index.reserveCapacity(rows.count)
    let groupIndex = Dictionary(rules.groups.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    for (row, record) in rows {
      func fail(_ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(code: .rosterError, message: message, file: path, line: row, column: 1, hint: hint))
      }
      guard let id = record.value("id").flatMap({ $0.isAbsent ? nil : $0.textValue }) else {
        fail("row \(row) has no subject id")
        continue
      }
      if index[id] != nil {
        fail("the subject id '\(id)' appears twice")
        continue
      }
      var group = "all"
      var groupPosition = 0
      let groupText = record.value("group").flatMap { $0.isAbsent ? nil : $0.textValue }
      if rules.declaresGroups {
        guard let groupText else {
          fail("subject \(id) has no group", hint: "groups: \(rules.groups.map(\.id).joined(separator: ", "))")
          continue
        }
        guard let position = groupIndex[groupText] else {
          let hint = Suggest.closest(to: groupText, among: rules.groups.map(\.id)).map { "did you mean '\($0)'?" }
          fail("subject \(id) is in the unknown group '\(groupText)'", hint: hint)
          continue
        }
        group = groupText
        groupPosition = position
      } else if let groupText {
        fail("subject \(id) has the group '\(groupText)', but the rule file declares no groups")
        continue
      }
      let name = record.value("name").flatMap { $0.isAbsent ? nil : $0.textValue } ?? id
      var fields: [Value] = [.string(id), .string(name), .string(group)]
      var ok = true
      for attribute in rules.attributes {
        switch Self.type(record.value(attribute.id) ?? .null, as: attribute.type) {
        case .value(let value): fields.append(value)
        case .absent:
          if attribute.optional { fields.append(.null) } else {
            fail("subject \(id) has no value for the attribute \(attribute.id)")
            ok = false
          }
        case .invalid(let why):
          fail("subject \(id), attribute \(attribute.id): \(why)")
          ok = false
        }
        if !ok { break }
      }
      guard ok else { continue }
      index[id] = subjects.count
      subjects.append(RosterSubject(
        id: id, name: name, group: group, groupIndex: groupPosition,
        record: RecordValue(type: environments.subjectObject, fields: fields)))
    }
    if !diagnostics.isEmpty { throw InputFileError(diagnostics: diagnostics) }
    var warnings: [InputWarning] = []
    if !undeclared.isEmpty {
      warnings.append(InputWarning(
        code: .undeclaredRosterColumn,
        message: "roster columns that are not declared attributes and are not visible: \(undeclared.joined(separator: ", "))",
        facts: undeclared.count))
    }
    let input = file.map { InputInfo(role: .subjects, path: $0.path, sha256: InputDigest.sha256Hex($0.bytes), records: $0.records.count) }
    return (Roster(subjects: subjects, index: index, input: input), warnings)
  }
}
