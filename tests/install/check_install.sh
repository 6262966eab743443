#!/usr/bin/env bash
# Install the build tree into a fresh prefix and build a small program against it three ways:
# find_package with libkmquant.so, find_package with libkmquant.a, and pkg-config; run each.
# Also check what else the prefix holds (man page, completion, Python package).
#   tests/install/check_install.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build=$1
scratch=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$scratch"
prefix=$scratch/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(cd "$prefix" && ls -d lib*/ | grep -v python | head -1)
libdir=$prefix/${libdir%/}
for kind in shared static; do
  cmake -S "$here" -B "$scratch/$kind" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
    -DSTATIC=$([[ $kind == static ]] && echo ON || echo OFF) >/dev/null
  cmake --build "$scratch/$kind" >/dev/null
  "$scratch/$kind/consumer"
done
# The shared one found the installed library through its run path, not the build tree's. (Not
# `ldd | grep -q`: grep's early exit can kill ldd with SIGPIPE, which pipefail makes a failure.)
linked=$(ldd "$scratch/shared/consumer")
[[ $linked == *"$libdir/libkmquant.so"* ]]
export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2046  # pkg-config's flags are words
c++ -std=c++20 "$here/consumer.cpp" -o "$scratch/pkg-config-consumer" $(pkg-config --cflags --libs kmquant)
LD_LIBRARY_PATH=$libdir "$scratch/pkg-config-consumer"
# The library exports the public API only: nothing of kmquant::detail, nothing of libpng.
if nm -DC --defined-only "$libdir/libkmquant.so" | grep -E "kmquant::detail| png_" >&2; then
  echo "libkmquant.so exports internal symbols" >&2; exit 1
fi
test "$(objdump -p "$libdir/libkmquant.so" | awk '/SONAME/ {print $2}')" = libkmquant.so.0
for file in share/man/man1/kmquant.1 share/bash-completion/completions/kmquant \
    include/kmquant/version.hpp; do
  test -s "$prefix/$file" || { echo "not installed: $file" >&2; exit 1; }
done
python=$(find "$prefix" -path '*dist-packages/kmquant/__init__.py' | head -1)
test -n "$python" || { echo "the Python package is not installed" >&2; exit 1; }
# The installed Python package passes the module's own tests of its API and files (the rest run
# on the build tree's package).
package=$(dirname "$python")
repo=$(cd "$here/../.." && pwd)
(cd "$scratch" && PYTHONPATH=$(dirname "$package") KMQUANT_PACKAGE_DIR=$package \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider "$repo/tests/python/test_stubs.py" \
  "$repo/tests/python/test_files.py" "$repo/tests/python/test_parity.py")
echo "install test passed: $prefix"
