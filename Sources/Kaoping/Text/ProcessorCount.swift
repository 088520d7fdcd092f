#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

enum ProcessorCount {
  /// The number of processors available to this process (at least 1).
  static var active: Int {
    #if canImport(Glibc) || canImport(Darwin)
      let count = sysconf(Int32(_SC_NPROCESSORS_ONLN))
      return Swift.max(1, Int(count))
    #else
      return 1
    #endif
  }
}
