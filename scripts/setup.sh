#!/usr/bin/env bash
# Installs what Kaoping needs to build, when it is missing: the libyaml headers and
# pkg-config (Debian/Ubuntu packages, or Homebrew on macOS). Safe to run again.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: the Swift toolchain (6.0 or later) is not on PATH; install it from swift.org first" >&2
  exit 1
fi

if pkg-config --exists yaml-0.1 2>/dev/null; then
  exit 0
fi

echo "setup: installing libyaml (the YAML parser Kaoping uses)…" >&2
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libyaml-dev pkg-config >/dev/null
elif command -v brew >/dev/null 2>&1; then
  brew install libyaml pkg-config
else
  echo "setup: install libyaml's development files (Debian: libyaml-dev) and pkg-config, then retry" >&2
  exit 1
fi
