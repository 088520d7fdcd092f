/// A stable diagnostic code: `K` followed by three digits. A code never changes meaning;
/// `docs/diagnostics.md` lists every code with an example.
///
/// Ranges: K0xx files and YAML, K1xx rule-file structure, K2xx expressions,
/// K3xx rule checks, K4xx facts and rosters, K5xx evaluation, K6xx rule tests.
public struct DiagnosticCode: RawRepresentable, Sendable, Hashable, Comparable,
  ExpressibleByStringLiteral, CustomStringConvertible
{
  public var rawValue: String

  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { self.rawValue = value }
  public var description: String { rawValue }

  public static func < (lhs: DiagnosticCode, rhs: DiagnosticCode) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}

extension DiagnosticCode {
  // MARK: Files and YAML (K0xx)

  /// A file cannot be read (missing, a directory, no permission).
  public static let unreadableFile: DiagnosticCode = "K001"
  /// The YAML is malformed; the message is libyaml's, with a hint where one helps.
  public static let yamlSyntax: DiagnosticCode = "K002"
  /// The file is not valid UTF-8.
  public static let invalidUTF8: DiagnosticCode = "K003"
  /// The same key appears twice in one mapping.
  public static let duplicateKey: DiagnosticCode = "K004"
  /// A tag other than the core ones (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`).
  public static let unsupportedTag: DiagnosticCode = "K005"
  /// A second YAML document in a file that must hold one.
  public static let secondDocument: DiagnosticCode = "K006"
  /// Nesting deeper than the loader allows.
  public static let tooDeep: DiagnosticCode = "K007"
  /// Aliases that would expand to more nodes than the loader allows ("billion laughs").
  public static let aliasExpansion: DiagnosticCode = "K008"
  /// An alias names no anchor defined before it.
  public static let undefinedAlias: DiagnosticCode = "K009"
  /// A mapping key that is a sequence or a mapping.
  public static let complexKey: DiagnosticCode = "K010"
  /// A `<<` merge key whose value is not a mapping or a list of mappings.
  public static let invalidMerge: DiagnosticCode = "K011"
  /// The file holds no YAML document at all.
  public static let emptyFile: DiagnosticCode = "K012"
}
