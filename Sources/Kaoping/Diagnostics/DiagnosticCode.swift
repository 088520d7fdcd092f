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
  /// The output cannot be written (`--output FILE` or standard output): exit 74 (§13).
  public static let unwritableOutput: DiagnosticCode = "K013"

  // MARK: Rule-file structure (K1xx)

  /// `kaoping:` names a format version this engine does not know, is quoted, or is missing.
  /// A file with this error gets no other diagnostic.
  public static let unsupportedVersion: DiagnosticCode = "K100"
  /// A required key is missing.
  public static let missingKey: DiagnosticCode = "K101"
  /// A key that is not allowed here (and does not start with `x-`).
  public static let unknownKey: DiagnosticCode = "K102"
  /// A scalar of the wrong kind: text where a number or a boolean is expected (also a quoted
  /// number, `yes`/`no` for a boolean, a percentage where none is allowed), or an empty value.
  public static let wrongScalar: DiagnosticCode = "K103"
  /// A list where a mapping is expected, or the other way round.
  public static let wrongShape: DiagnosticCode = "K104"
  /// An id that is not `[A-Za-z_][A-Za-z0-9_]*`, or is a reserved word, or `annual`/`all` as a period id.
  public static let invalidID: DiagnosticCode = "K105"
  /// Two things of one kind share an id (also an enum value listed twice).
  public static let duplicateID: DiagnosticCode = "K106"
  /// A date that is not a real `YYYY-MM-DD` day, or a malformed range `a..b` (a reversed range is K305).
  public static let invalidDate: DiagnosticCode = "K107"
  /// A number outside its allowed range (`decimals` 0–6, a negative cap …).
  public static let outOfRange: DiagnosticCode = "K108"
  /// A value that is not one of the allowed words (e.g. `combine: avg`).
  public static let invalidChoice: DiagnosticCode = "K109"
  /// An indicator with two kinds (`bonus` and `score` …) or none.
  public static let indicatorKind: DiagnosticCode = "K110"
  /// A field type that does not exist, an `enum` without values, or `values` on a field that is not an enum.
  public static let invalidFieldType: DiagnosticCode = "K111"
  /// A fact field named like a built-in field (`id`, `subject`, `type`, `date`, `source`, `note`),
  /// or a roster attribute named like a roster column (`id`, `name`, `group`).
  public static let builtInFieldName: DiagnosticCode = "K112"

  // MARK: Rule checks (K3xx)

  /// A reference to a fact type, field, group, scorer, period, grade, outcome or
  /// attribute that is not declared.
  public static let unknownReference: DiagnosticCode = "K301"
  /// Weights that do not sum to 1.
  public static let weightSum: DiagnosticCode = "K302"
  /// A child of a weighted parent without a weight.
  public static let missingWeight: DiagnosticCode = "K303"
  /// Two periods overlap.
  public static let overlappingPeriods: DiagnosticCode = "K304"
  /// A period or range whose start is after its end.
  public static let reversedRange: DiagnosticCode = "K305"
  /// Grade or tier mins that are not strictly decreasing.
  public static let minsNotDecreasing: DiagnosticCode = "K306"
  /// The last grade has a `min` (somebody could end ungraded), or a grade or tier other than the last lacks one.
  public static let lastGradeMin: DiagnosticCode = "K307"
  /// A `quota` on a grade without `min`.
  public static let quotaWithoutMin: DiagnosticCode = "K308"
  /// `bottom` that is not a non-negative integer or a percentage in 0–100%.
  public static let invalidBottom: DiagnosticCode = "K309"
  /// `cap` on a `parts` node (use `max`).
  public static let capOnParts: DiagnosticCode = "K310"
  /// A `score` with both `points` and `tiers`, or neither.
  public static let scorePointsAndTiers: DiagnosticCode = "K311"
  /// `base` with more fraction digits than `decimals`.
  public static let baseScale: DiagnosticCode = "K312"
  /// A table key that is not a value of the enum it is looked up by.
  public static let tableKey: DiagnosticCode = "K313"
  /// `cancelled_by` naming the node's own type, or a type without a `ref` field.
  public static let cancellation: DiagnosticCode = "K314"
  /// A `ref` field on a type no `cancelled_by` names, or not a required string.
  public static let refField: DiagnosticCode = "K315"
  /// An expression whose result has the wrong type (a `when` or `only_if` that is not bool, points or a
  /// value that are not numbers, a table `by` that is not text, a number or a bool).
  public static let expressionType: DiagnosticCode = "K316"
  /// `workdays` used without a calendar that covers the dates (no periods and no `covers`).
  public static let calendarCoverage: DiagnosticCode = "K317"
  /// A `parts` node without children.
  public static let emptyParts: DiagnosticCode = "K318"
  /// `min` greater than `max` on a node.
  public static let minAboveMax: DiagnosticCode = "K319"
  /// An outcome with neither `bottom` nor `when`.
  public static let outcomeCondition: DiagnosticCode = "K320"
  /// Negative fixed points (the sign comes from the kind).
  public static let negativePoints: DiagnosticCode = "K321"
  /// Inline roster problems: a subject in an unknown group, a missing attribute.
  public static let inlineRoster: DiagnosticCode = "K322"

  // MARK: Rule warnings (K35x)

  /// A declared fact type that no indicator or outcome reads.
  public static let unreadFactType: DiagnosticCode = "K350"
  /// A tier that can never match (a whole-number value with no whole number between its min and the one above).
  public static let unreachableTier: DiagnosticCode = "K351"
  /// `scope: periods` in a file without periods.
  public static let periodsScopeWithoutPeriods: DiagnosticCode = "K352"
  /// A `bottom` that flags a whole group of the inline roster.
  public static let bottomFlagsWholeGroup: DiagnosticCode = "K353"
  /// A table over an enum that misses values and has no `default`.
  public static let incompleteTable: DiagnosticCode = "K354"
  /// A `weight` under a summing parent or on a top-level node (it has no effect).
  public static let ignoredWeight: DiagnosticCode = "K355"
}
