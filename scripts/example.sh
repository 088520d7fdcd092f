#!/usr/bin/env bash
# The main job on the bundled example: check the city units rule file, then score the
# 49 units of Examples/city_units for 2023 and print the annual ranking per category.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product kaoping 2>&1 | tail -n 1 >&2
.build/release/kaoping check Rules/city_units.yaml
.build/release/kaoping eval Rules/city_units.yaml \
  --facts Examples/city_units/facts.csv \
  --subjects Examples/city_units/subjects.csv \
  --scope annual --format table
