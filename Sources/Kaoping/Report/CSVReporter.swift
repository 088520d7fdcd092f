// `kaoping eval --format csv` (spec §13): one row per subject and scope.

enum CSVReporter: ResultReporter {
  static var format: ReportFormat { .csv }

  static func estimatedSize(of result: EvaluationResult, scopes: [ScopeResult]) -> Int {
    let perRow = 64 &+ result.topLevelIndicators.count &* 10
    return scopes.reduce(256) { $0 &+ $1.subjects.count &* perRow }
  }

  static func write(
    _ result: EvaluationResult, scopes: [ScopeResult], options: ReportOptions, into out: ReportBuffer
  ) {
    if options.bom { out.append(bytes: [0xEF, 0xBB, 0xBF]) }
    let columns = result.topLevelIndicators
    out.append("scope,subject,name,group,total,rank,group_size,grade,outcomes")
    for id in columns {
      out.append(byte: UInt8(ascii: ","))
      appendField(id, into: out)
    }
    out.append(byte: UInt8(ascii: "\n"))
    let decimals = result.decimals
    var hints = [Int](repeating: 0, count: columns.count)
    for scope in scopes {
      // Through a buffer pointer, so that a subject is read in place, not copied.
      scope.subjects.withUnsafeBufferPointer { subjects in
        guard let first = subjects.baseAddress else { return }
        guard subjects.count >= parallelRows else {
          for index in subjects.indices {
            writeRow(first + index, scope: scope.scope, columns: columns, decimals: decimals, hints: &hints, into: out)
          }
          return
        }
        // Many rows: ranges of them written at once, each to its own buffer, joined in order
        // (a row's bytes do not depend on the rows before it; `hints` only speed up lookups).
        let ranges = Parallel.chunks(count: subjects.count, threads: Evaluation.defaultThreads)
        var parts = [[UInt8]](repeating: [], count: ranges.count)
        let perRow = estimatedSize(of: result, scopes: [scope]) / Swift.max(1, subjects.count)
        parts.withUnsafeMutableBufferPointer { parts in
          nonisolated(unsafe) let parts = parts
          Parallel.forEach(ranges.count, threads: Evaluation.defaultThreads) { part in
            let buffer = ReportBuffer(capacity: ranges[part].count &* perRow)
            var hints = [Int](repeating: 0, count: columns.count)
            for index in ranges[part] {
              writeRow(first + index, scope: scope.scope, columns: columns, decimals: decimals, hints: &hints, into: buffer)
            }
            parts[part] = buffer.bytes
          }
        }
        for part in parts { out.append(bytes: part) }
      }
    }
  }

  /// From this many rows of a scope on, rows are written in parallel.
  static let parallelRows = 4096

  /// One subject's row. `hints` holds where each column's indicator sat in the last
  /// subject's `indicators`: subjects almost always list the same nodes in the same
  /// order, so one comparison finds it.
  private static func writeRow(
    _ row: UnsafePointer<SubjectResult>, scope: String, columns: [String], decimals: Int, hints: inout [Int],
    into out: ReportBuffer
  ) {
    appendField(scope, into: out)
    let subject = row.pointee
    out.append(byte: UInt8(ascii: ","))
    appendField(subject.id, into: out)
    out.append(byte: UInt8(ascii: ","))
    appendField(subject.name, into: out)
    out.append(byte: UInt8(ascii: ","))
    appendField(subject.group, into: out)
    out.append(byte: UInt8(ascii: ","))
    out.append(amount: subject.total, fractionDigits: decimals)
    out.append(byte: UInt8(ascii: ","))
    out.append(int: subject.rank)
    out.append(byte: UInt8(ascii: ","))
    out.append(int: subject.groupSize)
    out.append(byte: UInt8(ascii: ","))
    if let grade = subject.grade { appendField(grade, into: out) }
    out.append(byte: UInt8(ascii: ","))
    appendOutcomes(subject.outcomes, into: out)
    subject.indicators.withUnsafeBufferPointer { indicators in
      for column in columns.indices {
        out.append(byte: UInt8(ascii: ","))
        let hint = hints[column]
        if hint < indicators.count && indicators[hint].id == columns[column] {
          out.append(amount: indicators[hint].value, fractionDigits: decimals)
        } else if let found = indicators.firstIndex(where: { $0.id == columns[column] }) {
          hints[column] = found
          out.append(amount: indicators[found].value, fractionDigits: decimals)
        }
        // A node the subject has no value for leaves the field empty.
      }
    }
    out.append(byte: UInt8(ascii: "\n"))
  }

  /// The flagged outcome ids joined by `;`, as one field.
  private static func appendOutcomes(_ outcomes: [OutcomeFlag], into out: ReportBuffer) {
    switch outcomes.count {
    case 0: return
    case 1: appendField(outcomes[0].id, into: out)
    default: appendField(outcomes.map(\.id).joined(separator: ";"), into: out)
    }
  }

  /// A field, quoted only when it holds `,`, `"`, CR or LF (quotes doubled inside).
  static func appendField(_ text: String, into out: ReportBuffer) {
    let needsQuotes =
      text.utf8.withContiguousStorageIfAvailable { bytes in
        bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
      } ?? text.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
    guard needsQuotes else {
      out.append(text: text)
      return
    }
    out.append(byte: UInt8(ascii: "\""))
    for byte in text.utf8 {
      if byte == 0x22 { out.append(byte: 0x22) }
      out.append(byte: byte)
    }
    out.append(byte: UInt8(ascii: "\""))
  }
}
