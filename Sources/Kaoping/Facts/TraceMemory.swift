#if canImport(Glibc)
  import Glibc
#endif
import Dispatch

/// TEMPORARY: phase timing and memory, to stderr when KAOPING_TRACE is set.
enum Trace {
  nonisolated(unsafe) static let enabled = getenv("KAOPING_TRACE") != nil
  nonisolated(unsafe) static var last = DispatchTime.now().uptimeNanoseconds
  static func mark(_ what: String) {
    guard enabled else { return }
    if getenv("KAOPING_TRACE_TRIM") != nil, let symbol = dlsym(nil, "malloc_trim") {
      typealias Trim = @convention(c) (Int) -> Int32
      _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
    let now = DispatchTime.now().uptimeNanoseconds
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    var rss = ""
    if let file = fopen("/proc/self/status", "r") {
      var line = [CChar](repeating: 0, count: 256)
      while fgets(&line, 256, file) != nil {
        let text = String(cString: line)
        if text.hasPrefix("VmRSS") || text.hasPrefix("VmHWM") { rss += String(text.filter { $0 != "\n" }) + " " }
      }
      fclose(file)
    }
    let message = "TRACE \(what): +\(Double(Int64(bitPattern: now &- last)) / 1e6) ms cpu \(cpu) \(rss)\n"
    _ = message.withCString { write(2, $0, strlen($0)) }
    last = now
  }
}
