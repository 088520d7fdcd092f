// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "Kaoping",
  products: [
    .library(name: "Kaoping", targets: ["Kaoping"]),
    .executable(name: "kaoping", targets: ["kaoping"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    .systemLibrary(
      name: "CLibYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
    ),
    .target(
      name: "Kaoping",
      dependencies: ["CLibYAML"]
    ),
    .executableTarget(
      name: "kaoping",
      dependencies: [
        "Kaoping",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(
      name: "KaopingTests",
      dependencies: ["Kaoping"],
      resources: [.copy("Fixtures")]
    ),
  ],
  swiftLanguageModes: [.v6]
)
