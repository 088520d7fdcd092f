// swift-tools-version: 6.0
// Benchmarks, in their own package so that users of Kaoping never resolve them.
// Run: swift run -c release ExprBenchmark
import PackageDescription

let package = Package(
  name: "KaopingBenchmarks",
  dependencies: [
    .package(name: "Kaoping", path: "..")
  ],
  targets: [
    .executableTarget(
      name: "ExprBenchmark",
      dependencies: [.product(name: "Kaoping", package: "Kaoping")]
    )
  ],
  swiftLanguageModes: [.v6]
)
