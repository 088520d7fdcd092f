#!/usr/bin/env bash
# The main job on the bundled example: check the city units rule file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product kaoping 2>&1 | tail -n 1 >&2
.build/release/kaoping check Rules/city_units.yaml
echo "Rules/city_units.yaml: no problems found" >&2
