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
  init(_ texts: [String]) {
    var size = 16
    while size < texts.count * 2 { size *= 2 }
    var entries = [Entry](repeating: Entry(), count: size)
    let mask = size - 1
    for (position, text) in texts.enumerated() {
      var text = text
      text.withUTF8 { utf8 in
        let bytes = UnsafeRawBufferPointer(utf8)
        guard bytes.count <= 16 else { return }
        let (w0, w1) = Self.words(copying: bytes)
        var slot = Self.hash(w0, w1, bytes.count) & mask
        while entries[slot].length != 0 {
          if entries[slot].length == Int32(bytes.count + 1), entries[slot].w0 == w0, entries[slot].w1 == w1 { return }
          slot = (slot + 1) & mask
        }
        entries[slot] = Entry(w0: w0, w1: w1, length: Int32(bytes.count + 1), value: Int32(position))
      }
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
