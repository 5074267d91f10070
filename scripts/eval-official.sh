#!/usr/bin/env bash
# Evaluates the official ARM-FSRCNN and ARM-CARN checkpoints on Set5, Set14 and BSD100 in both grids
# and several routing modes; writes one JSON report per run into OUTDIR.
# Usage: scripts/eval-official.sh OUTDIR   (needs ../shared beside the project)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: $0 OUTDIR}"
shared="$here/../shared"
mkdir -p "$out"
for b in fsrcnn carn; do
  for d in Set5 Set14 BSD100; do
    for g in reference full; do
      for m in "--subnet 0" "--subnet 1" "--subnet 2" "--subnet 3" "--k 1.5" "--k 4" "--best"; do
        tag=$(echo "$m" | tr -d ' -')
        # shellcheck disable=SC2086
        "$here/bin/armsr" eval --backbone "$b" \
          --weights "$shared/reference/arm-net/arm-$b.pth" --lut "$shared/reference/arm-net/arm-$b.state" \
          --hr "$shared/data/test/$d/HR" --lr "$shared/data/test/$d/LR" --grid "$g" $m \
          --json "$out/$b-$d-$g-$tag.json" > "$out/$b-$d-$g-$tag.txt"
      done
    done
  done
done
