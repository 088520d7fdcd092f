#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why an input file could not be read.
struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The path as given ("-" for standard input).
  var path: String
  /// The operating system's reason, in plain words ("no such file", …).
  var reason: String
  var description: String { "cannot read \(path): \(reason)" }
}

/// The bytes of one input file, owned: memory-mapped for regular files, read into
/// memory for standard input (`-`), pipes, devices and files whose size the system
/// reports as 0 (such as those under /proc).
///
/// The bytes are those of the file when it was opened. A mapped file that another
/// program truncates while it is being read makes the process crash (SIGBUS), the
/// usual price of `mmap`; fact files are not expected to change during a run.
struct InputBuffer: Sendable {
  private let storage: InputStorage

  /// Reads the file at `path`, or standard input for `-`.
  init(path: String) throws(InputError) {
    storage = try InputStorage(path: path)
  }

  /// A buffer holding a copy of `bytes` (for tests and for text already in memory).
  init(copying bytes: some Collection<UInt8>) {
    storage = InputStorage(copying: bytes)
  }

  /// The number of bytes.
  var count: Int { storage.count }

  /// Whether the bytes are a memory mapping of the file (rather than a copy).
  var isMapped: Bool { storage.isMapped }

  /// Calls `body` with the bytes; they stay valid during the call.
  func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    defer { withExtendedLifetime(storage) {} }
    return try body(storage.bytes)
  }

  /// The bytes, valid as long as this buffer (or a copy of it) is alive: keep the
  /// buffer in a variable that outlives every use (`withExtendedLifetime`), or use
  /// ``withUnsafeBytes(_:)``.
  var unsafeBytes: UnsafeRawBufferPointer { storage.bytes }
}

/// Owns the memory behind an ``InputBuffer`` and releases it (`munmap` or `free`).
///
/// `@unchecked Sendable`: every stored property is a `let` set in `init` and the
/// memory it points to is never written after `init` returns (mappings are
/// read-only), so sharing it between threads is safe.
final class InputStorage: @unchecked Sendable {
  /// The first byte (nil when there are none).
  let base: UnsafeMutableRawPointer?
  /// The number of bytes.
  let count: Int
  /// Whether `base` is a mapping (released with `munmap`) or `malloc`ed (`free`).
  let isMapped: Bool

  /// The bytes, valid while this object lives.
  var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  /// A copy of `source` in `malloc`ed memory.
  init(copying source: some Collection<UInt8>) {
    let n = source.count
    isMapped = false
    count = n
    guard n > 0, let memory = malloc(n) else {
      base = nil
      return
    }
    let typed = memory.bindMemory(to: UInt8.self, capacity: n)
    _ = UnsafeMutableBufferPointer(start: typed, count: n).initialize(from: source)
    base = memory
  }

  /// The bytes of the file at `path` (standard input for `-`): mapped when it is
  /// a non-empty regular file, read otherwise.
  init(path: String) throws(InputError) {
    let isStandardInput = path == "-"
    let fd: Int32 = isStandardInput ? 0 : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw InputError(path: path, reason: Self.reason(errno)) }
    defer { if !isStandardInput { close(fd) } }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw InputError(path: path, reason: Self.reason(errno)) }
    let kind = info.st_mode & S_IFMT
    if kind == S_IFDIR { throw InputError(path: path, reason: "is a directory") }
    let size = Int(info.st_size)
    if !isStandardInput, kind == S_IFREG, size > 0 {
      #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
      #else
        let flags = MAP_PRIVATE
      #endif
      if let mapped = mmap(nil, size, PROT_READ, flags, fd, 0),
        mapped != UnsafeMutableRawPointer(bitPattern: -1)
      {
        base = mapped
        count = size
        isMapped = true
        return
      }
      // The mapping failed (an unusual file system): read the file instead.
    }
    let (memory, length) = try Self.readAll(fd, sizeHint: size, path: path)
    base = memory
    count = length
    isMapped = false
  }

  deinit {
    guard let base else { return }
    if isMapped { munmap(base, count) } else { free(base) }
  }

  /// Reads `fd` to its end into `malloc`ed memory (nil for no bytes).
  private static func readAll(
    _ fd: Int32, sizeHint: Int, path: String
  ) throws(InputError) -> (UnsafeMutableRawPointer?, Int) {
    var capacity = max(sizeHint + 1, 1 << 16)
    guard var memory = malloc(capacity) else { throw InputError(path: path, reason: "out of memory") }
    var length = 0
    while true {
      if length == capacity {
        let bigger = capacity.multipliedReportingOverflow(by: 2)
        guard !bigger.overflow, let grown = realloc(memory, bigger.partialValue) else {
          free(memory)
          throw InputError(path: path, reason: "out of memory")
        }
        memory = grown
        capacity = bigger.partialValue
      }
      let got = read(fd, memory + length, capacity - length)
      if got < 0 {
        if errno == EINTR { continue }
        let reason = Self.reason(errno)
        free(memory)
        throw InputError(path: path, reason: reason)
      }
      if got == 0 { break }
      length += got
    }
    if length == 0 {
      free(memory)
      return (nil, 0)
    }
    return (memory, length)
  }

  /// The reason for `code` in plain words.
  static func reason(_ code: Int32) -> String {
    switch code {
    case ENOENT: return "no such file"
    case EACCES, EPERM: return "permission denied"
    case EISDIR: return "is a directory"
    case ENOTDIR: return "a part of the path is not a directory"
    default:
      if let text = strerror(code) { return String(cString: text) }
      return "error \(code)"
    }
  }
}
