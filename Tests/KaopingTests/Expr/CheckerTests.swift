import Testing

@testable import Kaoping

/// Check errors: codes, messages a policy officer can act on, hints, and where
/// they point.
@Suite struct CheckerTests {
  static let delay = RuleProfileTests.delay
  static let fact = TestVariable(name: "fact", type: .object(delay), value: .null)
  static let days = TestVariable(name: "days", type: .int, value: .int(3))

  func only(
    _ source: String, profile: NumericProfile = .rule, variables: [TestVariable] = [fact, days]
  ) -> ExprCompileError.Problem? {
    let found = problems(source, profile: profile, variables: variables)
    #expect(found.count == 1, "\(source): \(found)")
    return found.first
  }

  @Test func unknownFieldSuggestsTheClosestField() {
    let p = only("fact.dayz > 3")
    #expect(p?.code == "K221")
    #expect(p?.message == "unknown field 'dayz' of fact type delay")
    #expect(p?.hint == "did you mean 'days'?")
    #expect(p?.offset == 4)
  }

  @Test func unknownNameSuggestsADeclaredName() {
    let p = only("fcat.days")
    #expect(p?.code == "K220")
    #expect(p?.message == "unknown name 'fcat'")
    #expect(p?.hint == "did you mean 'fact'?")
    #expect(only("zzzzzz")?.hint == nil)
  }

  @Test func mixedArithmeticInTheCELProfileSuggestsAConversion() {
    let p = only("fact.days * 0.5", profile: .cel)
    #expect(p?.code == "K225")
    #expect(p?.message == "cannot multiply int by double")
    #expect(p?.hint == "write double(fact.days) * 0.5")
    #expect(p?.offset == 10)
    #expect(only("0.5 - days", profile: .cel)?.message == "cannot subtract int from double")
    #expect(only("0.5 - days", profile: .cel)?.hint == "write 0.5 - double(days)")
    #expect(only("1u + days", profile: .cel)?.hint == "write int(1u) + days")
  }

  @Test func integerDivisionInTheRuleProfile() {
    let p = only("days / 4")
    #expect(p?.code == "K226")
    #expect(p?.hint == "write double(days) / 4 for a fraction, int(double(days) / 4) to truncate")
    #expect(problems("days / 4", profile: .cel, variables: [CheckerTests.days]).isEmpty)
  }

  @Test func comparingADateWithAString() {
    let p = only("fact.due < '2023-06-30'")
    #expect(p?.code == "K227")
    #expect(p?.message == "cannot compare a date with a string")
    #expect(p?.hint == "write date(\"2023-06-30\")")
    #expect(only("fact.due == 3")?.message == "cannot compare a date with an int")
  }

  @Test func stringsHaveNoIndex() {
    let p = only("'abc'[0]")
    #expect(p?.code == "K231")
    #expect(p?.message.contains("no overload for string index") == true)
  }

  @Test func conditionsAndBranches() {
    #expect(only("days ? 1 : 2")?.message == "the condition of '? :' must be bool, but this is an int")
    #expect(only("days > 1 ? 'a' : 1")?.message == "the two results of '? :' have different types: string and int")
    #expect(only("days && true")?.message == "'&&' needs bool values, but its left side is an int")
    #expect(only("[1].all(x, x + 1)")?.message == "the condition of all() must be bool, but this is an int")
    #expect(only("!days")?.code == "K230")
  }

  @Test func functionsAndArguments() {
    #expect(only("sizee('a')")?.hint == "did you mean 'size'?")
    #expect(only("size('a', 'b')")?.message == "'size' cannot take 2 arguments")
    #expect(only("'a'.startsWith(1)")?.code == "K224")
    #expect(only("startsWith('a', 'b')")?.hint == "call it on a value: x.startsWith(…)")
    #expect(only("days.int()")?.hint == "call it as a function: int(x)")
    #expect(only("math.rund(2.5)")?.hint == "did you mean 'math.round'?")
    #expect(only("sum(['a'])")?.message == "sum() needs a list of numbers, but this is a list(string)")
    #expect(only("days.all(x, x > 0)")?.code == "K236")
    #expect(only("{[1]: 2}")?.code == "K233")
    #expect(only("'a' in [1]")?.code == "K234")
    #expect(only("date('2023-13-01')")?.code == "K237")
    #expect(only("'a'.matches('[')")?.code == "K238")
    #expect(only("workdays(fact.due, fact.due)")?.code == "K239")
  }

  @Test func everyIndependentProblemIsReported() {
    let found = problems("fact.dayz + fcat", variables: [CheckerTests.fact])
    #expect(found.map(\.code) == ["K221", "K220"])
    // An unknown name does not cascade into type errors around it.
    #expect(problems("(nope + 1) * 2 > 3 && nope.x", variables: []).map(\.code) == ["K220", "K220"])
  }

  @Test func nullComparesWithAnything() {
    #expect(problems("fact.done != null && days != null", variables: [CheckerTests.fact, CheckerTests.days]).isEmpty)
  }

  @Test func leninentCheckingFailsAtRunTime() throws {
    let env = ExprEnvironment(profile: .cel)
    let (compiled, issues) = CompiledExpression.build("x || true", environment: env, lenient: true)
    #expect(issues.map(\.code) == ["K220"])
    #expect(TypedJSON.encodeText(try #require(compiled).evaluate(Activation())) == #"{"bool":true}"#)
    let (bad, _) = CompiledExpression.build("true ? 'a' : 1", environment: env, lenient: true)
    #expect(TypedJSON.encodeText(try #require(bad).evaluate(Activation())) == #"{"string":"a"}"#)
    let (unknown, _) = CompiledExpression.build("f(1)", environment: env, lenient: true)
    #expect(try #require(unknown).evaluate(Activation()).isError)
  }

  @Test func diagnosticsRenderWithACaret() {
    let outcome = ExprRunner.run(expression: "1 + fact.dayz", variables: [], profile: .rule, format: .text)
    #expect(outcome.exitCode == 1)
    #expect(
      outcome.standardError == """
        <expr>:1:5: error: unknown name 'fact' [K220]
        1 + fact.dayz
            ^

        """)
  }
}
