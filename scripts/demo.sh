#!/usr/bin/env bash
# Quick start: install the dependencies, build kmquant, and run the sweep — on the sample photo
# shipped in data/, or on the image given. Outputs go to ./kmquant-out/.
#   scripts/demo.sh [IMAGE] [sweep options...]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/install-deps.sh"
cmake --preset release -S "$repo" >/dev/null
cmake --build --preset release --target kmquant >/dev/null  # the program alone: no tests
"$repo/build/release/kmquant" sweep "$@"
