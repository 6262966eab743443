#!/usr/bin/env bash
# Build kmquant and run every test: the GoogleTest unit tests and the end-to-end tests of the
# binary (pytest), built with GCC and with Clang, warnings as errors; then the lint
# (clang-format, clang-tidy); then every test again under AddressSanitizer + UBSan, the unit
# tests under ThreadSanitizer, and each fuzz target for 45 s (these add about 6 minutes on 2
# idle cores, 10.5 on a busy one: docs/reliability.md).
#   scripts/test.sh --quick   everyday tier: one compiler (the release preset), its unit,
#                             end-to-end, Python and install tests; a few minutes.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
case "${1-}" in
  "") ;;
  --quick)
    scripts/install-deps.sh --test
    cmake --preset release >/dev/null
    cmake --build --preset release
    ctest --preset release
    echo "== quick tier passed in ${SECONDS} s"
    exit 0 ;;
  *) echo "test.sh: unknown option $1 (known: --quick)" >&2; exit 2 ;;
esac
scripts/install-deps.sh --test
for preset in ci-gcc ci-clang; do
  echo "== $preset: configure, build, test (${SECONDS} s so far)"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done
scripts/lint.sh build/ci-clang
for preset in asan-ubsan tsan; do
  echo "== $preset: configure, build, test (${SECONDS} s so far)"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done
echo "== fuzz: each target for 45 s (${SECONDS} s so far)"
fuzz/run.sh 45
echo "== all tests passed in ${SECONDS} s"
