#!/usr/bin/env bash
# Build kmquant and run every test: the GoogleTest unit tests and the end-to-end tests of the
# binary (pytest), built with GCC and with Clang, warnings as errors; then the lint
# (clang-format, clang-tidy).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
scripts/install-deps.sh --test
for preset in ci-gcc ci-clang; do
  echo "== $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done
scripts/lint.sh build/ci-clang
