import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A status line on standard error while long work runs: shown only when standard error
/// is a terminal and the inputs are large, updated ten times a second, and erased at the
/// end, so pipes, files and CI logs never see it.
final class ProgressLine: @unchecked Sendable {
  // Mutable state is touched only on `queue`.
  private let queue = DispatchQueue(label: "kaoping.progress")
  private var timer: DispatchSourceTimer?
  private let started = DispatchTime.now()
  private var frame = 0
  private let label: String

  /// Starts a status line for `label` when standard error is a terminal and `bytes` of
  /// input are at least `threshold`; otherwise does nothing.
  init(_ label: String, inputBytes bytes: Int, threshold: Int = 16 << 20) {
    self.label = label
    guard bytes >= threshold, isatty(2) == 1 else { return }
    let timer = DispatchSource.makeTimerSource(queue: queue)
    timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(100))
    timer.setEventHandler { [weak self] in self?.draw() }
    self.timer = timer
    timer.resume()
  }

  private func draw() {
    let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    frame = (frame + 1) % frames.count
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
    let tenths = Int(seconds * 10)
    Output.standardError("\r\(frames[frame]) \(label) \(tenths / 10).\(tenths % 10) s\u{1B}[K")
  }

  /// Stops and erases the line.
  func finish() {
    queue.sync {
      guard let timer else { return }
      timer.cancel()
      self.timer = nil
      Output.standardError("\r\u{1B}[K")
    }
  }

  /// The total size of the files at `paths` (0 for those that cannot be read).
  static func size(of paths: [String]) -> Int {
    var total = 0
    for path in paths {
      var info = stat()
      if stat(path, &info) == 0 { total += Int(info.st_size) }
    }
    return total
  }
}
