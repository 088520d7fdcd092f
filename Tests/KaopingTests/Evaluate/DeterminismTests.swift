import Foundation
import Testing

@testable import Kaoping

/// Results do not depend on the order of facts that carry ids or on the thread count (§2),
/// and the example's JSON result has the shape of §13.1.
@Suite struct EvaluateDeterminismTests {
  private let rules = repositoryRoot + "/Rules/city_units.yaml"
  private let facts = repositoryRoot + "/Examples/city_units/facts.csv"
  private let subjects = repositoryRoot + "/Examples/city_units/subjects.csv"

  /// Runs eval in `directory` on its `facts.csv` (a relative path, so both runs name it alike).
  private func eval(in directory: URL, threads: Int) throws -> String {
    let run = try runKaoping(
      ["eval", rules, "--facts", "facts.csv", "--subjects", subjects, "--format", "json", "--threads", "\(threads)"],
      currentDirectory: directory.path)
    #expect(run.status == 0, "\(run.stderr)")
    return run.stdout
  }

  @Test func shuffledFactsGiveTheSameJSONWithOneAndFourThreads() throws {
    let text = try String(contentsOfFile: facts, encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.last == "")   // a final line break
    lines.removeLast()
    let header = lines.removeFirst()
    #expect(lines.count == 915)
    var generator = SplitMix64(seed: 20_231_231)
    var shuffled = lines
    shuffled.shuffle(using: &generator)
    #expect(shuffled != lines)

    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let original = root.appendingPathComponent("original")
    let reordered = root.appendingPathComponent("shuffled")
    for directory in [original, reordered] {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    try text.write(to: original.appendingPathComponent("facts.csv"), atomically: true, encoding: .utf8)
    try ([header] + shuffled + [""]).joined(separator: "\n")
      .write(to: reordered.appendingPathComponent("facts.csv"), atomically: true, encoding: .utf8)

    let baseline = try eval(in: original, threads: 1)
    #expect(baseline.hasPrefix("{\n  \"format\": \"kaoping-result/1\","))
    // Same file, more threads: byte for byte.
    #expect(try eval(in: original, threads: 4) == baseline)
    let baselineLines = baseline.split(separator: "\n", omittingEmptySubsequences: false)
    let sha = #/"sha256": "[0-9a-f]{64}"/#
    for threads in [1, 4] {
      let output = try eval(in: reordered, threads: threads)
      let outputLines = output.split(separator: "\n", omittingEmptySubsequences: false)
      #expect(outputLines.count == baselineLines.count)
      let differing = zip(baselineLines, outputLines).enumerated().filter { $0.element.0 != $0.element.1 }
      // Exactly one line differs: the facts file's inputs element, and only in its sha256.
      #expect(differing.count == 1, "threads \(threads): \(differing.map(\.element))")
      for (_, pair) in differing {
        #expect(pair.0.hasPrefix("    { \"role\": \"facts\", \"path\": \"facts.csv\", \"sha256\": "))
        #expect(pair.0.replacing(sha, with: "") == pair.1.replacing(sha, with: ""))
      }
    }
  }

  @Test func exampleJSONHasTheResultShapeAndAddsUp() throws {
    let run = try runKaoping([
      "eval", "Rules/city_units.yaml", "--facts", "Examples/city_units/facts.csv", "--subjects",
      "Examples/city_units/subjects.csv", "--format", "json",
    ], currentDirectory: repositoryRoot)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.hasSuffix("}\n"))
    #expect(!run.stdout.hasPrefix("\u{FEFF}"))
    let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    #expect(json["format"] as? String == "kaoping-result/1")
    let rulesInfo = try #require(json["rules"] as? [String: Any])
    #expect(rulesInfo["id"] as? String == "city_units_2023")
    let inputs = try #require(json["inputs"] as? [[String: Any]])
    #expect(inputs.map { $0["role"] as? String } == ["subjects", "facts"])
    #expect(inputs.map { $0["path"] as? String } == ["Examples/city_units/subjects.csv", "Examples/city_units/facts.csv"])
    #expect(inputs.map { $0["records"] as? Int } == [49, 915])

    let accounting = try #require(json["accounting"] as? [String: Int])
    let (total, applied, unmatched, rejected) = (
      accounting["facts"] ?? -1, accounting["applied"] ?? -1, accounting["unmatched"] ?? -1, accounting["rejected"] ?? -1
    )
    #expect(total == 915)
    #expect(applied + unmatched + rejected == total)
    #expect((json["rejected"] as? [Any])?.count == rejected)

    let scopes = try #require(json["scopes"] as? [[String: Any]])
    #expect(scopes.map { $0["scope"] as? String } == ["Q1", "Q2", "Q3", "Q4", "annual"])
    var checked = 0
    for scope in scopes {
      let subjects = try #require(scope["subjects"] as? [[String: Any]])
      #expect(subjects.count == 49)
      for subject in subjects {
        let id = subject["id"] as? String ?? "?"
        let totalText = try #require(subject["total"] as? String)
        #expect(totalText.wholeMatch(of: #/-?\d+\.\d{2}/#) != nil, "\(id): \(totalText)")
        #expect(subject.keys.contains("grade"))
        guard let items = subject["items"] as? [[String: Any]] else { continue }
        var sum = ExactDecimal.zero
        for item in items {
          let points = try #require(item["points"] as? String)
          #expect(points.wholeMatch(of: #/-?\d+\.\d{2}/#) != nil)
          #expect(points != "-0.00")
          sum = try sum.adding(dec(points))
        }
        // Items add up to total - base (base 1000).
        #expect(sum == (try dec(totalText).subtracting(dec("1000"))), "\(scope["scope"] ?? "") \(id)")
        checked += 1
      }
    }
    #expect(checked == 5 * 49)
  }
}
