import Foundation
import Testing

@testable import Kaoping

/// `EvaluationRequest.digests`: off, the fast path leaves fact files' digests empty (it
/// reads each file once) and nothing else changes; on (the default), they are computed.
@Suite struct DigestOptionTests {
  @Test func withoutDigestsOnlyTheFactFilesDigestsAreEmpty() throws {
    let loaded = RuleFiles.load(path: evalFixture("annual_weights.yaml"))
    let rules = try #require(loaded.rules)
    var request = EvaluationRequest(
      rules: loaded, factPaths: [evalFixture("annual.facts.csv")], subjectsPath: evalFixture("annual.subjects.csv"),
      threads: 2)
    #expect(request.digests)
    #expect(Evaluation.runFast(request, rules: rules) != nil, "the fast path reads this file")
    guard case .success(let with) = Evaluation.run(request) else {
      Issue.record("the run fails")
      return
    }
    request.digests = false
    guard case .success(let without) = Evaluation.run(request) else {
      Issue.record("the run fails without digests")
      return
    }
    let withFacts = with.inputs.filter { $0.role == .facts }.map(\.sha256)
    let withoutFacts = without.inputs.filter { $0.role == .facts }.map(\.sha256)
    let withOthers = with.inputs.filter { $0.role != .facts }.map(\.sha256)
    let withoutOthers = without.inputs.filter { $0.role != .facts }.map(\.sha256)
    #expect(withFacts.count == 1 && withFacts[0].count == 64)
    #expect(withoutFacts == [""])
    #expect(withoutOthers == withOthers)
    for format in ReportFormat.allCases where !format.showsDigests {
      let a = ReportWriter.write(without, format: format)
      let b = ReportWriter.write(with, format: format)
      #expect(a == b, "\(format)")
    }
    let showing = ReportFormat.allCases.filter(\.showsDigests)
    #expect(showing == [.json])
  }
}

/// CSV reports of many rows are written in parallel ranges: the same bytes as rows written
/// one scope slice at a time (below the threshold, in one go).
@Suite struct CSVParallelRowsTests {
  @Test func manyRowsAreWrittenAsFewRowsAre() throws {
    var result = try evaluate("annual_weights.yaml", facts: ["annual.facts.csv"], subjects: "annual.subjects.csv")
    let rows = CSVReporter.parallelRows * 2 + 37
    for index in result.scopes.indices {
      let base = result.scopes[index].subjects
      guard !base.isEmpty else { continue }
      result.scopes[index].subjects = (0..<rows).map { i in
        var subject = base[i % base.count]
        subject.id = "S\(i)"
        subject.rank = i
        return subject
      }
    }
    let whole = String(decoding: ReportWriter.write(result, format: .csv), as: UTF8.self)
    var sliced = ""
    for scope in result.scopes {
      var start = 0
      while start < scope.subjects.count {
        var part = result
        var one = scope
        one.subjects = Array(scope.subjects[start..<Swift.min(scope.subjects.count, start + 1000)])
        part.scopes = [one]
        let text = String(decoding: ReportWriter.write(part, format: .csv), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if sliced.isEmpty { sliced = lines[0] + "\n" }
        sliced += lines.dropFirst().joined(separator: "\n")
        start += 1000
      }
    }
    #expect(whole.count > rows * 20)
    #expect(whole == sliced)
  }
}
