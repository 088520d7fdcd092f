// Compiled expressions (rule profile) over 10,000 pre-built activations: each
// activation holds a `fact` record (level, days, value, done, the fields of
// ExprBenchmark's facts) and a top-level `value` (the value of a score indicator,
// as its `points` sees it). One benchmark iteration is a million evaluations (a
// hundred passes over the activations) and the scaling factor is a million, so the
// figures marked `*` are per evaluation (wall clock) and evaluations per second
// (throughput). Setup checks each expression's result over every activation
// (the number of trues, the sum of points, no errors).

import Benchmark
import BenchmarkSupport
import Kaoping

let activationCount = 10_000

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = Harness.configuration(
    maxDuration: .seconds(3), maxIterations: 1_000, scalingFactor: .mega)

  let inputs = ExpressionInputs()
  registerExpression(
    "condition: fact.level == \"national\" && fact.days > 3",
    source: #"fact.level == "national" && fact.days > 3"#, inputs: inputs,
    // level national at i % 3 == 0, days 4...6 at i % 7 >= 4: 3 in every 21.
    expect: .trues(activationCount / 21 * 3 + trues(upTo: activationCount)))
  registerExpression(
    "points: 2 * fact.days", source: "2 * fact.days", inputs: inputs,
    expect: .sum(decimal((0 ..< activationCount).reduce(0) { $0 + 2 * ($1 % 7) })))
  registerExpression(
    "score points: value < 0.9 ? -(0.9 - value) * 100 : 0",
    source: "value < 0.9 ? -(0.9 - value) * 100 : 0", inputs: inputs,
    // value is (i % 100) / 100: the points of one hundred are -(90 + 89 + … + 1) = -4095.
    expect: .sum(decimal(-4_095 * activationCount / 100)))
  registerExpression(
    "table lookup: {\"national\": 20, \"provincial\": 10, \"city\": 5}[fact.level]",
    source: #"{"national": 20, "provincial": 10, "city": 5}[fact.level]"#, inputs: inputs,
    // level is national, provincial, city at i % 3 == 0, 1, 2.
    expect: .sum(decimal((0 ..< activationCount).reduce(0) { $0 + [20, 10, 5][$1 % 3] })))
}

/// The remainder's share of `fact.level == "national" && fact.days > 3` beyond
/// the whole cycles of 21.
func trues(upTo count: Int) -> Int {
  (count / 21 * 21 ..< count).filter { $0 % 3 == 0 && $0 % 7 > 3 }.count
}

func decimal(_ value: Int) -> ExactDecimal { ExactDecimal(value) }

/// The declarations and the activations, built once for all the benchmarks.
final class ExpressionInputs: Sendable {
  let environment: ExprEnvironment
  let activations: [Activation]

  init() {
    let delay = ObjectType(
      name: "delay", kind: "fact type",
      fields: [
        .init(name: "level", type: .string),
        .init(name: "days", type: .int),
        .init(name: "value", type: .double),
        .init(name: "done", type: .date, optional: true),
      ])
    var environment = ExprEnvironment(profile: .rule)
    let factSlot = environment.declare("fact", .object(delay))
    let valueSlot = environment.declare("value", .double)

    let levels = ["national", "provincial", "city"]
    let hundredths = (0 ..< 100).map { index -> Value in
      guard let value = try? ExactDecimal(Int64(index)).divided(by: 100) else {
        Harness.fail("cannot make \(index)/100")
      }
      return .decimal(value)
    }
    var activations: [Activation] = []
    activations.reserveCapacity(activationCount)
    for i in 0 ..< activationCount {
      let fact = RecordValue(
        type: delay,
        fields: [
          .string(levels[i % 3]), .int(Int64(i % 7)), hundredths[i % 100],
          i % 2 == 0 ? .date(CELDate(daysSinceEpoch: Int32(19_000 + i % 365))) : .null,
        ])
      var activation = Activation(for: environment)
      activation[factSlot] = .object(fact)
      activation[valueSlot] = hundredths[i % 100]
      activations.append(activation)
    }
    self.environment = environment
    self.activations = activations
  }
}

/// What an expression gives over all the activations.
enum Expectation {
  /// A condition: this many trues, the rest false.
  case trues(Int)
  /// Points: numbers that add up to this.
  case sum(ExactDecimal)
}

/// Registers the evaluation of `source` over every activation, a hundred times per iteration.
func registerExpression(_ name: String, source: String, inputs: ExpressionInputs, expect: Expectation) {
  let compiled: CompiledExpression
  do {
    compiled = try CompiledExpression(source, environment: inputs.environment)
  } catch {
    Harness.fail("\(name): \(source) does not compile: \(error)")
  }
  Harness.benchmark(
    name,
    setup: { check(compiled, over: inputs.activations, expect: expect) }
  ) { benchmark in
    let activations = inputs.activations
    for _ in 0 ..< benchmark.scaledIterations.count / activations.count {
      for activation in activations {
        blackHole(compiled.evaluate(activation))
      }
    }
  }
}

func add(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal {
  do {
    return try a.adding(b)
  } catch {
    Harness.fail("\(a) + \(b): \(error)")
  }
}

/// Fails the run unless `compiled` gives `expect` over `activations`.
func check(_ compiled: CompiledExpression, over activations: [Activation], expect: Expectation) {
  var trues = 0
  var sum = ExactDecimal(0)
  for activation in activations {
    let value = compiled.evaluate(activation)
    switch value {
    case .bool(let flag): if flag { trues += 1 }
    case .int(let number): sum = add(sum, ExactDecimal(number))
    case .decimal(let number): sum = add(sum, number)
    default: Harness.fail("\(compiled.source) gives \(value)")
    }
  }
  switch expect {
  case .trues(let wanted) where trues != wanted:
    Harness.fail("\(compiled.source) is true \(trues) times, not \(wanted)")
  case .sum(let wanted) where sum != wanted:
    Harness.fail("\(compiled.source) adds up to \(sum), not \(wanted)")
  default: break
  }
}
