#!/usr/bin/env python3
"""Writes armsr's bf16 convolution kernels as a TorchScript archive (code only, no weights).

DJL 0.36's PyTorch JNI cannot convert a tensor to bfloat16 (docs/ENGINE.md), but it loads
TorchScript modules and holds the bf16 tensors they return. This module is the one place where
armsr's tensors change precision; the Java engine (io.armsr.model.Bf16Kernels) calls its methods.

Usage (any CPU PyTorch 2.x; the peer's venv of ../shared/tools/peer will do):
    python scripts/make-bf16-kernels.py armsr-core/src/main/resources/io/armsr/model/bf16-kernels.pt
The archive's debug tables (source paths and line maps) are left out, so the bytes depend only on
the code below and the PyTorch version that wrote it.
"""
import io
import sys
import zipfile

import torch
import torch.nn.functional as F
from torch import Tensor


class Bf16Kernels(torch.nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        """A float32 tensor as bfloat16 (weights, once, when a model is loaded)."""
        return x.to(torch.bfloat16)

    @torch.jit.export
    def conv(self, x: Tensor, w: Tensor, b: Tensor, pad: int, groups: int) -> Tensor:
        """conv2d in bf16 with fp32 accumulation (oneDNN), of a float32 x, back to float32."""
        y = F.conv2d(x.to(torch.bfloat16), w, b, 1, pad, 1, groups)
        return y.to(torch.float32)


def main(out: str) -> None:
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(Bf16Kernels()), buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for item in src.infolist():
            if item.filename.endswith(".debug_pkl") or "serialization_id" in item.filename:
                continue
            name = "bf16-kernels/" + item.filename.split("/", 1)[1]
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            dst.writestr(info, src.read(item.filename))


if __name__ == "__main__":
    main(sys.argv[1])
