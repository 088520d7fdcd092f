#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Growable bytes: appends are a `memcpy`, reads a pointer. Large buffers are mapped
/// memory of their own, so that freeing one gives its pages back at once (the reader
/// frees its buffers while the table they fill grows: peak memory stays near the size
/// of the data, not twice it).
///
/// `@unchecked Sendable`: a buffer has one owner while it grows; once handed to a
/// `FactTable` it is only read.
final class ByteBuffer: @unchecked Sendable {
  private(set) var base: UnsafeMutableRawPointer
  private(set) var count = 0
  private var capacity: Int
  private var mapped: Bool

  /// Buffers from this size on are mapped.
  static let mapThreshold = 1 << 16
  /// Bytes past `capacity` that may be read (word-at-a-time code), always zero.
  static let padding = 16

  /// An empty buffer with room for `capacity` bytes.
  init(capacity: Int = 64) {
    self.capacity = Swift.max(capacity, 16)
    (base, mapped) = Self.allocate(self.capacity + Self.padding)
    memset(base + self.capacity, 0, Self.padding)
  }

  deinit { Self.release(base, capacity + Self.padding, mapped: mapped) }

  private static func allocate(_ bytes: Int) -> (UnsafeMutableRawPointer, Bool) {
    if bytes >= mapThreshold,
      let pointer = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      pointer != UnsafeMutableRawPointer(bitPattern: -1)
    {
      return (pointer, true)
    }
    return (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16), false)
  }

  private static func release(_ pointer: UnsafeMutableRawPointer, _ bytes: Int, mapped: Bool) {
    if mapped { munmap(pointer, bytes) } else { pointer.deallocate() }
  }

  @inline(__always)
  func append(_ bytes: UnsafeRawBufferPointer) {
    let n = bytes.count
    if count + n > capacity { grow(to: count + n) }
    if n > 0, let source = bytes.baseAddress { (base + count).copyMemory(from: source, byteCount: n) }
    count += n
  }

  /// Appends bytes that may be read 16 at a time (`bytes` has 16 readable bytes from its
  /// start): short ones are copied as two words.
  @inline(__always)
  func appendShort(_ bytes: UnsafeRawBufferPointer) {
    let n = bytes.count
    guard n <= 16, let source = bytes.baseAddress else { return append(bytes) }
    if count + 16 > capacity { grow(to: count + 16) }
    let target = base + count
    target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
    (target + 8).storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), as: UInt64.self)
    count += n
  }

  func append(_ text: String) {
    var text = text
    text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
  }

  /// Appends the bytes of a value of a trivial type.
  @inline(__always)
  func append<T: BitwiseCopyable>(value: T) {
    let n = MemoryLayout<T>.stride
    if count + n > capacity { grow(to: count + n) }
    (base + count).storeBytes(of: value, as: T.self)
    count += n
  }

  /// Appends six words (a `FactRow`'s bytes) with plain stores.
  @inline(__always)
  func appendWords(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64, _ w4: UInt64, _ w5: UInt64) {
    if count + 48 > capacity { grow(to: count + 48) }
    let target = base + count
    target.storeBytes(of: w0, as: UInt64.self)
    target.storeBytes(of: w1, toByteOffset: 8, as: UInt64.self)
    target.storeBytes(of: w2, toByteOffset: 16, as: UInt64.self)
    target.storeBytes(of: w3, toByteOffset: 24, as: UInt64.self)
    target.storeBytes(of: w4, toByteOffset: 32, as: UInt64.self)
    target.storeBytes(of: w5, toByteOffset: 40, as: UInt64.self)
    count += 48
  }

  /// Makes `n` bytes room at the end and returns where they start (to be filled).
  func extend(by n: Int) -> UnsafeMutableRawPointer {
    if count + n > capacity { grow(to: count + n) }
    let start = base + count
    count += n
    return start
  }

  private func grow(to needed: Int) {
    var bigger = capacity * 2
    while bigger < needed { bigger *= 2 }
    let (pointer, isMapped) = Self.allocate(bigger + Self.padding)
    pointer.copyMemory(from: base, byteCount: count)
    Self.release(base, capacity + Self.padding, mapped: mapped)
    base = pointer
    mapped = isMapped
    memset(base + bigger, 0, Self.padding)
    capacity = bigger
  }

  func removeAll() { count = 0 }

  @inline(__always)
  func bytes(_ start: Int, _ length: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: base + start, count: length)
  }

  var all: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  /// The contents as values of a trivial type.
  @inline(__always)
  func elements<T: BitwiseCopyable>(_ type: T.Type) -> UnsafeMutableBufferPointer<T> {
    UnsafeMutableBufferPointer(start: base.assumingMemoryBound(to: T.self), count: count / MemoryLayout<T>.stride)
  }
}
