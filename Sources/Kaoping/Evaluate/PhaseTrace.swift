#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Phase timings for performance work (see docs/performance.md): when the environment
/// has `KAOPING_TRACE`, each phase of a run writes to standard error its wall time, the
/// process's processor time so far and its memory (current and peak resident set).
/// Nothing else changes; without the variable it does nothing.
enum PhaseTrace {
  static let enabled = getenv("KAOPING_TRACE") != nil
  /// When the last phase ended (nanoseconds); only the thread that runs the phases uses it.
  nonisolated(unsafe) private static var last: UInt64 = 0

  static func mark(_ phase: String) {
    guard enabled else { return }
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    let nanoseconds = UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    let wall = last == 0 ? "" : "\((Double(nanoseconds &- last) / 1e6).rounded()) ms, "
    last = nanoseconds
    var usage = rusage()
    #if canImport(Glibc)
      getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
      getrusage(RUSAGE_SELF, &usage)
    #endif
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
      + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    var memory = ""
    #if os(Linux)
      if let status = try? FileReader.bytes(atPath: "/proc/self/status") {
        for line in String(decoding: status, as: UTF8.self).split(separator: "\n")
        where line.hasPrefix("VmRSS") || line.hasPrefix("VmHWM") {
          memory += " " + line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        }
      }
    #endif
    let text = "kaoping trace: \(phase): \(wall)cpu \(cpu) s\(memory)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
  }
}
