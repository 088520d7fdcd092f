import Dispatch

/// Joins the chunks of phase 1 into a `FactTable`: rejects duplicated ids (every record
/// carrying one), names id-less facts `FILE:ROW`, interns strings once, groups facts by
/// subject in ledger order, and resolves `ref`s.
///
/// Grouping goes block by block of subjects (as the chunks hold them), in parallel:
/// each block's facts land in a small, contiguous part of the table.
struct FactTableAssembler {
  let schema: FactSchema
  let files: [String]
  let subjectCount: Int
  let threads: Int

  struct Output {
    var source: FactSource
    var rejected: [(fact: String, file: Int, row: Int, code: DiagnosticCode, reason: String)]
    var recordCount: Int
    /// Set when the facts hold more distinct texts than a pool can (the run fails).
    var problem: Diagnostic? = nil
  }

  /// A fact row or a rejection of a chunk: chunk << 41 | kind << 40 | bucket << 32 | index.
  static func factRef(chunk: Int, bucket: Int, index: Int) -> UInt64 {
    UInt64(chunk) << 41 | UInt64(bucket) << 32 | UInt64(index)
  }

  static func rejectionRef(chunk: Int, index: Int) -> UInt64 {
    UInt64(chunk) << 41 | 1 << 40 | UInt64(index)
  }

  /// Everything but the grouping by subject, which `FactSource.table(block:)` does one
  /// block at a time.
  func prepare(_ input: [FactChunk]) -> Output {
    var chunks = input
    let blocks = SubjectBlocks(subjects: subjectCount)
    let duplicates = findDuplicates(chunks)

    // One pool for the run.
    var pool = StringPool()
    var decimals: [Int32: ExactDecimal] = [:]
    var remaps: [[Int32]] = []
    var tooManyStrings = false
    for chunk in chunks {
      var remap: [Int32] = []
      remap.reserveCapacity(chunk.pool.count)
      if chunk.tooManyStrings { tooManyStrings = true }
      for text in chunk.pool.strings {
        guard let id = pool.intern(text) else {
          tooManyStrings = true
          remap.append(0)
          continue
        }
        remap.append(id)
      }
      for (local, decimal) in chunk.decimals { decimals[remap[Int(local)]] = decimal }
      remaps.append(remap)
    }

    // Overflow slots, one run after another; side records keyed by (file, row); phase 1 rejections.
    var overflowBase: [Int] = []
    var overflow: [UInt64] = []
    overflow.reserveCapacity(chunks.reduce(0) { $0 + $1.overflow.count })
    var intMinSlots = Set<FactStore.IntMinSlot>()
    var subjectText: [FileRow: Int32] = [:]
    var rejected: [(fact: String, file: Int, row: Int, code: DiagnosticCode, reason: String)] = []
    var recordCount = 0
    for (c, chunk) in chunks.enumerated() {
      recordCount += chunk.recordCount
      overflowBase.append(overflow.count)
      overflow.append(contentsOf: chunk.overflow)
      chunks[c].overflow = []
      for (bucket, index, field) in chunk.intMinSlots {
        let row = chunk.buckets[Int(bucket)].rows[Int(index)]
        intMinSlots.insert(.init(record: FileRow(file: chunk.file, row: row.row), field: Int(field)))
      }
      for (bucket, index, text) in chunk.subjectText {
        let row = chunk.buckets[Int(bucket)].rows[Int(index)]
        subjectText[FileRow(file: chunk.file, row: row.row)] = remaps[c][Int(text)]
      }
      let path = files[Int(chunk.file)]
      for (index, rejection) in chunk.rejected.enumerated() {
        let id = rejection.id == FactChunk.noID ? "\(path):\(rejection.row)" : chunk.rejectedIDText(rejection.id)
        if let count = duplicates.rejections[Self.rejectionRef(chunk: c, index: index)] {
          rejected.append((id, Int(chunk.file), Int(rejection.row), .duplicateFactID, "the id '\(id)' is used by \(count) records"))
        } else {
          rejected.append((id, Int(chunk.file), Int(rejection.row), rejection.code, rejection.reason))
        }
      }
      for (ref, count) in duplicates.facts.sorted(by: { $0.key < $1.key }) where Int(ref >> 41) == c {
        let bucket = chunk.buckets[Int((ref >> 32) & 0xFF)]
        let row = bucket.rows[Int(ref & 0xFFFF_FFFF)]
        let (start, length) = FactTable.idLocation(row.id, long: bucket.longIDLengths)
        let id = String(decoding: bucket.ids.bytes(start, length), as: UTF8.self)
        rejected.append((id, Int(chunk.file), Int(row.row), .duplicateFactID, "the id '\(id)' is used by \(count) records"))
      }
    }

    // The buckets, by block then chunk.
    let chunkCount = chunks.count
    let buckets = UnsafeMutableBufferPointer<FactBucket>.allocate(capacity: blocks.count * chunkCount)
    for b in 0..<blocks.count {
      for c in 0..<chunkCount { buckets.initializeElement(at: b * chunkCount + c, to: chunks[c].buckets[b]) }
    }
    let fileOfChunk = chunks.map { Int($0.file) }
    chunks = []

    // Rows to run-wide ids (pool, overflow); how many facts, and id bytes, each subject has.
    let kinds = schema.types.map(\.kinds)
    let pathLengths = files.map(\.utf8.count)
    var counts = [Int](repeating: 0, count: subjectCount)
    var idBytes = [Int](repeating: 0, count: subjectCount)
    let dropped = duplicates.facts
    let checkDropped = !dropped.isEmpty
    // Per type: a bit per pooled field (of the first 64), its field count, its `ref` field.
    let pooledBits: [UInt64] = kinds.map { fieldKinds in
      var bits: UInt64 = 0
      for (field, kind) in fieldKinds.enumerated() where field < 64 && kind.isPooled { bits |= 1 << UInt64(field) }
      return bits
    }
    let fieldCounts = kinds.map(\.count)
    let refFieldOfType = schema.types.map { $0.refField ?? -1 }
    // Per block: the `ref` texts of its facts (run-wide pool ids, with repeats).
    var refTexts = [[Int32]](repeating: [], count: blocks.count)
    refTexts.withUnsafeMutableBufferPointer { refTexts in
    nonisolated(unsafe) let refTexts = refTexts
    counts.withUnsafeMutableBufferPointer { counts in
      nonisolated(unsafe) let counts = counts
      idBytes.withUnsafeMutableBufferPointer { idBytes in
        nonisolated(unsafe) let idBytes = idBytes
        overflow.withUnsafeMutableBufferPointer { overflow in
          nonisolated(unsafe) let overflow = overflow
          nonisolated(unsafe) let buckets = buckets
          Parallel.forEach(blocks.count, threads: threads) { b in
            var texts: [Int32] = []
            for c in 0..<chunkCount {
              let bucket = buckets[b * chunkCount + c]
              let rows = bucket.rows
              let base = Int32(truncatingIfNeeded: overflowBase[c])
              remaps[c].withUnsafeBufferPointer { remap in
              pooledBits.withUnsafeBufferPointer { pooledBits in
              fieldCounts.withUnsafeBufferPointer { fieldCounts in
              refFieldOfType.withUnsafeBufferPointer { refFieldOfType in
                @inline(__always) func mapped(_ value: UInt64) -> UInt64 {
                  value == FactSlot.null ? value : UInt64(remap[Int(value)])
                }
                for index in rows.indices {
                  var row = rows[index]
                  if row.source >= 0 { row.source = remap[Int(row.source)] }
                  let type = Int(row.type)
                  let pooled = pooledBits[type]
                  if pooled & 1 != 0 { row.v0 = mapped(row.v0) }
                  if pooled & 2 != 0 { row.v1 = mapped(row.v1) }
                  if row.extra >= 0 {
                    row.extra += base
                    let slot = Int(row.extra)
                    overflow[slot] = mapped(overflow[slot])
                    let fieldCount = fieldCounts[type]
                    if fieldCount > 2 {
                      for field in 2..<fieldCount where field >= 64 ? kinds[type][field].isPooled : pooled & (1 << UInt64(field)) != 0 {
                        overflow[slot + field - 1] = mapped(overflow[slot + field - 1])
                      }
                    }
                  }
                  rows[index] = row
                  let refField = refFieldOfType[type]
                  if refField >= 0 {
                    let raw = refField == 0 ? row.v0 : refField == 1 ? row.v1 : overflow[Int(row.extra) + refField - 1]
                    if raw != FactSlot.null { texts.append(Int32(truncatingIfNeeded: raw)) }
                  }
                  if checkDropped, dropped[Self.factRef(chunk: c, bucket: b, index: index)] != nil { continue }
                  let subject = FactBucket.subject(row)
                  counts[subject] += 1
                  idBytes[subject] += row.id == FactChunk.noID
                    ? pathLengths[fileOfChunk[c]] + 1 + Self.digits(row.row)
                    : FactTable.idLocation(row.id, long: bucket.longIDLengths).count
                }
              }
              }
              }
              }
            }
            refTexts[b] = texts
          }
        }
      }
    }
    }
    let refField = schema.types.map(\.refField)
    let refTargets = resolveRefs(
      buckets: UnsafeBufferPointer(buckets), blocks: blocks, chunkCount: chunkCount, fileOfChunk: fileOfChunk,
      dropped: dropped, pool: pool, refField: refField, refTexts: refTexts, overflow: overflow)
    let store = FactStore(
      pool: pool, decimals: decimals, overflow: overflow, intMinSlots: intMinSlots, subjectText: subjectText, kinds: kinds,
      refField: refField, refTargets: refTargets, typeIDs: schema.typeIDs)
    let source = FactSource(
      store: store, blocks: blocks, chunkCount: chunkCount, buckets: buckets, fileOfChunk: fileOfChunk, paths: files,
      dropped: dropped, counts: counts, idBytes: idBytes)
    var problem: Diagnostic? = nil
    if tooManyStrings {
      problem = Diagnostic(
        code: .malformedInput,
        message: "the fact files hold more than 2³¹ − 1 distinct texts (ids, strings, sources, notes): more than Kaoping can keep",
        file: files.first ?? "")
    }
    return Output(source: source, rejected: rejected, recordCount: recordCount, problem: problem)
  }

  /// Sorts each subject's facts (in input order) into ledger order (§8.3): undated facts
  /// first — those without an id (named `FILE:ROW`) in input order, then those with an id
  /// by id — then by date, equal dates by id; equal ids in input order. `undatedWithID`
  /// has a bit per row (its index in `rows`) for the undated facts that carry an id.
  static func sortSubjects(
    _ subjects: Range<Int>, starts: [Int], rows: UnsafeMutableBufferPointer<FactRow>, arena: UnsafeMutableRawPointer,
    long: [Int: Int], undatedWithID: [UInt64] = []
  ) {
    var keyStorage = [UInt64](repeating: 0, count: 64)
    var sortedStorage: [UInt64] = []
    var dayCounts: [Int32] = []
    var scratch: [FactRow] = []
    /// Sorts the keys by counting their days, when the days span a short range (keys in
    /// input order stay so within a day, which is their order); false when they do not.
    func countingSort(_ keys: UnsafeMutableBufferPointer<UInt64>, _ count: Int) -> Bool {
      var low = UInt64.max
      var high: UInt64 = 0
      for local in 0..<count {
        let day = keys[local] >> 32
        low = Swift.min(low, day)
        high = Swift.max(high, day)
      }
      let span = Int(high - low) + 1
      guard span <= 4 * count + 1024 else { return false }
      if dayCounts.count < span + 1 { dayCounts = [Int32](repeating: 0, count: span + 1) }
      if sortedStorage.count < count { sortedStorage = [UInt64](repeating: 0, count: count) }
      dayCounts.withUnsafeMutableBufferPointer { counts in
        sortedStorage.withUnsafeMutableBufferPointer { sorted in
          for day in 0...span { counts[day] = 0 }
          for local in 0..<count { counts[Int(keys[local] >> 32 - low) + 1] += 1 }
          for day in 0..<span { counts[day + 1] += counts[day] }
          for local in 0..<count {
            let key = keys[local]
            let day = Int(key >> 32 - low)
            sorted[Int(counts[day])] = key
            counts[day] += 1
          }
          for local in 0..<count { keys[local] = sorted[local] }
        }
      }
      return true
    }
    /// Whether fact `a` (position in the subject) goes before `b` among facts of one date.
    @inline(__always) func idBefore(_ start: Int, _ a: UInt64, _ b: UInt64) -> Bool {
      let (sx, nx) = FactTable.idLocation(rows[start + Int(a & 0xFFFF_FFFF)].id, long: long)
      let (sy, ny) = FactTable.idLocation(rows[start + Int(b & 0xFFFF_FFFF)].id, long: long)
      let x = UnsafeRawBufferPointer(start: arena + sx, count: nx)
      let y = UnsafeRawBufferPointer(start: arena + sy, count: ny)
      if FactTable.bytesLess(x, y) { return true }
      if FactTable.bytesLess(y, x) { return false }
      return a < b
    }
    for s in subjects {
      let start = starts[s]
      let count = starts[s + 1] - start
      guard count > 1 else { continue }
      if keyStorage.count < count { keyStorage = [UInt64](repeating: 0, count: count) }
      keyStorage.withUnsafeMutableBufferPointer { keys in
        // (date, position): positions are in input order, so equal keys never occur.
        var sorted = true
        var previous: UInt64 = 0
        for local in 0..<count {
          // Day keys: 0 undated without an id, 1 undated with an id (no real date maps to 1:
          // dates are years 0–9999), then the day with its sign bit flipped.
          var day = UInt64(UInt32(bitPattern: rows[start + local].date) ^ 0x8000_0000)
          if day == 0, !undatedWithID.isEmpty, undatedWithID[(start + local) >> 6] & (1 << UInt64((start + local) & 63)) != 0 {
            day = 1
          }
          let key = day << 32 | UInt64(local)
          if key < previous { sorted = false }
          previous = key
          keys[local] = key
        }
        var moved = false
        if !sorted {
          moved = true
          if count <= 48 {
            for i in 1..<count {
              let key = keys[i]
              var j = i
              while j > 0, keys[j - 1] > key {
                keys[j] = keys[j - 1]
                j -= 1
              }
              keys[j] = key
            }
          } else if !countingSort(keys, count) {
            Self.sortKeys(UnsafeMutableBufferPointer(rebasing: keys[0..<count]))
          }
        }
        // Facts of one date (dated ones): by id, then input order (insertion sort: runs are short).
        var runStart = 0
        while runStart < count {
          let date = keys[runStart] >> 32
          var runEnd = runStart + 1
          while runEnd < count, keys[runEnd] >> 32 == date { runEnd += 1 }
          if runEnd - runStart > 1, date != 0 {
            for i in (runStart + 1)..<runEnd {
              let key = keys[i]
              var j = i
              while j > runStart, idBefore(start, key, keys[j - 1]) {
                keys[j] = keys[j - 1]
                j -= 1
              }
              if j != i {
                keys[j] = key
                moved = true
              }
            }
          }
          runStart = runEnd
        }
        guard moved else { return }
        scratch.removeAll(keepingCapacity: true)
        for local in 0..<count { scratch.append(rows[start + Int(keys[local] & 0xFFFF_FFFF)]) }
        for local in 0..<count { rows[start + local] = scratch[local] }
      }
    }
  }

  /// Sorts distinct keys ascending: a quicksort (median of three, insertion sort for short
  /// ranges) that hands ranges it splits badly to the standard sort. The keys are
  /// distinct, so any correct sort gives the same order.
  static func sortKeys(_ keys: UnsafeMutableBufferPointer<UInt64>) {
    guard let base = keys.baseAddress, keys.count > 1 else { return }
    var depthLimit = 4
    var n = keys.count
    while n > 1 {
      depthLimit += 2
      n >>= 1
    }
    sortKeys(base, 0, keys.count, depth: depthLimit)
  }

  private static func sortKeys(_ base: UnsafeMutablePointer<UInt64>, _ lowBound: Int, _ highBound: Int, depth: Int) {
    var low = lowBound
    var high = highBound
    var depth = depth
    @inline(__always) func swap(_ a: Int, _ b: Int) {
      let t = base[a]
      base[a] = base[b]
      base[b] = t
    }
    while high - low > 24 {
      if depth == 0 {
        var range = UnsafeMutableBufferPointer(start: base + low, count: high - low)
        range.sort()
        return
      }
      depth -= 1
      // Median of three at low, mid, last; then Hoare's partition around the middle value.
      let last = high - 1
      let mid = low + (last - low) / 2
      if base[mid] < base[low] { swap(mid, low) }
      if base[last] < base[low] { swap(last, low) }
      if base[last] < base[mid] { swap(last, mid) }
      let pivot = base[mid]
      var i = low - 1
      var j = high
      while true {
        repeat { i += 1 } while base[i] < pivot
        repeat { j -= 1 } while base[j] > pivot
        if i >= j { break }
        swap(i, j)
      }
      // [low, j] ≤ pivot ≤ [j + 1, high); recurse into the smaller side.
      if j + 1 - low < high - (j + 1) {
        sortKeys(base, low, j + 1, depth: depth)
        low = j + 1
      } else {
        sortKeys(base, j + 1, high, depth: depth)
        high = j + 1
      }
    }
    if high - low > 1 {
      for i in (low + 1)..<high {
        let key = base[i]
        var j = i
        while j > low, base[j - 1] > key {
          base[j] = base[j - 1]
          j -= 1
        }
        base[j] = key
      }
    }
  }

  /// The number of decimal digits of `value` (and its sign).
  static func digits(_ value: Int32) -> Int {
    var n = 1
    var v = Int(value)
    if v < 0 {
      n += 1
      v = -v
    }
    while v >= 10 {
      v /= 10
      n += 1
    }
    return n
  }

  // MARK: Duplicate ids

  struct Duplicates {
    /// Fact rows whose id is duplicated (`factRef`), with the size of its group.
    var facts: [UInt64: Int] = [:]
    /// Rejected records whose id is duplicated (`rejectionRef`), with the size of its group.
    var rejections: [UInt64: Int] = [:]
  }

  /// Explicit ids used by more than one record (compared as Swift strings: canonically
  /// equivalent spellings are the same id).
  func findDuplicates(_ chunks: [FactChunk]) -> Duplicates {
    var result = Duplicates()
    // Fast check: ASCII ids in strictly ascending order cannot repeat.
    var sorted = true
    var previous: [UInt8]? = nil
    for chunk in chunks {
      guard chunk.idsASCII, chunk.idsAscending else {
        sorted = false
        break
      }
      guard let first = chunk.firstID else { continue }
      if let previous {
        let less = previous.withUnsafeBytes { x in first.withUnsafeBytes { y in FactTable.bytesLess(x, y) } }
        if !less {
          sorted = false
          break
        }
      }
      previous = chunk.lastID
    }
    if sorted { return result }

    // Every explicit id: (hash of its key, where it is).
    var entries: [(hash: UInt64, ref: UInt64)] = []
    entries.reserveCapacity(chunks.reduce(0) { total, chunk in total + chunk.rejected.count + chunk.buckets.reduce(0) { $0 + $1.rows.count } })
    var nfcKeys: [UInt64: [UInt8]] = [:]
    func hash(_ bytes: UnsafeRawBufferPointer, _ ref: UInt64) -> UInt64 {
      if FactChunk.isASCII(bytes) { return ByteStringInterner.hash(bytes) }
      let key = IDKey.nfc(bytes)
      nfcKeys[ref] = key
      return key.withUnsafeBytes { ByteStringInterner.hash($0) }
    }
    for (c, chunk) in chunks.enumerated() {
      for (b, bucket) in chunk.buckets.enumerated() {
        for (index, row) in bucket.rows.enumerated() where row.id != FactChunk.noID {
          let ref = Self.factRef(chunk: c, bucket: b, index: index)
          let (start, length) = FactTable.idLocation(row.id, long: bucket.longIDLengths)
          entries.append((hash(bucket.ids.bytes(start, length), ref), ref))
        }
      }
      for (index, rejection) in chunk.rejected.enumerated() where rejection.id != FactChunk.noID {
        let ref = Self.rejectionRef(chunk: c, index: index)
        entries.append((chunk.withRejectedID(rejection.id) { hash($0, ref) }, ref))
      }
    }
    func withKey<R>(_ ref: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
      if let key = nfcKeys[ref] { return key.withUnsafeBytes(body) }
      let chunk = chunks[Int(ref >> 41)]
      if (ref >> 40) & 1 == 1 { return chunk.withRejectedID(chunk.rejected[Int(ref & 0xFFFF_FFFF)].id, body) }
      let bucket = chunk.buckets[Int((ref >> 32) & 0xFF)]
      let (start, length) = FactTable.idLocation(bucket.rows[Int(ref & 0xFFFF_FFFF)].id, long: bucket.longIDLengths)
      return body(bucket.ids.bytes(start, length))
    }
    func sameKey(_ a: UInt64, _ b: UInt64) -> Bool {
      withKey(a) { x in
        withKey(b) { y in
          guard x.count == y.count else { return false }
          guard x.count > 0, let p = x.baseAddress, let q = y.baseAddress else { return true }
          return memcmp(p, q, x.count) == 0
        }
      }
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
    for p in 0..<parts {
      let start = starts[p]
      let end = starts[p + 1]
      guard end - start > 1 else { continue }
      var size = 16
      while size < (end - start) * 2 { size *= 2 }
      var table = [Int32](repeating: -1, count: size)
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
        if (ref >> 40) & 1 == 0 { result.facts[ref] = group.count } else { result.rejections[ref] = group.count }
      }
    }
    return result
  }

  // MARK: Refs

  /// For each distinct `ref` text: the first fact (in input order) whose id it names.
  func resolveRefs(
    buckets: UnsafeBufferPointer<FactBucket>, blocks: SubjectBlocks, chunkCount: Int, fileOfChunk: [Int],
    dropped: [UInt64: Int], pool: StringPool, refField: [Int?], refTexts: [[Int32]], overflow: [UInt64]
  ) -> RefTargets {
    guard refField.contains(where: { $0 != nil }) else { return RefTargets() }
    @inline(__always) func slot(_ row: FactRow, _ field: Int) -> UInt64 {
      switch field {
      case 0: return row.v0
      case 1: return row.v1
      default: return overflow[Int(row.extra) + field - 1]
      }
    }
    // The distinct ref texts (pool ids, collected per block while rows were mapped), by key.
    // The distinct texts, in order of first use.
    var isRef = [Bool](repeating: false, count: pool.count)
    var distinct: [Int32] = []
    for texts in refTexts {
      for text in texts where text >= 0 && Int(text) < isRef.count && !isRef[Int(text)] {
        isRef[Int(text)] = true
        distinct.append(text)
      }
    }
    isRef = []
    guard !distinct.isEmpty else { return RefTargets() }
    // Their keys' hashes (and the NFC of texts that are not ASCII), in parallel.
    var hashes = [UInt64](repeating: 0, count: distinct.count)
    var nfcs = [[UInt8]?](repeating: nil, count: distinct.count)
    hashes.withUnsafeMutableBufferPointer { hashes in
    nfcs.withUnsafeMutableBufferPointer { nfcs in
      nonisolated(unsafe) let hashes = hashes
      nonisolated(unsafe) let nfcs = nfcs
      Parallel.forEachChunk(count: distinct.count, threads: threads) { range in
        for i in range {
          hashes[i] = pool.withBytes(distinct[i]) { bytes -> UInt64 in
            if FactChunk.isASCII(bytes) { return ByteStringInterner.hash(bytes) }
            let nfc = IDKey.nfc(bytes)
            nfcs[i] = nfc
            return nfc.withUnsafeBytes { ByteStringInterner.hash($0) }
          }
        }
      }
    }
    }
    // Keys interned in parts by their hash's top bits, the parts at once: a key is its
    // part's offset plus its id there (the same whatever the thread count).
    var members = [[Int]](repeating: [], count: Self.refParts)
    for (i, hash) in hashes.enumerated() { members[Self.refPart(hash)].append(i) }
    var parts = [ByteStringInterner](repeating: ByteStringInterner(capacity: 16), count: Self.refParts)
    var localKey = [Int32](repeating: -1, count: distinct.count)
    parts.withUnsafeMutableBufferPointer { parts in
    localKey.withUnsafeMutableBufferPointer { localKey in
      nonisolated(unsafe) let parts = parts
      nonisolated(unsafe) let localKey = localKey
      Parallel.forEach(Self.refParts, threads: threads) { p in
        var keys = ByteStringInterner(capacity: Swift.max(16, members[p].count))
        for i in members[p] {
          let key: Int32?
          if let nfc = nfcs[i] {
            key = nfc.withUnsafeBytes { keys.intern($0) }
          } else {
            key = pool.withBytes(distinct[i]) { keys.intern($0) }
          }
          localKey[i] = key ?? -1
        }
        parts[p] = keys
      }
    }
    }
    var partOffset = [Int](repeating: 0, count: Self.refParts + 1)
    for p in 0..<Self.refParts { partOffset[p + 1] = partOffset[p] + parts[p].count }
    let keyCount = partOffset[Self.refParts]
    guard keyCount > 0 else { return RefTargets() }
    var keyOfText = [Int32](repeating: -1, count: pool.count)
    for (i, text) in distinct.enumerated() where localKey[i] >= 0 {
      keyOfText[Int(text)] = Int32(truncatingIfNeeded: partOffset[Self.refPart(hashes[i])] + Int(localKey[i]))
    }
    // The first fact (smallest file, row) whose id has each key.
    let frozenParts = parts
    let frozenOffsets = partOffset
    let paths = files
    // A bit per hash (of the keys) first: most ids name no ref and cost no lookup.
    var bits = 1 << 16
    while bits < keyCount * 16, bits < 1 << 26 { bits *= 2 }
    var filter = [UInt64](repeating: 0, count: bits / 64)
    for hash in hashes {
      let bit = Int(truncatingIfNeeded: hash) & (bits - 1)
      filter[bit >> 6] |= 1 << UInt64(bit & 63)
    }
    let bitMask = bits - 1
    let frozenFilter = filter
    let ranges = Parallel.chunks(count: blocks.count, threads: threads)
    var found = [[RefTarget?]](repeating: [], count: ranges.count)
    found.withUnsafeMutableBufferPointer { output in
      nonisolated(unsafe) let output = output
      Parallel.forEach(ranges.count, threads: threads) { part in
        var best = [RefTarget?](repeating: nil, count: keyCount)
        for b in ranges[part] {
        for c in 0..<chunkCount {
          let bucket = buckets[b * chunkCount + c]
          let file = Int32(truncatingIfNeeded: fileOfChunk[c])
          for (index, row) in bucket.rows.enumerated() {
            if !dropped.isEmpty, dropped[Self.factRef(chunk: c, bucket: b, index: index)] != nil { continue }
            let record = FileRow(file: file, row: row.row)
            func lookup(_ bytes: UnsafeRawBufferPointer) -> Int32? {
              func probe(_ key: UnsafeRawBufferPointer) -> Int32? {
                let hash = ByteStringInterner.hash(key)
                let bit = Int(truncatingIfNeeded: hash) & bitMask
                guard frozenFilter[bit >> 6] & (1 << UInt64(bit & 63)) != 0 else { return nil }
                let part = Self.refPart(hash)
                return frozenParts[part].id(of: key).map { Int32(truncatingIfNeeded: frozenOffsets[part] + Int($0)) }
              }
              if FactChunk.isASCII(bytes) { return probe(bytes) }
              let nfc = IDKey.nfc(bytes)
              return nfc.withUnsafeBytes { probe($0) }
            }
            let key: Int32?
            if row.id == FactChunk.noID {
              var text = "\(paths[fileOfChunk[c]]):\(row.row)"
              key = text.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
            } else {
              let (start, length) = FactTable.idLocation(row.id, long: bucket.longIDLengths)
              key = lookup(bucket.ids.bytes(start, length))
            }
            guard let key else { continue }
            let hasRef = refField[Int(row.type)].map { slot(row, $0) != FactSlot.null } ?? false
            if let current = best[Int(key)], !Self.inputOrder(record, before: current.record) { continue }
            best[Int(key)] = RefTarget(record: record, hasRef: hasRef)
          }
        }
        }
        output[part] = best
      }
    }
    // Per key, the first of the parts' finds (in parallel over keys).
    var first = [RefTarget?](repeating: nil, count: keyCount)
    first.withUnsafeMutableBufferPointer { first in
      nonisolated(unsafe) let first = first
      Parallel.forEachChunk(count: keyCount, threads: threads) { range in
        for best in found {
          for key in range {
            guard let target = best[key] else { continue }
            if let current = first[key], !Self.inputOrder(target.record, before: current.record) { continue }
            first[key] = target
          }
        }
      }
    }
    return RefTargets(keyOfText: keyOfText, targets: first)
  }

  /// Ref keys are interned in this many parts (by their hash's top bits), in parallel.
  static let refParts = 16

  @inline(__always) static func refPart(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 60) }

  static func inputOrder(_ a: FileRow, before b: FileRow) -> Bool {
    a.file != b.file ? a.file < b.file : a.row < b.row
  }
}

/// The facts of a run, grouped by subject one block at a time: `table(block:)` builds a
/// block's table (and frees what the reader kept for it). Each block is built once.
final class FactSource: @unchecked Sendable {
  let store: FactStore
  let blocks: SubjectBlocks
  let chunkCount: Int
  /// Per block, per chunk: the facts read.
  private let buckets: UnsafeMutableBufferPointer<FactBucket>
  private let fileOfChunk: [Int]
  private let paths: [String]
  private let dropped: [UInt64: Int]
  /// Per subject: the number of facts and of id bytes.
  private let counts: [Int]
  private let idBytes: [Int]
  /// Tables kept for explanations.
  private let kept: UnsafeMutableBufferPointer<FactTable?>

  init(
    store: FactStore, blocks: SubjectBlocks, chunkCount: Int, buckets: UnsafeMutableBufferPointer<FactBucket>,
    fileOfChunk: [Int], paths: [String], dropped: [UInt64: Int], counts: [Int], idBytes: [Int]
  ) {
    self.store = store
    self.blocks = blocks
    self.chunkCount = chunkCount
    self.buckets = buckets
    self.fileOfChunk = fileOfChunk
    self.paths = paths
    self.dropped = dropped
    self.counts = counts
    self.idBytes = idBytes
    kept = .allocate(capacity: blocks.count)
    kept.initialize(repeating: nil)
  }

  deinit {
    buckets.deinitialize()
    buckets.deallocate()
    kept.deinitialize()
    kept.deallocate()
  }

  /// Facts of all subjects.
  var factCount: Int { counts.reduce(0, +) }

  /// The table of block `b`, in ledger order; `keep` keeps it for `keptTables`. Call once per
  /// block (blocks may be built on different threads at once).
  func table(block b: Int, keep: Bool) -> FactTable {
    let subjects = blocks.range(b)
    var subjectStart = [Int](repeating: 0, count: subjects.count + 1)
    var idStart = [Int](repeating: 0, count: subjects.count + 1)
    for (local, subject) in subjects.enumerated() {
      subjectStart[local + 1] = subjectStart[local] + counts[subject]
      idStart[local + 1] = idStart[local] + idBytes[subject]
    }
    let total = subjectStart[subjects.count]
    var rows = [FactRow](unsafeUninitializedCapacity: total) { _, count in count = total }
    let arena = ByteBuffer(capacity: idStart[subjects.count])
    let arenaBase = arena.extend(by: idStart[subjects.count])
    var next = subjectStart
    var nextID = idStart
    var long: [Int: Int] = [:]
    // Undated facts with an id sort by id after the id-less ones (allocated when one occurs).
    var undatedWithID: [UInt64] = []
    let checkDropped = !dropped.isEmpty
    let firstSubject = subjects.lowerBound
    rows.withUnsafeMutableBufferPointer { rows in
      next.withUnsafeMutableBufferPointer { next in
      nextID.withUnsafeMutableBufferPointer { nextID in
      idStart.withUnsafeBufferPointer { idEnd in
      for c in 0..<chunkCount {
        let bucket = buckets[b * chunkCount + c]
        buckets[b * chunkCount + c] = FactBucket()  // free it as we go
        let path = paths[fileOfChunk[c]]
        let source = bucket.rows
        let file = Int32(truncatingIfNeeded: fileOfChunk[c])
        let idBase = bucket.ids.base
        for index in source.indices {
          if checkDropped, dropped[FactTableAssembler.factRef(chunk: c, bucket: b, index: index)] != nil { continue }
          var row = source[index]
          let local = FactBucket.subject(row) &- firstSubject
          row.file = file
          let position = nextID[local]
          var length: Int
          let explicitIDMissing = row.id == FactChunk.noID
          if explicitIDMissing {
            var text = "\(path):\(row.row)"
            length = text.utf8.count
            text.withUTF8 { utf8 in
              if let from = utf8.baseAddress { (arenaBase + position).copyMemory(from: from, byteCount: length) }
            }
          } else {
            let (start, count) = FactTable.idLocation(row.id, long: bucket.longIDLengths)
            length = count
            if count <= 16, position + 16 <= idEnd[local + 1] {
              // Two words: the bytes past the id stay within this subject's ids, whose later
              // ids are written after (the source has 16 readable bytes past every id).
              let target = arenaBase + position
              target.storeBytes(of: (idBase + start).loadUnaligned(as: UInt64.self), as: UInt64.self)
              target.storeBytes(of: (idBase + start).loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
            } else {
              (arenaBase + position).copyMemory(from: idBase + start, byteCount: length)
            }
          }
          nextID[local] = position + length
          if length >= 0xFFFF {
            long[position] = length
            length = 0xFFFF
          }
          if row.date == FactRow.noDate, !explicitIDMissing {
            if undatedWithID.isEmpty { undatedWithID = [UInt64](repeating: 0, count: (total + 63) / 64) }
            let at = next[local]
            undatedWithID[at >> 6] |= 1 << UInt64(at & 63)
          }
          row.id = UInt64(position) << 16 | UInt64(length)
          rows[next[local]] = row
          next[local] += 1
        }
      }
      }
      }
      }
      FactTableAssembler.sortSubjects(
        0..<subjects.count, starts: subjectStart, rows: rows, arena: arenaBase, long: long, undatedWithID: undatedWithID)
    }
    let table = FactTable(
      store: store, rows: rows, firstSubject: subjects.lowerBound, subjectStart: subjectStart, idArena: arena,
      longIDLengths: long)
    if keep { kept[b] = table }
    return table
  }

  /// The tables kept by `table(block:keep:)`, by block.
  var keptTables: [FactTable] { kept.compactMap { $0 } }
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
