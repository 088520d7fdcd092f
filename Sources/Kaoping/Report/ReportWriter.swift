// The report writers of `kaoping eval`: one small type per format, all behind one entry point.

/// The formats `kaoping eval --format` writes.
public enum ReportFormat: String, Sendable, Hashable, CaseIterable {
  /// Aligned plain-text tables for a terminal: per scope, per group, by rank.
  case table
  /// The result JSON `kaoping-result/1` (spec §13.1), byte for byte.
  case json
  /// One row per subject and scope (spec §13).
  case csv
  /// The table's content as GitHub-flavoured Markdown, ready to paste into a report.
  case markdown

  /// Whether the format shows the inputs' SHA-256 digests (only JSON does).
  public var showsDigests: Bool { self == .json }
}

/// What a report includes and how it is framed.
public struct ReportOptions: Sendable, Hashable {
  /// Whether CSV output starts with a UTF-8 byte order mark (`--bom`, for spreadsheet
  /// programs). Other formats never write one.
  public var bom: Bool
  /// The scopes to write (`Q1`, …, `annual`), in the result's order; nil writes every scope.
  public var scopes: Set<String>?

  /// Options for a report: no byte order mark and every scope by default.
  public init(bom: Bool = false, scopes: Set<String>? = nil) {
    self.bom = bom
    self.scopes = scopes
  }
}

/// Turns an ``EvaluationResult`` into the bytes of a report.
public enum ReportWriter {
  /// The report of `result` in `format`: UTF-8, every line ended by `\n`.
  ///
  /// The same result and options always give the same bytes (locale, time zone and
  /// terminal play no part).
  public static func write(
    _ result: EvaluationResult, format: ReportFormat, options: ReportOptions = ReportOptions()
  ) -> [UInt8] {
    let scopes: [ScopeResult]
    if let wanted = options.scopes {
      scopes = result.scopes.filter { wanted.contains($0.scope) }
    } else {
      scopes = result.scopes
    }
    let reporter: any ResultReporter.Type =
      switch format {
      case .table: TableReporter.self
      case .json: JSONReporter.self
      case .csv: CSVReporter.self
      case .markdown: MarkdownReporter.self
      }
    let out = ReportBuffer(capacity: reporter.estimatedSize(of: result, scopes: scopes))
    reporter.write(result, scopes: scopes, options: options, into: out)
    return out.bytes
  }
}

/// One output format: it appends the whole report of a result to a buffer.
protocol ResultReporter {
  /// The format this reporter writes.
  static var format: ReportFormat { get }
  /// A guess of the output size in bytes, to reserve the buffer once.
  static func estimatedSize(of result: EvaluationResult, scopes: [ScopeResult]) -> Int
  /// Appends the report of `result`, limited to `scopes`, to `out`.
  static func write(
    _ result: EvaluationResult, scopes: [ScopeResult], options: ReportOptions, into out: ReportBuffer)
}

extension ResultReporter {
  static func estimatedSize(of result: EvaluationResult, scopes: [ScopeResult]) -> Int {
    scopes.reduce(256) { $0 &+ $1.subjects.count &* 96 }
  }
}
