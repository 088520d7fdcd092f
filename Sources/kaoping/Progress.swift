import Dispatch
import Kaoping

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
  /// The latest report of the run, when it reports.
  private var latest: EvaluationProgress?

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

  /// Whether the line is shown (a terminal, large inputs).
  var isShown: Bool { queue.sync { timer != nil } }

  /// A callback for `EvaluationRequest.progress` that feeds this line; nil when the line
  /// is not shown (so the run does no counting for nothing).
  var callback: (@Sendable (EvaluationProgress) -> Void)? {
    guard isShown else { return nil }
    return { [weak self] progress in self?.update(progress) }
  }

  /// Remembers how far the run has got (any thread).
  func update(_ progress: EvaluationProgress) {
    queue.async { self.latest = progress }
  }

  private func draw() {
    let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    frame = (frame + 1) % frames.count
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
    let tenths = Int(seconds * 10)
    var text = label
    if let latest { text = Self.describe(latest) }
    Output.standardError("\r\(frames[frame]) \(text) \(tenths / 10).\(tenths % 10) s\u{1B}[K")
  }

  /// `reading facts 42%`, `scoring subjects 80% (8000 of 10000)`.
  static func describe(_ progress: EvaluationProgress) -> String {
    let percent = progress.total > 0 ? min(100, progress.completed * 100 / progress.total) : 0
    switch progress.stage {
    case .reading: return "reading facts \(percent)%"
    case .scoring: return "scoring subjects \(percent)% (\(progress.completed) of \(progress.total))"
    }
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
