#!/usr/bin/env bash
# Check formatting (clang-format) and static analysis (clang-tidy) of the project's C++ code.
#   scripts/lint.sh [BUILD_DIR]   (default build/release; it needs compile_commands.json)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build_dir=${1:-build/release}

mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')
clang-format --dry-run -Werror "${sources[@]}"
echo "lint: clang-format clean (${#sources[@]} files)"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
git ls-files 'src/*.cpp' 'app/*.cpp' |
  xargs -P "$(nproc)" -n 4 clang-tidy --quiet --warnings-as-errors='*' -p "$build_dir" \
    >"$log" 2>&1 || status=$?
grep -v "warnings generated" "$log" || true
if [[ $status -ne 0 ]]; then
  echo "lint: clang-tidy found problems" >&2
  exit 1
fi
echo "lint: clang-tidy clean"
