import Foundation
import Testing

/// The result of running the `kaoping` binary.
struct RunResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Runs the built `kaoping` binary (next to the test bundle) with `arguments`.
func runKaoping(_ arguments: [String], stdin: String? = nil, currentDirectory: String? = nil) throws -> RunResult {
  let process = Process()
  process.executableURL = kaopingBinary
  process.arguments = arguments
  if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
  let out = Pipe()
  let err = Pipe()
  let input = Pipe()
  process.standardOutput = out
  process.standardError = err
  process.standardInput = input
  try process.run()
  if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
  try input.fileHandleForWriting.close()
  // Read both pipes to the end before waiting, so a large output cannot block the child.
  let group = DispatchGroup()
  nonisolated(unsafe) var errData = Data()
  DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  return RunResult(
    status: process.terminationStatus,
    stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}

/// The `kaoping` executable built beside the test bundle.
let kaopingBinary: URL = {
  var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  if directory.lastPathComponent == "MacOS" || directory.path.hasSuffix(".xctest/Contents") {
    directory = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }
  return directory.appendingPathComponent("kaoping")
}()

/// The path of a file under `Tests/KaopingTests/Fixtures`.
func fixturePath(_ relative: String) -> String {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").appendingPathComponent(relative).path
}
