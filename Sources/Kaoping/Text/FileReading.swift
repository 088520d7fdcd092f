#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a file could not be read.
struct FileReadError: Error, Sendable, CustomStringConvertible {
  var path: String
  var reason: String
  var description: String { "cannot read \(path): \(reason)" }
}

enum FileReader {
  /// Reads the whole file at `path` (or standard input for `-`).
  static func bytes(atPath path: String) throws(FileReadError) -> [UInt8] {
    let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY)
    guard fd >= 0 else { throw FileReadError(path: path, reason: currentErrorText()) }
    defer { if fd != 0 { close(fd) } }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      throw FileReadError(path: path, reason: "it is a directory")
    }
    var result: [UInt8] = []
    if info.st_size > 0 { result.reserveCapacity(Int(info.st_size)) }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw FileReadError(path: path, reason: currentErrorText())
      }
      if count == 0 { break }
      result.append(contentsOf: chunk[0..<count])
    }
    return result
  }

  /// The total size of the regular files at `paths` (0 for those that cannot be read, and
  /// for standard input).
  static func totalSize(of paths: [String]) -> Int {
    var total = 0
    for path in paths where path != "-" {
      var info = stat()
      if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { total += Int(info.st_size) }
    }
    return total
  }

  private static func currentErrorText() -> String {
    switch errno {
    case ENOENT: "no such file"
    case EACCES: "permission denied"
    case EISDIR: "it is a directory"
    default:
      if let text = strerror(errno) { String(cString: text) } else { "error \(errno)" }
    }
  }
}
