# Fills the initializers realshape-export.ts emptied (doc_string "refill <mean> <std> <nonneg|any>")
# with seeded normals of the same mean and spread, in place. Needs only the `onnx` package and numpy.
# Usage: python3 refill.py <folder with the .onnx files>
import glob
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

folder = sys.argv[1] if len(sys.argv) > 1 else '.devbench/realshape'
for path in sorted(glob.glob(os.path.join(folder, '*.onnx'))):
    model = onnx.load(path)
    rng = np.random.default_rng(0)
    filled = 0
    for i, t in enumerate(model.graph.initializer):
        if not t.doc_string.startswith('refill'):
            continue
        _, mean, std, sign = t.doc_string.split()
        dims = list(t.dims)
        values = rng.standard_normal(dims, dtype=np.float32) * np.float32(std) + np.float32(mean)
        if sign == 'nonneg':
            values = np.abs(values)
        filled_t = numpy_helper.from_array(values.astype(np.float32), t.name)
        model.graph.initializer[i].CopyFrom(filled_t)
        filled += values.nbytes
    # Over 2 GB a model needs external data; these are below it.
    onnx.save(model, path)
    print(f'{os.path.basename(path)}: {filled / 1e6:.1f} MB of random weights')
