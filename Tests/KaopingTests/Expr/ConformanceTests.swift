import Foundation
import Testing

@testable import Kaoping

/// One case of CEL's conformance suite (`Fixtures/cel/*.jsonl`, format in the
/// README there).
struct ConformanceCase: Sendable, CustomTestStringConvertible {
  var id: String
  var expression: String
  var bindings: [(name: String, value: JSONValue)]
  var expected: JSONValue
  var disableCheck: Bool

  var testDescription: String { id }

  /// `NAME=TYPED_JSON` arguments, as `kaoping expr --var` takes them.
  var variables: [String] { bindings.map { "\($0.name)=\(JSONWriter.write($0.value))" } }

  static func load() -> [ConformanceCase] {
    let directory = fixturePath("cel")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    var cases: [ConformanceCase] = []
    for file in files.sorted() where file.hasSuffix(".jsonl") {
      guard let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8) else { continue }
      for line in text.split(separator: "\n") where !line.isEmpty {
        guard let json = try? JSONReader.parse(String(line)),
          case .string(let id)? = json["id"], case .string(let expression)? = json["expr"],
          let expected = json["expect"]
        else {
          cases.append(
            ConformanceCase(
              id: "\(file): unreadable line", expression: "", bindings: [], expected: .null, disableCheck: false))
          continue
        }
        var bindings: [(String, JSONValue)] = []
        if case .object(let members)? = json["bindings"] {
          bindings = members.map { ($0.key, $0.value) }
        }
        let disableCheck = json["disable_check"] == .bool(true)
        cases.append(
          ConformanceCase(
            id: id, expression: expression, bindings: bindings, expected: expected, disableCheck: disableCheck))
      }
    }
    return cases
  }

  /// Runs the case the way `kaoping expr --profile cel --format json` does; a
  /// `disable_check` case that fails to check is evaluated unchecked, as CEL's
  /// own runner does.
  func run() -> (outcome: ExprRunner.Outcome, passed: Bool) {
    var outcome = ExprRunner.run(
      expression: expression, variables: variables, profile: .cel, format: .json, typeCheck: true)
    if outcome.exitCode == 1 && disableCheck {
      if expected["error"] != nil { return (outcome, true) }
      outcome = ExprRunner.run(
        expression: expression, variables: variables, profile: .cel, format: .json, typeCheck: false)
    }
    guard outcome.exitCode == 0, let actual = try? JSONReader.parse(outcome.standardOutput) else {
      return (outcome, false)
    }
    return (outcome, TypedValueMatch.matches(expected: expected, actual: actual))
  }
}

/// Compares typed JSON values as the conformance README says: lists in order,
/// maps in any order, doubles by value (NaN equals NaN), and `{"error": true}`
/// matching any error.
enum TypedValueMatch {
  static func matches(expected: JSONValue, actual: JSONValue) -> Bool {
    guard case .object(let e) = expected, e.count == 1, let (tag, payload) = e.first.map({ ($0.key, $0.value) }),
      case .object(let a) = actual, a.count == 1, let (actualTag, actualPayload) = a.first.map({ ($0.key, $0.value) })
    else { return false }
    if tag == "error" { return actualTag == "error" }
    guard tag == actualTag else { return false }
    switch tag {
    case "double":
      guard let x = double(payload), let y = double(actualPayload) else { return false }
      return (x.isNaN && y.isNaN) || x == y
    case "list":
      guard case .array(let xs) = payload, case .array(let ys) = actualPayload, xs.count == ys.count else {
        return false
      }
      return zip(xs, ys).allSatisfy { matches(expected: $0, actual: $1) }
    case "map":
      guard case .array(let xs) = payload, case .array(var ys) = actualPayload, xs.count == ys.count else {
        return false
      }
      for entry in xs {
        guard case .array(let pair) = entry, pair.count == 2 else { return false }
        guard
          let i = ys.firstIndex(where: {
            guard case .array(let other) = $0, other.count == 2 else { return false }
            return matches(expected: pair[0], actual: other[0]) && matches(expected: pair[1], actual: other[1])
          })
        else { return false }
        ys.remove(at: i)
      }
      return true
    default:
      return payload == actualPayload
    }
  }

  static func double(_ v: JSONValue) -> Double? {
    switch v {
    case .string("NaN"): return .nan
    case .string("Infinity"): return .infinity
    case .string("-Infinity"): return -.infinity
    case .string(let s), .number(let s): return Double(s)
    default: return nil
    }
  }
}

@Suite struct ConformanceTests {
  static let cases = ConformanceCase.load()

  @Test func suiteIsPresent() {
    #expect(ConformanceTests.cases.count >= 237)
    #expect(FileManager.default.fileExists(atPath: fixturePath("cel/README.md")))
  }

  @Test(arguments: ConformanceTests.cases)
  func conformance(_ c: ConformanceCase) {
    let (outcome, passed) = c.run()
    #expect(
      passed,
      "\(c.id): \(c.expression) expected \(JSONWriter.write(c.expected)), got exit \(outcome.exitCode) \(outcome.standardOutput)\(outcome.standardError)"
    )
  }

  /// A handful of cases through the built binary, end to end.
  @Test(arguments: [
    "basic/self_eval_nonzeroish/self_eval_bytes_invalid_utf8",
    "basic/variables/self_eval_bound_lookup",
    "integer_math/int64_math/int64_overflow_positive",
    "logic/AND/short_circuit_error_right",
    "macros/map/list_many",
    "plumbing/eval_results/eval_map_results",
    "string/matches/unicode_smp",
    "string/size/unicode",
  ])
  func throughTheBinary(_ id: String) throws {
    let c = try #require(ConformanceTests.cases.first { $0.id == id })
    let arguments = ["expr", c.expression, "--profile", "cel", "--format", "json"]
      + c.variables.flatMap { ["--var", $0] }
    let result = try runKaoping(arguments)
    #expect(result.status == 0)
    #expect(result.stdout.hasSuffix("\n") && !result.stdout.dropLast().contains("\n"))
    let actual = try JSONReader.parse(result.stdout)
    #expect(TypedValueMatch.matches(expected: c.expected, actual: actual), "\(id): \(result.stdout)")
  }
}
