// Sets of Unicode scalars for the regex engine: range sets, case folding,
// and the named classes of RE2 syntax (Perl, POSIX, Unicode).

/// A set of Unicode scalar values kept as sorted, disjoint, non-adjacent
/// inclusive ranges, stored flat as `lo0, hi0, lo1, hi1, ...`.
struct ScalarRanges: Sendable, Hashable {
  static let maxScalar: UInt32 = 0x10FFFF

  /// Flat sorted pairs; always normalized.
  private(set) var pairs: [UInt32] = []

  init() {}

  /// Builds a normalized set from flat, possibly unsorted and overlapping pairs.
  init(unsortedPairs flat: [UInt32]) {
    var ranges: [(UInt32, UInt32)] = []
    ranges.reserveCapacity(flat.count / 2)
    var k = 0
    while k + 1 < flat.count {
      let lo = flat[k]
      let hi = min(flat[k + 1], ScalarRanges.maxScalar)
      if lo <= hi { ranges.append((lo, hi)) }
      k += 2
    }
    ranges.sort { $0.0 < $1.0 }
    var out: [UInt32] = []
    out.reserveCapacity(ranges.count * 2)
    for (lo, hi) in ranges {
      if let last = out.last, lo <= last || lo - last == 1 {
        if hi > last { out[out.count - 1] = hi }
      } else {
        out.append(lo)
        out.append(hi)
      }
    }
    pairs = out
  }

  /// The set holding one range.
  init(_ lo: UInt32, _ hi: UInt32) {
    self.init(unsortedPairs: [lo, hi])
  }

  static let all = ScalarRanges(0, maxScalar)

  var isEmpty: Bool { pairs.isEmpty }

  /// The only member, when the set has exactly one.
  var singleScalar: UInt32? {
    pairs.count == 2 && pairs[0] == pairs[1] ? pairs[0] : nil
  }

  func contains(_ c: UInt32) -> Bool {
    var lo = 0
    var hi = pairs.count / 2
    while lo < hi {
      let mid = lo + (hi - lo) / 2
      if c < pairs[2 * mid] {
        hi = mid
      } else if c > pairs[2 * mid + 1] {
        lo = mid + 1
      } else {
        return true
      }
    }
    return false
  }

  /// Linear merge of two normalized sets.
  func union(_ other: ScalarRanges) -> ScalarRanges {
    if other.isEmpty { return self }
    if isEmpty { return other }
    let a = pairs
    let b = other.pairs
    var out: [UInt32] = []
    out.reserveCapacity(a.count + b.count)
    var i = 0
    var j = 0
    while i + 1 < a.count || j + 1 < b.count {
      let lo: UInt32
      let hi: UInt32
      if j + 1 >= b.count || (i + 1 < a.count && a[i] <= b[j]) {
        lo = a[i]
        hi = a[i + 1]
        i += 2
      } else {
        lo = b[j]
        hi = b[j + 1]
        j += 2
      }
      if let last = out.last, lo <= last || lo - last == 1 {
        if hi > last { out[out.count - 1] = hi }
      } else {
        out.append(lo)
        out.append(hi)
      }
    }
    var result = ScalarRanges()
    result.pairs = out
    return result
  }

  /// The complement within 0...0x10FFFF.
  func negated() -> ScalarRanges {
    var out: [UInt32] = []
    var next: UInt32 = 0
    var k = 0
    while k + 1 < pairs.count {
      if pairs[k] > next {
        out.append(next)
        out.append(pairs[k] - 1)
      }
      next = pairs[k + 1] &+ 1
      k += 2
    }
    if next <= ScalarRanges.maxScalar {
      out.append(next)
      out.append(ScalarRanges.maxScalar)
    }
    var result = ScalarRanges()
    result.pairs = out
    return result
  }

  /// The set plus every scalar that is case-fold-equivalent to one of its members.
  func caseFolded() -> ScalarRanges {
    if let last = pairs.last, last < 0x80 { return asciiCaseFolded() }
    let table = CaseFolding.table
    var extra: [UInt32] = []
    var k = 0
    while k + 1 < pairs.count {
      let lo = pairs[k]
      let hi = pairs[k + 1]
      var idx = table.firstMember(atLeast: lo)
      while idx < table.members.count && table.members[idx] <= hi {
        for member in table.orbits[table.orbitIndex[idx]] {
          extra.append(member)
          extra.append(member)
        }
        idx += 1
      }
      k += 2
    }
    if extra.isEmpty { return self }
    return ScalarRanges(unsortedPairs: pairs + extra)
  }
}

extension ScalarRanges {
  /// `caseFolded()` for a set of ASCII scalars, without the Unicode table:
  /// ASCII letters fold among themselves, plus K (U+212A KELVIN SIGN) with
  /// k and K, and ſ (U+017F LONG S) with s and S.
  fileprivate func asciiCaseFolded() -> ScalarRanges {
    var extra: [UInt32] = []
    var k = 0
    while k + 1 < pairs.count {
      for c in pairs[k]...pairs[k + 1] {
        switch c {
        case 0x41...0x5A: extra.append(contentsOf: [c + 0x20, c + 0x20])
        case 0x61...0x7A: extra.append(contentsOf: [c - 0x20, c - 0x20])
        default: continue
        }
        if c == 0x4B || c == 0x6B { extra.append(contentsOf: [0x212A, 0x212A]) }
        if c == 0x53 || c == 0x73 { extra.append(contentsOf: [0x17F, 0x17F]) }
      }
      k += 2
    }
    if extra.isEmpty { return self }
    return ScalarRanges(unsortedPairs: pairs + extra)
  }
}

/// Simple case folding: which scalars are equivalent ignoring case.
///
/// Built once from `Unicode.Scalar.Properties` case mappings: two scalars are
/// equivalent when they have the same key, where the key of `c` is
/// lowercase(uppercase(c)) using only single-scalar mappings. This gives the
/// simple case-folding orbits, e.g. {k, K, U+212A KELVIN SIGN},
/// {s, S, U+017F LONG S}, {σ, ς, Σ}.
struct CaseFolding: Sendable {
  /// Sorted scalars that belong to an orbit of two or more scalars.
  var members: [UInt32] = []
  /// For each entry of `members`, the index of its orbit in `orbits`.
  var orbitIndex: [Int] = []
  var orbits: [[UInt32]] = []

  static let table = CaseFolding.build()

  /// Index of the first member that is >= c (members.count if none).
  func firstMember(atLeast c: UInt32) -> Int {
    var lo = 0
    var hi = members.count
    while lo < hi {
      let mid = lo + (hi - lo) / 2
      if members[mid] < c {
        lo = mid + 1
      } else {
        hi = mid
      }
    }
    return lo
  }

  private static func singleScalar(_ s: String) -> Unicode.Scalar? {
    var it = s.unicodeScalars.makeIterator()
    guard let first = it.next(), it.next() == nil else { return nil }
    return first
  }

  private static func key(_ s: Unicode.Scalar) -> UInt32 {
    // Turkish dotted/dotless i fold only under Turkic rules; RE2 keeps them apart.
    if s.value == 0x130 || s.value == 0x131 { return s.value }
    let upper = singleScalar(s.properties.uppercaseMapping) ?? s
    let lower = singleScalar(upper.properties.lowercaseMapping) ?? upper
    return lower.value
  }

  private static func build() -> CaseFolding {
    var byKey: [UInt32: [UInt32]] = [:]
    // Every cased script lies below U+20000.
    for v in UInt32(0)...0x1FFFF {
      guard let s = Unicode.Scalar(v), s.properties.changesWhenCaseMapped else { continue }
      byKey[key(s), default: []].append(v)
    }
    var table = CaseFolding()
    var entries: [(UInt32, Int)] = []
    for (k, var members) in byKey {
      if !members.contains(k) { members.append(k) }
      guard members.count >= 2 else { continue }
      members.sort()
      let index = table.orbits.count
      table.orbits.append(members)
      for m in members { entries.append((m, index)) }
    }
    entries.sort { $0.0 < $1.0 }
    table.members = entries.map { $0.0 }
    table.orbitIndex = entries.map { $0.1 }
    return table
  }
}

/// The named classes of RE2 syntax.
enum UnicodeTables {
  /// `\d \s \w` (ASCII only, as in RE2).
  static func perlClass(_ letter: Unicode.Scalar) -> ScalarRanges? {
    switch letter {
    case "d": return ScalarRanges(unsortedPairs: [0x30, 0x39])
    case "s": return ScalarRanges(unsortedPairs: [0x09, 0x0A, 0x0C, 0x0D, 0x20, 0x20])
    case "w": return wordClass
    default: return nil
    }
  }

  static let wordClass = ScalarRanges(unsortedPairs: [0x30, 0x39, 0x41, 0x5A, 0x5F, 0x5F, 0x61, 0x7A])

  /// `[[:name:]]` classes (ASCII only, as in RE2).
  static func posixClass(_ name: String) -> ScalarRanges? {
    let flat: [UInt32]
    switch name {
    case "alnum": flat = [0x30, 0x39, 0x41, 0x5A, 0x61, 0x7A]
    case "alpha": flat = [0x41, 0x5A, 0x61, 0x7A]
    case "ascii": flat = [0x00, 0x7F]
    case "blank": flat = [0x09, 0x09, 0x20, 0x20]
    case "cntrl": flat = [0x00, 0x1F, 0x7F, 0x7F]
    case "digit": flat = [0x30, 0x39]
    case "graph": flat = [0x21, 0x7E]
    case "lower": flat = [0x61, 0x7A]
    case "print": flat = [0x20, 0x7E]
    case "punct": flat = [0x21, 0x2F, 0x3A, 0x40, 0x5B, 0x60, 0x7B, 0x7E]
    case "space": flat = [0x09, 0x0D, 0x20, 0x20]
    case "upper": flat = [0x41, 0x5A]
    case "word": flat = [0x30, 0x39, 0x41, 0x5A, 0x5F, 0x5F, 0x61, 0x7A]
    case "xdigit": flat = [0x30, 0x39, 0x41, 0x46, 0x61, 0x66]
    default: return nil
    }
    return ScalarRanges(unsortedPairs: flat)
  }

  /// `\p{name}`: "Any", a general category (one or two letters), or a script.
  static func unicodeClass(_ name: String) -> ScalarRanges? {
    if name == "Any" { return ScalarRanges.all }
    if let script = scriptRanges[name] { return ScalarRanges(unsortedPairs: script) }
    // Only a real category name pays for building the category table.
    let isCategory = categoryNames.contains { $0 == name || (name.count == 1 && $0.hasPrefix(name)) }
    return isCategory ? categoryClasses[name] : nil
  }

  /// Two-letter general category names, as RE2 spells them, in the order
  /// of the codes `categoryCode` returns.
  private static let categoryNames = [
    "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe",
    "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co",
  ]

  /// Index into `categoryNames`, or -1 for unassigned code points.
  private static func categoryCode(_ category: Unicode.GeneralCategory) -> Int {
    switch category {
    case .uppercaseLetter: return 0
    case .lowercaseLetter: return 1
    case .titlecaseLetter: return 2
    case .modifierLetter: return 3
    case .otherLetter: return 4
    case .nonspacingMark: return 5
    case .spacingMark: return 6
    case .enclosingMark: return 7
    case .decimalNumber: return 8
    case .letterNumber: return 9
    case .otherNumber: return 10
    case .connectorPunctuation: return 11
    case .dashPunctuation: return 12
    case .openPunctuation: return 13
    case .closePunctuation: return 14
    case .initialPunctuation: return 15
    case .finalPunctuation: return 16
    case .otherPunctuation: return 17
    case .mathSymbol: return 18
    case .currencySymbol: return 19
    case .modifierSymbol: return 20
    case .otherSymbol: return 21
    case .spaceSeparator: return 22
    case .lineSeparator: return 23
    case .paragraphSeparator: return 24
    case .control: return 25
    case .format: return 26
    case .surrogate: return 27
    case .privateUse: return 28
    case .unassigned: return -1
    @unknown default: return -1
    }
  }

  /// General-category classes by name ("Lu", "L", ...), computed once from
  /// `Unicode.Scalar.Properties.generalCategory`. Unassigned code points
  /// (Cn) are in no class, as in RE2.
  static let categoryClasses: [String: ScalarRanges] = {
    var flat = [[UInt32]](repeating: [], count: categoryNames.count)
    var runCode = -2
    var runStart: UInt32 = 0
    var v: UInt32 = 0
    while v <= ScalarRanges.maxScalar + 1 {
      let code: Int
      var next = v + 1
      if v > ScalarRanges.maxScalar {
        code = -2  // sentinel: closes the last run
      } else if v >= 0x40000 && v < 0xE0000 {
        // Planes 4-13 have no assigned code points (through Unicode 17).
        code = -1
        next = 0xE0000
      } else if v >= 0xF0000 && v & 0xFFFF < 0xFFFE {
        // Planes 15-16 are private use, but for their last two code points.
        code = 28
        next = (v | 0xFFFF) - 1
      } else if let s = Unicode.Scalar(v) {
        code = categoryCode(s.properties.generalCategory)
      } else {
        code = 27  // D800-DFFF are surrogate code points, not scalars
      }
      if code != runCode {
        if runCode >= 0 && runCode < flat.count && v > 0 {
          flat[runCode].append(runStart)
          flat[runCode].append(v - 1)
        }
        runCode = code
        runStart = v
      }
      v = next
    }
    var classes: [String: ScalarRanges] = [:]
    var majors: [Character: [UInt32]] = [:]
    for (code, pairs) in flat.enumerated() {
      let name = categoryNames[code]
      classes[name] = ScalarRanges(unsortedPairs: pairs)
      if let major = name.first {
        majors[major, default: []].append(contentsOf: pairs)
      }
    }
    for (major, pairs) in majors {
      classes[String(major)] = ScalarRanges(unsortedPairs: pairs)
    }
    return classes
  }()
}
