#!/usr/bin/env bash
# Benchmark smoke run: builds the benchmark package (Benchmarks/, release, in its own
# Benchmarks/.build) and runs every benchmark twice without warm-up (BENCHMARK_SMOKE=1),
# then checks the workload generator's command on size S and runs ExprBenchmark on a
# thousand facts. The benchmarks are executed,
# not timed: the figures of this run mean nothing (see Benchmarks/README.md for real runs).
# Exits non-zero if a benchmark fails to build or run.
#
#   bash scripts/bench-smoke.sh               benchmarks, kaoping-gen and ExprBenchmark
#   bash scripts/bench-smoke.sh --with-tests  also the generator's unit tests (a debug build)
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=false
for argument in "$@"; do
  case "$argument" in
    --with-tests) with_tests=true ;;
    *) echo "usage: bash scripts/bench-smoke.sh [--with-tests]" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh  # libyaml, which the root package needs

started=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log="$work/benchmark.log"

finish_failed() {
  echo "bench-smoke: FAILED: $1 (after $((SECONDS - started)) s)"
  exit 1
}

# Shows a log without the build's progress lines ("[12/345] Compiling …").
show() {
  grep -vE '^\[[0-9]+/[0-9]+\] ' "$1" || true
}

echo "bench-smoke: building and running every benchmark (smoke mode)…" >&2
status=0
BENCHMARK_SMOKE=1 swift package --package-path Benchmarks benchmark --no-progress --quiet \
  >"$log" 2>&1 || status=$?
show "$log"
if [ "$status" -ne 0 ]; then
  echo "bench-smoke: the benchmark run exited with status $status. The measured code's own" >&2
  echo "output is hidden by --quiet; to see it, run one suite without it, e.g." >&2
  echo "  BENCHMARK_SMOKE=1 swift package --package-path Benchmarks benchmark --target Decimal" >&2
  finish_failed "benchmark build or run"
fi
ran=$(grep -c '^bench-smoke: ran ' "$log" || true)
if [ "$ran" -eq 0 ]; then
  finish_failed "no benchmark ran"
fi

echo "bench-smoke: benchmarks done after $((SECONDS - started)) s; checking kaoping-gen S and ExprBenchmark…" >&2
status=0
swift build --package-path Benchmarks -c release >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  show "$log"
  finish_failed "the benchmark package's executables do not build"
fi
Benchmarks/.build/release/kaoping-gen S "$work/S" || finish_failed "kaoping-gen S"
subjects=$(wc -l <"$work/S/subjects.csv")
facts=$(wc -l <"$work/S/facts.csv")
if [ "$subjects" -ne 1001 ] || [ "$facts" -ne 100001 ]; then
  finish_failed "kaoping-gen S wrote $subjects subject and $facts fact lines (want 1001 and 100001)"
fi
Benchmarks/.build/release/ExprBenchmark 1000 || finish_failed "ExprBenchmark"

tests=""
if [ "$with_tests" = true ]; then
  echo "bench-smoke: executables done after $((SECONDS - started)) s; running the workload generator's tests…" >&2
  status=0
  swift test --package-path Benchmarks >"$log" 2>&1 || status=$?
  show "$log" | tail -n 25
  if [ "$status" -ne 0 ]; then
    finish_failed "the workload generator's tests"
  fi
  tests=", generator tests passed"
fi

echo "bench-smoke: OK: $ran benchmarks executed (smoke mode, not timed), kaoping-gen S and ExprBenchmark checked$tests, in $((SECONDS - started)) s"
