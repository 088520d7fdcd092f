// kaoping-gen SIZE OUTDIR: writes OUTDIR/subjects.csv and OUTDIR/facts.csv for
// the workload size S, M or L (see Benchmarks/README.md).

import Foundation
import Workload

let arguments = CommandLine.arguments
let program = "kaoping-gen"
let sizes = WorkloadSize.allCases.map(\.rawValue).joined(separator: ",")

func fail(_ message: String, status: Int32) -> Never {
  FileHandle.standardError.write(Data("\(program): \(message)\n".utf8))
  exit(status)
}

guard arguments.count == 3, let size = WorkloadSize(rawValue: arguments[1].uppercased()) else {
  fail("usage: \(program) {\(sizes)} OUTDIR", status: 2)
}
let directory = arguments[2]

do {
  let started = ContinuousClock.now
  let summary = try Workload.write(shape: size.shape, toDirectory: directory)
  let elapsed = ContinuousClock.now - started
  let megabytes = Double(summary.subjectsBytes + summary.factsBytes) / 1_000_000
  let seconds =
    Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  FileHandle.standardError.write(Data("""
    \(size.rawValue): \(summary)
    wrote \(directory)/subjects.csv and \(directory)/facts.csv \
    (\(String(format: "%.1f", megabytes)) MB) in \(String(format: "%.2f", seconds)) s

    """.utf8))
} catch {
  fail("\(error)", status: 1)
}
