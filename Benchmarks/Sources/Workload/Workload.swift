// A deterministic workload of government units (subjects) and their fact
// records, of the same shape and distributions as the performance yardstick's
// Python generator (`perf/gen.py` beside the project, not a dependency of it):
// the same columns, fact types, shares and value ranges, with its own random
// sequence (SplitMix64), so the files are alike but not byte-identical.

import Foundation

/// The standard workload sizes.
public enum WorkloadSize: String, CaseIterable, Sendable {
  /// 1,000 subjects, 100,000 facts (about 6.6 MB of CSV).
  case s = "S"
  /// 10,000 subjects, 1,000,000 facts (about 66 MB).
  case m = "M"
  /// 100,000 subjects, 10,000,000 facts (about 660 MB).
  case l = "L"

  /// The counts and the fixed seed of this size.
  public var shape: WorkloadShape {
    switch self {
    case .s: return WorkloadShape(subjects: 1_000, facts: 100_000, seed: 20_231_234)
    case .m: return WorkloadShape(subjects: 10_000, facts: 1_000_000, seed: 20_231_232)
    case .l: return WorkloadShape(subjects: 100_000, facts: 10_000_000, seed: 20_231_233)
    }
  }
}

/// How many subjects and facts to generate, and from which seed.
public struct WorkloadShape: Sendable, Hashable {
  public var subjects: Int
  public var facts: Int
  public var seed: UInt64

  /// `subjects` must be at least 1 and `facts` at least 0.
  public init(subjects: Int, facts: Int, seed: UInt64) {
    precondition(subjects >= 1, "a workload needs at least one subject")
    precondition(facts >= 0, "a workload cannot have a negative number of facts")
    self.subjects = subjects
    self.facts = facts
    self.seed = seed
  }
}

/// The fact types, in the order of their shares.
public enum FactType: String, CaseIterable, Sendable {
  case award
  case notice
  case delay
  case rectified
  case majorError = "major_error"
  case task
}

/// What a generation produced.
public struct WorkloadSummary: Sendable, Equatable, CustomStringConvertible {
  public var subjects: Int
  /// Subjects without any fact (3%).
  public var inactiveSubjects: Int
  public var facts: Int
  public var factsByType: [FactType: Int]
  /// Sizes of `subjects.csv` and `facts.csv`, header included.
  public var subjectsBytes: Int
  public var factsBytes: Int

  /// `1000 subjects (30 without facts), 100000 facts: award 9964, notice …`,
  /// like the Python generator's report.
  public var description: String {
    let mix = FactType.allCases.map { "\($0.rawValue) \(factsByType[$0, default: 0])" }
    return "\(subjects) subjects (\(inactiveSubjects) without facts), \(facts) facts: "
      + mix.joined(separator: ", ")
  }
}

/// A workload generated in memory.
public struct GeneratedWorkload: Sendable {
  /// `subjects.csv`: `id,name,group`.
  public var subjectsCSV: [UInt8]
  /// `facts.csv`: `id,subject,type,date,source,level,kind,days,due,done,ref`.
  public var factsCSV: [UInt8]
  public var summary: WorkloadSummary

  /// `subjects.csv` as text.
  public var subjects: String { String(decoding: subjectsCSV, as: UTF8.self) }
}

/// A file of the workload could not be written.
public struct WorkloadWriteError: Error, CustomStringConvertible {
  public var path: String
  public var reason: String
  public var description: String { "cannot write \(path): \(reason)" }
}

/// Generating the workload.
public enum Workload {
  public static let subjectsHeader = "id,name,group"
  public static let factsHeader = "id,subject,type,date,source,level,kind,days,due,done,ref"

  /// Generates a standard size in memory (M takes about 70 MB, L about 700 MB).
  public static func generate(size: WorkloadSize) -> GeneratedWorkload {
    generate(shape: size.shape)
  }

  /// Generates a workload in memory.
  public static func generate(shape: WorkloadShape) -> GeneratedWorkload {
    var generator = Generator(shape: shape)
    var subjects: [UInt8] = []
    subjects.reserveCapacity(64 + shape.subjects * 28)
    generator.writeSubjects(into: &subjects, flushAt: .max) { _ in }
    var facts: [UInt8] = []
    facts.reserveCapacity(64 + shape.facts * 72)
    generator.writeFacts(into: &facts, flushAt: .max) { _ in }
    return GeneratedWorkload(subjectsCSV: subjects, factsCSV: facts, summary: generator.summary)
  }

  /// Generates a workload in chunks of about `chunkBytes` bytes, each ending
  /// at a line end: first every chunk of `subjects.csv`, then every chunk of
  /// `facts.csv`. Memory stays at one chunk plus the per-subject state.
  public static func stream(
    shape: WorkloadShape, chunkBytes: Int = 1 << 20,
    subjects: ([UInt8]) throws -> Void, facts: ([UInt8]) throws -> Void
  ) rethrows -> WorkloadSummary {
    let limit = max(chunkBytes, 256)
    var generator = Generator(shape: shape)
    var buffer: [UInt8] = []
    buffer.reserveCapacity(limit + 256)
    try generator.writeSubjects(into: &buffer, flushAt: limit, flush: subjects)
    if !buffer.isEmpty { try subjects(buffer) }
    buffer.removeAll(keepingCapacity: true)
    try generator.writeFacts(into: &buffer, flushAt: limit, flush: facts)
    if !buffer.isEmpty { try facts(buffer) }
    return generator.summary
  }

  /// Writes `subjects.csv` and `facts.csv` into `directory`, creating it if needed.
  public static func write(shape: WorkloadShape, toDirectory directory: String) throws
    -> WorkloadSummary
  {
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw WorkloadWriteError(path: directory, reason: error.localizedDescription)
    }
    let subjectsFile = try OutputFile(path: directory + "/subjects.csv")
    defer { subjectsFile.close() }
    let factsFile = try OutputFile(path: directory + "/facts.csv")
    defer { factsFile.close() }
    return try stream(
      shape: shape, subjects: { try subjectsFile.write($0) }, facts: { try factsFile.write($0) })
  }
}

/// A file opened for writing (created or truncated).
private final class OutputFile {
  let path: String
  let handle: FileHandle

  init(path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil),
      let handle = FileHandle(forWritingAtPath: path)
    else {
      throw WorkloadWriteError(path: path, reason: "the file cannot be created")
    }
    self.path = path
    self.handle = handle
  }

  func write(_ bytes: [UInt8]) throws {
    do {
      try handle.write(contentsOf: bytes)
    } catch {
      throw WorkloadWriteError(path: path, reason: error.localizedDescription)
    }
  }

  func close() {
    try? handle.close()
  }
}
