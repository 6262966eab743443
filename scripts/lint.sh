#!/usr/bin/env bash
# Check formatting (clang-format) and static analysis (clang-tidy) of the project's C++ code.
# Needs a configured build for compile_commands.json: cmake --preset release.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')
clang-format --dry-run -Werror "${sources[@]}"
mapfile -t units < <(git ls-files 'src/*.cpp' 'app/*.cpp')
clang-tidy --quiet -p build/release "${units[@]}"
