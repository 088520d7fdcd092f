#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writing to the standard streams without buffering surprises.
enum Output {
  static func standardOutput(_ text: String) { write(Array(text.utf8), to: 1) }
  static func standardOutput(_ bytes: [UInt8]) { write(bytes, to: 1) }
  static func standardError(_ text: String) { write(Array(text.utf8), to: 2) }

  /// Ends the process at once with `status`: the output is written unbuffered, so
  /// nothing is lost, and large results are not released one object at a time.
  static func exitNow(_ status: Int32) -> Never {
    exit(status)
  }

  private static func write(_ bytes: [UInt8], to fd: Int32) {
    var bytes = bytes
    var offset = 0
    while offset < bytes.count {
      let count = bytes.withUnsafeMutableBytes { buffer in
        posixWrite(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
      }
      if count < 0 {
        if errno == EINTR { continue }
        return
      }
      offset += count
    }
  }
}

private func posixWrite(_ fd: Int32, _ pointer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  write(fd, pointer, count)
}

/// Why a file could not be written.
struct WriteError: Error, CustomStringConvertible {
  var description: String
}

/// Writing a file atomically: to a temporary file beside it, then renamed over it.
enum AtomicFile {
  static func write(_ bytes: [UInt8], to path: String) throws {
    let temporary = path + ".kaoping-\(getpid()).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw WriteError(description: "cannot write \(path): \(reason())") }
    var offset = 0
    while offset < bytes.count {
      let count = bytes.withUnsafeBytes { buffer in
        posixWrite(fd, UnsafeMutableRawPointer(mutating: buffer.baseAddress.map { $0 + offset }), buffer.count - offset)
      }
      if count < 0 {
        if errno == EINTR { continue }
        let why = reason()
        close(fd)
        unlink(temporary)
        throw WriteError(description: "cannot write \(path): \(why)")
      }
      offset += count
    }
    guard close(fd) == 0, rename(temporary, path) == 0 else {
      let why = reason()
      unlink(temporary)
      throw WriteError(description: "cannot write \(path): \(why)")
    }
  }

  private static func reason() -> String {
    if let text = strerror(errno) { return String(cString: text) }
    return "error \(errno)"
  }
}
