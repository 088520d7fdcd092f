/// A read-only map from short texts (at most 16 bytes) to numbers, for the lookup every
/// record makes (its subject): each entry holds the text itself, so a lookup touches one
/// place in memory, not three as a general interner's does.
struct ShortTextTable: Sendable {
  private struct Entry: Sendable {
    var w0: UInt64 = 0
    var w1: UInt64 = 0
    /// length + 1 (0: empty slot), and the value.
    var length: Int32 = 0
    var value: Int32 = 0
  }

  private let entries: [Entry]
  private let mask: Int

  /// A table of `texts` (value = position); texts longer than 16 bytes are left out
  /// (`lookup` returns nil for them, as for texts not present). A text given twice keeps
  /// its first position.
  ///
  /// The texts are placed in the order of their home slots (by windows of 256 slots, in
  /// text order within one), so that filling a large table touches it front to back.
  /// Equal texts share a home slot, so the first one is placed first.
  init(_ texts: [String]) {
    var size = 16
    while size < texts.count * 2 { size *= 2 }
    let mask = size - 1
    // The short texts as entries with their home slots, in text order.
    var pending: [(slot: Int, entry: Entry)] = []
    pending.reserveCapacity(texts.count)
    for (position, text) in texts.enumerated() where position < Int(Int32.max) {
      var text = text
      text.withUTF8 { utf8 in
        let bytes = UnsafeRawBufferPointer(utf8)
        guard bytes.count <= 16 else { return }
        let (w0, w1) = Self.words(copying: bytes)
        pending.append((Self.hash(w0, w1, bytes.count) & mask,
                        Entry(w0: w0, w1: w1, length: Int32(bytes.count + 1), value: Int32(position))))
      }
    }
    // Grouped by window of home slots (a stable counting sort).
    let shift = 8
    let windows = (size >> shift) + 1
    var starts = [Int](repeating: 0, count: windows + 1)
    for item in pending { starts[(item.slot >> shift) + 1] += 1 }
    for window in 0..<windows { starts[window + 1] += starts[window] }
    var order = [Int](repeating: 0, count: pending.count)
    for (index, item) in pending.enumerated() {
      order[starts[item.slot >> shift]] = index
      starts[item.slot >> shift] += 1
    }
    var entries = [Entry](repeating: Entry(), count: size)
    for index in order {
      let (home, entry) = pending[index]
      var slot = home
      var present = false
      while entries[slot].length != 0 {
        if entries[slot].length == entry.length, entries[slot].w0 == entry.w0, entries[slot].w1 == entry.w1 {
          present = true
          break
        }
        slot = (slot + 1) & mask
      }
      if !present { entries[slot] = entry }
    }
    self.entries = entries
    self.mask = mask
  }

  @inline(__always)
  private static func hash(_ w0: UInt64, _ w1: UInt64, _ length: Int) -> Int {
    var h = (w0 ^ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15
    h = (h ^ (h >> 32) ^ w1) &* 0xBF58_476D_1CE4_E5B9
    return Int(truncatingIfNeeded: h ^ (h >> 29))
  }

  private static func words(copying bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
    var w = (UInt64(0), UInt64(0))
    withUnsafeMutableBytes(of: &w) { $0.copyMemory(from: bytes) }
    return (UInt64(littleEndian: w.0), UInt64(littleEndian: w.1))
  }

  /// The value of `bytes`; `bytes` may be read up to 16 bytes from its start.
  @inline(__always)
  func lookup(_ bytes: UnsafeRawBufferPointer) -> Int32? {
    lookup(bytes, from: slot(bytes))
  }

  /// Where the lookup of `bytes` starts (`bytes` may be read up to 16 bytes from its start).
  @inline(__always)
  func slot(_ bytes: UnsafeRawBufferPointer) -> Int {
    let (w0, w1) = TextCache.words(bytes)
    return Self.hash(w0, w1, bytes.count) & mask
  }

  /// Reads the entry at `slot` (so that a lookup from there finds it in the cache), as a
  /// number to be combined by the caller (keeping the load).
  @inline(__always)
  func touch(_ slot: Int) -> Int32 {
    entries.withUnsafeBufferPointer { $0[slot & mask].length }
  }

  /// The value of `bytes`, probing from `slot` (as `slot(_:)` gave it).
  @inline(__always)
  func lookup(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int32? {
    guard bytes.count <= 16, bytes.count > 0 else { return nil }
    let (w0, w1) = TextCache.words(bytes)
    let length = Int32(bytes.count + 1)
    return entries.withUnsafeBufferPointer { entries in
      var slot = start & mask
      while true {
        let entry = entries[slot]
        if entry.length == 0 { return nil }
        if entry.length == length, entry.w0 == w0, entry.w1 == w1 { return entry.value }
        slot = (slot + 1) & mask
      }
    }
  }
}
