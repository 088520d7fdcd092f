#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

import ArgumentParser
import Kaoping

/// Writing to the standard streams without buffering surprises.
enum Output {
  /// Writes to standard output; false when the write failed (a full disk, a closed pipe),
  /// with the reason printed on standard error.
  @discardableResult
  static func standardOutput(_ text: String) -> Bool { standardOutput(Array(text.utf8)) }

  @discardableResult
  static func standardOutput(_ bytes: [UInt8]) -> Bool {
    if let failure = write(bytes, to: 1) {
      standardError("<stdout>: error: cannot write standard output: \(failure) [\(DiagnosticCode.unwritableOutput)]\n")
      return false
    }
    return true
  }

  /// Writes a command's result to standard output, or exits 74 when that fails (§13:
  /// writing output is a stage of its own).
  static func result(_ text: String) throws { try result(Array(text.utf8)) }

  static func result(_ bytes: [UInt8]) throws {
    guard standardOutput(bytes) else { throw ExitCode(Status.output) }
  }

  static func standardError(_ text: String) { _ = write(Array(text.utf8), to: 2) }

  /// Ends the process at once with `status`: the output is written unbuffered, so
  /// nothing is lost, and large results are not released one object at a time.
  static func exitNow(_ status: Int32) -> Never {
    exit(status)
  }

  /// Writes every byte; the reason when a write fails.
  private static func write(_ bytes: [UInt8], to fd: Int32) -> String? {
    var bytes = bytes
    var offset = 0
    while offset < bytes.count {
      let count = bytes.withUnsafeMutableBytes { buffer in
        posixWrite(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
      }
      if count < 0 {
        if errno == EINTR { continue }
        if let text = strerror(errno) { return String(cString: text) }
        return "error \(errno)"
      }
      offset += count
    }
    return nil
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
