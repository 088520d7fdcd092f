// Evaluations per second of compiled expressions over a million facts.
// Run from this directory: swift run -c release ExprBenchmark [count]

import Kaoping

let arguments = CommandLine.arguments.dropFirst()
let count = arguments.first.flatMap { Int($0) } ?? 1_000_000
/// Only this expression (by position), to profile one at a time.
let only = arguments.dropFirst().first.flatMap { Int($0) }

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

let levels = ["national", "provincial", "city"]
var facts: [RecordValue] = []
facts.reserveCapacity(count)
let hundredths = (0..<100).map { try? ExactDecimal(Int64($0)).divided(by: 100) }
for i in 0..<count {
  let value = hundredths[i % 100]
  facts.append(
    RecordValue(
      type: delay,
      fields: [
        .string(levels[i % 3]), .int(Int64(i % 7)), value.map { .decimal($0) } ?? .null,
        i % 2 == 0 ? .date(CELDate(daysSinceEpoch: Int32(19_000 + i % 365))) : .null,
      ]))
}

let expressions = [
  #"fact.level == "national" && fact.days > 3"#,
  "fact.days * 0.5",
  "fact.value < 0.9 ? -(0.9 - fact.value) * 100 : 0",
  #"fact.done != null && fact.done <= date("2022-06-30")"#,
  #"fact.level in ["national", "provincial"] || fact.level.startsWith("ci")"#,
  #"{"national": 20, "provincial": 10, "city": 5}[fact.level]"#,
]

/// Evaluates `compiled` once per fact: (trues, errors, seconds).
func measure(_ compiled: CompiledExpression, slot: Int, facts: [RecordValue], environment: ExprEnvironment)
  -> (Int, Int, Double)
{
  var activation = Activation(for: environment)
  var errors = 0
  var trues = 0
  let clock = ContinuousClock()
  let start = clock.now
  for fact in facts {
    activation[slot] = .object(fact)
    switch compiled.evaluate(activation) {
    case .bool(true): trues += 1
    case .error: errors += 1
    default: break
    }
  }
  let elapsed = clock.now - start
  return (trues, errors, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

print("\(count) facts, rule profile, one evaluation per fact")
for (index, source) in expressions.enumerated() where only == nil || only == index {
  let compiled: CompiledExpression
  do {
    compiled = try CompiledExpression(source, environment: environment)
  } catch {
    print("\(source): \(error)")
    continue
  }
  let (trues, errors, seconds) = measure(compiled, slot: factSlot, facts: facts, environment: environment)
  let millions = (Double(count) / seconds / 1e4).rounded() / 100
  print("\(millions)M evaluations/s  \(source)  (true: \(trues), errors: \(errors))")
}
