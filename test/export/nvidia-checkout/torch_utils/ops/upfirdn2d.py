"""Stand-in checkout, interface only (see ../../legacy.py): `upfirdn2d` with the call signature of
NVIDIA's torch_utils/ops/upfirdn2d.py, written here. Like their reference implementation, it
takes its sizes from the tensor's shape and repeats the filter by the channel count, both traced
by torch.onnx as dynamic values, which is why the exporter swaps in its static-shape form while
tracing; the stand-in's generator uses it to upsample the RGB skip path, so the tests exercise
that swap."""
import torch
import torch.nn.functional as F


def _four(padding):
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return list(padding)


def upfirdn2d(x, f, up=1, down=1, padding=0, flip_filter=False, gain=1, impl='cuda'):
    """Zero-insertion upsampling by `up`, padding [x0, x1, y0, y1] (non-negative here), a true
    convolution with the 2-D filter `f` scaled by `gain` (a correlation with flip_filter), and
    every `down`-th pixel kept; int `up` and `down` only."""
    px0, px1, py0, py1 = _four(padding)
    if min(px0, px1, py0, py1) < 0:
        raise ValueError('the stand-in upfirdn2d pads only (no negative padding)')
    n, c, h, w = x.shape
    if up > 1:
        x = x.reshape(n, c, h, 1, w, 1)
        x = F.pad(x, [0, up - 1, 0, 0, 0, up - 1])
        x = x.reshape(n, c, h * up, w * up)
    x = F.pad(x, [px0, px1, py0, py1])
    k = f * gain
    if not flip_filter:
        k = k.flip([0, 1])
    x = F.conv2d(x, k[None, None].repeat(c, 1, 1, 1), groups=c)
    return x[:, :, ::down, ::down]


def setup_filter(taps):
    """The 2-D filter of 1-D taps: their outer product, normalized to sum 1."""
    t = torch.as_tensor(taps, dtype=torch.float32)
    k = t[:, None] * t[None, :]
    return k / k.sum()
