#!/usr/bin/env bash
# Wall time of whole `armsr eval` commands on BSD100, this checkout against another (e.g. an older
# commit), alternated so both see the machine in the same state; prints each run and the ratio of
# the medians. Usage: scripts/bench-eval.sh OTHER_CHECKOUT [REPEATS] [-- extra eval options]
# Example: git worktree add /tmp/before 067bbd6 && scripts/bench-eval.sh /tmp/before 3
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
other="${1:?usage: $0 OTHER_CHECKOUT [REPEATS] [-- eval options]}"
repeats="${2:-3}"
shift $(( $# >= 2 ? 2 : 1 ))
[ "${1:-}" = "--" ] && shift
data="$here/../shared/data/test/BSD100"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for cfg in "--grid full --subnet 3" "--grid reference --k 1.5 --plot $tmp/plot.png"; do
  for rep in $(seq "$repeats"); do
    for side in before after; do
      bin="$other/bin/armsr"; [ "$side" = after ] && bin="$here/bin/armsr"
      start=$(date +%s.%N)
      # shellcheck disable=SC2086
      "$bin" eval --hr "$data/HR" --lr "$data/LR" $cfg "$@" --json "$tmp/$side.json" > /dev/null
      end=$(date +%s.%N)
      psnr=$(python3 -c "import json;print('%.4f' % json.load(open('$tmp/$side.json'))['mean']['psnr'])")
      echo "$cfg | $side | $(python3 -c "print('%.2f' % ($end - $start))") s | mean PSNR $psnr" | tee -a "$tmp/log"
    done
  done
  python3 - "$tmp/log" "$cfg" <<'PY'
import statistics, sys
rows = [l.split(" | ") for l in open(sys.argv[1]) if l.startswith(sys.argv[2] + " |")]
t = {s: statistics.median(float(r[2].split()[0]) for r in rows if r[1] == s) for s in ("before", "after")}
print(f"{sys.argv[2]}: median before {t['before']:.2f} s, after {t['after']:.2f} s, after/before {t['after'] / t['before']:.2f}")
PY
done
