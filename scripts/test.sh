#!/usr/bin/env bash
# The whole test suite: the benchmarks in smoke mode (executed, not timed), the unit and
# end-to-end tests, then the rule files' own checks and tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/bench-smoke.sh
swift build --build-tests
swift test --skip-build
.build/debug/kaoping check Rules/
.build/debug/kaoping test Rules/
