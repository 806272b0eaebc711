"""Reads and writes the safetensors format without the `safetensors` package.

Layout: u64 little-endian header length N, N bytes of JSON header (padded with spaces to a
multiple of 8 so the data is aligned), then the raw little-endian tensor bytes.
"""
import json
import struct

import numpy as np
import torch

_DTYPES = {
    "F32": (torch.float32, np.float32),
    "F16": (torch.float16, np.float16),
    "I64": (torch.int64, np.int64),
    "I32": (torch.int32, np.int32),
    "F64": (torch.float64, np.float64),
}
_BY_TORCH = {t: name for name, (t, _) in _DTYPES.items()}


def load(path):
    """Returns {name: tensor} for every tensor in the file."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        _, np_dtype = _DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=np_dtype).reshape(info["shape"])
        out[name] = torch.from_numpy(array.copy())
    return out


def save(tensors, path, metadata=None):
    """Writes {name: tensor} in sorted name order (as safetensors does)."""
    header = {"__metadata__": metadata or {"format": "pt"}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        if t.dtype not in _BY_TORCH:
            raise ValueError(f"tensor {name}: unsupported dtype {t.dtype}")
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _BY_TORCH[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for raw in blobs:
            f.write(raw)
