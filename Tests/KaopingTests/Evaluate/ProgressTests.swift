import Foundation
import Synchronization
import Testing

@testable import Kaoping

/// Progress reports of a run (`EvaluationRequest.progress`), for the runner's status line.
@Suite struct ProgressTests {
  /// Reports collected from any thread.
  final class Collected: Sendable {
    let reports = Mutex<[EvaluationProgress]>([])
    func add(_ report: EvaluationProgress) { reports.withLock { $0.append(report) } }
    var all: [EvaluationProgress] { reports.withLock { $0 } }
  }

  @Test func aCounterReportsEachPercentOnceAndTheEnd() {
    let seen = Mutex<[Int]>([])
    let counter = ProgressCounter(total: 1000) { done, total in
      #expect(total == 1000)
      seen.withLock { $0.append(done) }
    }
    DispatchQueue.concurrentPerform(iterations: 1000) { _ in counter.add(1) }
    let done = seen.withLock { $0 }.sorted()
    #expect(done.count == 100)  // 1%, 2%, … 100%
    #expect(done.last == 1000)
    #expect(Set(done.map { $0 / 10 }).count == 100)
    // Nothing is reported without work or a total.
    let idle = ProgressCounter(total: 0) { _, _ in Issue.record("reported without a total") }
    idle.add(5)
  }

  @Test(arguments: [1, 4])
  func aRunReportsReadingEveryByteThenScoringEverySubject(threads: Int) throws {
    let collected = Collected()
    let facts = [Path.example + "/facts.csv"]
    let request = EvaluationRequest(
      rules: RuleFiles.load(path: repositoryRoot + "/Rules/city_units.yaml"), factPaths: facts,
      subjectsPath: Path.example + "/subjects.csv", threads: threads, progress: { collected.add($0) })
    guard case .success(let result) = Evaluation.run(request) else {
      Issue.record("the example does not evaluate")
      return
    }
    let reports = collected.all
    let reading = reports.filter { $0.stage == .reading }
    let scoring = reports.filter { $0.stage == .scoring }
    let size = try #require(try FileManager.default.attributesOfItem(atPath: facts[0])[.size] as? Int)
    #expect(reading.map(\.completed).max() == size)
    #expect(reading.allSatisfy { $0.total == size })
    let subjects = result.scopes.first?.subjects.count ?? 0
    #expect(subjects > 0)
    #expect(scoring.map(\.completed).max() == subjects)
    #expect(scoring.allSatisfy { $0.total == subjects })
    // Reading is done before scoring starts.
    if let lastReading = reports.lastIndex(where: { $0.stage == .reading }),
      let firstScoring = reports.firstIndex(where: { $0.stage == .scoring })
    {
      #expect(lastReading < firstScoring)
    }
  }

  enum Path {
    static let example = repositoryRoot + "/Examples/city_units"
  }
}
