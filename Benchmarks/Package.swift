// swift-tools-version: 6.1
// Kaoping's benchmarks: a package of their own, so that users of the library never
// resolve the benchmark dependencies. See README.md here; in short, from the
// repository root:
//   swift package --package-path Benchmarks benchmark          (full run, release)
//   bash scripts/bench-smoke.sh                                (every benchmark, 2 iterations)
//   swift run --package-path Benchmarks -c release kaoping-gen M /tmp/m
//   swift run --package-path Benchmarks -c release ExprBenchmark [count]
import PackageDescription

let package = Package(
  name: "KaopingBenchmarks",
  platforms: [.macOS(.v15)],
  dependencies: [
    // The root package, named so that products can say `package: "Kaoping"`
    // whatever the checkout's folder is called.
    .package(name: "Kaoping", path: ".."),
    // The MallocInterposer trait alone: malloc counts without jemalloc, and
    // without the runtime interposer (a package not needed here).
    .package(
      url: "https://github.com/ordo-one/benchmark", from: "1.38.1",
      traits: ["MallocInterposer"]),
  ],
  targets: [
    // The workload generator (subjects.csv and facts.csv of sizes S, M, L).
    .target(name: "Workload"),
    .executableTarget(name: "kaoping-gen", dependencies: ["Workload"]),
    // Configuration shared by the benchmark targets (smoke mode, metrics).
    .target(
      name: "BenchmarkSupport",
      dependencies: [.product(name: "Benchmark", package: "benchmark")]
    ),
    .testTarget(name: "WorkloadTests", dependencies: ["Workload"]),
    // Evaluations per second of compiled expressions over a million facts (a
    // plain executable, outside the benchmark plugin).
    .executableTarget(
      name: "ExprBenchmark",
      dependencies: [.product(name: "Kaoping", package: "Kaoping")]
    ),
  ],
  swiftLanguageModes: [.v6]
)

// One executable per benchmark suite, in Benchmarks/<Name>/<Name>.swift; the
// benchmark plugin runs every executable target whose folder is in Benchmarks/.
for name in ["YAMLLoading", "Decimal", "Generate", "Evaluate", "Expressions"] {
  package.targets.append(
    .executableTarget(
      name: name,
      dependencies: [
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "Kaoping", package: "Kaoping"),
        "BenchmarkSupport",
        "Workload",
      ],
      path: "Benchmarks/\(name)",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ))
}
