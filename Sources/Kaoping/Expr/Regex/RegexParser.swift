// RE2-syntax parser. It works without recursion (an explicit stack of open
// groups) and builds the syntax tree bottom-up into flat arrays, so every
// child has a smaller index than its parent. Counted repetitions are
// expanded here (x{2,4} becomes x x x? x?), and capture groups, laziness and
// the U flag are dropped: the engine only answers "is there a match?".

/// An empty-width assertion.
enum RegexAssertion: UInt8, Sendable {
  case beginText, endText, beginLine, endLine, wordBoundary, notWordBoundary
}

/// A node of the syntax tree; children are indices into `RegexAST.nodes`.
enum RegexNode: Sendable {
  case empty
  case noMatch
  case char(UInt32)
  case set(Int)  // index into RegexAST.sets
  case anyChar
  case anyNotNL
  case assertion(RegexAssertion)
  case concat([Int])
  case alternate([Int])
  case star(Int)
  case plus(Int)
  case quest(Int)
}

/// A parsed pattern: a tree (a DAG once repetitions are expanded) in
/// bottom-up order, with the size of each node's compiled code.
struct RegexAST: Sendable {
  var nodes: [RegexNode] = []
  /// Number of program instructions node i compiles to.
  var sizes: [Int] = []
  /// Largest product of counted-repetition counts on a path below node i
  /// (RE2 rejects patterns where it exceeds 1000).
  var products: [Int] = []
  var sets: [ScalarRanges] = []
  var root = 0
}

struct RegexParser {
  /// RE2's limit on counted repetition (`{n,m}`), alone and nested.
  static let maxRepeat = 1000
  /// Deepest group nesting accepted.
  static let maxDepth = 1000
  /// Most program instructions a pattern may compile to.
  static let maxProgramSize = 100_000
  /// Most memory the syntax tree may use, in units of one child reference
  /// or one class range (a few MB): bounds, for instance, `(?:a{1000}){0}`
  /// repeated many times, which compiles to nothing but is expanded here.
  static let maxTreeWork = 1_000_000

  private struct Flags {
    var foldCase = false
    var dotNL = false
    var multiLine = false
    var ungreedy = false
  }

  /// An open group (or the whole pattern, at the bottom of the stack).
  private struct Frame {
    var savedFlags: Flags
    var openOffset: Int
    var alternatives: [Int] = []
    var items: [Int] = []
  }

  private let p: [Unicode.Scalar]
  private var i = 0
  private var flags = Flags()
  private var ast = RegexAST()
  private var frames: [Frame]
  private var captureNames: Set<String> = []
  /// Where the previous token started, if it was a repetition operator.
  private var lastRepeat: Int? = nil
  /// Memory used so far, in the units of `maxTreeWork`.
  private var treeWork = 0
  /// Index of each distinct class in `ast.sets`.
  private var setIndex: [ScalarRanges: Int] = [:]

  private init(_ pattern: String) {
    p = Array(pattern.unicodeScalars)
    frames = [Frame(savedFlags: Flags(), openOffset: 0)]
  }

  /// Parses `pattern`, or throws the first syntax error, RE2-style.
  static func parse(_ pattern: String) throws(RegexSyntaxError) -> RegexAST {
    var parser = RegexParser(pattern)
    try parser.run()
    return parser.ast
  }

  // MARK: - Errors

  private func text(_ range: Range<Int>) -> String {
    let lo = max(0, min(range.lowerBound, p.count))
    let hi = max(lo, min(range.upperBound, p.count))
    var s = String.UnicodeScalarView()
    s.append(contentsOf: p[lo..<hi])
    return String(s)
  }

  /// An error whose message quotes the pattern text in `range`.
  private func error(_ message: String, _ range: Range<Int>) -> RegexSyntaxError {
    RegexSyntaxError(message: "\(message): \(text(range))", offset: range.lowerBound)
  }

  // MARK: - Main loop

  private mutating func run() throws(RegexSyntaxError) {
    while i < p.count {
      var repeatStart: Int? = nil
      switch p[i] {
      case "(":
        if i + 1 < p.count && p[i + 1] == "?" {
          try parsePerlGroup()
        } else {
          try openGroup(newFlags: flags)
          i += 1
        }
      case "|":
        let items = frames[frames.count - 1].items
        let node = try concat(items, at: i)
        frames[frames.count - 1].alternatives.append(node)
        frames[frames.count - 1].items = []
        i += 1
      case ")":
        try closeGroup()
        i += 1
      case "^":
        try push(.assertion(flags.multiLine ? .beginLine : .beginText), at: i)
        i += 1
      case "$":
        try push(.assertion(flags.multiLine ? .endLine : .endText), at: i)
        i += 1
      case ".":
        try push(flags.dotNL ? .anyChar : .anyNotNL, at: i)
        i += 1
      case "[":
        try parseClass()
      case "*", "+", "?":
        let opStart = i
        repeatStart = opStart
        let op = p[i]
        i += 1
        if i < p.count && p[i] == "?" { i += 1 }  // lazy: same yes/no answer
        let range = opStart..<i
        if let last = lastRepeat {
          throw error("invalid nested repetition operator", last..<i)
        }
        guard let x = frames[frames.count - 1].items.popLast() else {
          throw error("missing argument to repetition operator", range)
        }
        let node: Int
        switch op {
        case "*": node = try add(.star(x), size: ast.sizes[x] + 2, product: ast.products[x], at: range.lowerBound)
        case "+": node = try add(.plus(x), size: ast.sizes[x] + 1, product: ast.products[x], at: range.lowerBound)
        default: node = try add(.quest(x), size: ast.sizes[x] + 1, product: ast.products[x], at: range.lowerBound)
        }
        frames[frames.count - 1].items.append(node)
      case "{":
        if case let (minCount, maxCount, end)? = parseRepeatBraces(at: i) {
          repeatStart = i
          let start = i
          i = end
          if i < p.count && p[i] == "?" { i += 1 }
          try countedRepeat(min: minCount, max: maxCount, op: start..<i)
        } else {
          try literal(p[i].value, at: i)
          i += 1
        }
      case "\\":
        try parseEscapeAtom()
      default:
        try literal(p[i].value, at: i)
        i += 1
      }
      lastRepeat = repeatStart
    }
    if frames.count > 1 {
      throw RegexSyntaxError(message: "missing closing )", offset: frames[frames.count - 1].openOffset)
    }
    ast.root = try finishFrame(frames[0], at: p.count)
  }

  // MARK: - Groups

  private mutating func openGroup(newFlags: Flags) throws(RegexSyntaxError) {
    if frames.count > RegexParser.maxDepth {
      throw RegexSyntaxError(message: "expression nests too deeply", offset: i)
    }
    frames.append(Frame(savedFlags: flags, openOffset: i))
    flags = newFlags
  }

  private mutating func closeGroup() throws(RegexSyntaxError) {
    guard frames.count > 1, let frame = frames.popLast() else {
      throw error("unexpected )", i..<(i + 1))
    }
    let node = try finishFrame(frame, at: i)
    flags = frame.savedFlags
    frames[frames.count - 1].items.append(node)
  }

  private mutating func finishFrame(_ frame: Frame, at offset: Int) throws(RegexSyntaxError) -> Int {
    let last = try concat(frame.items, at: offset)
    if frame.alternatives.isEmpty { return last }
    return try alternate(frame.alternatives + [last], at: offset)
  }

  /// `(?` ... : flags, non-capturing groups, named groups; rejects lookarounds.
  private mutating func parsePerlGroup() throws(RegexSyntaxError) {
    let start = i
    let n = p.count
    // Lookarounds: (?= (?! (?<= (?<!
    if start + 2 < n && (p[start + 2] == "=" || p[start + 2] == "!") {
      throw error("invalid or unsupported Perl syntax", start..<(start + 3))
    }
    if start + 3 < n && p[start + 2] == "<" && (p[start + 3] == "=" || p[start + 3] == "!") {
      throw error("invalid or unsupported Perl syntax", start..<(start + 4))
    }
    // Named groups: (?P<name> and (?<name>
    var nameStart: Int? = nil
    if start + 3 < n && p[start + 2] == "P" && p[start + 3] == "<" {
      nameStart = start + 4
    } else if start + 2 < n && p[start + 2] == "<" {
      nameStart = start + 3
    }
    if let begin = nameStart {
      var end = begin
      while end < n && p[end] != ">" { end += 1 }
      guard end < n else {
        throw error("invalid named capture", start..<n)
      }
      let name = text(begin..<end)
      let valid = begin < end && p[begin..<end].allSatisfy { RegexParser.isCaptureNameScalar($0) }
      if !valid || captureNames.contains(name) {
        throw error(valid ? "duplicate capture group name" : "invalid named capture", start..<(end + 1))
      }
      captureNames.insert(name)
      try openGroup(newFlags: flags)
      i = end + 1
      return
    }
    // Flags: (?flags) or (?flags:re)
    var newFlags = flags
    var negated = false
    var sawFlag = false
    var j = start + 2
    while true {
      guard j < n else {
        throw error("invalid or unsupported Perl syntax", start..<n)
      }
      let c = p[j]
      j += 1
      switch c {
      case "i":
        newFlags.foldCase = !negated
        sawFlag = true
      case "m":
        newFlags.multiLine = !negated
        sawFlag = true
      case "s":
        newFlags.dotNL = !negated
        sawFlag = true
      case "U":
        newFlags.ungreedy = !negated
        sawFlag = true
      case "-":
        if negated { throw error("invalid or unsupported Perl syntax", start..<j) }
        negated = true
        sawFlag = false
      case ":", ")":
        if negated && !sawFlag { throw error("invalid or unsupported Perl syntax", start..<j) }
        if c == ":" {
          try openGroup(newFlags: newFlags)
        } else {
          flags = newFlags
        }
        i = j
        return
      default:
        throw error("invalid or unsupported Perl syntax", start..<j)
      }
    }
  }

  private static func isCaptureNameScalar(_ c: Unicode.Scalar) -> Bool {
    if c == "_" { return true }
    if c.value < 0x80 {
      return ("0"..."9").contains(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }
    switch c.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
      .nonspacingMark, .spacingMark, .decimalNumber, .connectorPunctuation:
      return true
    default:
      return false
    }
  }

  // MARK: - Node construction

  private mutating func add(_ node: RegexNode, size: Int, product: Int, at offset: Int) throws(RegexSyntaxError) -> Int {
    switch node {
    case .concat(let items), .alternate(let items): treeWork += items.count
    default: treeWork += 1
    }
    if size > RegexParser.maxProgramSize || treeWork > RegexParser.maxTreeWork {
      throw RegexSyntaxError(message: "pattern too large", offset: offset)
    }
    ast.nodes.append(node)
    ast.sizes.append(size)
    ast.products.append(product)
    return ast.nodes.count - 1
  }

  private mutating func push(_ node: RegexNode, at offset: Int) throws(RegexSyntaxError) {
    let size: Int
    switch node {
    case .empty: size = 0
    default: size = 1
    }
    let index = try add(node, size: size, product: 1, at: offset)
    frames[frames.count - 1].items.append(index)
  }

  private mutating func concat(_ items: [Int], at offset: Int) throws(RegexSyntaxError) -> Int {
    if items.count == 1 { return items[0] }
    if items.isEmpty { return try add(.empty, size: 0, product: 1, at: offset) }
    var size = 0
    var product = 1
    for x in items {
      size += ast.sizes[x]
      if size > RegexParser.maxProgramSize {
        throw RegexSyntaxError(message: "pattern too large", offset: offset)
      }
      product = max(product, ast.products[x])
    }
    return try add(.concat(items), size: size, product: product, at: offset)
  }

  private mutating func alternate(_ alternatives: [Int], at offset: Int) throws(RegexSyntaxError) -> Int {
    if alternatives.count == 1 { return alternatives[0] }
    var size = 2 * (alternatives.count - 1)
    var product = 1
    for x in alternatives {
      size += ast.sizes[x]
      if size > RegexParser.maxProgramSize {
        throw RegexSyntaxError(message: "pattern too large", offset: offset)
      }
      product = max(product, ast.products[x])
    }
    return try add(.alternate(alternatives), size: size, product: product, at: offset)
  }

  /// Pushes a literal scalar, as the set of its case variants under (?i).
  private mutating func literal(_ c: UInt32, at offset: Int) throws(RegexSyntaxError) {
    if flags.foldCase {
      try pushSet(ScalarRanges(c, c).caseFolded(), at: offset)
    } else {
      try push(.char(c), at: offset)
    }
  }

  /// Pushes a class (already case-folded and negated as needed).
  private mutating func pushSet(_ set: ScalarRanges, at offset: Int) throws(RegexSyntaxError) {
    let node: RegexNode
    if set.isEmpty {
      node = .noMatch
    } else if let c = set.singleScalar {
      node = .char(c)
    } else if set == ScalarRanges.all {
      node = .anyChar
    } else {
      if let index = setIndex[set] {
        node = .set(index)
      } else {
        treeWork += set.pairs.count / 2
        ast.sets.append(set)
        setIndex[set] = ast.sets.count - 1
        node = .set(ast.sets.count - 1)
      }
    }
    try push(node, at: offset)
  }

  /// Applies `{min,max}` (max -1: unbounded) to the last item.
  private mutating func countedRepeat(min lo: Int, max hi: Int, op: Range<Int>) throws(RegexSyntaxError) {
    if let last = lastRepeat {
      throw error("invalid nested repetition operator", last..<op.upperBound)
    }
    if lo > RegexParser.maxRepeat || hi > RegexParser.maxRepeat || (hi >= 0 && hi < lo) {
      throw error("invalid repeat count", op)
    }
    guard let x = frames[frames.count - 1].items.popLast() else {
      throw error("missing argument to repetition operator", op)
    }
    // RE2: the nested counts multiplied together may not exceed 1000.
    let factor = hi < 0 ? lo : hi
    let product = factor > 0 ? ast.products[x] * factor : ast.products[x]
    if (lo >= 2 || hi >= 2) && product > RegexParser.maxRepeat {
      throw error("invalid repeat count", op)
    }
    var parts: [Int]
    if hi == 0 {
      parts = []
    } else if hi < 0 {
      if lo == 0 {
        parts = [try add(.star(x), size: ast.sizes[x] + 2, product: ast.products[x], at: op.lowerBound)]
      } else {
        parts = Array(repeating: x, count: lo - 1)
        parts.append(try add(.plus(x), size: ast.sizes[x] + 1, product: ast.products[x], at: op.lowerBound))
      }
    } else {
      parts = Array(repeating: x, count: lo)
      if hi > lo {
        let optional = try add(.quest(x), size: ast.sizes[x] + 1, product: ast.products[x], at: op.lowerBound)
        parts.append(contentsOf: repeatElement(optional, count: hi - lo))
      }
    }
    let node = try concat(parts, at: op.lowerBound)
    if parts.count >= 2 { ast.products[node] = max(ast.products[node], product) }
    frames[frames.count - 1].items.append(node)
  }

  /// Parses `{n}`, `{n,}` or `{n,m}` at `start`; nil means `{` is a literal.
  private func parseRepeatBraces(at start: Int) -> (Int, Int, Int)? {
    var j = start + 1
    guard let lo = parseInt(&j) else { return nil }
    var hi = lo
    if j < p.count && p[j] == "," {
      j += 1
      if j < p.count && p[j] == "}" {
        hi = -1
      } else {
        guard let value = parseInt(&j) else { return nil }
        hi = value
      }
    }
    guard j < p.count && p[j] == "}" else { return nil }
    return (lo, hi, j + 1)
  }

  /// A decimal number without leading zeros (as RE2); nil if absent or huge.
  private func parseInt(_ j: inout Int) -> Int? {
    let start = j
    var value = 0
    while j < p.count, let d = RegexParser.digit(p[j]) {
      if value >= 100_000_000 { return nil }
      value = value * 10 + d
      j += 1
    }
    if j == start { return nil }
    if j - start >= 2 && p[start] == "0" { return nil }
    return value
  }

  private static func digit(_ c: Unicode.Scalar) -> Int? {
    c.value >= 0x30 && c.value <= 0x39 ? Int(c.value - 0x30) : nil
  }

  private static func hexDigit(_ c: Unicode.Scalar) -> UInt32? {
    switch c.value {
    case 0x30...0x39: return c.value - 0x30
    case 0x41...0x46: return c.value - 0x41 + 10
    case 0x61...0x66: return c.value - 0x61 + 10
    default: return nil
    }
  }

  private static func isASCIIAlnum(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    default: return false
    }
  }

  // MARK: - Escapes

  /// A backslash sequence outside a class.
  private mutating func parseEscapeAtom() throws(RegexSyntaxError) {
    let start = i
    guard start + 1 < p.count else {
      throw RegexSyntaxError(message: "trailing backslash at end of expression", offset: start)
    }
    switch p[start + 1] {
    case "A":
      try push(.assertion(.beginText), at: start)
      i += 2
    case "z":
      try push(.assertion(.endText), at: start)
      i += 2
    case "b":
      try push(.assertion(.wordBoundary), at: start)
      i += 2
    case "B":
      try push(.assertion(.notWordBoundary), at: start)
      i += 2
    case "Q":
      i += 2
      while i < p.count {
        if p[i] == "\\" && i + 1 < p.count && p[i + 1] == "E" {
          i += 2
          return
        }
        try literal(p[i].value, at: i)
        i += 1
      }
    case "p", "P":
      let set = try parseUnicodeClass()
      try pushSet(set, at: start)
    case "d", "D", "s", "S", "w", "W":
      let set = perlClass(p[start + 1])
      i += 2
      try pushSet(set, at: start)
    default:
      let c = try parseEscape()
      try literal(c, at: start)
    }
  }

  /// `\d` ... `\W`, folded under (?i); a negated class is the complement of
  /// the folded positive class, as in RE2.
  private func perlClass(_ letter: Unicode.Scalar) -> ScalarRanges {
    let lower = Unicode.Scalar(UInt8(truncatingIfNeeded: letter.value | 0x20))
    var set = UnicodeTables.perlClass(lower) ?? ScalarRanges()
    if flags.foldCase { set = set.caseFolded() }
    return letter == lower ? set : set.negated()
  }

  /// A single-scalar escape at `i` (the backslash); advances `i` past it.
  private mutating func parseEscape() throws(RegexSyntaxError) -> UInt32 {
    let start = i
    let n = p.count
    guard start + 1 < n else {
      throw RegexSyntaxError(message: "trailing backslash at end of expression", offset: start)
    }
    let c = p[start + 1]
    var j = start + 2
    defer { i = j }
    if c.value < 0x80 && !RegexParser.isASCIIAlnum(c) {
      return c.value  // escaped punctuation stands for itself
    }
    switch c {
    case "1", "2", "3", "4", "5", "6", "7", "0":
      // A lone non-zero digit would be a backreference, which RE2 rejects.
      if c != "0" && !(j < n && ("0"..."7").contains(p[j])) {
        throw error("invalid escape sequence", start..<j)
      }
      var code = c.value - 0x30
      for _ in 0..<2 {
        guard j < n, ("0"..."7").contains(p[j]) else { break }
        code = code * 8 + (p[j].value - 0x30)
        j += 1
      }
      return code
    case "x":
      guard j < n else { throw error("invalid escape sequence", start..<j) }
      if p[j] == "{" {
        j += 1
        var code: UInt32 = 0
        var digits = 0
        while j < n, let h = RegexParser.hexDigit(p[j]) {
          code = code * 16 + h
          digits += 1
          j += 1
          if code > ScalarRanges.maxScalar { throw error("invalid escape sequence", start..<j) }
        }
        guard j < n, p[j] == "}", digits > 0 else {
          throw error("invalid escape sequence", start..<min(j + 1, n))
        }
        j += 1
        return code
      }
      guard j + 1 < n, let h1 = RegexParser.hexDigit(p[j]), let h2 = RegexParser.hexDigit(p[j + 1]) else {
        throw error("invalid escape sequence", start..<min(j + 2, n))
      }
      j += 2
      return h1 * 16 + h2
    case "a": return 0x07
    case "f": return 0x0C
    case "n": return 0x0A
    case "r": return 0x0D
    case "t": return 0x09
    case "v": return 0x0B
    default:
      throw error("invalid escape sequence", start..<j)
    }
  }

  /// `\pL`, `\p{Name}`, `\p{^Name}`, `\PL`, `\P{Name}` at `i`; advances `i`.
  private mutating func parseUnicodeClass() throws(RegexSyntaxError) -> ScalarRanges {
    let start = i
    let n = p.count
    var negated = p[start + 1] == "P"
    var j = start + 2
    guard j < n else { throw error("invalid character class range", start..<j) }
    var nameScalars: ArraySlice<Unicode.Scalar>
    if p[j] == "{" {
      var end = j + 1
      while end < n && p[end] != "}" { end += 1 }
      guard end < n else { throw error("invalid character class range", start..<n) }
      nameScalars = p[(j + 1)..<end]
      j = end + 1
    } else {
      nameScalars = p[j..<(j + 1)]
      j += 1
    }
    if nameScalars.first == "^" {
      negated.toggle()
      nameScalars = nameScalars.dropFirst()
    }
    var name = String.UnicodeScalarView()
    name.append(contentsOf: nameScalars)
    guard var set = UnicodeTables.unicodeClass(String(name)) else {
      throw error("invalid character class range", start..<j)
    }
    i = j
    if flags.foldCase { set = set.caseFolded() }
    return negated ? set.negated() : set
  }

  // MARK: - Bracketed classes

  /// `[...]` at `i`; pushes the class and advances `i` past it.
  private mutating func parseClass() throws(RegexSyntaxError) {
    let start = i
    let n = p.count
    var j = start + 1
    var negated = false
    if j < n && p[j] == "^" {
      negated = true
      j += 1
    }
    var simple: [UInt32] = []  // plain characters and ranges, folded together at the end
    var groups = ScalarRanges()  // named classes, each already folded/negated
    var first = true
    while j < n && (p[j] != "]" || first) {
      first = false
      // [:alpha:] and [:^alpha:]
      if p[j] == "[" && j + 2 < n && p[j + 1] == ":" {
        var q = j + 2
        while q + 1 < n && !(p[q] == ":" && p[q + 1] == "]") { q += 1 }
        if q + 1 < n {
          var nameStart = j + 2
          var negatedName = false
          if p[nameStart] == "^" {
            negatedName = true
            nameStart += 1
          }
          var name = String.UnicodeScalarView()
          name.append(contentsOf: p[nameStart..<q])
          guard var set = UnicodeTables.posixClass(String(name)) else {
            throw error("invalid character class range", j..<(q + 2))
          }
          if flags.foldCase { set = set.caseFolded() }
          groups = groups.union(negatedName ? set.negated() : set)
          j = q + 2
          continue
        }
      }
      if p[j] == "\\" && j + 1 < n {
        switch p[j + 1] {
        case "p", "P":
          i = j
          groups = groups.union(try parseUnicodeClass())
          j = i
          continue
        case "d", "D", "s", "S", "w", "W":
          groups = groups.union(perlClass(p[j + 1]))
          j += 2
          continue
        default:
          break
        }
      }
      // A character or a range.
      let rangeStart = j
      let lo = try classChar(&j, classStart: start)
      var hi = lo
      if j + 1 < n && p[j] == "-" && p[j + 1] != "]" {
        j += 1
        hi = try classChar(&j, classStart: start)
        if hi < lo {
          throw error("invalid character class range", rangeStart..<j)
        }
      }
      simple.append(lo)
      simple.append(hi)
    }
    guard j < n else {
      throw error("missing closing ]", start..<n)
    }
    j += 1
    var set = ScalarRanges(unsortedPairs: simple)
    if flags.foldCase { set = set.caseFolded() }
    set = set.union(groups)
    if negated { set = set.negated() }
    i = j
    try pushSet(set, at: start)
  }

  /// One class character (possibly escaped) at `j`; advances `j`.
  private mutating func classChar(_ j: inout Int, classStart: Int) throws(RegexSyntaxError) -> UInt32 {
    guard j < p.count else {
      throw error("missing closing ]", classStart..<p.count)
    }
    if p[j] == "\\" {
      i = j
      let c = try parseEscape()
      j = i
      return c
    }
    j += 1
    return p[j - 1].value
  }
}
