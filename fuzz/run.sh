#!/usr/bin/env bash
# Fuzz every target for a bounded time (see docs/reliability.md): build the `fuzz` preset
# (Clang, libFuzzer, AddressSanitizer + UBSan), then run the targets side by side, each for
# SECONDS (default 45) from its seed corpus and the kept crashers. Fails on any finding: a
# crash, a sanitizer report, a leak, an input running over 10 s or over 2 GB. The input that
# caused it is left in build/fuzz/run/findings/; once fixed, keep it in fuzz/regressions/TARGET/
# so that every build's ctest replays it.
#   fuzz/run.sh [SECONDS]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
seconds=${1:-45}
targets=(decode quantize)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
work=build/fuzz/run
rm -rf "$work"
mkdir -p "$work/findings"

export ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
pids=()
for target in "${targets[@]}"; do
  seeds=("fuzz/corpus/$target" "fuzz/regressions/$target")
  [[ $target == decode ]] && seeds+=(tests/data)
  mkdir -p "$work/corpus-$target"  # the first folder: where libFuzzer adds what it finds
  "build/fuzz/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/findings/$target-" \
    "$work/corpus-$target" "${seeds[@]}" >"$work/$target.log" 2>&1 &
  pids+=($!)
done

status=0
for i in "${!targets[@]}"; do
  target=${targets[$i]}
  if wait "${pids[$i]}"; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
    echo "fuzz: fuzz_$target: $runs executions in $seconds s, no findings"
  else
    status=1
    echo "fuzz: fuzz_$target FOUND A PROBLEM (log: $work/$target.log):" >&2
    tail -n 40 "$work/$target.log" >&2
  fi
done
if [[ $status -ne 0 ]]; then
  echo "fuzz: inputs that failed, in $work/findings/:" >&2
  ls -l "$work/findings" >&2
fi
exit $status
