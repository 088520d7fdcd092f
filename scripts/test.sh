#!/usr/bin/env bash
# The whole test suite: unit and end-to-end tests, then the rule files' own checks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build
.build/debug/kaoping check Rules/
.build/debug/kaoping test Rules/
