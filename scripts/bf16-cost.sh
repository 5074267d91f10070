#!/usr/bin/env bash
# The PSNR cost of running convolutions in bf16, per backbone and set of layers: evaluates Set14
# and BSD100 at full width (every patch through the network, the worst case) in fp32, then with
# the layers matched by each regular expression in bf16 (--precision auto with the
# armsr.bf16.layers knob), and prints the mean PSNR (RGB and Y) lost. The harmless sets of
# --precision auto were chosen from its output (docs/BENCHMARKS.md, "Reduced precision").
#
#   scripts/bf16-cost.sh fsrcnn 'tail_conv' 'body_conv\.[1-4]' '.*'
#   scripts/bf16-cost.sh carn 'b[1-3]\..*'
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
backbone=${1:?usage: bf16-cost.sh fsrcnn|carn REGEX...}
shift
W=${ARMSR_WEIGHTS:-$here/../shared/reference/arm-net}
D=${ARMSR_DATA:-$here/../shared/data/test}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() { # name set precision [java options]
  local name=$1 set=$2 precision=$3
  ARMSR_JAVA_OPTS="${4:-}" "$here/bin/armsr" eval --backbone "$backbone" \
    --weights "$W/arm-$backbone.pth" --lut "$W/arm-$backbone.state" \
    --lr "$D/$set/LR" --hr "$D/$set/HR" --subnet 3 --precision "$precision" \
    --json "$out/$name-$set.json" >/dev/null
}
for set in Set14 BSD100; do
  run fp32 "$set" fp32
  run bf16 "$set" bf16
  i=0
  for re in "$@"; do
    run "auto$i" "$set" auto "-Darmsr.bf16.layers=$re"
    i=$((i + 1))
  done
done
python3 - "$out" "$backbone" "$@" <<'PY'
import json, sys
out, backbone, regexes = sys.argv[1], sys.argv[2], sys.argv[3:]
names = [("bf16", "every convolution")] + [(f"auto{i}", r) for i, r in enumerate(regexes)]
print(f"| {backbone} layers in bf16 | Set14 dB lost (RGB / Y) | BSD100 dB lost (RGB / Y) |")
print("|---|---|---|")
for name, label in names:
    cells = []
    for s in ("Set14", "BSD100"):
        ref = json.load(open(f"{out}/fp32-{s}.json"))["mean"]
        got = json.load(open(f"{out}/{name}-{s}.json"))["mean"]
        cells.append(f"{ref['psnr'] - got['psnr']:.4f} / {ref['psnrY'] - got['psnrY']:.4f}")
    print(f"| `{label}` | {cells[0]} | {cells[1]} |")
PY
