/// A growable block of memory for plain values (no references, nothing to
/// deinitialize) that a scanner reuses from record to record, so that handing out a
/// record allocates nothing.
///
/// Not `Sendable`: a scanner and its scratch belong to one thread.
final class ScanScratch<Element: BitwiseCopyable> {
  private(set) var base: UnsafeMutablePointer<Element>
  private(set) var capacity: Int

  init(capacity: Int) {
    let size = max(capacity, 1)
    base = UnsafeMutablePointer<Element>.allocate(capacity: size)
    self.capacity = size
  }

  /// Makes room for at least `minimum` elements, keeping the first `keeping`.
  func grow(to minimum: Int, keeping: Int) {
    guard minimum > capacity else { return }
    var size = capacity
    while size < minimum { size = size > Int.max / 2 ? minimum : size * 2 }
    let bigger = UnsafeMutablePointer<Element>.allocate(capacity: size)
    let kept = min(max(keeping, 0), capacity)
    bigger.initialize(from: base, count: kept)
    base.deallocate()
    base = bigger
    capacity = size
  }

  deinit { base.deallocate() }
}
