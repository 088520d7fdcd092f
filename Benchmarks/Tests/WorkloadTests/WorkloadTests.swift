import Foundation
import Testing

@testable import Workload

private let small = WorkloadShape(subjects: 200, facts: 20_000, seed: 42)

private func lines(_ bytes: [UInt8]) -> [[String]] {
  String(decoding: bytes, as: UTF8.self)
    .split(separator: "\n")
    .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
}

@Test func splitMixMatchesTheReferenceSequence() {
  // SplitMix64 from seed 0 (reference values of the published algorithm).
  var rng = SplitMix64(seed: 0)
  #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
  #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
  #expect(rng.next() == 0x06C4_5D18_8009_454F)
}

@Test func datesCoverTheYearAndItsMargins() {
  #expect(civilDate(daysSinceEpoch: 0) == (1970, 1, 1))
  #expect(civilDate(daysSinceEpoch: 19_358) == (2023, 1, 1))
  #expect(civilDate(daysSinceEpoch: 19_358 + 364) == (2023, 12, 31))
  #expect(civilDate(daysSinceEpoch: 19_358 - 20) == (2022, 12, 12))
  var out: [UInt8] = []
  DateTable(startDaysSinceEpoch: 19_358, offsets: -20 ..< 385).append(offset: 58, to: &out)
  #expect(String(decoding: out, as: UTF8.self) == "2023-02-28")
}

@Test func sameSeedSameBytes() {
  let a = Workload.generate(shape: small)
  let b = Workload.generate(shape: small)
  #expect(a.subjectsCSV == b.subjectsCSV)
  #expect(a.factsCSV == b.factsCSV)
  let c = Workload.generate(shape: WorkloadShape(subjects: 200, facts: 20_000, seed: 43))
  #expect(a.factsCSV != c.factsCSV)
}

@Test func streamingGivesTheSameBytesAsInMemory() {
  let whole = Workload.generate(shape: small)
  var subjects: [UInt8] = []
  var facts: [UInt8] = []
  var chunks = 0
  let summary = Workload.stream(
    shape: small, chunkBytes: 4_096, subjects: { subjects += $0 },
    facts: {
      #expect($0.last == UInt8(ascii: "\n"))
      chunks += 1
      facts += $0
    })
  #expect(subjects == whole.subjectsCSV)
  #expect(facts == whole.factsCSV)
  #expect(chunks > 100)
  #expect(summary == whole.summary)
}

@Test func subjectsHaveIdsNamesAndWeightedGroups() {
  let workload = Workload.generate(shape: WorkloadShape(subjects: 10_000, facts: 0, seed: 1))
  let rows = lines(workload.subjectsCSV)
  #expect(rows[0] == ["id", "name", "group"])
  #expect(rows[1][0] == "S000001" && rows[1][1] == "单位000001")
  #expect(rows.last?[0] == "S010000")
  #expect(rows.count == 10_001)
  var groups: [String: Int] = [:]
  for row in rows.dropFirst() { groups[row[2], default: 0] += 1 }
  let expected = ["g1": 5, "g2": 10, "g3": 15, "g4": 15, "g5": 20, "g6": 15, "g7": 20]
  #expect(Set(groups.keys) == Set(expected.keys))
  for (group, percent) in expected {
    let share = Double(groups[group, default: 0]) / 100
    #expect(abs(share - Double(percent)) < 1.5, "\(group): \(share)%")
  }
  #expect(workload.summary.subjectsBytes == workload.subjectsCSV.count)
}

@Test func factsHaveTheShapeOfThePythonGenerator() throws {
  let workload = Workload.generate(shape: WorkloadShape(subjects: 1_000, facts: 100_000, seed: 9))
  let rows = lines(workload.factsCSV)
  #expect(rows[0] == Workload.factsHeader.split(separator: ",").map(String.init))
  #expect(rows.count == 100_001)
  let levels: Set<String> = ["national", "provincial", "municipal"]
  let sources: Set<String> = ["督查室", "组织部", "办公室", "纪检监察组", "绩效办"]
  var types: [String: Int] = [:]
  var subjects: Set<String> = []
  var delays: [String: String] = [:]  // fact id: subject
  var undone = 0
  var late = 0
  var tasks = 0
  for (index, row) in rows.dropFirst().enumerated() {
    try #require(row.count == 11, "row \(index + 1): \(row)")
    let (id, subject, type, date) = (row[0], row[1], row[2], row[3])
    let (source, level, kind, days, due, done, ref) = (row[4], row[5], row[6], row[7], row[8], row[9], row[10])
    #expect(id == String(format: "F%08d", index + 1))
    #expect(date.hasPrefix("2023-"))
    #expect(sources.contains(source))
    subjects.insert(subject)
    types[type, default: 0] += 1
    switch type {
    case "award":
      #expect(levels.contains(level) && kind.isEmpty && days.isEmpty && due.isEmpty && ref.isEmpty)
    case "notice":
      #expect(levels.contains(level) && (kind == "praise" || kind == "criticism"))
    case "delay":
      let value = try #require(Int(days))
      #expect((1 ... 30).contains(value) && level.isEmpty && kind.isEmpty)
      delays[id] = subject
    case "rectified":
      #expect(delays[ref] == subject, "a rectified fact refers to an earlier delay of its subject")
    case "task":
      tasks += 1
      #expect(due == date && level.isEmpty && days.isEmpty)
      if done.isEmpty { undone += 1 } else if done > due { late += 1 }
      #expect(done.isEmpty || (done >= "2022-12-12" && done <= "2024-01-20"))
    case "major_error":
      #expect(level.isEmpty && due.isEmpty && ref.isEmpty)
    default:
      Issue.record("unknown type \(type)")
    }
  }
  // Shares per ten thousand: award 1000, notice 1500, delay 2000, rectified 300,
  // major_error 5, task 5195 (within a few standard deviations).
  let expected = ["award": 10_000, "notice": 15_000, "delay": 20_000, "rectified": 3_000, "task": 51_950]
  for (type, count) in expected {
    let seen = types[type, default: 0]
    #expect(abs(seen - count) < 600, "\(type): \(seen)")
  }
  #expect((20 ... 90).contains(types["major_error", default: 0]))
  // 3% of subjects have no facts.
  #expect(subjects.count == 970)
  #expect(workload.summary.inactiveSubjects == 30)
  // About 5% of tasks are not done, and a few percent are late.
  #expect(abs(Double(undone) / Double(tasks) - 0.05) < 0.005)
  #expect((0.03 ... 0.10).contains(Double(late) / Double(tasks)))
  // Same size as gen.py's files: 6.6 MB for S.
  #expect((6_000_000 ... 7_200_000).contains(workload.factsCSV.count))
}

@Test func writesBothFiles() throws {
  let directory = NSTemporaryDirectory() + "kaoping-gen-test-\(getpid())"
  defer { try? FileManager.default.removeItem(atPath: directory) }
  let summary = try Workload.write(shape: small, toDirectory: directory + "/nested")
  let whole = Workload.generate(shape: small)
  let subjects = try #require(FileManager.default.contents(atPath: directory + "/nested/subjects.csv"))
  let facts = try #require(FileManager.default.contents(atPath: directory + "/nested/facts.csv"))
  #expect([UInt8](subjects) == whole.subjectsCSV)
  #expect([UInt8](facts) == whole.factsCSV)
  #expect(summary == whole.summary)
}

@Test func writingIntoAFileFails() throws {
  let file = NSTemporaryDirectory() + "kaoping-gen-test-file-\(getpid())"
  _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
  defer { try? FileManager.default.removeItem(atPath: file) }
  #expect(throws: WorkloadWriteError.self) {
    try Workload.write(shape: small, toDirectory: file)
  }
}
