#!/usr/bin/env bash
# Turns the finished FSRCNN training run into the embedded default model and measures the figures
# its acceptance asks for. Usage: scripts/finish-default-model.sh WEIGHTS.armw OUTDIR
#   1. builds the Edge-to-PSNR table on ../shared/data/val/DIV2K_valid_c256/HR (dense, step 8);
#   2. copies weights and table to src/main/resources/io/armsr/default/fsrcnn.{armw,arml};
#   3. evaluates the fixed widths, --k 1.5 and --k 4 on BSD100 and Set14 (reference grid, the
#      golden files' protocol) and prints them beside the official numbers.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
weights="${1:?usage: $0 WEIGHTS.armw OUTDIR}"
out="${2:?usage: $0 WEIGHTS.armw OUTDIR}"
shared="$here/../shared"
mkdir -p "$out"
"$here/bin/armsr" build-lut --weights "$weights" --data "$shared/data/val/DIV2K_valid_c256/HR" \
  --step 8 --out "$out/fsrcnn.arml"
mkdir -p "$here/src/main/resources/io/armsr/default"
# (Re-measuring the embedded model itself: WEIGHTS is already that file.)
dest="$here/src/main/resources/io/armsr/default/fsrcnn.armw"
[ "$(readlink -f "$weights")" = "$(readlink -f "$dest")" ] || cp "$weights" "$dest"
cp "$out/fsrcnn.arml" "$here/src/main/resources/io/armsr/default/fsrcnn.arml"
for d in BSD100 Set14; do
  for m in "--subnet 0" "--subnet 1" "--subnet 2" "--subnet 3" "--k 1.5" "--k 4"; do
    tag=$(echo "$m" | tr -d ' -')
    # shellcheck disable=SC2086
    "$here/bin/armsr" eval --hr "$shared/data/test/$d/HR" --lr "$shared/data/test/$d/LR" \
      --grid reference $m --json "$out/default-$d-reference-$tag.json" > "$out/default-$d-reference-$tag.txt"
    # shellcheck disable=SC2086
    "$here/bin/armsr" eval --hr "$shared/data/test/$d/HR" --lr "$shared/data/test/$d/LR" \
      --grid full $m --json "$out/default-$d-full-$tag.json" > "$out/default-$d-full-$tag.txt"
  done
done
python3 - "$out" "$shared" <<'PY'
import json, sys, pathlib
out, shared = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for d in ["BSD100", "Set14"]:
    golden = json.loads((shared / f"reference/golden/fsrcnn-{d}.json").read_text())["mean"]
    full = json.loads((out / f"default-{d}-reference-subnet3.json").read_text())["mean"]
    print(f"{d} (reference grid)      default   official   difference")
    for tag, gold in [("subnet0", "fixed0"), ("subnet1", "fixed1"), ("subnet2", "fixed2"), ("subnet3", "fixed3")]:
        m = json.loads((out / f"default-{d}-reference-{tag}.json").read_text())["mean"]
        print(f"  {tag:10s}  {m['psnr']:9.3f}  {golden[gold]['psnr']:9.3f}  {m['psnr'] - golden[gold]['psnr']:+9.3f}")
    for tag in ["k1.5", "k4"]:
        for grid in ["reference", "full"]:
            m = json.loads((out / f"default-{d}-{grid}-{tag}.json").read_text())["mean"]
            own = json.loads((out / f"default-{d}-{grid}-subnet3.json").read_text())["mean"]
            print(f"  {tag:5s} {grid:9s} {m['psnr']:.3f} dB at {100 * m['flops'] / own['flops']:.1f}% of full-width FLOPs,"
                  f" {m['psnr'] - own['psnr']:+.3f} dB against its own full width")
PY
