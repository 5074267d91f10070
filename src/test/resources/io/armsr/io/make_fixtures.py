#!/usr/bin/env python3
"""Writes the tiny PyTorch-format fixtures that TorchArchiveTest and OfficialCheckpointTest read.

Needs numpy but NOT torch: it registers stand-in modules `torch` and `torch._utils` so that Python's
own pickle emits exactly the globals and persistent ids torch.save writes (ARM-SPEC 7):
GLOBAL 'torch._utils _rebuild_tensor_v2', GLOBAL 'torch FloatStorage' inside a BINPERSID tuple
('storage', torch.FloatStorage, key, 'cpu', numel), protocol 2, and a zip of stored records
<folder>/data.pkl, <folder>/data/<key>, <folder>/version. numpy arrays are pickled by numpy itself.
Run from this folder:  python3 make_fixtures.py   (the outputs are committed; rerun only to change them)
"""
import collections
import pickle
import sys
import types
import zipfile

import numpy as np

torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils
torch._utils = torch_utils


def _make_storage_class(name, dtype):
    cls = type(name, (), {"__module__": "torch", "dtype": dtype})
    setattr(torch, name, cls)
    return cls


FloatStorage = _make_storage_class("FloatStorage", np.dtype("<f4"))
LongStorage = _make_storage_class("LongStorage", np.dtype("<i8"))


def _rebuild_tensor_v2(*args):  # stands in for torch._utils._rebuild_tensor_v2; never called here
    raise NotImplementedError


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class Storage:
    def __init__(self, key, kind, values):
        self.key, self.kind = key, kind
        self.values = np.asarray(values, dtype=kind.dtype)


class Tensor:
    """A view (offset, size, stride) of a Storage, reduced the way torch.Tensor is."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, self.args)


def save(path, folder, obj, storages):
    class P(pickle.Pickler):
        def persistent_id(self, o):
            if isinstance(o, Storage):
                return ("storage", o.kind, o.key, "cpu", o.values.size)
            return None

    import io

    buf = io.BytesIO()
    P(buf, protocol=2).dump(obj)
    records = [("data.pkl", buf.getvalue())]
    records += [("data/" + s.key, s.values.tobytes()) for s in storages]
    records += [("version", b"3\n")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in records:
            # A fixed date keeps the files byte-identical from run to run (torch writes 1980 too).
            z.writestr(zipfile.ZipInfo(folder + "/" + name, (1980, 1, 1, 0, 0, 0)), data)


def state_dict(items):
    d = collections.OrderedDict(items)
    d._metadata = collections.OrderedDict([("", {"version": 1})])  # as nn.Module.state_dict does
    return d


# tiny.pth: two contiguous tensors, a transposed view and an offset view sharing one storage.
s0 = Storage("0", FloatStorage, [1.5, -2.0, 3.25, 0.1, -0.0, 1e-30])
s1 = Storage("1", FloatStorage, [7.0, -8.0])
s2 = Storage("2", FloatStorage, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
save(
    "tiny.pth",
    "archive",
    state_dict(
        [
            ("a.weight", Tensor(s0, 0, (2, 3), (3, 1))),
            ("a.bias", Tensor(s1, 0, (2,), (1,))),
            ("t.weight", Tensor(s2, 0, (3, 2), (1, 3))),  # the transpose of s2 viewed as (2,3)
            ("s.bias", Tensor(s2, 2, (3,), (1,))),  # elements 2..4 of the same storage
        ]
    ),
    [s0, s1, s2],
)

# nested.pth: BasicSR-style {'params': state_dict} with DataParallel 'module.' keys, other folder.
n0 = Storage("7", FloatStorage, [0.25, 0.5, 0.75, 1.0])
save(
    "nested.pth",
    "my_model",
    {"params": state_dict([("module.x.weight", Tensor(n0, 0, (1, 1, 2, 2), (4, 4, 2, 1)))])},
    [n0],
)

# int64.pth: a LongStorage tensor, which the reader must refuse by name.
l0 = Storage("0", LongStorage, [1, 2, 3])
save("int64.pth", "archive", state_dict([("bn.num_batches_tracked", Tensor(l0, 0, (3,), (1,)))]), [l0])

# tiny.state: an ARM-like training state (ARM-SPEC 7) with a 3-bin hmap; row 2 is float32 and
# holds a NaN (an empty bin), and the optimizer has a tensor the LUT reader must not need.
m0 = Storage("0", FloatStorage, [0.5, 0.25])
x = np.array([3.5, 10.75, 18.0])
hmap = {
    "eta": "best",
    "bins": 3,
    "cost_list": np.array([0.0, 141262852.0, 304570372.0, 467877892.0]),
    "hmap_x_list": [x.copy() for _ in range(4)],
    "hmap_y_mean_list": [
        np.array([49.67, 40.38, 36.96]),
        np.array([48.16, 40.95, 38.11]),
        np.array([49.25, float("nan"), 38.5], dtype="<f4"),
        np.array([1 / 3, 2 / 3, 1e-300]),
    ],
    "hmap_list": [np.zeros((3, 3)) for _ in range(4)],
    "hmap_y_list": [x.copy() for _ in range(4)],
}
save(
    "tiny.state",
    "tiny",
    {
        "epoch": 21,
        "iter": 2000002,
        "schedulers": [],
        "optimizers": [{"state": {0: {"step": 5, "exp_avg": Tensor(m0, 0, (2,), (1,))}}}],
        "hmap": hmap,
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "big_endian": np.array([1.0, -2.5], dtype=">f8"),
    },
    [m0],
)

# nohmap.state: a training state without the table.
save("nohmap.state", "archive", {"epoch": 1, "iter": 10}, [])

# int_lut.state: a cost_list of int64, which the LUT reader must refuse naming the key.
bad = dict(hmap)
bad["cost_list"] = np.array([0, 1, 2, 3], dtype="<i8")
save("int_lut.state", "archive", {"hmap": bad}, [])
