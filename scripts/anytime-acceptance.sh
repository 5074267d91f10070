#!/usr/bin/env bash
# The budget-routing acceptance on the embedded default model: on BSD100 (full grid), budget routing
# at the mean FLOPs that --k 1.5 spends must reach at least --k 1.5's mean PSNR; also plots PSNR
# against FLOPs (fixed widths, K sweep, budgets 0.1..1.0). Usage: scripts/anytime-acceptance.sh OUTDIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: $0 OUTDIR}"
mkdir -p "$out"
data="$here/../shared/data/test/BSD100"
ev() { "$here/bin/armsr" eval --hr "$data/HR" --lr "$data/LR" --grid full "$@"; }
ev --subnet 3 --json "$out/full.json" > /dev/null
ev --k 1.5 --json "$out/k1.5.json" --plot "$here/docs/tradeoff-default-bsd100.png" > /dev/null
fraction=$(python3 -c "
import json,sys
k=json.load(open('$out/k1.5.json'))['mean']; f=json.load(open('$out/full.json'))['mean']
print(repr(k['flops']/f['flops']))")
ev --budget "$fraction" --json "$out/budget.json" > /dev/null
python3 - "$out" "$fraction" <<'PY'
import json, sys, pathlib
out, fraction = pathlib.Path(sys.argv[1]), float(sys.argv[2])
full = json.loads((out / "full.json").read_text())["mean"]
print("BSD100, full grid, embedded default     MFLOPs/patch  share of full   PSNR (dB)")
for tag, label in [("full", "--subnet 3"), ("k1.5", "--k 1.5"), ("budget", f"--budget {fraction:.6f}")]:
    m = json.loads((out / f"{tag}.json").read_text())["mean"]
    print(f"  {label:34s} {m['flops'] / 1e6:10.1f}   {100 * m['flops'] / full['flops']:9.1f}%   {m['psnr']:9.3f}")
k = json.loads((out / "k1.5.json").read_text())["mean"]
b = json.loads((out / "budget.json").read_text())["mean"]
ok = b["psnr"] >= k["psnr"] and b["flops"] <= k["flops"] * (1 + 1e-9)
print(("PASS" if ok else "FAIL") + f": budget {b['psnr']:.3f} dB at {b['flops']/1e6:.1f} MFLOPs vs --k 1.5 {k['psnr']:.3f} dB at {k['flops']/1e6:.1f}")
sys.exit(0 if ok else 1)
PY
