"""Shared writer for PyTorch reference fixtures.

Each fixture is one JSON file: {"name": str, "meta": {...}, "tensors": {key: {"shape": [...], "dtype": str,
"data": [...]}}}. Values are written as float64 (or int) so the C# side can compare float32 and float64 runs.
JSON has no infinities or NaN, so those values are written as the strings "Infinity", "-Infinity" and "NaN".
Run the generators with Debian's system Python, which has python3-torch: /usr/bin/python3.
"""
import json
import math
import os

import torch

FIXTURE_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")


def _number(v):
    if math.isfinite(v):
        return v
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")


def tensor_entry(t):
    t = t.detach().cpu()
    if t.dtype in (torch.int32, torch.int64, torch.bool):
        data = [int(v) for v in t.reshape(-1).tolist()]
        dtype = "int32"
    else:
        data = [_number(float(v)) for v in t.double().reshape(-1).tolist()]
        dtype = "float64"
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def save(group, name, tensors, meta=None):
    """Writes tests/Fixtures/<group>/<name>.json."""
    folder = os.path.join(FIXTURE_ROOT, group)
    os.makedirs(folder, exist_ok=True)
    doc = {
        "name": name,
        "torch": torch.__version__,
        "meta": meta or {},
        "tensors": {k: tensor_entry(v) for k, v in tensors.items()},
    }
    with open(os.path.join(folder, name + ".json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)  # non-finite values are strings (above)
