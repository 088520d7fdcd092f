import Dispatch

/// Joins the chunks of phase 1 into a `FactTable`: rejects duplicated ids (every record
/// carrying one), names id-less facts `FILE:ROW`, interns strings once, groups facts by
/// subject in ledger order, and resolves `ref`s.
struct FactTableAssembler {
  let schema: FactSchema
  let files: [String]
  let subjectCount: Int
  let threads: Int

  struct Output {
    var table: FactTable
    var rejected: [(fact: String, file: Int, row: Int, code: DiagnosticCode, reason: String)]
    var recordCount: Int
  }

  func assemble(_ input: [FactChunk]) -> Output {
    var chunks = input
    let duplicates = findDuplicates(chunks)

    // One pool for the run.
    var pool = StringPool()
    var decimals: [Int32: ExactDecimal] = [:]
    var remaps: [[Int32]] = []
    for chunk in chunks {
      var remap: [Int32] = []
      remap.reserveCapacity(chunk.pool.count)
      for text in chunk.pool.strings { remap.append(pool.intern(text)) }
      for (local, decimal) in chunk.decimals { decimals[remap[Int(local)]] = decimal }
      remaps.append(remap)
    }

    // Where each subject's facts go.
    var counts = [Int](repeating: 0, count: subjectCount + 1)
    var rejected: [(fact: String, file: Int, row: Int, code: DiagnosticCode, reason: String)] = []
    var recordCount = 0
    var arenaSize = 0
    var overflowSize = 0
    for (c, chunk) in chunks.enumerated() {
      recordCount += chunk.recordCount
      arenaSize += chunk.idArena.count
      overflowSize += chunk.overflow.count
      let dropped = duplicates.facts[c]
      for (index, subject) in chunk.subjects.enumerated() where dropped[index] == nil { counts[Int(subject) + 1] += 1 }
    }
    for s in 0..<subjectCount { counts[s + 1] += counts[s] }
    let subjectStart = counts
    let total = counts[subjectCount]
    var next = counts

    var rows = [FactRow](repeating: FactRow(id: 0, v0: 0, v1: 0, row: 0, file: 0, date: 0, source: 0, extra: 0, type: 0),
                         count: total)
    var arena: [UInt8] = []
    arena.reserveCapacity(arenaSize)
    var longIDLengths: [Int: Int] = [:]
    var overflow: [UInt64] = []
    overflow.reserveCapacity(overflowSize)
    var intMinSlots = Set<FactTable.IntMinSlot>()
    var subjectText: [FileRow: Int32] = [:]
    let kinds = schema.types.map(\.kinds)

    for c in chunks.indices {
      let chunk = chunks[c]
      chunks[c] = FactChunk(file: chunk.file)  // release the chunk's memory as we go
      let remap = remaps[c]
      let arenaBase = arena.count
      arena.append(contentsOf: chunk.idArena)
      for (start, length) in chunk.longIDLengths { longIDLengths[start + arenaBase] = length }
      let overflowBase = overflow.count
      overflow.append(contentsOf: chunk.overflow)
      let path = files[Int(chunk.file)]
      let dropped = duplicates.facts[c]
      for (slot, field) in chunk.intMinSlots {
        let row = chunk.rows[slot]
        intMinSlots.insert(.init(record: FileRow(file: row.file, row: row.row), field: field))
      }
      for (slot, text) in chunk.subjectText {
        let row = chunk.rows[slot]
        subjectText[FileRow(file: row.file, row: row.row)] = remap[Int(text)]
      }
      chunk.rows.withUnsafeBufferPointer { source in
        remap.withUnsafeBufferPointer { remap in
          @inline(__always) func mapped(_ value: UInt64) -> UInt64 {
            value == FactSlot.null ? value : UInt64(remap[Int(value)])
          }
          for index in 0..<source.count where dropped[index] == nil {
            var row = source[index]
            if row.id == FactChunk.noID {
              var text = "\(path):\(row.row)"
              let start = arena.count
              text.withUTF8 { arena.append(contentsOf: $0) }
              let length = arena.count - start
              if length >= 0xFFFF {
                longIDLengths[start] = length
                row.id = UInt64(start) << 16 | 0xFFFF
              } else {
                row.id = UInt64(start) << 16 | UInt64(length)
              }
            } else {
              row.id &+= UInt64(arenaBase) << 16
            }
            if row.source >= 0 { row.source = remap[Int(row.source)] }
            let fieldKinds = kinds[Int(row.type)]
            if fieldKinds.count > 0, fieldKinds[0].isPooled { row.v0 = mapped(row.v0) }
            if fieldKinds.count > 1, fieldKinds[1].isPooled { row.v1 = mapped(row.v1) }
            if row.extra >= 0 {
              row.extra += Int32(truncatingIfNeeded: overflowBase)
              let base = Int(row.extra)
              overflow[base] = mapped(overflow[base])
              if fieldKinds.count > 2 {
                for field in 2..<fieldKinds.count where fieldKinds[field].isPooled {
                  overflow[base + field - 1] = mapped(overflow[base + field - 1])
                }
              }
            }
            let subject = Int(chunk.subjects[index])
            rows[next[subject]] = row
            next[subject] += 1
          }
        }
      }
      for rejection in chunk.rejected {
        let id = rejection.id == FactChunk.noID ? "\(path):\(rejection.row)" : chunk.idText(rejection.id)
        if rejection.id != FactChunk.noID, let count = duplicates.rejections[c][rejection.id] {
          rejected.append((id, Int(chunk.file), Int(rejection.row), .duplicateFactID,
                           "the id '\(id)' is used by \(count) records"))
        } else {
          rejected.append((id, Int(chunk.file), Int(rejection.row), rejection.code, rejection.reason))
        }
      }
      for (index, count) in dropped.enumerated() {
        guard let count else { continue }
        let row = chunk.rows[index]
        let id = chunk.idText(row.id)
        rejected.append((id, Int(chunk.file), Int(row.row), .duplicateFactID, "the id '\(id)' is used by \(count) records"))
      }
    }

    // Ids in table order, so that a subject's ids lie together.
    var ordered: [UInt8] = []
    ordered.reserveCapacity(arena.count)
    var orderedLong: [Int: Int] = [:]
    arena.withUnsafeBytes { old in
      for index in rows.indices {
        let (start, length) = FactTable.idLocation(rows[index].id, long: longIDLengths)
        let position = ordered.count
        ordered.append(contentsOf: UnsafeRawBufferPointer(rebasing: old[start..<start + length]))
        if length >= 0xFFFF {
          orderedLong[position] = length
          rows[index].id = UInt64(position) << 16 | 0xFFFF
        } else {
          rows[index].id = UInt64(position) << 16 | UInt64(length)
        }
      }
    }
    arena = ordered
    longIDLengths = orderedLong

    // Each subject's facts in ledger order.
    let longIDs = longIDLengths
    rows.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let all = buffer
      arena.withUnsafeBytes { arenaBytes in
        nonisolated(unsafe) let arenaBytes = arenaBytes
        let order: (FactRow, FactRow) -> Bool = { a, b in
          if a.date != b.date { return a.date < b.date }
          if a.date != FactRow.noDate {
            let (sa, na) = FactTable.idLocation(a.id, long: longIDs)
            let (sb, nb) = FactTable.idLocation(b.id, long: longIDs)
            let x = UnsafeRawBufferPointer(rebasing: arenaBytes[sa..<sa + na])
            let y = UnsafeRawBufferPointer(rebasing: arenaBytes[sb..<sb + nb])
            if FactTable.bytesLess(x, y) { return true }
            if FactTable.bytesLess(y, x) { return false }
          }
          if a.file != b.file { return a.file < b.file }
          return a.row < b.row
        }
        Parallel.forEachChunk(count: subjectCount, threads: threads) { range in
          for s in range {
            let start = subjectStart[s]
            let end = subjectStart[s + 1]
            if end - start > 1 {
              var slice = UnsafeMutableBufferPointer(rebasing: all[start..<end])
              slice.sort(by: order)
            }
          }
        }
      }
    }

    let table = FactTable(
      rows: rows, subjectStart: subjectStart, overflow: overflow, idArena: arena, longIDLengths: longIDLengths, pool: pool,
      decimals: decimals, intMinSlots: intMinSlots, subjectText: subjectText, kinds: kinds,
      refField: schema.types.map(\.refField), refTargets: [:])
    return Output(table: table.withRefTargets(resolveRefs(table)), rejected: rejected, recordCount: recordCount)
  }

  // MARK: Duplicate ids

  struct Duplicates {
    /// Per chunk, per fact row: the size of its id's group when the id is duplicated.
    var facts: [[Int?]]
    /// Per chunk: the group size of rejected records' duplicated ids, by id location.
    var rejections: [[UInt64: Int]]
  }

  /// Explicit ids used by more than one record (compared as Swift strings: canonically
  /// equivalent spellings are the same id).
  func findDuplicates(_ chunks: [FactChunk]) -> Duplicates {
    var result = Duplicates(
      facts: chunks.map { _ in [] }, rejections: chunks.map { _ in [:] })
    for c in chunks.indices { result.facts[c] = [Int?](repeating: nil, count: chunks[c].rows.count) }
    // Fast check: ASCII ids in strictly ascending order cannot repeat.
    var sorted = true
    var previous: (chunk: Int, id: UInt64)? = nil
    for (c, chunk) in chunks.enumerated() {
      guard chunk.idsASCII, chunk.idsAscending else {
        sorted = false
        break
      }
      guard chunk.firstID != FactChunk.noID else { continue }
      if let previous {
        let less = chunks[previous.chunk].withID(previous.id) { x in chunk.withID(chunk.firstID) { y in FactTable.bytesLess(x, y) } }
        if !less {
          sorted = false
          break
        }
      }
      previous = (c, chunk.lastID)
    }
    if sorted { return result }

    // Every explicit id: (hash of its key, where it is).
    var entries: [(hash: UInt64, ref: UInt64)] = []
    entries.reserveCapacity(chunks.reduce(0) { $0 + $1.rows.count + $1.rejected.count })
    var nfcKeys: [UInt64: [UInt8]] = [:]
    for (c, chunk) in chunks.enumerated() {
      func add(_ id: UInt64, kind: UInt64, index: Int) {
        let ref = UInt64(c) << 41 | kind << 40 | UInt64(index)
        let hash = chunk.withID(id) { bytes -> UInt64 in
          if FactChunk.isASCII(bytes) { return ByteStringInterner.hash(bytes) }
          let key = IDKey.nfc(bytes)
          nfcKeys[ref] = key
          return key.withUnsafeBytes { ByteStringInterner.hash($0) }
        }
        entries.append((hash, ref))
      }
      for (index, row) in chunk.rows.enumerated() where row.id != FactChunk.noID { add(row.id, kind: 0, index: index) }
      for (index, rejection) in chunk.rejected.enumerated() where rejection.id != FactChunk.noID {
        add(rejection.id, kind: 1, index: index)
      }
    }
    func withKey<R>(_ ref: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
      if let key = nfcKeys[ref] { return key.withUnsafeBytes(body) }
      let chunk = chunks[Int(ref >> 41)]
      let index = Int(ref & 0xFF_FFFF_FFFF)
      let id = (ref >> 40) & 1 == 0 ? chunk.rows[index].id : chunk.rejected[index].id
      return chunk.withID(id, body)
    }
    func sameKey(_ a: UInt64, _ b: UInt64) -> Bool {
      withKey(a) { x in withKey(b) { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
    }
    // Partition by the hash's top bits, then find equal keys within each part.
    var bits = 0
    while (entries.count >> bits) > 2048, bits < 16 { bits += 1 }
    let parts = 1 << bits
    var starts = [Int](repeating: 0, count: parts + 1)
    @inline(__always) func part(_ hash: UInt64) -> Int { bits == 0 ? 0 : Int(hash >> UInt64(64 - bits)) }
    for entry in entries { starts[part(entry.hash) + 1] += 1 }
    for p in 0..<parts { starts[p + 1] += starts[p] }
    var fill = starts
    var partitioned = [(hash: UInt64, ref: UInt64)](repeating: (0, 0), count: entries.count)
    for entry in entries {
      let p = part(entry.hash)
      partitioned[fill[p]] = entry
      fill[p] += 1
    }
    entries = []
    var groups: [[UInt64]] = []
    var table: [Int32] = []
    for p in 0..<parts {
      let start = starts[p]
      let end = starts[p + 1]
      guard end - start > 1 else { continue }
      var size = 16
      while size < (end - start) * 2 { size *= 2 }
      table = [Int32](repeating: -1, count: size)
      // Per slot of `table`: the first entry with that key; `members` collects repeats.
      var members: [Int: [UInt64]] = [:]
      for position in start..<end {
        let (hash, ref) = partitioned[position]
        var slot = Int(truncatingIfNeeded: hash) & (size - 1)
        while true {
          let occupant = table[slot]
          if occupant < 0 {
            table[slot] = Int32(position - start)
            break
          }
          let other = partitioned[start + Int(occupant)]
          if other.hash == hash, sameKey(other.ref, ref) {
            members[Int(occupant), default: [other.ref]].append(ref)
            break
          }
          slot = (slot + 1) & (size - 1)
        }
      }
      groups += members.values
    }
    for group in groups {
      for ref in group {
        let c = Int(ref >> 41)
        let index = Int(ref & 0xFF_FFFF_FFFF)
        if (ref >> 40) & 1 == 0 {
          result.facts[c][index] = group.count
        } else {
          result.rejections[c][chunks[c].rejected[index].id] = group.count
        }
      }
    }
    return result
  }

  // MARK: Refs

  /// For each distinct `ref` text: the first fact (in input order) whose id it names.
  func resolveRefs(_ table: FactTable) -> [Int32: Int32] {
    guard table.refField.contains(where: { $0 != nil }) else { return [:] }
    // The distinct ref texts, by key.
    var keys = ByteStringInterner(capacity: 1024)
    var keyOfText: [Int32: Int32] = [:]
    for fact in 0..<table.count {
      let row = table.rows[fact]
      guard let field = table.refField[Int(row.type)] else { continue }
      let raw = table.slot(fact, field)
      guard raw != FactSlot.null else { continue }
      let text = Int32(truncatingIfNeeded: raw)
      if keyOfText[text] != nil { continue }
      let key = table.pool.withBytes(text) { bytes -> Int32? in
        if FactChunk.isASCII(bytes) { return keys.intern(bytes) }
        let nfc = IDKey.nfc(bytes)
        return nfc.withUnsafeBytes { keys.intern($0) }
      }
      keyOfText[text] = key ?? -1
    }
    guard keys.count > 0 else { return [:] }
    // The first fact (smallest file, row) whose id has each key.
    let keyCount = keys.count
    let frozen = keys
    let parts = Parallel.chunks(count: table.count, threads: threads)
    var found = [[Int32]](repeating: [], count: parts.count)
    found.withUnsafeMutableBufferPointer { output in
      nonisolated(unsafe) let output = output
      Parallel.forEach(parts.count, threads: threads) { part in
        var best = [Int32](repeating: -1, count: keyCount)
        for fact in parts[part] {
          let key = table.withID(fact) { bytes -> Int32? in
            if FactChunk.isASCII(bytes) { return frozen.id(of: bytes) }
            let nfc = IDKey.nfc(bytes)
            return nfc.withUnsafeBytes { frozen.id(of: $0) }
          }
          guard let key else { continue }
          let current = best[Int(key)]
          if current < 0 || Self.inputOrder(table.rows[fact], before: table.rows[Int(current)]) { best[Int(key)] = Int32(fact) }
        }
        output[part] = best
      }
    }
    var first = [Int32](repeating: -1, count: keyCount)
    for best in found {
      for (key, fact) in best.enumerated() where fact >= 0 {
        let current = first[key]
        if current < 0 || Self.inputOrder(table.rows[Int(fact)], before: table.rows[Int(current)]) { first[key] = fact }
      }
    }
    return keyOfText.mapValues { $0 < 0 ? -1 : first[Int($0)] }
  }

  static func inputOrder(_ a: FactRow, before b: FactRow) -> Bool {
    a.file != b.file ? a.file < b.file : a.row < b.row
  }
}

/// Keys under which ids compare as Swift strings do (canonical equivalence).
enum IDKey {
  /// The NFC UTF-8 of `bytes` (valid UTF-8).
  static func nfc(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    String(decoding: bytes, as: UTF8.self)._nfcCodeUnits
  }
}

/// Splitting work over threads.
enum Parallel {
  /// `count` items in about `threads × 4` contiguous ranges.
  static func chunks(count: Int, threads: Int) -> [Range<Int>] {
    guard count > 0 else { return [] }
    let pieces = threads <= 1 ? 1 : Swift.min(count, threads * 4)
    let size = (count + pieces - 1) / pieces
    return stride(from: 0, to: count, by: size).map { $0..<Swift.min(count, $0 + size) }
  }

  /// Calls `body` for 0..<iterations, on up to `threads` threads.
  static func forEach(_ iterations: Int, threads: Int, _ body: (Int) -> Void) {
    if threads <= 1 || iterations <= 1 {
      for index in 0..<iterations { body(index) }
    } else {
      withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: iterations) { body($0) }
      }
    }
  }

  static func forEachChunk(count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    let ranges = chunks(count: count, threads: threads)
    forEach(ranges.count, threads: threads) { body(ranges[$0]) }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
