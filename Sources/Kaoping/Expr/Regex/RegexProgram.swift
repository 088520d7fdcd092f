// Thompson-construction compiler and breadth-first NFA simulation (a Pike VM
// without captures). Matching costs O(program size × text length): each
// instruction is visited at most once per text position.

/// One instruction of a compiled pattern: an opcode and up to two operands
/// (a plain struct rather than an enum with payloads: cheaper to dispatch).
struct RegexInst: Sendable {
  enum Op: UInt8, Sendable {
    /// Consume the scalar `x`.
    case char
    /// Consume a scalar in class `RegexProgram.classes[x]`.
    case set
    /// Consume any scalar.
    case any
    /// Consume any scalar but `\n`.
    case anyNotNL
    /// Continue at both `x` and `y`.
    case split
    /// Continue at `x`.
    case jmp
    /// Continue at the next instruction if assertion `x` holds here.
    case assertion
    case match
    /// Dead end (an empty class).
    case fail
  }

  var x: UInt32
  var y: UInt32
  var op: Op

  static func char(_ c: UInt32) -> RegexInst { RegexInst(x: c, y: 0, op: .char) }
  static func set(_ k: Int) -> RegexInst { RegexInst(x: UInt32(truncatingIfNeeded: k), y: 0, op: .set) }
  static func split(_ a: Int, _ b: Int) -> RegexInst {
    RegexInst(x: UInt32(truncatingIfNeeded: a), y: UInt32(truncatingIfNeeded: b), op: .split)
  }
  static func jmp(_ a: Int) -> RegexInst { RegexInst(x: UInt32(truncatingIfNeeded: a), y: 0, op: .jmp) }
  static func assertion(_ a: RegexAssertion) -> RegexInst {
    RegexInst(x: UInt32(a.rawValue), y: 0, op: .assertion)
  }
  static let any = RegexInst(x: 0, y: 0, op: .any)
  static let anyNotNL = RegexInst(x: 0, y: 0, op: .anyNotNL)
  static let match = RegexInst(x: 0, y: 0, op: .match)
  static let fail = RegexInst(x: 0, y: 0, op: .fail)
}

/// A character class ready for matching: an ASCII bitmap plus sorted ranges
/// (above ASCII) searched by bisection.
struct RegexClassInfo: Sendable {
  /// Bits for scalars 0..<64.
  var low: UInt64 = 0
  /// Bits for scalars 64..<128.
  var high: UInt64 = 0
  /// Flat (lo, hi) pairs of scalars >= 128 are `classRanges[start..<end]`.
  var start: Int32 = 0
  var end: Int32 = 0
}

/// A compiled pattern.
final class RegexProgram: Sendable {
  let insts: [RegexInst]
  let classes: [RegexClassInfo]
  let classRanges: [UInt32]
  /// The pattern can only match at the start of the text (`^`/`\A` first).
  let anchoredStart: Bool
  /// Index in `classes` of the scalars that can start a match, when every
  /// match must start by consuming one of them; -1 when unknown. Positions
  /// whose scalar is not in it are skipped without starting a thread.
  let firstClass: Int

  /// Lays out the code of each node contiguously, at an offset known from
  /// the node sizes, so no patching is needed (and no recursion).
  init(_ ast: RegexAST) {
    var classRanges: [UInt32] = []
    var classes = ast.sets.map { RegexProgram.classInfo($0, ranges: &classRanges) }

    // Code.
    let total = ast.sizes[ast.root]
    var code = [RegexInst](repeating: .fail, count: total + 1)
    var work: [(node: Int, pc: Int)] = [(ast.root, 0)]
    while let (node, pc) = work.popLast() {
      switch ast.nodes[node] {
      case .empty:
        break
      case .noMatch:
        code[pc] = .fail
      case .char(let c):
        code[pc] = .char(c)
      case .set(let k):
        code[pc] = .set(k)
      case .anyChar:
        code[pc] = .any
      case .anyNotNL:
        code[pc] = .anyNotNL
      case .assertion(let a):
        code[pc] = .assertion(a)
      case .concat(let items):
        var at = pc
        for x in items {
          work.append((x, at))
          at += ast.sizes[x]
        }
      case .alternate(let alternatives):
        // split L1, S2; L1: a; jmp end; S2: split L2, S3; L2: b; jmp end; S3: c; end:
        let end = pc + ast.sizes[node]
        var at = pc
        for (index, x) in alternatives.enumerated() {
          if index == alternatives.count - 1 {
            work.append((x, at))
          } else {
            let body = at + 1
            let next = body + ast.sizes[x] + 1
            code[at] = .split(body, next)
            work.append((x, body))
            code[body + ast.sizes[x]] = .jmp(end)
            at = next
          }
        }
      case .star(let x):
        // L: split L+1, end; x; jmp L; end:
        let end = pc + ast.sizes[x] + 2
        code[pc] = .split(pc + 1, end)
        work.append((x, pc + 1))
        code[pc + 1 + ast.sizes[x]] = .jmp(pc)
      case .plus(let x):
        // L: x; split L, end; end:
        let after = pc + ast.sizes[x]
        work.append((x, pc))
        code[after] = .split(pc, after + 1)
      case .quest(let x):
        // split L+1, end; x; end:
        code[pc] = .split(pc + 1, pc + 1 + ast.sizes[x])
        work.append((x, pc + 1))
      }
    }
    code[total] = .match
    self.insts = code

    // Anchoring: does every match have to start at offset 0?
    var node = ast.root
    var anchored = false
    while true {
      if case .concat(let items) = ast.nodes[node], let first = items.first {
        node = first
        continue
      }
      if case .assertion(.beginText) = ast.nodes[node] { anchored = true }
      break
    }
    self.anchoredStart = anchored

    // The scalars that can start a match.
    if let first = RegexProgram.firstScalars(code, sets: ast.sets) {
      firstClass = classes.count
      classes.append(RegexProgram.classInfo(first, ranges: &classRanges))
    } else {
      firstClass = -1
    }
    self.classes = classes
    self.classRanges = classRanges
  }

  /// The matching form of a class: ASCII bitmap, other ranges in `ranges`.
  private static func classInfo(_ set: ScalarRanges, ranges classRanges: inout [UInt32]) -> RegexClassInfo {
    var info = RegexClassInfo()
    info.start = Int32(truncatingIfNeeded: classRanges.count)
    let pairs = set.pairs
    var k = 0
    while k + 1 < pairs.count {
      let lo = pairs[k]
      let hi = pairs[k + 1]
      var c = lo
      while c <= hi && c < 128 {
        if c < 64 {
          info.low |= 1 &<< UInt64(c)
        } else {
          info.high |= 1 &<< UInt64(c - 64)
        }
        c += 1
      }
      if hi >= 128 {
        classRanges.append(max(lo, 128))
        classRanges.append(hi)
      }
      k += 2
    }
    info.end = Int32(truncatingIfNeeded: classRanges.count)
    return info
  }

  /// The union of what the instructions reachable from the start without
  /// consuming can consume; nil if an assertion or `match` is reachable that
  /// way, or if any scalar (but `\n`) could start a match (no use as a filter).
  private static func firstScalars(_ code: [RegexInst], sets: [ScalarRanges]) -> ScalarRanges? {
    var seen = [Bool](repeating: false, count: code.count)
    var stack = [0]
    var pairs: [UInt32] = []
    var setSeen = [Bool](repeating: false, count: sets.count)
    seen[0] = true
    while let pc = stack.popLast() {
      let inst = code[pc]
      var targets: [Int] = []
      switch inst.op {
      case .char:
        pairs.append(inst.x)
        pairs.append(inst.x)
      case .set:
        let k = Int(inst.x)
        if !setSeen[k] {
          setSeen[k] = true
          pairs.append(contentsOf: sets[k].pairs)
        }
      case .split:
        targets = [Int(inst.x), Int(inst.y)]
      case .jmp:
        targets = [Int(inst.x)]
      case .fail:
        break
      case .any, .anyNotNL, .assertion, .match:
        return nil
      }
      for target in targets where !seen[target] {
        seen[target] = true
        stack.append(target)
      }
    }
    return ScalarRanges(unsortedPairs: pairs)
  }

  /// True when some substring of `text` matches (RE2 PartialMatch).
  func matches(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { matches(utf8: $0) }
  }

  /// `matches` on the text's (valid) UTF-8 bytes.
  private func matches(utf8 text: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = insts.count
    return insts.withUnsafeBufferPointer { code in
      classes.withUnsafeBufferPointer { classes in
        classRanges.withUnsafeBufferPointer { ranges in
          // One buffer: marks, current list, next list, closure stack.
          withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4 * n) { buffer in
            guard let base = buffer.baseAddress else { return false }
            base.initialize(repeating: 0, count: n)
            let vm = PikeVM(
              code: code, classes: classes, ranges: ranges, marks: base, stack: base + 3 * n,
              count: n)
            return vm.run(
              text, clist: base + n, nlist: base + 2 * n, anchored: anchoredStart,
              firstClass: firstClass)
          }
        }
      }
    }
  }
}

/// Marker for "no scalar" (before the start or after the end of the text).
private let noScalar = UInt32.max

private struct PikeVM {
  let code: UnsafeBufferPointer<RegexInst>
  let classes: UnsafeBufferPointer<RegexClassInfo>
  let ranges: UnsafeBufferPointer<UInt32>
  /// marks[pc] == generation: pc is already in the list being built.
  let marks: UnsafeMutablePointer<UInt32>
  let stack: UnsafeMutablePointer<UInt32>
  let count: Int

  init(
    code: UnsafeBufferPointer<RegexInst>, classes: UnsafeBufferPointer<RegexClassInfo>,
    ranges: UnsafeBufferPointer<UInt32>, marks: UnsafeMutablePointer<UInt32>,
    stack: UnsafeMutablePointer<UInt32>, count: Int
  ) {
    self.code = code
    self.classes = classes
    self.ranges = ranges
    self.marks = marks
    self.stack = stack
    self.count = count
  }

  /// Moves to a fresh generation, clearing the marks when the counter wraps.
  @inline(__always)
  func nextGeneration(_ generation: inout UInt32) {
    generation &+= 1
    if generation == 0 {
      marks.update(repeating: 0, count: count)
      generation = 1
    }
  }

  @inline(__always)
  static func isWord(_ c: UInt32) -> Bool {
    switch c {
    case 0x30...0x39, 0x41...0x5A, 0x5F, 0x61...0x7A: return true
    default: return false
    }
  }

  // Not inlined: assertions are rare, and inlining makes the compiler
  // compute the word-character tests at every position.
  @inline(never)
  static func holds(_ raw: UInt32, prev: UInt32, cur: UInt32) -> Bool {
    switch RegexAssertion(rawValue: UInt8(truncatingIfNeeded: raw)) {
    case .beginText: return prev == noScalar
    case .endText: return cur == noScalar
    case .beginLine: return prev == noScalar || prev == 0x0A
    case .endLine: return cur == noScalar || cur == 0x0A
    case .wordBoundary: return isWord(prev) != isWord(cur)
    case .notWordBoundary: return isWord(prev) == isWord(cur)
    case nil: return false
    }
  }

  @inline(__always)
  func inClass(_ k: UInt32, _ c: UInt32) -> Bool {
    let info = classes[Int(k)]
    if c < 64 { return (info.low &>> UInt64(c)) & 1 != 0 }
    if c < 128 { return (info.high &>> UInt64(c - 64)) & 1 != 0 }
    var lo = Int(info.start) / 2
    var hi = Int(info.end) / 2
    while lo < hi {
      let mid = lo + (hi - lo) / 2
      if c < ranges[2 * mid] {
        hi = mid
      } else if c > ranges[2 * mid + 1] {
        lo = mid + 1
      } else {
        return true
      }
    }
    return false
  }

  /// Adds the consuming instructions reachable from `start` without consuming
  /// (at a position between `prev` and `cur`) to `list`, each at most once
  /// per generation. Returns true if `match` is reachable.
  @inline(__always)
  func addClosure(
    _ start: UInt32, to list: UnsafeMutablePointer<UInt32>, count listCount: inout Int,
    generation: UInt32, prev: UInt32, cur: UInt32
  ) -> Bool {
    if marks[Int(start)] == generation { return false }
    marks[Int(start)] = generation
    stack[0] = start
    var sp = 1
    while sp > 0 {
      sp -= 1
      let pc = stack[sp]
      let inst = code[Int(pc)]
      switch inst.op {
      case .char, .set, .any, .anyNotNL:
        list[listCount] = pc
        listCount += 1
      case .split:
        if marks[Int(inst.y)] != generation {
          marks[Int(inst.y)] = generation
          stack[sp] = inst.y
          sp += 1
        }
        if marks[Int(inst.x)] != generation {
          marks[Int(inst.x)] = generation
          stack[sp] = inst.x
          sp += 1
        }
      case .jmp:
        if marks[Int(inst.x)] != generation {
          marks[Int(inst.x)] = generation
          stack[sp] = inst.x
          sp += 1
        }
      case .assertion:
        let next = pc + 1
        if PikeVM.holds(inst.x, prev: prev, cur: cur) && marks[Int(next)] != generation {
          marks[Int(next)] = generation
          stack[sp] = next
          sp += 1
        }
      case .match:
        return true
      case .fail:
        break
      }
    }
    return false
  }

  /// Decodes the scalar at `i` of valid UTF-8 and advances `i` past it;
  /// `noScalar` at the end.
  @inline(__always)
  static func decode(_ text: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt32 {
    let count = text.count
    guard i < count else { return noScalar }
    let b0 = UInt32(text[i])
    if b0 < 0x80 {
      i += 1
      return b0
    }
    let length = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4
    guard i + length <= count else {
      // Cannot happen for a String's UTF-8; end the text rather than read past it.
      i = count
      return 0xFFFD
    }
    var c: UInt32
    switch length {
    case 2: c = b0 & 0x1F
    case 3: c = b0 & 0x0F
    default: c = b0 & 0x07
    }
    for k in 1..<length {
      c = (c &<< 6) | (UInt32(text[i + k]) & 0x3F)
    }
    i += length
    return c
  }

  func run(
    _ text: UnsafeBufferPointer<UInt8>, clist clistStart: UnsafeMutablePointer<UInt32>,
    nlist nlistStart: UnsafeMutablePointer<UInt32>, anchored: Bool, firstClass: Int
  ) -> Bool {
    var clist = clistStart
    var nlist = nlistStart
    var position = 0
    var prev = noScalar
    var cur = PikeVM.decode(text, &position)
    var ccount = 0
    var generation: UInt32 = 1
    var atStart = true
    let filter = firstClass >= 0 ? UInt32(truncatingIfNeeded: firstClass) : nil
    while true {
      // A new thread starting here (unless it could not consume `cur`).
      if atStart || !anchored {
        let useful: Bool
        if let filter {
          useful = cur != noScalar && inClass(filter, cur)
        } else {
          useful = true
        }
        if useful && addClosure(0, to: clist, count: &ccount, generation: generation, prev: prev, cur: cur) {
          return true
        }
      }
      atStart = false
      if cur == noScalar || (anchored && ccount == 0) { return false }
      // Step every thread over `cur`.
      let next = PikeVM.decode(text, &position)
      nextGeneration(&generation)
      var ncount = 0
      var t = 0
      while t < ccount {
        let pc = clist[t]
        t += 1
        let inst = code[Int(pc)]
        let ok: Bool
        switch inst.op {
        case .char: ok = inst.x == cur
        case .set: ok = inClass(inst.x, cur)
        case .any: ok = true
        case .anyNotNL: ok = cur != 0x0A
        default: ok = false  // only consuming instructions are in the list
        }
        if ok && addClosure(pc + 1, to: nlist, count: &ncount, generation: generation, prev: cur, cur: next) {
          return true
        }
      }
      swap(&clist, &nlist)
      ccount = ncount
      prev = cur
      cur = next
    }
  }
}
