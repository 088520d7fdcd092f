import Testing

@testable import Kaoping

/// The rule profile (spec §12.1): exact decimals, int/decimal unification,
/// `int / int` refused; and Kaoping's additions (§12.2) in both profiles.
@Suite struct RuleProfileTests {
  static let delay = ObjectType(
    name: "delay", kind: "fact type",
    fields: [
      .init(name: "days", type: .int),
      .init(name: "level", type: .string),
      .init(name: "done", type: .date, optional: true),
      .init(name: "due", type: .date),
      .init(name: "score", type: .double, optional: true),
    ])

  static func fact(days: Int64, level: String = "national", done: CELDate? = nil, score: Value = .null) -> Value {
    .object(
      RecordValue(
        type: delay,
        fields: [
          .int(days), .string(level), done.map { .date($0) } ?? .null,
          .date(CELDate(year: 2023, month: 6, day: 30) ?? CELDate(daysSinceEpoch: 0)), score,
        ]))
  }

  static func decimal(_ text: String) -> Value {
    ExactDecimal(parsing: text).map { .decimal($0) } ?? .null
  }

  @Test(arguments: [
    ("0.1 + 0.2 == 0.3", Expected.value(#"{"bool":true}"#)),
    ("0.1 + 0.2", .value(#"{"double":"0.3"}"#)),
    ("(0.95 - 3693.0 / 4000.0) * 100", .value(#"{"double":"2.675"}"#)),
    ("1.0 / 3.0", .value(#"{"double":"0.3333333333333333333333333333333333"}"#)),
    ("2.0 / 3.0", .value(#"{"double":"0.6666666666666666666666666666666667"}"#)),
    ("1.0 / 0.0", .evalError),
    ("1e300" + String(repeating: " * 1e300", count: 21), .evalError),
    ("3 / 4", .issue("K226")),
    ("double(3) / 4", .value(#"{"double":"0.75"}"#)),
    ("int(double(7) / 2)", .value(#"{"int":"3"}"#)),
    ("3 * 0.5", .value(#"{"double":"1.5"}"#)),
    ("0.5 * 3 + 1", .value(#"{"double":"2.5"}"#)),
    ("2.50 - 1", .value(#"{"double":"1.5"}"#)),
    ("7 % 2", .value(#"{"int":"1"}"#)),
    ("7.5 % 2", .issue("K225")),
    ("9223372036854775807 + 1", .evalError),
    ("1 == 1.0", .value(#"{"bool":true}"#)),
    ("2 > 1.5", .value(#"{"bool":true}"#)),
    ("1.5 <= 1", .value(#"{"bool":false}"#)),
    ("-0.5", .value(#"{"double":"-0.5"}"#)),
    ("-(0.0)", .value(#"{"double":"0"}"#)),
    ("true ? 1 : 0.5", .value(#"{"double":"1"}"#)),
    ("[1, 2.5]", .value(#"{"list":[{"double":"1"},{"double":"2.5"}]}"#)),
    ("{'a': 1, 'b': 0.5}['a']", .value(#"{"double":"1"}"#)),
    ("1 in [1.5, 1.0]", .value(#"{"bool":true}"#)),
    ("1.0 in [1, 2]", .value(#"{"bool":true}"#)),
    ("type(0.5)", .value(#"{"type":"double"}"#)),
    ("type(0.5) == double", .value(#"{"bool":true}"#)),
    ("type(double(1)) == double", .value(#"{"bool":true}"#)),
    ("string(2.50)", .value(#"{"string":"2.5"}"#)),
    ("string(1.0 / 8)", .value(#"{"string":"0.125"}"#)),
    ("double('1.25')", .value(#"{"double":"1.25"}"#)),
    ("double('NaN')", .evalError),
    ("int(2.9)", .value(#"{"int":"2"}"#)),
    ("int(-2.9)", .value(#"{"int":"-2"}"#)),
    ("uint(2.9)", .value(#"{"uint":"2"}"#)),
    ("int(1e30)", .evalError),
    ("[0, 1, 2][1.0]", .issue("K232")),
    ("[0, 1, 2][dyn(1.0)]", .value(#"{"int":"1"}"#)),
    ("{1: 'a'}[dyn(1.0)]", .value(#"{"string":"a"}"#)),
    // aggregates
    ("sum([1, 2])", .value(#"{"int":"3"}"#)),
    ("sum([1, 2.5])", .value(#"{"double":"3.5"}"#)),
    ("sum([])", .value(#"{"int":"0"}"#)),
    ("sum([9223372036854775807, 1])", .evalError),
    ("avg([1, 2])", .value(#"{"double":"1.5"}"#)),
    ("avg([1, 2, 2])", .value(#"{"double":"1.666666666666666666666666666666667"}"#)),
    ("avg([])", .evalError),
    ("max([1, 2.5])", .value(#"{"double":"2.5"}"#)),
    ("max([3, 1, 2])", .value(#"{"int":"3"}"#)),
    ("min([3, 2.5])", .value(#"{"double":"2.5"}"#)),
    ("max([])", .evalError),
    ("[1, 2, 3].sum()", .value(#"{"int":"6"}"#)),
    ("sum(['a'])", .issue("K240")),
    ("sum(dyn(['a']))", .evalError),
    ("sum(dyn([1, 'a']))", .evalError),
    // math
    ("math.round(2.675, 2)", .value(#"{"double":"2.68"}"#)),
    ("math.round(-2.675, 2)", .value(#"{"double":"-2.68"}"#)),
    ("math.round(2.5)", .value(#"{"double":"3"}"#)),
    ("math.round(-2.5)", .value(#"{"double":"-3"}"#)),
    ("math.round(1234, -2)", .value(#"{"double":"1200"}"#)),
    ("math.floor(2.7)", .value(#"{"double":"2"}"#)),
    ("math.floor(-2.1)", .value(#"{"double":"-3"}"#)),
    ("math.ceil(2.1)", .value(#"{"double":"3"}"#)),
    ("math.floor(3)", .value(#"{"double":"3"}"#)),
    ("math.abs(-3)", .value(#"{"int":"3"}"#)),
    ("math.abs(-2.5)", .value(#"{"double":"2.5"}"#)),
    ("math.abs(-9223372036854775808)", .evalError),
    ("math.sqrt(4)", .issue("K223")),
    ("math.round('a')", .issue("K224")),
  ])
  func ruleProfile(_ source: String, _ expected: Expected) {
    expect(source, expected, profile: .rule)
  }

  @Test(arguments: [
    ("math.round(2.675, 2)", Expected.value(#"{"double":"2.68"}"#)),
    ("math.round(2.5)", .value(#"{"double":"3.0"}"#)),
    ("math.floor(-2.5)", .value(#"{"double":"-3.0"}"#)),
    ("math.ceil(3)", .value(#"{"double":"3.0"}"#)),
    ("math.abs(-1.5)", .value(#"{"double":"1.5"}"#)),
    ("sum([1.5, 2.5])", .value(#"{"double":"4.0"}"#)),
    ("avg([1, 2])", .value(#"{"double":"1.5"}"#)),
    ("max([1.5, 0.0 / 0.0])", .value(#"{"double":"NaN"}"#)),
    ("sum(dyn([1, 1.5]))", .evalError),
  ])
  func aggregatesAndMathInTheCELProfile(_ source: String, _ expected: Expected) {
    expect(source, expected, profile: .cel)
  }

  @Test func factExpressionsCheck() {
    let fact = TestVariable(name: "fact", type: .object(RuleProfileTests.delay), value: RuleProfileTests.fact(days: 3))
    let value = TestVariable(name: "value", type: .double, value: RuleProfileTests.decimal("0.85"))
    expect("fact.days * 0.5", .value(#"{"double":"1.5"}"#), profile: .rule, variables: [fact])
    #expect(resultType("fact.days * 0.5", profile: .rule, variables: [fact]) == .double)
    expect("value < 0.9 ? -(0.9 - value) * 100 : 0", .value(#"{"double":"-5"}"#), profile: .rule, variables: [value])
    let high = TestVariable(name: "value", type: .double, value: RuleProfileTests.decimal("0.95"))
    expect("value < 0.9 ? -(0.9 - value) * 100 : 0", .value(#"{"double":"0"}"#), profile: .rule, variables: [high])
    #expect(resultType("value < 0.9 ? -(0.9 - value) * 100 : 0", profile: .rule, variables: [value]) == .double)
    let total = TestVariable(name: "total", type: .double, value: RuleProfileTests.decimal("959.99"))
    expect("total < 960", .value(#"{"bool":true}"#), profile: .rule, variables: [total])
    // The same expressions are CEL type errors.
    #expect(problems("fact.days * 0.5", profile: .cel, variables: [fact]).map(\.code) == ["K225"])
  }

  @Test func objectsAndOptionalFields() {
    let delay = RuleProfileTests.delay
    let d = CELDate(year: 2023, month: 6, day: 1)
    let pending = TestVariable(name: "fact", type: .object(delay), value: RuleProfileTests.fact(days: 5))
    let done = TestVariable(name: "fact", type: .object(delay), value: RuleProfileTests.fact(days: 5, done: d))
    expect("fact.days > 3 && fact.level == 'national'", .value(#"{"bool":true}"#), profile: .rule, variables: [pending])
    expect("has(fact.done)", .value(#"{"bool":false}"#), profile: .rule, variables: [pending])
    expect("has(fact.done)", .value(#"{"bool":true}"#), profile: .rule, variables: [done])
    expect("has(fact.days)", .value(#"{"bool":true}"#), profile: .rule, variables: [done])
    expect("fact.done == null", .value(#"{"bool":true}"#), profile: .rule, variables: [pending])
    let guarded = "fact.done != null && fact.done <= fact.due"
    expect(guarded, .value(#"{"bool":false}"#), profile: .rule, variables: [pending])
    expect(guarded, .value(#"{"bool":true}"#), profile: .rule, variables: [done])
    expect("fact.done <= fact.due", .evalError, profile: .rule, variables: [pending])
    expect("fact.score * 2", .evalError, profile: .rule, variables: [pending])
    expect("fact.dayz", .issue("K221"), profile: .rule, variables: [pending])
    expect("fact.days.value", .issue("K222"), profile: .rule, variables: [pending])
    expect("fact.level + 1", .issue("K235"), profile: .rule, variables: [pending])
    expect("dyn(fact).days", .value(#"{"int":"5"}"#), profile: .rule, variables: [pending])
    expect("dyn(fact).nope", .evalError, profile: .rule, variables: [pending])
    expect("has(dyn(fact).done)", .value(#"{"bool":false}"#), profile: .rule, variables: [pending])
    expect("type(fact) == type(fact)", .value(#"{"bool":true}"#), profile: .rule, variables: [pending])
    expect("fact == fact", .value(#"{"bool":true}"#), profile: .rule, variables: [pending])
  }

  @Test func listsOfRecords() {
    let delay = RuleProfileTests.delay
    let facts = ObjectType(name: "facts", kind: "facts of", fields: [.init(name: "delay", type: .list(.object(delay)))])
    let list: [Value] = [3, 8, 1].map { RuleProfileTests.fact(days: $0) }
    let v = TestVariable(
      name: "facts", type: .object(facts), value: .object(RecordValue(type: facts, fields: [.list(list)])))
    expect("facts.delay.filter(f, f.days > 2).size()", .value(#"{"int":"2"}"#), profile: .rule, variables: [v])
    expect("sum(facts.delay.map(f, f.days))", .value(#"{"int":"12"}"#), profile: .rule, variables: [v])
    expect("avg(facts.delay.map(f, f.days))", .value(#"{"double":"4"}"#), profile: .rule, variables: [v])
    expect("facts.delay.exists(f, f.dayz > 2)", .issue("K221"), profile: .rule, variables: [v])
    expect("facts.delay.all(f, f.level == 'national')", .value(#"{"bool":true}"#), profile: .rule, variables: [v])
    #expect(resultType("facts.delay.map(f, f.days * 0.5)", profile: .rule, variables: [v]) == .list(.double))
  }

  @Test func recordOfAnotherTypeIsReadByName() throws {
    // A record whose type lists fields in another order still reads the right field.
    let other = ObjectType(name: "delay", fields: [.init(name: "level", type: .string), .init(name: "days", type: .int)])
    var env = ExprEnvironment(profile: .rule)
    let slot = env.declare("fact", .object(RuleProfileTests.delay))
    let compiled = try CompiledExpression("fact.days", environment: env)
    var activation = Activation(for: env)
    activation[slot] = .object(RecordValue(type: other, fields: [.string("x"), .int(9)]))
    #expect(TypedJSON.encodeText(compiled.evaluate(activation)) == #"{"int":"9"}"#)
    activation[slot] = .object(RecordValue(type: RuleProfileTests.delay, fields: []))
    #expect(compiled.evaluate(activation).isError)
    #expect(compiled.evaluate(Activation()).isError)
  }

  @Test(arguments: [NumericProfile.rule, .cel])
  func dates(_ profile: NumericProfile) {
    expect("date('2023-01-31') < date('2023-02-01')", .value(#"{"bool":true}"#), profile: profile)
    expect("date('2024-02-29')", .value(#"{"date":"2024-02-29"}"#), profile: profile)
    expect("string(date('2023-01-31'))", .value(#"{"string":"2023-01-31"}"#), profile: profile)
    expect("days(date('2023-01-01'), date('2023-03-01'))", .value(#"{"int":"59"}"#), profile: profile)
    expect("days(date('2023-03-01'), date('2023-01-01'))", .value(#"{"int":"-59"}"#), profile: profile)
    expect("date('2023-02-30')", .issue("K237"), profile: profile)
    expect("date('2023-1-5')", .issue("K237"), profile: profile)
    expect("date('2023-02-' + '30')", .evalError, profile: profile)
    expect("date('2023-01-31') < '2023-02-01'", .issue("K227"), profile: profile)
    expect("date('2023-01-31') == date('2023-01-31')", .value(#"{"bool":true}"#), profile: profile)
    expect("type(date('2023-01-01')) == date", .value(#"{"bool":true}"#), profile: profile)
    expect("date('2023-01-01') + 1", .issue("K235"), profile: profile)
    expect("workdays(date('2023-01-01'), date('2023-01-02'))", .issue("K239"), profile: profile)
  }

  static let calendar: WorkCalendar = {
    func day(_ m: Int, _ d: Int) -> CELDate { CELDate(year: 2023, month: m, day: d) ?? CELDate(daysSinceEpoch: 0) }
    return WorkCalendar(
      weekend: [6, 7], holidays: Set([day(1, 2)] + (23...27).map { day(1, $0) }),
      workdays: [day(1, 28), day(1, 29)], covers: day(1, 1)...day(12, 31))
  }()

  @Test func workdays() {
    let c = RuleProfileTests.calendar
    // 21 Sat, 22 Sun, 23–27 holidays, 28 and 29 adjusted working days, 30 Mon.
    expect("workdays(date('2023-01-20'), date('2023-01-30'))", .value(#"{"int":"3"}"#), profile: .rule, calendar: c)
    expect("workdays(date('2023-01-30'), date('2023-01-20'))", .value(#"{"int":"0"}"#), profile: .rule, calendar: c)
    expect("workdays(date('2023-01-01'), date('2023-01-01'))", .value(#"{"int":"0"}"#), profile: .rule, calendar: c)
    expect("workdays(date('2023-01-02'), date('2023-01-06'))", .value(#"{"int":"4"}"#), profile: .rule, calendar: c)
    expect("workdays(date('2022-12-30'), date('2023-01-06'))", .evalError, profile: .rule, calendar: c)
    expect("workdays(date('2023-12-29'), date('2024-01-02'))", .evalError, profile: .rule, calendar: c)
    #expect(c.isWorkingDay(CELDate(year: 2023, month: 1, day: 28) ?? CELDate(daysSinceEpoch: 0)) == true)
    #expect(c.isWorkingDay(CELDate(year: 2023, month: 1, day: 2) ?? CELDate(daysSinceEpoch: 0)) == false)
    #expect(c.isWorkingDay(CELDate(year: 2024, month: 1, day: 2) ?? CELDate(daysSinceEpoch: 0)) == nil)
  }
}
