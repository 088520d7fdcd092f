// The result JSON `kaoping-result/1` (spec §13.1), written byte for byte without an encoder.
//
// Layout: 2-space indentation and one member per line, except that each `inputs`,
// `items`, `rejected` and `warnings` element and each `indicators` map sits on one line
// (`{ "key": value, … }`, spaces inside the braces). Empty arrays and maps are `[]` and
// `{}`. `rejected` and `warnings` with exactly one element are written `[ { … } ]` on the
// key's line, as the spec's example shows; with more, one element per line like `items`.
// `outcomes` and `periods` elements are not among the one-line exceptions, so their
// members are one per line.

enum JSONReporter: ResultReporter {
  static var format: ReportFormat { .json }

  static func estimatedSize(of result: EvaluationResult, scopes: [ScopeResult]) -> Int {
    var size = 1024 &+ result.rejected.count &* 160 &+ result.warnings.count &* 120
    for scope in scopes {
      guard let sample = scope.subjects.first else { continue }
      let perSubject =
        400 &+ sample.items.count &* 80 &+ sample.indicators.count &* 24 &+ sample.outcomes.count &* 120
        &+ (sample.periods?.count ?? 0) &* 120
      size &+= perSubject &* scope.subjects.count
    }
    return size
  }

  static func write(
    _ result: EvaluationResult, scopes: [ScopeResult], options: ReportOptions, into out: ReportBuffer
  ) {
    let decimals = result.decimals
    out.append("{\n  \"format\": \"kaoping-result/1\",\n  \"rules\": {\n    \"id\": ")
    out.append(jsonString: result.rules.id)
    if let title = result.rules.title {
      out.append(",\n    \"title\": ")
      out.append(jsonString: title)
    }
    out.append(",\n    \"sha256\": ")
    out.append(jsonString: result.rules.sha256)
    out.append("\n  },\n  \"inputs\": ")
    writeLines(result.inputs, indent: "  ", into: out) { element, out in
      let input = element.pointee
      out.append("{ \"role\": ")
      out.append(jsonString: input.role.rawValue)
      out.append(", \"path\": ")
      out.append(jsonString: input.path)
      out.append(", \"sha256\": ")
      out.append(jsonString: input.sha256)
      out.append(", \"records\": ")
      out.append(int: input.records)
      out.append(" }")
    }
    out.append(",\n  \"scopes\": ")
    if scopes.isEmpty {
      out.append("[]")
    } else {
      out.append("[\n")
      for (index, scope) in scopes.enumerated() {
        if index > 0 { out.append(",\n") }
        out.append("    {\n      \"scope\": ")
        out.append(jsonString: scope.scope)
        out.append(",\n      \"subjects\": ")
        if scope.subjects.isEmpty {
          out.append("[]")
        } else {
          out.append("[\n")
          // Through a buffer pointer, so that a subject is read in place, not copied.
          scope.subjects.withUnsafeBufferPointer { subjects in
            guard let first = subjects.baseAddress else { return }
            for index in subjects.indices {
              if index > 0 { out.append(",\n") }
              writeSubject(first + index, decimals: decimals, into: out)
            }
          }
          out.append("\n      ]")
        }
        out.append("\n    }")
      }
      out.append("\n  ]")
    }
    let accounting = result.accounting
    out.append(",\n  \"accounting\": {\n    \"facts\": ")
    out.append(int: accounting.facts)
    out.append(",\n    \"applied\": ")
    out.append(int: accounting.applied)
    out.append(",\n    \"unmatched\": ")
    out.append(int: accounting.unmatched)
    out.append(",\n    \"rejected\": ")
    out.append(int: accounting.rejected)
    out.append("\n  },\n  \"rejected\": ")
    writeLines(result.rejected, indent: "  ", inlineSingle: true, into: out) { element, out in
      let fact = element.pointee
      out.append("{ \"fact\": ")
      out.append(jsonString: fact.fact)
      out.append(", \"file\": ")
      out.append(jsonString: fact.file)
      out.append(", \"row\": ")
      out.append(int: fact.row)
      out.append(", \"code\": ")
      out.append(jsonString: fact.code.rawValue)
      out.append(", \"reason\": ")
      out.append(jsonString: fact.reason)
      out.append(" }")
    }
    out.append(",\n  \"warnings\": ")
    writeLines(result.warnings, indent: "  ", inlineSingle: true, into: out) { element, out in
      let warning = element.pointee
      out.append("{ \"code\": ")
      out.append(jsonString: warning.code.rawValue)
      out.append(", \"message\": ")
      out.append(jsonString: warning.message)
      out.append(", \"facts\": ")
      out.append(int: warning.facts)
      out.append(" }")
    }
    out.append("\n}\n")
  }

  /// One subject object, at the indentation of `scopes[].subjects[]`, without a final line
  /// break. (Subjects and items are read through pointers: reading them from the array
  /// would copy each one, retaining every string in it.)
  private static func writeSubject(_ row: UnsafePointer<SubjectResult>, decimals: Int, into out: ReportBuffer) {
    let subject = row.pointee
    out.append("        {\n          \"id\": ")
    out.append(jsonString: subject.id)
    out.append(",\n          \"name\": ")
    out.append(jsonString: subject.name)
    out.append(",\n          \"group\": ")
    out.append(jsonString: subject.group)
    out.append(",\n          \"total\": \"")
    out.append(amount: subject.total, fractionDigits: decimals)
    out.append("\",\n          \"rank\": ")
    out.append(int: subject.rank)
    out.append(",\n          \"group_size\": ")
    out.append(int: subject.groupSize)
    out.append(",\n          \"grade\": ")
    if let grade = subject.grade {
      out.append(jsonString: grade)
    } else {
      out.append("null")
    }
    out.append(",\n          \"outcomes\": ")
    if subject.outcomes.isEmpty {
      out.append("[]")
    } else {
      out.append("[\n")
      for (index, flag) in subject.outcomes.enumerated() {
        if index > 0 { out.append(",\n") }
        out.append("            {\n              \"id\": ")
        out.append(jsonString: flag.id)
        out.append(",\n              \"reason\": ")
        out.append(jsonString: flag.reason)
        out.append("\n            }")
      }
      out.append("\n          ]")
    }
    out.append(",\n          \"indicators\": ")
    if subject.indicators.isEmpty {
      out.append("{}")
    } else {
      out.append("{ ")
      subject.indicators.withUnsafeBufferPointer { indicators in
        for index in indicators.indices {
          if index > 0 { out.append(", ") }
          out.append(jsonString: indicators[index].id)
          out.append(": \"")
          out.append(amount: indicators[index].value, fractionDigits: decimals)
          out.append(byte: UInt8(ascii: "\""))
        }
      }
      out.append(" }")
    }
    if let periods = subject.periods {
      out.append(",\n          \"periods\": ")
      if periods.isEmpty {
        out.append("[]")
      } else {
        out.append("[\n")
        for (index, period) in periods.enumerated() {
          if index > 0 { out.append(",\n") }
          out.append("            {\n              \"period\": ")
          out.append(jsonString: period.period)
          out.append(",\n              \"weight\": \"")
          out.append(plain: period.weight)
          out.append("\",\n              \"total\": \"")
          out.append(amount: period.total, fractionDigits: decimals)
          out.append("\"\n            }")
        }
        out.append("\n          ]")
      }
    } else {
      out.append(",\n          \"items\": ")
      writeLines(subject.items, indent: "          ", into: out) { item, out in
        writeItem(item, decimals: decimals, into: out)
      }
    }
    out.append("\n        }")
  }

  /// One ledger item on one line: keys `indicator, fact|kind, value, points, cancelled_by`.
  private static func writeItem(_ element: UnsafePointer<LedgerItem>, decimals: Int, into out: ReportBuffer) {
    let item = element.pointee
    out.append("{ \"indicator\": ")
    out.append(jsonString: item.indicator)
    switch item.kind {
    case .fact(let fact):
      out.append(", \"fact\": ")
      out.append(jsonString: fact)
    case .cap: out.append(", \"kind\": \"cap\"")
    case .weighted: out.append(", \"kind\": \"weighted\"")
    case .max: out.append(", \"kind\": \"max\"")
    case .min: out.append(", \"kind\": \"min\"")
    case .score: break  // a score item is known by its `value`
    }
    if let value = item.value {
      // A score value: plain, rounded half away from zero to 6 fraction digits (§8.2).
      out.append(", \"value\": \"")
      out.append(plain: value.rounded(scale: 6, .halfAwayFromZero))
      out.append(byte: UInt8(ascii: "\""))
    }
    out.append(", \"points\": \"")
    out.append(amount: item.points, fractionDigits: decimals)
    out.append(byte: UInt8(ascii: "\""))
    if let cancelledBy = item.cancelledBy {
      out.append(", \"cancelled_by\": ")
      out.append(jsonString: cancelledBy)
    }
    out.append(" }")
  }

  /// An array of one-line elements: `[]` when empty; `[ E ]` on the key's line when it has
  /// one element and `inlineSingle`; else one element per line, `indent` + 2 spaces deep,
  /// and the closing `]` at `indent`. Nothing follows the closing bracket.
  private static func writeLines<Element>(
    _ elements: [Element], indent: StaticString, inlineSingle: Bool = false, into out: ReportBuffer,
    _ writeElement: (UnsafePointer<Element>, ReportBuffer) -> Void
  ) {
    if elements.isEmpty {
      out.append("[]")
      return
    }
    if inlineSingle && elements.count == 1 {
      out.append("[ ")
      elements.withUnsafeBufferPointer { elements in
        if let first = elements.baseAddress { writeElement(first, out) }
      }
      out.append(" ]")
      return
    }
    out.append("[\n")
    elements.withUnsafeBufferPointer { elements in
      guard let first = elements.baseAddress else { return }
      for index in elements.indices {
        if index > 0 { out.append(",\n") }
        out.append(indent)
        out.append("  ")
        writeElement(first + index, out)
      }
    }
    out.append(byte: UInt8(ascii: "\n"))
    out.append(indent)
    out.append(byte: UInt8(ascii: "]"))
  }
}
