/// A read-only map from short texts (at most 16 bytes) to numbers, for the lookup every
/// record makes (its subject): each entry holds the text itself, so a lookup touches one
/// place in memory, not three as a general interner's does.
///
/// Texts of at most 8 bytes (the usual ids) sit in 16-byte entries, longer ones in 24-byte
/// entries of a second table; both are about two-thirds full: a roster of 100,000 short
/// ids takes 2.4 MB, which stays in the caches better while a large file streams by.
struct ShortTextTable: Sendable {
  private struct Entry: Sendable {
    var w0: UInt64 = 0
    var w1: UInt64 = 0
    /// length + 1 (0: empty slot), and the value.
    var length: Int32 = 0
    var value: Int32 = 0
  }

  private struct ShortEntry: Sendable {
    var w0: UInt64 = 0
    /// length + 1 (0: empty slot), and the value.
    var length: Int32 = 0
    var value: Int32 = 0
  }

  private let shortEntries: [ShortEntry]
  private let longEntries: [Entry]

  /// `slot(_:)` of a text of 9 to 16 bytes has this bit set (it is a slot of `longEntries`).
  private static let longFlag = 1 << 62

  /// A table of `texts` (value = position); texts longer than 16 bytes are left out
  /// (`lookup` returns nil for them, as for texts not present). A text given twice keeps
  /// its first position.
  ///
  /// The texts are placed in the order of their home slots (by windows of 256 slots, in
  /// text order within one), so that filling a large table touches it front to back.
  /// Equal texts share a home slot, so the first one is placed first.
  init(_ texts: [String]) {
    // The short texts as entries, in text order.
    var short: [ShortEntry] = []
    var long: [Entry] = []
    for (position, text) in texts.enumerated() where position < Int(Int32.max) {
      var text = text
      text.withUTF8 { utf8 in
        let bytes = UnsafeRawBufferPointer(utf8)
        guard bytes.count <= 16, bytes.count > 0 else { return }
        let (w0, w1) = Self.words(copying: bytes)
        if bytes.count <= 8 {
          short.append(ShortEntry(w0: w0, length: Int32(bytes.count + 1), value: Int32(position)))
        } else {
          long.append(Entry(w0: w0, w1: w1, length: Int32(bytes.count + 1), value: Int32(position)))
        }
      }
    }
    shortEntries = Self.fill(
      short, blank: ShortEntry(), isBlank: { $0.length == 0 },
      home: { Self.home(Self.hash($0.w0, 0, Int($0.length) - 1), $1) },
      same: { $0.length == $1.length && $0.w0 == $1.w0 })
    longEntries = Self.fill(
      long, blank: Entry(), isBlank: { $0.length == 0 },
      home: { Self.home(Self.hash($0.w0, $0.w1, Int($0.length) - 1), $1) },
      same: { $0.length == $1.length && $0.w0 == $1.w0 && $0.w1 == $1.w1 })
  }

  /// A table about two-thirds full of `items` (in their order; an item equal to an earlier
  /// one is left out), with linear probing from each item's home slot.
  private static func fill<E>(
    _ items: [E], blank: E, isBlank: (E) -> Bool, home: (E, Int) -> Int, same: (E, E) -> Bool
  ) -> [E] {
    let size = Swift.max(16, items.count + items.count / 2 + 1)
    let homes = items.map { home($0, size) }
    // Grouped by window of home slots (a stable counting sort).
    let shift = 8
    let windows = (size >> shift) + 1
    var starts = [Int](repeating: 0, count: windows + 1)
    for slot in homes { starts[(slot >> shift) + 1] += 1 }
    for window in 0..<windows { starts[window + 1] += starts[window] }
    var order = [Int](repeating: 0, count: items.count)
    for (index, slot) in homes.enumerated() {
      order[starts[slot >> shift]] = index
      starts[slot >> shift] += 1
    }
    var table = [E](repeating: blank, count: size)
    for index in order {
      let item = items[index]
      var slot = homes[index]
      var present = false
      while !isBlank(table[slot]) {
        if same(table[slot], item) {
          present = true
          break
        }
        slot = slot + 1 == size ? 0 : slot + 1
      }
      if !present { table[slot] = item }
    }
    return table
  }

  @inline(__always)
  private static func hash(_ w0: UInt64, _ w1: UInt64, _ length: Int) -> UInt64 {
    var h = (w0 ^ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15
    h = (h ^ (h >> 32) ^ w1) &* 0xBF58_476D_1CE4_E5B9
    return h ^ (h >> 29)
  }

  /// The home slot of a hash in a table of `size` entries (the hash's high bits).
  @inline(__always)
  private static func home(_ hash: UInt64, _ size: Int) -> Int {
    Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(size)).high)
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

  /// Where the lookup of `bytes` (1 to 16 bytes) starts; `bytes` may be read up to 16 bytes
  /// from its start.
  @inline(__always)
  func slot(_ bytes: UnsafeRawBufferPointer) -> Int {
    let (w0, w1) = TextCache.words(bytes)
    if bytes.count <= 8 { return Self.home(Self.hash(w0, 0, bytes.count), shortEntries.count) }
    return Self.home(Self.hash(w0, w1, bytes.count), longEntries.count) | Self.longFlag
  }

  /// Reads the entry at `slot` (so that a lookup from there finds it in the cache), as a
  /// number to be combined by the caller (keeping the load).
  @inline(__always)
  func touch(_ slot: Int) -> Int32 {
    if slot & Self.longFlag == 0 {
      return shortEntries.withUnsafeBufferPointer { slot < $0.count ? $0[slot].length : 0 }
    }
    let index = slot & ~Self.longFlag
    return longEntries.withUnsafeBufferPointer { index < $0.count ? $0[index].length : 0 }
  }

  /// The value of `bytes`, probing from `slot` (as `slot(_:)` gave it for these bytes).
  @inline(__always)
  func lookup(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int32? {
    guard bytes.count <= 16, bytes.count > 0 else { return nil }
    let (w0, w1) = TextCache.words(bytes)
    let length = Int32(bytes.count + 1)
    if bytes.count <= 8 {
      guard start & Self.longFlag == 0 else { return nil }
      return shortEntries.withUnsafeBufferPointer { entries in
        let size = entries.count
        guard start >= 0, start < size else { return nil }
        var slot = start
        while true {
          let entry = entries[slot]
          if entry.length == 0 { return nil }
          if entry.length == length, entry.w0 == w0 { return entry.value }
          slot = slot + 1 == size ? 0 : slot + 1
        }
      }
    }
    guard start & Self.longFlag != 0 else { return nil }
    return longEntries.withUnsafeBufferPointer { entries in
      let size = entries.count
      let first = start & ~Self.longFlag
      guard first >= 0, first < size else { return nil }
      var slot = first
      while true {
        let entry = entries[slot]
        if entry.length == 0 { return nil }
        if entry.length == length, entry.w0 == w0, entry.w1 == w1 { return entry.value }
        slot = slot + 1 == size ? 0 : slot + 1
      }
    }
  }
}
