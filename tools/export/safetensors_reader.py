"""Reads a .safetensors file into torch tensors. The format is an 8-byte little-endian header
length, a JSON header (name → dtype, shape, byte offsets) and the raw data; it is read here
because Debian ships no safetensors package."""
import json
import struct

import numpy as np
import torch

DTYPES = {'F32': np.float32, 'F16': np.float16, 'F64': np.float64, 'I64': np.int64, 'I32': np.int32}


def load_safetensors(path):
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        a, b = info['data_offsets']
        raw = data[a:b]
        dtype = info['dtype']
        if dtype == 'BF16':  # bfloat16 is the top half of a float32
            arr = (np.frombuffer(raw, dtype='<u2').astype(np.uint32) << 16).view(np.float32)
        elif dtype in DTYPES:
            arr = np.frombuffer(raw, dtype=np.dtype(DTYPES[dtype]).newbyteorder('<'))
        else:
            raise ValueError(f'{path}: tensor "{name}" has dtype {dtype}, which is not supported')
        out[name] = torch.from_numpy(arr.astype(arr.dtype.newbyteorder('='), copy=True).reshape(info['shape']))
    return out
