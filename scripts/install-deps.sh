#!/usr/bin/env bash
# Install kmquant's build dependencies from Debian 12's packages; with --test, what the tests
# need too (the CI presets also compile the benchmarks); with --bench, what the benchmarks and
# bench/peers.py's peer quantizers need (libjxl-devtools: butteraugli_main and ssimulacra_main for
# bench/rd_perceptual.py). Uses sudo when not run as root. Installs nothing that is already there.
#   scripts/install-deps.sh [--test] [--bench]
set -euo pipefail

packages=(g++ cmake make pkg-config
  libpng-dev libjpeg62-turbo-dev libwebp-dev zlib1g-dev libdeflate-dev libzopfli-dev
  libcairo2-dev fonts-dejavu-core
  libcli11-dev nlohmann-json3-dev libhwy-dev libgtest-dev
  pybind11-dev python3-dev python3-numpy python3-venv help2man)
for option in "$@"; do
  # --test: libclang-rt-14-dev has the sanitizer and libFuzzer runtimes (only recommended by
  # clang); llvm has llvm-symbolizer, for sanitizer reports with function names and lines.
  case "$option" in
    --test) packages+=(clang clang-format clang-tidy libclang-rt-14-dev llvm python3 python3-pytest python3-numpy python3-pil
      libbenchmark-dev python3-pandas python3-sklearn python3-skimage python3-dask python3-distributed
      python3-nbclient python3-nbformat python3-ipykernel python3-matplotlib chromium time) ;;
    --bench) packages+=(libbenchmark-dev python3 python3-numpy python3-pil python3-sklearn
      python3-opencv python3-matplotlib pngquant zopfli imagemagick time libjxl-devtools) ;;
    *) echo "install-deps: unknown option $option (known: --test, --bench)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
