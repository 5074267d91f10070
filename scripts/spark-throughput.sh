#!/usr/bin/env bash
# Images per second of the Spark job in local[1] and local[2] beside the command line's folder
# mode, on the same folder and machine (docs/BENCHMARKS.md, "Spark job"). Each run starts from an
# empty output folder; the time is the whole command (JVM and Spark start included) and the
# job's own upscale phase (the driver's summary line).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
in="${1:-$here/../shared/data/test/BSD100/LR}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
n="$(find "$in" -type f -name '*.png' | wc -l)"
run() {
  local label="$1"; shift
  local t0 t1
  t0="$(date +%s.%N)"
  "$@" > "$work/log" 2>&1 || true
  t1="$(date +%s.%N)"
  echo "$label: $(echo "$t1 - $t0" | bc) s for $n images, $(echo "scale=2; $n / ($t1 - $t0)" | bc) images/s; $(grep -E '^done|upscale pass' "$work/log" | tr '\n' ' ')"
}
"$here/bin/armsr" upscale "$in" "$work/warm" --threads 1 > /dev/null 2>&1 || true  # build, page cache
run "cli folder --threads 1" "$here/bin/armsr" upscale "$in" "$work/cli1" --threads 1
run "cli folder --threads 2" "$here/bin/armsr" upscale "$in" "$work/cli2" --threads 2
run "spark local[1]" "$here/bin/armsr-spark" --master 'local[1]' "$in" "$work/s1"
run "spark local[2]" "$here/bin/armsr-spark" --master 'local[2]' "$in" "$work/s2"
