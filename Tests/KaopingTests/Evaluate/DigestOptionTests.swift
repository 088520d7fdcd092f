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
