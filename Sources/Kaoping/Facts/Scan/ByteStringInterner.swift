#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Maps byte strings (subject ids, fact types, enum values, …) to dense ids 0, 1,
/// 2, … in order of first appearance.
///
/// Each distinct value's bytes are stored once; looking up or interning a value
/// already seen allocates nothing. An open-addressing table (linear probing, at
/// most half full) holds, per slot, 32 bits of the value's hash next to its id, so
/// most probes that miss never touch the stored bytes.
struct ByteStringInterner: Sendable {
  /// The bytes of every value, one after another.
  private var storage: [UInt8] = []
  /// `ends[id]` is where value `id` ends in `storage` (it starts where `id - 1` ends).
  private var ends: [Int] = []
  /// The full hash of each value, to rebuild the table when it grows.
  private var hashes: [UInt64] = []
  /// 0 for an empty slot, else `(hash >> 32) << 32 | (id + 1)`.
  private var slots: [UInt64]

  /// An empty interner with room for about `capacity` values before it grows.
  init(capacity: Int = 64) {
    var size = 16
    while size < max(capacity, 8) * 2, size < 1 << 40 { size *= 2 }
    slots = [UInt64](repeating: 0, count: size)
  }

  /// The number of distinct values.
  var count: Int { ends.count }

  /// The id of `bytes`, adding it if it is new; nil only when 2³¹ − 1 distinct
  /// values are already stored.
  mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32? {
    let hash = Self.hash(bytes)
    if let id = find(bytes, hash: hash) { return id }
    guard ends.count < Int(Int32.max) else { return nil }
    let id = Int32(ends.count)
    if let base = bytes.baseAddress, bytes.count > 0 {
      storage.append(
        contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }
    ends.append(storage.count)
    hashes.append(hash)
    if ends.count * 2 > slots.count {
      rebuild(size: slots.count * 2)
    } else {
      place(id: id, hash: hash)
    }
    return id
  }

  /// The id of `text`'s UTF-8, adding it if it is new.
  mutating func intern(_ text: String) -> Int32? {
    var text = text
    return text.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
  }

  /// The id of `bytes` if it has been interned.
  func id(of bytes: UnsafeRawBufferPointer) -> Int32? {
    find(bytes, hash: Self.hash(bytes))
  }

  /// The id of `text`'s UTF-8 if it has been interned.
  func id(of text: String) -> Int32? {
    var text = text
    return text.withUTF8 { id(of: UnsafeRawBufferPointer($0)) }
  }

  /// The value of `id` (an id this interner returned) as text.
  func string(for id: Int32) -> String {
    withBytes(for: id) { String(decoding: $0, as: UTF8.self) }
  }

  /// Calls `body` with the bytes of `id` (an id this interner returned).
  func withBytes<R, E: Error>(for id: Int32, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let index = Int(id)
    let start = index == 0 ? 0 : ends[index - 1]
    let end = ends[index]
    let result = storage.withUnsafeBytes { all in
      Result { () throws(E) -> R in try body(UnsafeRawBufferPointer(rebasing: all[start..<end])) }
    }
    return try result.get()
  }

  // MARK: - Table

  private func find(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
    let mask = slots.count - 1
    let tag = hash >> 32
    var index = Int(truncatingIfNeeded: hash) & mask
    return slots.withUnsafeBufferPointer { table -> Int32? in
      storage.withUnsafeBytes { stored -> Int32? in
        while true {
          let slot = table[index]
          if slot == 0 { return nil }
          if slot >> 32 == tag {
            let id = Int(slot & 0xFFFF_FFFF) - 1
            let start = id == 0 ? 0 : ends[id - 1]
            let length = ends[id] - start
            if length == bytes.count {
              if length == 0 { return Int32(id) }
              if let a = stored.baseAddress, let b = bytes.baseAddress, Self.equal(a + start, b, count: length) {
                return Int32(id)
              }
            }
          }
          index = (index + 1) & mask
        }
      }
    }
  }

  /// Whether the `count` bytes at `a` and `b` are equal; short values (the usual
  /// ids and codes) are compared with a few overlapping word loads, never reading
  /// outside the `count` bytes.
  @inline(__always)
  private static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count n: Int) -> Bool {
    @inline(__always) func word(_ p: UnsafeRawPointer, _ i: Int) -> UInt64 {
      p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
    }
    @inline(__always) func half(_ p: UnsafeRawPointer, _ i: Int) -> UInt32 {
      p.loadUnaligned(fromByteOffset: i, as: UInt32.self)
    }
    switch n {
    case 0: return true
    case 1...3:
      return a.load(as: UInt8.self) == b.load(as: UInt8.self)
        && a.load(fromByteOffset: n / 2, as: UInt8.self) == b.load(fromByteOffset: n / 2, as: UInt8.self)
        && a.load(fromByteOffset: n - 1, as: UInt8.self) == b.load(fromByteOffset: n - 1, as: UInt8.self)
    case 4...8:
      return half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
    case 9...16:
      return word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8)
    default:
      return memcmp(a, b, n) == 0
    }
  }

  private mutating func place(id: Int32, hash: UInt64) {
    let mask = slots.count - 1
    var index = Int(truncatingIfNeeded: hash) & mask
    while slots[index] != 0 { index = (index + 1) & mask }
    slots[index] = (hash >> 32) << 32 | UInt64(id + 1)
  }

  private mutating func rebuild(size: Int) {
    slots = [UInt64](repeating: 0, count: size)
    for (id, hash) in hashes.enumerated() { place(id: Int32(id), hash: hash) }
  }

  /// A 64-bit hash of `bytes`: eight bytes at a time, each word folded in with a
  /// multiply and shift, then MurmurHash3's finalizer.
  static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let n = bytes.count
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
    guard let base = bytes.baseAddress, n > 0 else { return finish(h) }
    @inline(__always) func step(_ word: UInt64) {
      h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 31
    }
    @inline(__always) func word(_ i: Int) -> UInt64 {
      UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }
    @inline(__always) func half(_ i: Int) -> UInt64 {
      UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
    }
    @inline(__always) func byte(_ i: Int) -> UInt64 {
      UInt64(base.load(fromByteOffset: i, as: UInt8.self))
    }
    if n >= 8 {
      var p = 0
      while p + 8 < n {
        step(word(p))
        p += 8
      }
      step(word(n - 8))  // the last eight bytes, overlapping the previous word
    } else if n >= 4 {
      step(half(0) | half(n - 4) << 32)
    } else {
      step(byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16)
    }
    return finish(h)
  }

  @inline(__always)
  private static func finish(_ value: UInt64) -> UInt64 {
    var h = value
    h ^= h >> 33
    h = h &* 0xFF51_AFD7_ED55_8CCD
    h ^= h >> 33
    h = h &* 0xC4CE_B9FE_1A85_EC53
    h ^= h >> 33
    return h
  }
}
