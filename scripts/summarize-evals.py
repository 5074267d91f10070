#!/usr/bin/env python3
"""Prints markdown tables from the JSON reports of scripts/eval-official.sh (standard library only)."""
import json
import pathlib
import sys

out = pathlib.Path(sys.argv[1])
modes = ["subnet0", "subnet1", "subnet2", "subnet3", "k1.5", "k4", "best"]
for b in ["fsrcnn", "carn"]:
    cost_full = None
    print(f"\n#### {b}: mean RGB PSNR (dB) / mean paper FLOPs per 32x32 patch\n")
    print("| dataset | grid | " + " | ".join(modes) + " |")
    print("|---|---|" + "---|" * len(modes))
    for d in ["Set5", "Set14", "BSD100"]:
        for g in ["reference", "full"]:
            cells = []
            for m in modes:
                f = out / f"{b}-{d}-{g}-{m}.json"
                if not f.exists():
                    cells.append("-")
                    continue
                r = json.loads(f.read_text())
                if m == "subnet3":
                    cost_full = r["mean"]["flops"]
                cells.append(f"{r['mean']['psnr']:.3f} / {r['mean']['flops'] / 1e6:.0f}M")
            print(f"| {d} | {g} | " + " | ".join(cells) + " |")
    print(f"\n#### {b}: Y-channel PSNR / SSIM on the 8-bit output, full grid\n")
    print("| dataset | " + " | ".join(modes) + " |")
    print("|---|" + "---|" * len(modes))
    for d in ["Set5", "Set14", "BSD100"]:
        cells = []
        for m in modes:
            f = out / f"{b}-{d}-full-{m}.json"
            if not f.exists():
                cells.append("-")
                continue
            r = json.loads(f.read_text())
            cells.append(f"{r['mean']['psnrY']:.3f} / {r['mean']['ssimY']:.4f}")
        print(f"| {d} | " + " | ".join(cells) + " |")

print("\n#### Full grid vs reference grid on the reference grid's pixels (mean RGB PSNR, dB)\n")
print("| backbone | dataset | mode | reference grid | full grid, same pixels | difference | full grid, whole image |")
print("|---|---|---|---|---|---|---|")
for b in ["fsrcnn", "carn"]:
    for d in ["Set5", "Set14", "BSD100"]:
        for m in modes:
            ref = out / f"{b}-{d}-reference-{m}.json"
            full = out / f"{b}-{d}-full-{m}.json"
            if not (ref.exists() and full.exists()):
                continue
            r = json.loads(ref.read_text())["mean"]
            f = json.loads(full.read_text())["mean"]
            if "psnrReferenceArea" not in f:
                continue
            diff = f["psnrReferenceArea"] - r["psnr"]
            print(f"| {b} | {d} | {m} | {r['psnr']:.3f} | {f['psnrReferenceArea']:.3f} | {diff:+.3f} | {f['psnr']:.3f} |")
