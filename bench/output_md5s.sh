#!/bin/sh
# The md5 of every PNG `kmquant sweep` (default k) and `kmquant compress -k K` (K = 2, 16, 64, 256)
# write for kodim01 and kodim23: run it with two builds and diff the lists to check that a change
# leaves the written bytes alone.  Usage: bench/output_md5s.sh KMQUANT [IMAGES_DIR]
set -eu
kmquant=$1
images=${2:-../shared/images/kodak}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for name in kodim01 kodim23; do
  "$kmquant" sweep "$images/$name.png" -o "$work/sweep-$name" > /dev/null
  for k in $(ls "$work/sweep-$name" | grep '^k[0-9]*\.png$' | sort -V); do
    echo "$(md5sum < "$work/sweep-$name/$k" | cut -d' ' -f1) sweep $name $k"
  done
  for k in 2 16 64 256; do
    "$kmquant" compress -q -k "$k" "$images/$name.png" -o "$work/$name-$k.png"
    echo "$(md5sum < "$work/$name-$k.png" | cut -d' ' -f1) compress $name k$k"
  done
done
