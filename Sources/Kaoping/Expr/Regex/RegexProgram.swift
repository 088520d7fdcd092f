// Thompson-construction compiler and breadth-first NFA simulation (a Pike VM
// without captures). Matching costs O(program size × text length): each
// instruction is visited at most once per text position.

/// One instruction of a compiled pattern.
enum RegexInst: Sendable {
  /// Consume this scalar.
  case char(UInt32)
  /// Consume a scalar in class `RegexProgram.classes[k]`.
  case set(Int32)
  /// Consume any scalar.
  case any
  /// Consume any scalar but `\n`.
  case anyNotNL
  /// Continue at both targets.
  case split(Int32, Int32)
  case jmp(Int32)
  /// Continue at the next instruction if the assertion holds here.
  case assertion(RegexAssertion)
  case match
  /// Dead end (an empty class).
  case fail
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

  /// Lays out the code of each node contiguously, at an offset known from
  /// the node sizes, so no patching is needed (and no recursion).
  init(_ ast: RegexAST) {
    // Classes.
    var classes: [RegexClassInfo] = []
    var classRanges: [UInt32] = []
    classes.reserveCapacity(ast.sets.count)
    for set in ast.sets {
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
      classes.append(info)
    }
    self.classes = classes
    self.classRanges = classRanges

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
        code[pc] = .set(Int32(truncatingIfNeeded: k))
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
            code[at] = .split(RegexProgram.pc(body), RegexProgram.pc(next))
            work.append((x, body))
            code[body + ast.sizes[x]] = .jmp(RegexProgram.pc(end))
            at = next
          }
        }
      case .star(let x):
        // L: split L+1, end; x; jmp L; end:
        let end = pc + ast.sizes[x] + 2
        code[pc] = .split(RegexProgram.pc(pc + 1), RegexProgram.pc(end))
        work.append((x, pc + 1))
        code[pc + 1 + ast.sizes[x]] = .jmp(RegexProgram.pc(pc))
      case .plus(let x):
        // L: x; split L, end; end:
        let after = pc + ast.sizes[x]
        work.append((x, pc))
        code[after] = .split(RegexProgram.pc(pc), RegexProgram.pc(after + 1))
      case .quest(let x):
        // split L+1, end; x; end:
        code[pc] = .split(RegexProgram.pc(pc + 1), RegexProgram.pc(pc + 1 + ast.sizes[x]))
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
  }

  private static func pc(_ value: Int) -> Int32 {
    Int32(truncatingIfNeeded: value)
  }

  /// True when some substring of `text` matches (RE2 PartialMatch).
  func matches(_ text: String) -> Bool {
    let n = insts.count
    return insts.withUnsafeBufferPointer { code in
      classes.withUnsafeBufferPointer { classes in
        classRanges.withUnsafeBufferPointer { ranges in
          withUnsafeTemporaryAllocation(of: Int32.self, capacity: 3 * n) { lists in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: n) { marks in
              guard let listBase = lists.baseAddress, let markBase = marks.baseAddress else {
                return false
              }
              marks.initialize(repeating: 0)
              var vm = PikeVM(
                code: code, classes: classes, ranges: ranges, marks: markBase,
                stack: listBase + 2 * n, count: n)
              return vm.run(
                text, clist: listBase, nlist: listBase + n, anchored: anchoredStart)
            }
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
  let stack: UnsafeMutablePointer<Int32>
  let count: Int
  var generation: UInt32 = 1

  init(
    code: UnsafeBufferPointer<RegexInst>, classes: UnsafeBufferPointer<RegexClassInfo>,
    ranges: UnsafeBufferPointer<UInt32>, marks: UnsafeMutablePointer<UInt32>,
    stack: UnsafeMutablePointer<Int32>, count: Int
  ) {
    self.code = code
    self.classes = classes
    self.ranges = ranges
    self.marks = marks
    self.stack = stack
    self.count = count
  }

  mutating func nextGeneration() {
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

  @inline(__always)
  static func holds(_ a: RegexAssertion, prev: UInt32, cur: UInt32) -> Bool {
    switch a {
    case .beginText: return prev == noScalar
    case .endText: return cur == noScalar
    case .beginLine: return prev == noScalar || prev == 0x0A
    case .endLine: return cur == noScalar || cur == 0x0A
    case .wordBoundary: return isWord(prev) != isWord(cur)
    case .notWordBoundary: return isWord(prev) == isWord(cur)
    }
  }

  @inline(__always)
  func inClass(_ k: Int32, _ c: UInt32) -> Bool {
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
  func addClosure(
    _ start: Int32, to list: UnsafeMutablePointer<Int32>, count listCount: inout Int,
    prev: UInt32, cur: UInt32
  ) -> Bool {
    if marks[Int(start)] == generation { return false }
    marks[Int(start)] = generation
    stack[0] = start
    var sp = 1
    while sp > 0 {
      sp -= 1
      let pc = stack[sp]
      switch code[Int(pc)] {
      case .jmp(let target):
        if marks[Int(target)] != generation {
          marks[Int(target)] = generation
          stack[sp] = target
          sp += 1
        }
      case .split(let first, let second):
        if marks[Int(second)] != generation {
          marks[Int(second)] = generation
          stack[sp] = second
          sp += 1
        }
        if marks[Int(first)] != generation {
          marks[Int(first)] = generation
          stack[sp] = first
          sp += 1
        }
      case .assertion(let a):
        let next = pc + 1
        if PikeVM.holds(a, prev: prev, cur: cur) && marks[Int(next)] != generation {
          marks[Int(next)] = generation
          stack[sp] = next
          sp += 1
        }
      case .match:
        return true
      case .fail:
        break
      case .char, .set, .any, .anyNotNL:
        list[listCount] = pc
        listCount += 1
      }
    }
    return false
  }

  mutating func run(
    _ text: String, clist clistStart: UnsafeMutablePointer<Int32>,
    nlist nlistStart: UnsafeMutablePointer<Int32>, anchored: Bool
  ) -> Bool {
    var clist = clistStart
    var nlist = nlistStart
    var it = text.unicodeScalars.makeIterator()
    var cur = it.next()?.value ?? noScalar
    var ccount = 0
    if addClosure(0, to: clist, count: &ccount, prev: noScalar, cur: cur) { return true }
    while cur != noScalar {
      let c = cur
      let next = it.next()?.value ?? noScalar
      nextGeneration()
      var ncount = 0
      var t = 0
      while t < ccount {
        let pc = clist[t]
        t += 1
        let ok: Bool
        switch code[Int(pc)] {
        case .char(let x): ok = x == c
        case .set(let k): ok = inClass(k, c)
        case .any: ok = true
        case .anyNotNL: ok = c != 0x0A
        default: ok = false
        }
        if ok && addClosure(pc + 1, to: nlist, count: &ncount, prev: c, cur: next) {
          return true
        }
      }
      if !anchored {
        if addClosure(0, to: nlist, count: &ncount, prev: c, cur: next) { return true }
      } else if ncount == 0 {
        return false
      }
      swap(&clist, &nlist)
      ccount = ncount
      cur = next
    }
    return false
  }
}
