import Testing

@testable import Kaoping

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

// MARK: - Helpers

/// A scanned CSV record: its row and decoded cells.
private struct Row: Equatable, CustomStringConvertible {
  var row: Int
  var cells: [String]
  init(_ row: Int, _ cells: [String]) {
    self.row = row
    self.cells = cells
  }
  var description: String { "\(row): \(cells)" }
}

/// What scanning a whole CSV input gave: header, records, and the error that
/// stopped it (recoverable errors are collected and scanning goes on).
private struct CSVResult: Equatable {
  var header: [String] = []
  var rows: [Row] = []
  var errors: [ScanError] = []
}

private func scanCSV(_ bytes: [UInt8]) -> CSVResult {
  bytes.withUnsafeBytes { source in
    var scanner = CSVScanner(source)
    var result = CSVResult()
    do throws(ScanError) {
      result.header = try scanner.readHeader()
    } catch {
      result.errors.append(error)
      return result
    }
    var guardCount = 0
    while guardCount < 100_000 {
      guardCount += 1
      do throws(ScanError) {
        guard let record = try scanner.next() else { break }
        result.rows.append(Row(record.row, record.cells.map { $0.string(in: source) }))
      } catch {
        result.errors.append(error)
        if !error.isRecoverable { break }
      }
    }
    return result
  }
}

private func scanCSV(_ text: String) -> CSVResult { scanCSV(Array(text.utf8)) }

/// A scanned JSON Lines record: its line and fields as (key, kind, decoded value).
private struct Line: Equatable, CustomStringConvertible {
  var line: Int
  var fields: [Field]
  init(_ line: Int, _ fields: [Field]) {
    self.line = line
    self.fields = fields
  }
  var description: String { "\(line): \(fields)" }
}

private struct Field: Equatable, CustomStringConvertible {
  var key: String
  var kind: JSONValueKind
  var value: String
  init(_ key: String, _ kind: JSONValueKind, _ value: String) {
    self.key = key
    self.kind = kind
    self.value = value
  }
  var description: String { "\(key)=\(value) (\(kind))" }
}

private struct JSONLResult: Equatable {
  var lines: [Line] = []
  var errors: [ScanError] = []
}

private func scanJSONL(_ bytes: [UInt8]) -> JSONLResult {
  bytes.withUnsafeBytes { source in
    var scanner = JSONLinesScanner(source)
    var result = JSONLResult()
    var guardCount = 0
    while guardCount < 100_000 {
      guardCount += 1
      do throws(ScanError) {
        guard let record = try scanner.next() else { break }
        result.lines.append(
          Line(record.line, record.fields.map { Field($0.key(in: source), $0.kind, $0.valueText(in: source)) }))
      } catch {
        result.errors.append(error)
        if !error.isRecoverable { break }
      }
    }
    return result
  }
}

private func scanJSONL(_ text: String) -> JSONLResult { scanJSONL(Array(text.utf8)) }

/// The single error of scanning `text` as JSON Lines.
private func jsonlError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ScanError? {
  let result = scanJSONL(text)
  #expect(result.errors.count == 1, "\(result.errors)", sourceLocation: sourceLocation)
  return result.errors.first
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Whether `scanner.next()` returns nil (without throwing).
private func reportsEnd(_ scanner: inout CSVScanner) -> Bool {
  do throws(ScanError) { return try scanner.next() == nil } catch { return false }
}

private func s(_ needsUnescape: Bool = false) -> JSONValueKind { .string(needsUnescape: needsUnescape) }

/// All tests of the fact scanners (`swift test --filter ScanTests`).
@Suite struct ScanTests {}

// MARK: - CSV

extension ScanTests {
  @Suite struct CSV {
    @Test func plainFileWithAndWithoutBOM() {
      let text = "id,subject,type\nf1,A,award\nf2,B,delay\n"
      let expected = CSVResult(
        header: ["id", "subject", "type"], rows: [Row(2, ["f1", "A", "award"]), Row(3, ["f2", "B", "delay"])])
      #expect(scanCSV(text) == expected)
      #expect(scanCSV([0xEF, 0xBB, 0xBF] + bytes(text)) == expected)
      // Offsets are into the bytes given, BOM included; columns do not count it.
      bytes("\u{FEFF}id,x\n1,2\"\n").withUnsafeBytes { source in
        var scanner = CSVScanner(source)
        #expect(throws: Never.self) { _ = try scanner.readHeader() }
        #expect(scanner.headerCells.map(\.start) == [3, 6])
        #expect(scanner.headerColumn(0) == 1)
        #expect(scanner.headerColumn(1) == 4)
      }
    }

    @Test func quotedCommasQuotesAndFlags() throws {
      let text = "a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"\"\n"
      #expect(scanCSV(text).rows == [Row(2, ["x,y", "say \"hi\"", ""])])
      try bytes(text).withUnsafeBytes { source in
        var scanner = CSVScanner(source)
        _ = try scanner.readHeader()
        let record = try #require(try scanner.next())
        let cells = Array(record.cells)
        #expect(cells.map(\.isQuoted) == [true, true, true])
        #expect(cells.map(\.needsUnescape) == [false, true, false])
        #expect(cells.map(\.isEmpty) == [false, false, true])
        #expect(cells[0] == Cell(start: 7, end: 10, needsUnescape: false, isQuoted: true))
        #expect(String(decoding: cells[1].rawBytes(in: source), as: UTF8.self) == "say \"\"hi\"\"")
        #expect(cells[1].withBytes(in: source) { Array($0) } == bytes("say \"hi\""))
        #expect(cells[0].withBytes(in: source) { $0.baseAddress } == source.baseAddress.map { $0 + 7 })
        #expect(try scanner.next() == nil)
      }
    }

    @Test func lineBreaksInsideQuotesDoNotStartRows() {
      // A quoted cell spanning lines is one spreadsheet row; the record after it is
      // the next row, whatever the line break inside (LF, CRLF, CR).
      let text = "h1,h2\n\"line1\nline2\",x\n3,4\n\"a\r\nb\",c\r\n5,6\n\"p\rq\",\"\n\"\n7,8"
      #expect(
        scanCSV(text)
          == CSVResult(
            header: ["h1", "h2"],
            rows: [
              Row(2, ["line1\nline2", "x"]), Row(3, ["3", "4"]), Row(4, ["a\r\nb", "c"]), Row(5, ["5", "6"]),
              Row(6, ["p\rq", "\n"]), Row(7, ["7", "8"]),
            ]))
    }

    @Test func blankRowsAreSkippedButCounted() {
      #expect(
        scanCSV("a,b\n\n1,2\n\r\n\n3,4\n\n")
          == CSVResult(header: ["a", "b"], rows: [Row(3, ["1", "2"]), Row(6, ["3", "4"])]))
      // A single column: an empty line is still a blank row, not an empty cell.
      #expect(scanCSV("id\nx\n\ny\n").rows == [Row(2, ["x"]), Row(4, ["y"])])
      // An empty quoted cell is a cell, not a blank row.
      #expect(scanCSV("id\n\"\"\n").rows == [Row(2, [""])])
    }

    @Test func lineEnds() {
      let expected = CSVResult(header: ["a", "b"], rows: [Row(2, ["1", "2"]), Row(3, ["3", "4"])])
      #expect(scanCSV("a,b\r\n1,2\r\n3,4\r\n") == expected)
      #expect(scanCSV("a,b\r1,2\r3,4\r") == expected)
      #expect(scanCSV("a,b\n1,2\n3,4") == expected)  // no final line break
      #expect(scanCSV("a,b\r\n1,2\r\n3,4") == expected)
      #expect(scanCSV("a,b\n1,2\n\"3\",\"4\"") == expected)
    }

    @Test func trailingEmptyCellsAndWhitespace() {
      #expect(
        scanCSV("a,b,c\n1,,\n,,\n , x ,\t\n,,")
          == CSVResult(
            header: ["a", "b", "c"],
            rows: [Row(2, ["1", "", ""]), Row(3, ["", "", ""]), Row(4, [" ", " x ", "\t"]), Row(5, ["", "", ""])]))
    }

    @Test func wrongCellCountsAreRecoverable() {
      let result = scanCSV("a,b,c\n1,2,3\n1,2,3,4\n1,2\n\n7,8,9\n1\n")
      #expect(result.rows == [Row(2, ["1", "2", "3"]), Row(6, ["7", "8", "9"])])
      #expect(
        result.errors == [
          ScanError(
            row: 3, column: 7, message: "row 3 has 4 cells but the header has 3",
            hint: "a cell that contains a comma must be written in double quotes", isRecoverable: true),
          ScanError(
            row: 4, column: 4, message: "row 4 has 2 cells but the header has 3",
            hint: "every row needs a cell for each column (an empty cell is fine)", isRecoverable: true),
          ScanError(
            row: 7, column: 2, message: "row 7 has 1 cell but the header has 3",
            hint: "every row needs a cell for each column (an empty cell is fine)", isRecoverable: true),
        ])
      // Many more cells than the header (beyond the scanner's reused storage).
      let wide = scanCSV("a\n" + String(repeating: "x,", count: 40) + "x\ny\n")
      #expect(wide.errors.map(\.message) == ["row 2 has 41 cells but the header has 1"])
      #expect(wide.errors.first?.column == 3)
      #expect(wide.rows == [Row(3, ["y"])])
    }

    @Test func unterminatedQuotePointsAtItsRow() {
      let result = scanCSV("a,b\n1,2\n\n3,\"abc\n\ndef\n4,5\n")
      #expect(result.rows == [Row(2, ["1", "2"])])
      #expect(
        result.errors == [
          ScanError(
            row: 4, column: 3, message: "unterminated quoted field that starts on row 4",
            hint: "a cell that starts with \" must end with \"; inside it, write \" as \"\"")
        ])
      #expect(scanCSV("\"a,b\n").errors.map(\.message) == ["unterminated quoted field that starts on row 1"])
      #expect(scanCSV("a\n\"x\"\"").errors.map(\.row) == [2])
    }

    @Test func strayQuotes() {
      // A quote inside an unquoted cell is an error (not taken literally).
      let inside = scanCSV("a,b\n1,5\" screen\n")
      #expect(inside.rows.isEmpty)
      #expect(inside.errors.map(\.message) == ["row 2 has a \" inside a cell that does not start with one"])
      #expect(inside.errors.map(\.column) == [4])
      #expect(inside.errors.map(\.isRecoverable) == [false])
      // Text after a closing quote.
      let after = scanCSV("a,b\n1,\"x\"y\n")
      #expect(after.errors.map(\.message) == ["row 2 has text after the closing \" of a quoted cell"])
      #expect(after.errors.map(\.column) == [6])
      // A space before a quote makes the cell unquoted, so the quote is stray.
      #expect(scanCSV("a,b\n1, \"x\"\n").errors.map(\.column) == [4])
    }

    @Test func emptyFileAndHeaderOnly() {
      let empty = ScanError(
        row: 1, column: 1, message: "the file is empty; a CSV file needs a header row with the column names")
      #expect(scanCSV("").errors == [empty])
      #expect(scanCSV([0xEF, 0xBB, 0xBF]).errors == [empty])
      #expect(scanCSV("id,subject\n") == CSVResult(header: ["id", "subject"]))
      #expect(scanCSV("id,subject") == CSVResult(header: ["id", "subject"]))
      #expect(scanCSV("id,subject\r\n\r\n\n") == CSVResult(header: ["id", "subject"]))
      // Reading the header twice gives the same names; next() without readHeader works.
      bytes("x,y\n1,2\n").withUnsafeBytes { source in
        var scanner = CSVScanner(source)
        #expect((try? scanner.readHeader()) == ["x", "y"])
        #expect((try? scanner.readHeader()) == ["x", "y"])
        var other = CSVScanner(source)
        #expect((try? other.next())??.row == 2)
        #expect(other.width == 2)
      }
      // After a header error, readHeader throws it again and next() reports nothing.
      bytes("a,a\n1,2\n").withUnsafeBytes { source in
        var scanner = CSVScanner(source)
        var errors: [String] = []
        for _ in 0..<2 {
          do throws(ScanError) { _ = try scanner.readHeader() } catch { errors.append(error.message) }
        }
        #expect(errors.count == 2 && errors[0] == errors[1])
        #expect(reportsEnd(&scanner))
        var fresh = CSVScanner(source)
        #expect(throws: ScanError.self) { try fresh.next() }
        #expect(reportsEnd(&fresh))
      }
    }

    @Test func headerNames() {
      #expect(
        scanCSV("id,subject,id\n").errors == [
          ScanError(
            row: 1, column: 12, message: "the header names column \"id\" twice (columns A and C)",
            hint: "rename or remove one of the two columns")
        ])
      #expect(
        scanCSV("id,,type\n").errors == [
          ScanError(row: 1, column: 4, message: "the header of column B is empty; every column needs a name")
        ])
      #expect(
        scanCSV("id,type,\n1,2,3\n").errors.map(\.message) == [
          "the header of column C is empty; every column needs a name"
        ])
      #expect(scanCSV("\nid\n").errors.map(\.message) == ["the header of column A is empty; every column needs a name"])
      #expect(scanCSV("\"\"\n").errors.map(\.row) == [1])
      // Quoted names are unescaped; names are not trimmed.
      #expect(scanCSV("\"a,b\",\"say \"\"x\"\"\", c \n1,2,3\n").header == ["a,b", "say \"x\"", " c "])
      #expect(CSVText.columnLetters(0) == "A")
      #expect(CSVText.columnLetters(25) == "Z")
      #expect(CSVText.columnLetters(26) == "AA")
      #expect(CSVText.columnLetters(701) == "ZZ")
      #expect(CSVText.columnLetters(702) == "AAA")
    }

    @Test func chineseText() {
      let text = "编号,单位,备注\nf1,城关区,\"获奖，国家级\"\nf2,七里河区,\"说明：\"\"优秀\"\"\"\n"
      #expect(
        scanCSV(text)
          == CSVResult(
            header: ["编号", "单位", "备注"],
            rows: [Row(2, ["f1", "城关区", "获奖，国家级"]), Row(3, ["f2", "七里河区", "说明：\"优秀\""])]))
      // Columns count Unicode scalars, not bytes.
      #expect(scanCSV("单位,x\n城关区,a\"b\n").errors.map(\.column) == [6])
      #expect(scanCSV("单位,x,y\n城关区,是,否,多\n").errors.map(\.column) == [9])
      bytes("编号,单位\n").withUnsafeBytes { source in
        var scanner = CSVScanner(source)
        _ = try? scanner.readHeader()
        #expect(scanner.headerColumn(1) == 4)
      }
    }

    @Test func invalidUTF8AndGBKHint() {
      // "中文" in GBK is D6 D0 CE C4.
      let gbk = bytes("id,name\n1,") + [0xD6, 0xD0, 0xCE, 0xC4] + bytes("\n")
      let result = scanCSV(gbk)
      #expect(result.header.isEmpty && result.rows.isEmpty)
      #expect(
        result.errors == [
          ScanError(
            row: 2, column: 3, message: "the file is not UTF-8: byte 0xD6 on row 2 is not valid UTF-8 text",
            hint:
              "the file looks like GBK/GB18030 (Chinese Windows encoding); in the spreadsheet program choose \"Save as\" and the type \"CSV UTF-8\""
          )
        ])
      // GBK in the header, after valid UTF-8 and a quoted cell spanning lines.
      let later = bytes("id,name\n\"x\ny\",城\n2,") + [0xB3, 0xC7, 0xB9, 0xD8, 0x41] + bytes("\n")
      #expect(scanCSV(later).errors.map { [$0.row, $0.column] } == [[3, 3]])
      #expect(scanCSV(later).errors.first?.hint?.contains("CSV UTF-8") == true)
      // Latin-1 ("café") is not UTF-8 either, but gets no GBK hint.
      let latin1 = scanCSV(bytes("a\ncaf") + [0xE9] + bytes(" au lait\n"))
      #expect(latin1.errors.map(\.message) == ["the file is not UTF-8: byte 0xE9 on row 2 is not valid UTF-8 text"])
      #expect(latin1.errors.map(\.hint) == ["save the file as UTF-8"])
      // Overlong forms, surrogates and truncated sequences are invalid.
      for bad: [UInt8] in [
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE5, 0x9F],
      ] {
        #expect(scanCSV(bytes("a\nx") + bad).errors.map { [$0.row, $0.column] } == [[2, 2]])
      }
    }

    @Test func forEachRecordStopsEarlyAndResumes() throws {
      try bytes("a\n1\n2\n3\n4\n").withUnsafeBytes { source in
        var scanner = CSVScanner(source)
        var seen: [Int] = []
        try scanner.forEachRecord { row, cells in
          seen.append(row)
          #expect(cells.count == 1)
          return row < 3
        }
        #expect(seen == [2, 3])
        try scanner.forEachRecord { row, _ in
          seen.append(row)
          return true
        }
        #expect(seen == [2, 3, 4, 5])
      }
    }

    @Test func utf8ValidatorFastPath() {
      let ascii = bytes(String(repeating: "abcdefgh", count: 10))
      ascii.withUnsafeBytes { #expect(UTF8Input.firstInvalidOffset($0) == nil) }
      for position in 0..<20 {
        var text = bytes(String(repeating: "x", count: 20) + "城関é😀" + String(repeating: "y", count: 9))
        #expect(text.withUnsafeBytes { UTF8Input.firstInvalidOffset($0) } == nil)
        text[position] = 0xFF
        #expect(text.withUnsafeBytes { UTF8Input.firstInvalidOffset($0) } == position)
      }
      UnsafeRawBufferPointer(start: nil, count: 0).withMemoryRebound(to: UInt8.self) { _ in }
      #expect(UTF8Input.firstInvalidOffset(UnsafeRawBufferPointer(start: nil, count: 0)) == nil)
    }
  }
}

// MARK: - JSON Lines

extension ScanTests {
  @Suite struct JSONLines {
    @Test func valuesKindsAndLineNumbers() {
      let text = """
        {"id":"f1","subject":"A","days":3,"ok":true,"no":false,"x":null}

          \t\r
        { "id" : "f2" , "n" : -1.5e3 }\r
        {}
        """
      #expect(
        scanJSONL(text)
          == JSONLResult(lines: [
            Line(
              1,
              [
                Field("id", s(), "f1"), Field("subject", s(), "A"), Field("days", .number(isInteger: true), "3"),
                Field("ok", .bool(true), "true"), Field("no", .bool(false), "false"), Field("x", .null, "null"),
              ]),
            Line(4, [Field("id", s(), "f2"), Field("n", .number(isInteger: false), "-1.5e3")]),
            Line(5, []),
          ]))
      bytes(text).withUnsafeBytes { source in
        var scanner = JSONLinesScanner(source)
        guard let record = try? scanner.next() else {
          Issue.record("no record")
          return
        }
        let id = record.fields[0]
        #expect(
          id == JSONField(keyStart: 2, keyEnd: 4, keyNeedsUnescape: false, valueStart: 7, valueEnd: 9, kind: s()))
        #expect(Array(id.rawKey(in: source)) == bytes("id"))
        #expect(Array(id.rawValue(in: source)) == bytes("f1"))
        #expect(record.fields[2].withValueBytes(in: source) { Array($0) } == bytes("3"))
      }
      #expect(scanJSONL("") == JSONLResult())
      #expect(scanJSONL("\n \n\r\n") == JSONLResult())
      #expect(scanJSONL("\u{FEFF}{\"a\":1}").lines == [Line(1, [Field("a", .number(isInteger: true), "1")])])
    }

    @Test func escapesAndSurrogatePairs() throws {
      let text = #"{"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\u4E2D\ud83d\ude00 城","k\u0065y":"plain"}"#
      #expect(
        scanJSONL(text).lines == [
          Line(
            1,
            [
              Field("s", s(true), "a\"b\\c/d\u{8}\u{C}\n\r\té中😀 城"),
              Field("key", s(), "plain"),
            ])
        ])
      try bytes(text).withUnsafeBytes { source in
        var scanner = JSONLinesScanner(source)
        let record = try #require(try scanner.next())
        #expect(record.fields[1].keyNeedsUnescape)
        #expect(record.fields[1].withKeyBytes(in: source) { Array($0) } == bytes("key"))
        #expect(record.fields[0].withValueBytes(in: source) { Array($0) } == bytes("a\"b\\c/d\u{8}\u{C}\n\r\té中😀 城"))
      }
      // \u0000 is allowed (it is escaped).
      #expect(scanJSONL(#"{"z":"\u0000"}"#).lines.first?.fields.first?.value == "\u{0}")
    }

    @Test func loneSurrogatesAndBadEscapes() {
      let first = "\\uD800 is the first half of a surrogate pair without the second half"
      #expect(jsonlError(#"{"s":"\ud800"}"#) == ScanError(row: 1, column: 7, message: first, isRecoverable: true))
      #expect(jsonlError(#"{"s":"\ud800\u0041"}"#)?.message == first)
      #expect(jsonlError(#"{"s":"x\uDBFFx"}"#)?.column == 8)
      #expect(
        jsonlError(#"{"s":"\udc00x"}"#)?.message
          == "\\uDC00 is the second half of a surrogate pair without the first half")
      #expect(jsonlError(#"{"a":"\x"}"#)?.message == "invalid escape \\ followed by 'x'")
      #expect(jsonlError(#"{"a":"\x"}"#)?.column == 7)
      #expect(jsonlError(#"{"a":"\u12"}"#)?.message == "\\u must be followed by four hex digits (0-9, A-F)")
      #expect(jsonlError(#"{"a":"\u12G4"}"#)?.column == 7)
      #expect(jsonlError("{\"a\":\"x\\") != nil)
    }

    @Test func numbersKeepTheirSourceText() {
      let text = #"{"a":-0,"b":1e5,"c":3.0,"d":123456789012345678901234567890.5e-300,"e":0,"f":1E+2,"g":-12}"#
      #expect(
        scanJSONL(text).lines == [
          Line(
            1,
            [
              Field("a", .number(isInteger: true), "-0"), Field("b", .number(isInteger: false), "1e5"),
              Field("c", .number(isInteger: false), "3.0"),
              Field("d", .number(isInteger: false), "123456789012345678901234567890.5e-300"),
              Field("e", .number(isInteger: true), "0"), Field("f", .number(isInteger: false), "1E+2"),
              Field("g", .number(isInteger: true), "-12"),
            ])
        ])
      let hint = "JSON numbers look like 12, -3.5, 0.25 or 1e5"
      #expect(
        jsonlError(#"{"a":01}"#)
          == ScanError(
            row: 1, column: 6, message: "a number cannot start with 0 followed by more digits", hint: hint,
            isRecoverable: true))
      #expect(jsonlError(#"{"a":-01}"#)?.message == "a number cannot start with 0 followed by more digits")
      #expect(jsonlError(#"{"a":1.}"#)?.message == "invalid number: the decimal point must be followed by digits")
      #expect(jsonlError(#"{"a":1e}"#)?.message == "invalid number: the exponent must have digits")
      #expect(jsonlError(#"{"a":1e+}"#)?.message == "invalid number: the exponent must have digits")
      #expect(jsonlError(#"{"a":-}"#)?.message == "invalid number: - must be followed by digits")
      let expectedValue = "expected a value (text in double quotes, a number, true, false or null)"
      #expect(jsonlError(#"{"a":+1}"#)?.message == expectedValue + ", found '+'")
      #expect(jsonlError(#"{"a":.5}"#)?.message == expectedValue + ", found '.'")
      #expect(jsonlError(#"{"a":NaN}"#)?.message == expectedValue + ", found 'N'")
      #expect(jsonlError(#"{"a":True}"#)?.message == expectedValue + ", found 'T'")
      #expect(jsonlError(#"{"a":nul}"#)?.message == expectedValue + ", found 'n'")
      #expect(jsonlError(#"{"a":}"#)?.message == expectedValue + ", found '}'")
      #expect(jsonlError(#"{"a":1.5.3}"#)?.message == "expected , or } after the value, found '.'")
      #expect(jsonlError(#"{"a":1.5.3}"#)?.column == 9)
      #expect(jsonlError(#"{"a":truex}"#)?.message == "expected , or } after the value, found 'x'")
    }

    @Test func structureErrors() {
      #expect(
        jsonlError(#"{"id":"f1","tags":["a"]}"#)
          == ScanError(
            row: 1, column: 19,
            message:
              "the field \"tags\" holds a list; a fact field must be a plain value (text, number, true, false or null)",
            isRecoverable: true))
      #expect(jsonlError(#"{"o":{}}"#)?.message.hasPrefix("the field \"o\" holds an object;") == true)
      #expect(
        jsonlError(#"{"a":1,"b":2,"a":3}"#)
          == ScanError(
            row: 1, column: 14, message: "the field \"a\" appears twice in this object", hint: "keep one of the two",
            isRecoverable: true))
      #expect(jsonlError(#"{"a":1,"\u0061":2}"#)?.column == 8)
      #expect(scanJSONL(#"{"a":1,"A":2,"a\u0062":3,"ab ":4}"#).errors.isEmpty)
      #expect(
        jsonlError(#"{"a":1,}"#)
          == ScanError(
            row: 1, column: 8, message: "a comma before } is not allowed in JSON", hint: "remove the last comma",
            isRecoverable: true))
      #expect(jsonlError(#"{,}"#)?.message == "expected a field name in double quotes, found ','")
      #expect(jsonlError(#"{'a':1}"#)?.message == "a field name must be in double quotes, not single quotes")
      #expect(jsonlError(#"{"a":'x'}"#)?.message == "text must be in double quotes, not single quotes")
      #expect(jsonlError(#"{"a":'x'}"#)?.column == 6)
      let notObject =
        "is not a JSON object; each line must hold one object such as {\"id\": \"f1\", \"subject\": \"A\"}"
      for line in ["[1,2]", "\"x\"", "5", "null", "f"] {
        #expect(jsonlError(line) == ScanError(row: 1, column: 1, message: "line 1 " + notObject, isRecoverable: true))
      }
      #expect(jsonlError("  null")?.column == 3)
      #expect(
        jsonlError(#"{"a":1} {"b":2}"#)?.message
          == "unexpected text after the object; each line holds exactly one object")
      #expect(jsonlError(#"{"a":1} {"b":2}"#)?.column == 9)
      #expect(jsonlError(#"{"a":1},"#)?.column == 8)
      #expect(jsonlError(#"{"a":1},"#)?.hint == nil)
      #expect(
        jsonlError("{\"a\":1}\r{\"b\":2}\r")?.hint
          == "the lines end with CR only; save the file with LF or CRLF line ends")
      #expect(jsonlError(#"{"a":1"#)?.message == "the object is not closed with } before the end of the line")
      #expect(jsonlError(#"{"a":1"#)?.column == 7)
      #expect(jsonlError(#"{"a""#)?.message == "expected : after the field name, found the end of the line")
      #expect(jsonlError(#"{"a" 1}"#)?.message == "expected : after the field name, found '1'")
      #expect(jsonlError(#"{"#)?.message == "expected a field name in double quotes, found the end of the line")
      #expect(
        jsonlError("{\"a\":\"x\ty\"}")
          == ScanError(
            row: 1, column: 8, message: "a control character (U+0009) must be written as an escape in JSON text",
            hint: "write a tab as \\t", isRecoverable: true))
      #expect(jsonlError("{\"a\":\"x\u{1}\"}")?.hint == "write it as \\u0001")
      #expect(
        jsonlError("{\"a\":1,\u{1}}")?.message
          == "expected a field name in double quotes, found a control character (U+0001)")
    }

    @Test func errorsAreRecoverablePerLine() {
      let result = scanJSONL("{\"a\":1}\n{bad}\n\n{\"b\":\"xy\n\"}\n{\"c\":true}")
      #expect(
        result.lines == [
          Line(1, [Field("a", .number(isInteger: true), "1")]), Line(6, [Field("c", .bool(true), "true")]),
        ])
      #expect(result.errors.map { [$0.row, $0.column] } == [[2, 2], [4, 6], [5, 1]])
      #expect(
        result.errors[1].message == "the text that starts here is not closed with \" before the end of the line")
      #expect(result.errors.map(\.isRecoverable) == [true, true, true])
    }

    @Test func errorColumnsCountScalars() {
      #expect(jsonlError(#"{"单位":"城关区","x":01}"#)?.column == 17)
      #expect(jsonlError(#"{"名称":"城关区",}"#)?.column == 13)
      #expect(jsonlError(#"{"名称":"😀","x":y}"#)?.column == 15)
      #expect(jsonlError("\u{FEFF}{\"a\":01}")?.column == 6)
    }

    @Test func invalidUTF8IsAFileError() {
      let result = scanJSONL(bytes("{\"a\":\"ok\"}\n{\"b\":\"") + [0xD6, 0xD0] + bytes("\"}\n{\"c\":1}\n"))
      #expect(result.lines.isEmpty)
      #expect(
        result.errors == [
          ScanError(
            row: 2, column: 7, message: "the file is not UTF-8: byte 0xD6 on line 2 is not valid UTF-8 text",
            hint:
              "the file looks like GBK/GB18030 (Chinese Windows encoding); in the spreadsheet program choose \"Save as\" and the type \"CSV UTF-8\""
          )
        ])
    }

    @Test func forEachRecordAndManyFields() throws {
      // More fields than the scanner's initial storage.
      let fields = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
      let text = "{\(fields)}\n\n{\"last\":null}\n"
      try bytes(text).withUnsafeBytes { source in
        var scanner = JSONLinesScanner(source)
        var lines: [Int] = []
        var counts: [Int] = []
        try scanner.forEachRecord { line, fields in
          lines.append(line)
          counts.append(fields.count)
          if fields.count == 40 { #expect(fields[39].key(in: source) == "k39") }
          return true
        }
        #expect(lines == [1, 3])
        #expect(counts == [40, 1])
      }
      let duplicateLate = (0..<30).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k7\":1"
      #expect(jsonlError("{\(duplicateLate)}")?.message == "the field \"k7\" appears twice in this object")
    }
  }
}

// MARK: - Interner, numbers, dates

extension ScanTests {
  @Suite struct Values {
    @Test func internerRoundTripsWithDenseIds() {
      var interner = ByteStringInterner()
      let values = [
        "award", "delay", "", "S000001", "城关区", "a", "ab", "abc", "abcd", "abcdabcd", "abcdabcdX", "award ",
      ]
      var ids: [Int32] = []
      for value in values { ids.append(interner.intern(value) ?? -1) }
      #expect(ids == (0..<Int32(values.count)).map { $0 })
      #expect(interner.count == values.count)
      // Seen values keep their ids, also when given as bytes.
      for (value, id) in zip(values, ids) {
        #expect(interner.intern(value) == id)
        #expect(bytes(value).withUnsafeBytes { interner.intern($0) } == id)
        #expect(interner.id(of: value) == id)
        #expect(interner.string(for: id) == value)
        #expect(interner.withBytes(for: id) { Array($0) } == bytes(value))
      }
      #expect(interner.count == values.count)
      #expect(interner.id(of: "missing") == nil)
      #expect(interner.id(of: "Award") == nil)
    }

    @Test func internerGrows() {
      var interner = ByteStringInterner(capacity: 1)
      for i in 0..<20_000 { #expect(interner.intern("S\(i)") == Int32(i)) }
      #expect(interner.count == 20_000)
      for i in stride(from: 0, to: 20_000, by: 7) {
        #expect(interner.id(of: "S\(i)") == Int32(i))
        #expect(interner.string(for: Int32(i)) == "S\(i)")
      }
      #expect(interner.id(of: "S20000") == nil)
      // Values that differ in one byte anywhere get distinct ids.
      var similar = ByteStringInterner()
      let base = Array("F000000000000001".utf8)
      for position in base.indices {
        var value = base
        value[position] = 0x5A
        #expect(value.withUnsafeBytes { similar.intern($0) } == Int32(position))
      }
      #expect(base.withUnsafeBytes { similar.intern($0) } == Int32(base.count))
    }

    private func int(_ text: String) -> Int64? { bytes(text).withUnsafeBytes { parseInt64($0) } }

    @Test func parseInt64EdgeCases() {
      #expect(int("0") == 0)
      #expect(int("-0") == 0)
      #expect(int("+5") == 5)
      #expect(int("-42") == -42)
      #expect(int("007") == 7)
      #expect(int("9223372036854775807") == Int64.max)
      #expect(int("-9223372036854775808") == Int64.min)
      #expect(int("9223372036854775808") == nil)
      #expect(int("-9223372036854775809") == nil)
      #expect(int("99999999999999999999") == nil)
      #expect(int("+9223372036854775807") == Int64.max)
      for bad in ["", "-", "+", "1.0", " 1", "1 ", "1e5", "--1", "+-1", "１", "0x10", "12a"] {
        #expect(int(bad) == nil, "\(bad)")
      }
    }

    private func date(_ text: String) -> [Int]? {
      bytes(text).withUnsafeBytes { parseDate($0) }.map { [$0.year, $0.month, $0.day] }
    }

    @Test func parseDateAcceptsRealDatesOnly() {
      #expect(date("2024-02-29") == [2024, 2, 29])
      #expect(date("2000-02-29") == [2000, 2, 29])
      #expect(date("2023-12-31") == [2023, 12, 31])
      #expect(date("0001-01-01") == [1, 1, 1])
      #expect(date("9999-12-31") == [9999, 12, 31])
      for bad in [
        "2023-02-29", "1900-02-29", "2023-13-01", "2023-00-10", "2023-01-00", "2023-04-31", "2023-1-5",
        "2023-01-5", "2023/01/05", "20230105", "2023-01-05 ", " 2023-01-05", "0000-01-01", "２０２３-01-05", "",
        "2023-01-0a", "+023-01-05",
      ] {
        #expect(date(bad) == nil, "\(bad)")
      }
    }

    @Test func daysSinceEpochKnownValues() {
      #expect(daysSinceEpoch(year: 1970, month: 1, day: 1) == 0)
      #expect(daysSinceEpoch(year: 2000, month: 3, day: 1) == 11017)
      #expect(daysSinceEpoch(year: 2023, month: 1, day: 1) == 19358)
      #expect(daysSinceEpoch(year: 1969, month: 12, day: 31) == -1)
      #expect(daysSinceEpoch(year: 2024, month: 2, day: 29) == 19782)
      #expect(daysSinceEpoch(year: 1, month: 1, day: 1) == -719_162)
      #expect(daysSinceEpoch(year: 9999, month: 12, day: 31) == 2_932_896)
      // Consecutive days get consecutive numbers, 1600-03-01 … 2400-02-29.
      var expected = daysSinceEpoch(year: 1600, month: 3, day: 1)
      var year = 1600
      var month = 3
      var day = 1
      while year < 2400 || month < 3 {
        #expect(daysSinceEpoch(year: year, month: month, day: day) == expected)
        if (year, month, day) == (2400, 2, 29) { break }
        expected += 1
        day += 1
        if day > daysInMonth(year: year, month: month) {
          day = 1
          month += 1
          if month > 12 {
            month = 1
            year += 1
          }
        }
      }
      #expect(expected == 292_193 + daysSinceEpoch(year: 1600, month: 3, day: 1))
      // Absurd arguments do not trap.
      _ = daysSinceEpoch(year: Int.max, month: Int.min, day: Int.max)
      _ = daysSinceEpoch(year: Int.min, month: 99, day: -5)
    }
  }
}

// MARK: - Input buffers

/// Writes `contents` to a new temporary file and calls `body` with its path.
private func withTemporaryFile(_ contents: [UInt8], _ body: (String) throws -> Void) throws {
  var template = Array("/tmp/kaoping-scan-test-XXXXXX".utf8CString)
  let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
    guard let base = buffer.baseAddress else { return -1 }
    return mkstemp(base)
  }
  try #require(fd >= 0)
  let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
  defer { unlink(path) }
  let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
  close(fd)
  try #require(written == contents.count)
  try body(path)
}

extension ScanTests {
  @Suite struct Input {
    @Test func mapsRegularFiles() throws {
      let contents = bytes("\u{FEFF}id,单位\nf1,城关区\n")
      try withTemporaryFile(contents) { path in
        let buffer = try InputBuffer(path: path)
        #expect(buffer.isMapped)
        #expect(buffer.count == contents.count)
        #expect(buffer.withUnsafeBytes { Array($0) } == contents)
        let header = try buffer.withUnsafeBytes { (source) throws(ScanError) -> [String] in
          var scanner = CSVScanner(source)
          return try scanner.readHeader()
        }
        #expect(header == ["id", "单位"])
        #expect(UTF8Input.droppingBOM(buffer.unsafeBytes).count == contents.count - 3)
        withExtendedLifetime(buffer) {}
      }
    }

    @Test func emptyFilesDevicesAndProcFilesAreRead() throws {
      try withTemporaryFile([]) { path in
        let buffer = try InputBuffer(path: path)
        #expect(!buffer.isMapped)
        #expect(buffer.count == 0)
        #expect(buffer.withUnsafeBytes { $0.count } == 0)
      }
      let null = try InputBuffer(path: "/dev/null")
      #expect(null.count == 0)
      // Files under /proc report size 0 but have content.
      let status = try InputBuffer(path: "/proc/self/status")
      #expect(!status.isMapped)
      #expect(status.withUnsafeBytes { Array($0.prefix(5)) } == bytes("Name:"))
    }

    @Test func pipesAreReadToTheEnd() throws {
      var fds: [Int32] = [0, 0]
      try #require(pipe(&fds) == 0)
      defer { close(fds[0]) }
      // Make the pipe large enough to hold everything before it is read.
      let size = 200_000
      #if os(Linux)
        let grown = fcntl(fds[1], 1031 /* F_SETPIPE_SZ */, Int32(1 << 20)) >= size
      #else
        let grown = false
      #endif
      let count = grown ? size : 30_000
      let contents = (0..<count).map { UInt8(truncatingIfNeeded: $0 % 251) }
      let written = contents.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
      close(fds[1])
      try #require(written == count)
      let buffer = try InputBuffer(path: "/proc/self/fd/\(fds[0])")
      #expect(!buffer.isMapped)
      #expect(buffer.withUnsafeBytes { Array($0) } == contents)
    }

    @Test func errorsSayWhy() {
      #expect(throws: InputError(path: "/nonexistent-kaoping/facts.csv", reason: "no such file")) {
        try InputBuffer(path: "/nonexistent-kaoping/facts.csv")
      }
      #expect(throws: InputError(path: "/tmp", reason: "is a directory")) { try InputBuffer(path: "/tmp") }
      #expect(
        InputError(path: "a.csv", reason: "permission denied").description == "cannot read a.csv: permission denied")
    }

    @Test(.enabled(if: geteuid() != 0, "root may read any file"))
    func permissionDenied() throws {
      try withTemporaryFile(bytes("x")) { path in
        chmod(path, 0)
        #expect(throws: InputError(path: path, reason: "permission denied")) { try InputBuffer(path: path) }
      }
    }

    @Test func copiedBuffers() {
      let buffer = InputBuffer(copying: bytes("{\"a\":1}\n"))
      #expect(!buffer.isMapped)
      #expect(buffer.count == 8)
      #expect(InputBuffer(copying: []).count == 0)
    }
  }
}

// MARK: - Randomised tests

/// SplitMix64 (Steele, Lea and Flood): a small deterministic generator for the randomised tests.
private struct ScanSplitMix64 {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// A number in 0..<n (n > 0).
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
  mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
  mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

/// A plain reference implementation of the CSV rules, byte by byte, for comparing
/// with the scanner: the header and records it reads, and whether it stops with an
/// error (nil when the whole input is fine; cell-count errors are skipped over).
private func referenceCSV(_ input: [UInt8]) -> (header: [String], rows: [Row], countErrorRows: [Int], fails: Bool) {
  var b = input
  if b.starts(with: [0xEF, 0xBB, 0xBF]) { b.removeFirst(3) }
  guard String(validating: b, as: UTF8.self) != nil, !b.isEmpty else { return ([], [], [], true) }
  var i = 0
  var row = 1
  var header: [String]? = nil
  var rows: [Row] = []
  var countErrorRows: [Int] = []
  func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
  while i < b.count {
    if header != nil, b[i] == 10 || b[i] == 13 {  // blank line
      i += b[i] == 13 && i + 1 < b.count && b[i + 1] == 10 ? 2 : 1
      row += 1
      continue
    }
    var cells: [String] = []
    while true {
      var cell: [UInt8] = []
      if i < b.count, b[i] == 34 {
        i += 1
        while true {
          guard i < b.count else { return (header ?? [], rows, countErrorRows, true) }
          if b[i] == 34 {
            if i + 1 < b.count, b[i + 1] == 34 {
              cell.append(34)
              i += 2
              continue
            }
            i += 1
            break
          }
          cell.append(b[i])
          i += 1
        }
        if i < b.count, b[i] != 44, b[i] != 10, b[i] != 13 { return (header ?? [], rows, countErrorRows, true) }
      } else {
        while i < b.count, b[i] != 44, b[i] != 10, b[i] != 13 {
          if b[i] == 34 { return (header ?? [], rows, countErrorRows, true) }
          cell.append(b[i])
          i += 1
        }
      }
      cells.append(text(cell))
      if i < b.count, b[i] == 44 {
        i += 1
        continue
      }
      break
    }
    if i < b.count { i += b[i] == 13 && i + 1 < b.count && b[i + 1] == 10 ? 2 : 1 }
    if let header {
      if cells.count == header.count { rows.append(Row(row, cells)) } else { countErrorRows.append(row) }
    } else {
      if cells.contains("") || Set(cells).count != cells.count { return ([], [], [], true) }
      header = cells
    }
    row += 1
  }
  return (header ?? [], rows, countErrorRows, false)
}

extension ScanTests {
  @Suite struct Randomised {
    /// 5,000 random byte strings over `a , " LF CR space 城` (as whole characters or,
    /// in half of them, as loose bytes of 城) through both scanners: nothing traps,
    /// every run ends, every result is in bounds, and the CSV scanner agrees with
    /// the reference implementation.
    @Test func fuzzBothScanners() {
      var random = ScanSplitMix64(state: 20_231_201)
      let characters: [[UInt8]] = ["a", ",", "\"", "\n", "\r", " ", "城"].map { bytes($0) }
      let looseBytes: [[UInt8]] = characters.dropLast().map { $0 } + [[0xE5], [0x9F], [0x8E]]
      var scanned = 0
      var failed = 0
      for _ in 0..<5_000 {
        let alphabet = random.chance(50) ? characters : looseBytes
        var input: [UInt8] = []
        for _ in 0..<random.below(48) { input += random.pick(alphabet) }
        if random.chance(5) { input = [0xEF, 0xBB, 0xBF] + input }

        let csv = scanCSV(input)
        let reference = referenceCSV(input)
        #expect(csv.rows == reference.rows, "\(input)")
        #expect(csv.errors.filter(\.isRecoverable).map(\.row) == reference.countErrorRows, "\(input)")
        #expect(csv.errors.contains { !$0.isRecoverable } == reference.fails, "\(input)")
        if !reference.fails { #expect(csv.header == reference.header, "\(input)") }
        for error in csv.errors { #expect(error.row >= 1 && error.column >= 1) }
        if csv.errors.contains(where: { !$0.isRecoverable }) { failed += 1 } else { scanned += 1 }

        let jsonl = scanJSONL(input)
        for error in jsonl.errors { #expect(error.row >= 1 && error.column >= 1) }
        #expect(jsonl.lines.map(\.fields.count).reduce(0, +) == 0)
      }
      // Both outcomes occur.
      #expect(scanned > 100 && failed > 1_000, "\(scanned) scanned, \(failed) failed")
    }

    /// The UTF-8 validator agrees with the standard library's decoder on where the
    /// first invalid sequence starts: every pair of bytes, and every sequence of up
    /// to four bytes from a pool of boundary values, also after ASCII runs (which
    /// take the eight-byte path).
    @Test func utf8ValidatorAgreesWithTheStandardLibrary() {
      func expected(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
          switch parser.parseScalar(from: &iterator) {
          case .valid(let scalar): offset += scalar.count
          case .emptyInput: return nil
          case .error: return offset
          }
        }
      }
      func actual(_ bytes: [UInt8]) -> Int? { bytes.withUnsafeBytes { UTF8Input.firstInvalidOffset($0) } }
      for a in 0...255 {
        for b in 0...255 {
          let pair: [UInt8] = [UInt8(a), UInt8(b)]
          if actual(pair) != expected(pair) { Issue.record("\(pair)") }
        }
      }
      let pool: [UInt8] = [
        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
        0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
      ]
      let prefix = [UInt8](repeating: 0x61, count: 9)
      var mismatches = 0
      for a in pool {
        for b in pool {
          for c in pool {
            for d in pool {
              let four = [a, b, c, d]
              if actual(four) != expected(four) { mismatches += 1 }
            }
            let three = prefix + [a, b, c] + [0x61]
            if actual([a, b, c]) != expected([a, b, c]) || actual(three) != expected(three) { mismatches += 1 }
          }
        }
      }
      #expect(mismatches == 0)
    }

    /// Random JSON-ish lines (braces, quotes, escapes, numbers, literals): nothing
    /// traps, ranges are in bounds, numbers and literals are what their kind says.
    @Test func fuzzJSONLines() {
      var random = ScanSplitMix64(state: 7)
      let tokens = [
        "{", "}", "\"", ":", ",", "\\", "u", "d83d", "de00", "00e9", "1", "0", "-", "e", ".", "[", "true", "null",
        " ", "\n", "\r", "a", "城", "\"k\":", "\"v\"", "\t", "{\"k\":\"v\"}\n", "{}\n", "{\"n\":-1.5e3}\n", ",\"j\":",
        "\"\\ud83d\\ude00\"", "\"\\n\"",
      ].map { bytes($0) }
      var records = 0
      for _ in 0..<5_000 {
        var input: [UInt8] = []
        for _ in 0..<random.below(30) { input += random.pick(tokens) }
        input.withUnsafeBytes { source in
          var scanner = JSONLinesScanner(source)
          var lastLine = 0
          for _ in 0..<1_000 {
            do throws(ScanError) {
              guard let record = try scanner.next() else { break }
              records += 1
              #expect(record.line > lastLine)
              lastLine = record.line
              for field in record.fields {
                #expect(field.keyStart <= field.keyEnd && field.keyEnd <= source.count)
                #expect(field.valueStart <= field.valueEnd && field.valueEnd <= source.count)
                let value = field.valueText(in: source)
                switch field.kind {
                case .bool(let flag): #expect(value == (flag ? "true" : "false"))
                case .null: #expect(value == "null")
                case .number(let isInteger):
                  #expect(isInteger == !value.contains(where: { ".eE".contains($0) }))
                  #expect(value.allSatisfy { "-+.eE0123456789".contains($0) })
                case .string: _ = field.key(in: source)
                }
              }
            } catch {
              #expect(error.row >= 1 && error.column >= 1)
              #expect(error.row > lastLine || !error.isRecoverable)
              if !error.isRecoverable { break }
            }
          }
        }
      }
      #expect(records > 1_000, "\(records) records")
    }

    /// Random tables written as CSV (quoted when needed or at random, random line
    /// ends and blank lines) read back cell for cell, row for row.
    @Test func csvRoundTrip() {
      var random = ScanSplitMix64(state: 42)
      let pieces = ["a", "b", ",", "\"", "\n", "\r", "\r\n", " ", "城关区", "😀", "x,y", "long cell text here", ""]
      for _ in 0..<2_000 {
        let width = 1 + random.below(5)
        let header = (0..<width).map { random.chance(30) ? "列\($0)" : "c\($0)" }
        var text = ""
        var expected: [Row] = []
        var row = 1
        func write(_ cells: [String]) {
          let written = cells.map { cell -> String in
            let special =
              cell.unicodeScalars.contains { ",\"\r\n".unicodeScalars.contains($0) } || (width == 1 && cell.isEmpty)
            guard special || random.chance(10) else { return cell }
            return "\"" + cell.replacingQuotes() + "\""
          }
          text += written.joined(separator: ",")
        }
        func lineEnd() {
          // CR then LF would be one line end (CRLF), not two.
          let ends = text.unicodeScalars.last == "\r" ? ["\r", "\r\n"] : ["\n", "\r\n", "\r"]
          text += random.pick(ends)
        }
        write(header)
        for _ in 0..<random.below(6) {
          lineEnd()
          row += 1
          while random.chance(15) {
            lineEnd()
            row += 1
          }
          let cells = (0..<width).map { _ in (0..<random.below(4)).map { _ in random.pick(pieces) }.joined() }
          write(cells)
          expected.append(Row(row, cells))
        }
        if random.chance(50) { lineEnd() }
        let result = scanCSV(text)
        #expect(result == CSVResult(header: header, rows: expected), "\(Array(text.utf8))")
      }
    }

    /// Random flat objects written as JSON Lines (random white space, escapes written
    /// in different ways, blank lines) read back field for field.
    @Test func jsonLinesRoundTrip() {
      var random = ScanSplitMix64(state: 4242)
      let characters: [Unicode.Scalar] = [
        "a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "城", "é", "😀", "\u{7F}",
      ]
      let numbers = ["0", "-0", "12", "-3.5", "1e5", "2E-3", "123456789012345678901234567890", "0.25"]
      let spaces = ["", " ", "  ", "\t"]
      for _ in 0..<2_000 {
        var text = ""
        var expected: [Line] = []
        var line = 1
        for _ in 0..<random.below(5) {
          while random.chance(20) {
            text += random.pick(["\n", " \n", "\r\n"])
            line += 1
          }
          var fields: [Field] = []
          var members: [String] = []
          for k in 0..<random.below(5) {
            let key = random.chance(30) ? "键\(k)" : "k\(k)"
            let field: Field
            switch random.below(4) {
            case 0:
              var value = ""
              for _ in 0..<random.below(6) { value.unicodeScalars.append(random.pick(characters)) }
              field = Field(key, .string(needsUnescape: false), value)
            case 1:
              let number = random.pick(numbers)
              field = Field(key, .number(isInteger: !number.contains { ".eE".contains($0) }), number)
            case 2:
              let flag = random.chance(50)
              field = Field(key, .bool(flag), flag ? "true" : "false")
            default:
              field = Field(key, .null, "null")
            }
            var written: String
            var expectedField = field
            if case .string = field.kind {
              let (literal, escaped) = jsonLiteral(field.value, using: &random)
              written = literal
              expectedField.kind = .string(needsUnescape: escaped)
            } else {
              written = field.value
            }
            let (keyLiteral, _) = jsonLiteral(key, using: &random)
            var member = random.pick(spaces)
            member += keyLiteral
            member += random.pick(spaces)
            member += ":"
            member += random.pick(spaces)
            member += written
            member += random.pick(spaces)
            members.append(member)
            fields.append(expectedField)
          }
          text += random.pick(spaces) + "{" + members.joined(separator: ",") + "}" + random.pick(spaces)
          text += random.pick(["\n", "\r\n"])
          expected.append(Line(line, fields))
          line += 1
        }
        #expect(scanJSONL(text) == JSONLResult(lines: expected), "\(text)")
      }
    }
  }
}

/// `text` as a JSON string literal, each character escaped when it must be and
/// sometimes when it need not be; also whether any escape was written.
private func jsonLiteral(_ text: String, using random: inout ScanSplitMix64) -> (String, Bool) {
  var out = "\""
  var escaped = false
  func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: random.chance(50))
    return String(repeating: "0", count: 4 - digits.count) + digits
  }
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += random.chance(50) ? "\\n" : "\\u000a"
    case "\t": out += "\\t"
    case "/" where random.chance(50): out += "\\/"
    case _ where scalar.value < 0x20: out += "\\u" + hex(scalar.value)
    case _ where random.chance(15):
      if scalar.value > 0xFFFF {
        let v = scalar.value - 0x10000
        out += "\\u" + hex(0xD800 + (v >> 10)) + "\\u" + hex(0xDC00 + (v & 0x3FF))
      } else {
        out += "\\u" + hex(scalar.value)
      }
    default:
      out.unicodeScalars.append(scalar)
      continue
    }
    escaped = true
  }
  return (out + "\"", escaped)
}

extension String {
  /// The text with each `"` doubled, as inside a quoted CSV cell.
  fileprivate func replacingQuotes() -> String {
    var out = ""
    for character in self {
      if character == "\"" { out += "\"\"" } else { out.append(character) }
    }
    return out
  }
}
