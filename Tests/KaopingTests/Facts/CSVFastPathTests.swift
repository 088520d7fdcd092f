import Foundation
import Testing

@testable import Kaoping

/// The CSV fast path at the edges of how it reads a file: buffer refills (a line across
/// two reads, a line longer than the buffer), files whose size is at or near a multiple of
/// the page size or of 64 (the scanner's block), quotes, CRLF, a BOM, a last line without
/// a line break, empty cells; and its arithmetic dates, id order and the block tables' sorts.
@Suite struct CSVFastPathTests {
  static let rules = """
    kaoping: 1
    id: edges
    base: 100
    decimals: 2
    facts:
      award:
        fields:
          level: { type: enum, values: [national, provincial, 市级] }
      task:
        fields:
          due: date
          done: { type: date, optional: true }
      misc:
        fields:
          n: { type: int, optional: true }
          code: { type: string, optional: true }
    indicators:
      - id: awards
        bonus:
          facts: award
          points: { by: fact.level, table: { national: 20, provincial: 10, 市级: 5 } }
      - id: ontime
        score:
          value: >-
            facts.task.size() == 0 ? 1.0 :
            double(facts.task.filter(t, t.done != null && t.done <= t.due).size())
              / double(facts.task.size())
          points: "value < 0.9 ? -(0.9 - value) * 100 : 0"
      - id: misc
        bonus:
          facts: misc
          points: "fact.n == null ? 1 : (fact.n > 5 ? 2 : 1)"
    """

  static let roster = "id,name\nA,甲\nB,乙\nC,丙\n"
  static let header = "id,subject,type,date,level,due,done,n,code,x-pad"

  /// Dates the arithmetic reads, and some it leaves to the general parse (other years,
  /// days that do not exist, other shapes).
  static let dates = [
    "2023-01-01", "2023-12-31", "2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "1900-01-01", "1899-12-31",
    "2155-12-31", "2156-01-01", "0001-01-01", "9999-12-31", "2023-13-01", "2023-00-10", "2023-04-31", "2023-04-00",
    "2023-1-01", "2023/01/01", "２０２３-01-01", "", "",
  ]

  /// A random fact line (without its line break); `index` makes the id.
  static func line(_ random: inout SplitMix64, _ index: Int) -> String {
    func pick(_ items: [String]) -> String { items[random.below(items.count)] }
    let id = random.below(20) == 0 ? "" : "F\(100_000 + index)"
    let subject = pick(["A", "B", "C", "A", "B", "Z"])
    let type = pick(["award", "task", "misc", "award", "task"])
    var cells = [id, subject, type, pick(dates), "", "", "", "", "", ""]
    switch type {
    case "award": cells[4] = pick(["national", "provincial", "市级", "nope", ""])
    case "task":
      cells[5] = pick(dates)
      cells[6] = pick(dates)
    default:
      cells[7] = pick(["1", "-7", "9223372036854775807", "-9223372036854775808", "12x", ""])
      cells[8] = pick(["c", "代码", "", "x y"])
    }
    if random.below(30) == 0 { cells[4] = "national" }  // a field the type does not declare
    return cells.joined(separator: ",")
  }

  static func scenario(_ facts: String) -> PerfPathTests.Scenario {
    PerfPathTests.Scenario(rules: rules, roster: roster, facts: [("facts.csv", facts)])
  }

  /// A file of `lines` random lines whose last line is padded (in its `x-pad` cell) to make
  /// the file exactly `size` bytes.
  static func file(size: Int, lines: Int, seed: UInt64, lineBreak: String, bom: Bool, finalBreak: Bool) -> String? {
    var random = SplitMix64(seed: seed)
    var text = (bom ? "\u{FEFF}" : "") + header + lineBreak
    for index in 0..<lines { text += line(&random, index) + lineBreak }
    text += line(&random, lines)
    let tail = finalBreak ? lineBreak : ""
    let missing = size - text.utf8.count - tail.utf8.count
    guard missing >= 0 else { return nil }
    return text + String(repeating: "p", count: missing) + tail
  }

  // MARK: File sizes around pages

  static let page = 4096

  @Test(arguments: [-65, -64, -63, -17, -1, 0, 1, 63, 64])
  func filesEndingNearAPageBoundaryAreReadTheSameEveryWay(delta: Int) throws {
    let page = Self.page
    for (pages, lineBreak, bom, finalBreak) in [(1, "\n", false, true), (2, "\r\n", true, false), (3, "\n", false, false),
                                               (2, "\r", false, true)] {
      let size = pages * page + delta
      let lines = size / 80
      guard let text = Self.file(size: size, lines: lines, seed: UInt64(size), lineBreak: lineBreak, bom: bom,
                                 finalBreak: finalBreak) else {
        Issue.record("no file of \(size) bytes")
        continue
      }
      #expect(text.utf8.count == size)
      try PerfPathTests.expectSame(Self.scenario(text), fast: true, "size \(size) \(lineBreak.debugDescription)")
    }
  }

  @Test func filesOfMultiplesOf64AreReadTheSameEveryWay() throws {
    for size in [64, 128, 640, 4032, 4160, 8128] {
      for finalBreak in [true, false] {
        guard let text = Self.file(size: size, lines: size / 90, seed: 3, lineBreak: "\n", bom: false,
                                   finalBreak: finalBreak) else { continue }
        try PerfPathTests.expectSame(Self.scenario(text), fast: true, "size \(size)")
      }
    }
  }

  @Test func awkwardCellsAreReadTheSameEveryWay() throws {
    let h = Self.header
    let cases = [
      // Empty cells everywhere, a blank row, a last line without a break.
      "\(h)\n,A,award,,national,,,,,\n\n,B,task,,,2023-01-01,,,,\nF1,C,misc,2023-05-05,,,,,,",
      // A quoted cell: the general reader takes the file.
      "\(h)\nF1,A,award,2023-01-01,national,,,,,\nF2,A,misc,2023-01-01,,,,3,\"a,b\",\n",
      // CR only, CRLF mixed, a BOM.
      "\u{FEFF}\(h)\rF1,A,award,2023-01-01,national,,,,,\r\nF2,B,task,2023-01-02,,2023-01-02,2023-01-01,,,\n",
      // Too few and too many cells.
      "\(h)\nF1,A,award,2023-01-01,national,,,,\nF2,A,award,2023-01-01,national,,,,,,\n",
      // A header only, with and without its line break.
      "\(h)\n", h,
      // Ids with non-ASCII text, repeated, descending.
      "\(h)\n编号2,A,award,2023-01-01,national,,,,,\n编号1,A,award,2023-01-01,national,,,,,\n编号1,B,award,2023-01-01,national,,,,,\n",
    ]
    for (index, text) in cases.enumerated() {
      try PerfPathTests.expectSame(Self.scenario(text), "case \(index)")
    }
  }

  // MARK: Buffers

  /// The facts a read gave, as text (rows with their ids, strings, rejections).
  static func describe(_ output: CSVFactReader.Output) -> [String] {
    var lines: [String] = []
    for chunk in output.chunks {
      lines.append("chunk records \(chunk.recordCount) strings \(chunk.pool.strings)")
      for (b, bucket) in chunk.buckets.enumerated() {
        for row in bucket.rows {
          let (start, length) = FactTable.idLocation(row.id, long: bucket.longIDLengths)
          let id = row.id == FactChunk.noID ? "-" : String(decoding: bucket.ids.bytes(start, length), as: UTF8.self)
          lines.append("\(b) \(FactBucket.subject(row)) \(id) \(row.row) \(row.type) \(row.date) \(row.v0) \(row.v1) \(row.source) \(row.extra)")
        }
      }
      for rejection in chunk.rejected {
        lines.append("rejected \(rejection.row) \(rejection.code) \(rejection.reason)")
      }
    }
    lines.append("records \(output.info.records) \(output.info.sha256)")
    return lines
  }

  @Test func smallBuffersReadWhatOneBufferReads() throws {
    let dir = try PerfPathTests.directory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let rulesPath = dir.appendingPathComponent("rules.yaml").path
    try Self.rules.write(toFile: rulesPath, atomically: true, encoding: .utf8)
    guard let rules = RuleFiles.load(path: rulesPath).rules else {
      Issue.record("rules do not check")
      return
    }
    let loader = FactLoader(rules: rules, environments: RuleEnvironments(rules))
    let (roster, _) = try loader.roster(file: try RawFileReader.csv(bytes: Array(Self.roster.utf8), path: "subjects.csv"))
    let schema = FactSchema(rules)
    var random = SplitMix64(seed: 11)
    var text = Self.header + "\n"
    for index in 0..<4000 {
      text += Self.line(&random, index)
      // Now and then a line longer than a small buffer.
      if index % 997 == 5 { text += String(repeating: "q", count: 3 * Self.page + 5) }
      text += index % 3 == 0 ? "\r\n" : "\n"
    }
    let path = dir.appendingPathComponent("facts.csv").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    func read(buffer: Int, threads: Int) -> [String] {
      let reader = CSVFactReader(
        path: path, fileIndex: 0, schema: schema, roster: roster, rosterIDs: CSVFactReader.rosterIndex(roster),
        rosterShort: ShortTextTable(roster.subjects.map(\.id)), threads: threads, bufferSize: buffer)
      guard let output = reader.read(accept: { _ in true }) else { return ["no fast read"] }
      return Self.describe(output)
    }
    func expectSame(_ got: [String], _ want: [String], _ comment: String) {
      guard got != want else { return }
      var index = 0
      while index < got.count, index < want.count, got[index] == want[index] { index += 1 }
      let left = index < got.count ? got[index] : "-"
      let right = index < want.count ? want[index] : "-"
      Issue.record("\(comment): \(got.count) lines, not \(want.count); first difference at \(index): \(left) vs \(right)")
    }
    let whole = read(buffer: 1 << 24, threads: 1)
    #expect(whole.count > 4000)
    for buffer in [1, 100, Self.page, 2 * Self.page + 7, 64 << 10] {
      expectSame(read(buffer: buffer, threads: 1), whole, "buffer \(buffer)")
    }
    // Parts (the file is split for threads only from 1 MiB on) and the whole evaluation.
    expectSame(read(buffer: Self.page, threads: 2), read(buffer: 1 << 24, threads: 2), "two threads")
    try PerfPathTests.expectSame(Self.scenario(text), fast: true, "buffers")
  }

  // MARK: Subjects

  /// Roster ids longer than 16 bytes (looked up by the long-id index, not the short table),
  /// a long text that is no id, and a long id spelled in another normalization form.
  @Test func longSubjectIDsAreReadTheSameEveryWay() throws {
    let long1 = "市政府办公室第一科室"  // 30 bytes
    let long2 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    let composed = "Caf\u{E9} municipal bureau"
    let decomposed = "Cafe\u{301} municipal bureau"
    let exactly16 = "ABCDEFGHIJKLMNOP"
    let roster = "id,name\nA,甲\n\(long1),长\n\(long2),长2\n\(composed),咖啡\n\(exactly16),十六\n"
    var text = Self.header + "\n"
    let subjects = [long1, long2, composed, decomposed, exactly16, "ABCDEFGHIJKLMNOPQ", long1 + "x", "A"]
    for index in 0..<200 {
      text += "F\(index),\(subjects[index % subjects.count]),award,2023-03-0\(index % 9 + 1),national,,,,,\n"
    }
    try PerfPathTests.expectSame(
      PerfPathTests.Scenario(rules: Self.rules, roster: roster, facts: [("facts.csv", text)]), fast: true, "long ids")
  }

  @Test func shortTextTableFindsEveryShortTextAtItsFirstPosition() {
    var random = SplitMix64(seed: 17)
    for count in [0, 1, 7, 300, 5000] {
      let texts = (0..<count).map { _ in
        String(decoding: (0..<random.below(20)).map { _ in UInt8(0x41 + random.below(6)) }, as: UTF8.self)
      }
      let table = ShortTextTable(texts)
      var first: [String: Int] = [:]
      for (position, text) in texts.enumerated() where first[text] == nil { first[text] = position }
      for probe in texts + ["", "ZZZ", "AAAAAAAAAAAAAAAAA"] {
        var padded = Array(probe.utf8) + [UInt8](repeating: 0xEE, count: 16)
        let found = padded.withUnsafeMutableBytes { bytes in
          table.lookup(UnsafeRawBufferPointer(rebasing: bytes[0..<probe.utf8.count]))
        }
        let expected = (1...16).contains(probe.utf8.count) ? first[probe].map { Int32($0) } : nil  // empty: never found
        #expect(found == expected, "\(probe) in \(count) texts")
        padded.removeAll()
      }
    }
  }

  // MARK: Dates and sorts

  @Test func monthTableAgreesWithTheDateParser() {
    let table = MonthTable()
    defer { table.release() }
    var texts: [String] = Self.dates
    for year in [1, 1899, 1900, 1901, 1970, 1999, 2000, 2023, 2024, 2100, 2154, 2155, 2156, 9999] {
      for month in 0...13 {
        for day in [0, 1, 9, 10, 28, 29, 30, 31, 32, 39, 40] {
          texts.append(String(format: "%04d-%02d-%02d", year, month, day))
        }
      }
    }
    var random = SplitMix64(seed: 5)
    let alphabet = Array("0123456789-/: a".utf8)
    for _ in 0..<20_000 {
      texts.append(String(decoding: (0..<10).map { _ in alphabet[random.below(alphabet.count)] }, as: UTF8.self))
    }
    for text in texts where text.utf8.count == 10 {
      var bytes = Array(text.utf8) + [UInt8](repeating: 0, count: 6)
      let fast = bytes.withUnsafeMutableBytes { table.day(UnsafeRawPointer($0.baseAddress!)) }
      let expected = CELDate(parsing: text)?.daysSinceEpoch
      if let fast { #expect(fast == expected, "\(text)") }
      if let year = Int(text.prefix(4)), (1900...2155).contains(year), text.utf8.allSatisfy({ $0 < 0x80 }) {
        #expect(fast == expected, "\(text) (a year of the table)")
      }
      bytes.removeAll()
    }
  }

  @Test func shortIDOrderAgreesWithByteOrder() {
    var random = SplitMix64(seed: 13)
    let alphabet: [UInt8] = [0, 1, 0x30, 0x31, 0x7F, 0x80, 0xE4, 0xFF]
    for _ in 0..<20_000 {
      let x = (0..<random.below(17)).map { _ in alphabet[random.below(alphabet.count)] }
      var y = random.below(3) == 0 ? Array(x.prefix(random.below(x.count + 1))) : x
      if random.below(2) == 0 { y += (0..<random.below(17 - y.count)).map { _ in alphabet[random.below(alphabet.count)] } }
      let paddedX = x + [UInt8](repeating: 0xAA, count: 16)
      let paddedY = y + [UInt8](repeating: 0x55, count: 16)
      let expected = x.withUnsafeBytes { a in y.withUnsafeBytes { b in FactTable.bytesLess(a, b) } }
      let fast = paddedX.withUnsafeBytes { a in
        paddedY.withUnsafeBytes { b in
          FactChunk.shortLess(a.baseAddress!, x.count, b.baseAddress!, y.count)
        }
      }
      #expect(fast == expected, "\(x) < \(y)")
    }
  }

  @Test func keySortAgreesWithTheStandardSort() {
    var random = SplitMix64(seed: 9)
    for count in [0, 1, 2, 3, 24, 25, 26, 49, 100, 1000, 5000] {
      for spread in [1, 3, 1000, 1 << 30] {
        // Distinct keys as the ledger sort makes them: day << 32 | position.
        var keys = (0..<count).map { UInt64(random.below(spread)) << 32 | UInt64($0) }
        if spread == 3 { keys.reverse() }
        let expected = keys.sorted()
        keys.withUnsafeMutableBufferPointer { FactTableAssembler.sortKeys($0) }
        #expect(keys == expected, "count \(count) spread \(spread)")
      }
    }
  }

  /// A file of several MiB is read in parts (one per thread and more): every part's rows
  /// are numbered from the line breaks before it (id-less facts are named FILE:ROW, and
  /// rejections point at their row), as the reference reads them.
  @Test func partsOfALargeFileNumberTheirRows() throws {
    var random = SplitMix64(seed: 5)
    var text = Self.header + "\n"
    var index = 0
    while text.utf8.count < 2 << 20 + 4096 {
      text += Self.line(&random, index) + (index % 5 == 0 ? "\r\n" : "\n")
      index += 1
    }
    try PerfPathTests.expectSame(Self.scenario(text), fast: true, "parts")
  }

  /// Ref targets by pool id: texts sharing a key share a target; texts that are no ref,
  /// keys without a target and ids out of range have none.
  @Test func refTargetsLookUpByPoolID() {
    let a = RefTarget(record: FileRow(file: 0, row: 7), hasRef: false)
    let targets = RefTargets(keyOfText: [-1, 0, 1, 0], targets: [a, nil])
    #expect(targets[1]?.record == a.record)
    #expect(targets[3]?.record == a.record)
    #expect(targets[0] == nil && targets[2] == nil && targets[4] == nil && targets[-1] == nil)
    #expect(RefTargets()[0] == nil)
  }

  /// Many facts per subject: block tables sort them by counting days, or (undated facts
  /// among dated ones, days far apart) by comparisons.
  @Test func ledgersOfManyFactsAreTheSameEveryWay() throws {
    var random = SplitMix64(seed: 21)
    for spreadDays in [2, 40, 5000] {
      var text = Self.header + "\n"
      for index in 0..<600 {
        let day = random.below(spreadDays)
        let date = random.below(15) == 0 ? "" : CELDate(daysSinceEpoch: Int32(19_000 + day)).description
        let id = random.below(4) == 0 ? "G\(random.below(50))" : "F\(index)"
        text += "\(id),\(["A", "B"][random.below(2)]),task,\(date),,\(date.isEmpty ? "2023-01-01" : date),,,,\n"
      }
      try PerfPathTests.expectSame(Self.scenario(text), fast: true, "spread \(spreadDays)")
    }
  }
}
