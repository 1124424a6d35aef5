"""The NVIDIA exporter's static-shape forms (tools/export/nvidia.py: upfirdn2d_static,
affine_grid_static) against direct computations, for nvidia.test.ts: prints one JSON line per
case with the max |Δ|. The stand-in checkout exercises only upsampling by 2 with a 2-D filter;
these cases cover what NVIDIA's networks also use (1-D separable filters, downsampling, cropping
by negative padding, correlation, gain, 4× upsampling, affine_grid of StyleGAN3's input layer)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../tools/export'))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from nvidia import affine_grid_static, upfirdn2d_static  # noqa: E402


def direct_upfirdn2d(x, f, up, down, pad, flip, gain):
    """The definition step by step: zeros with every up-th pixel set, F.pad (negative = crop), a
    true convolution with the 2-D filter (the outer product of 1-D taps), every down-th pixel."""
    n, c, h, w = x.shape
    z = torch.zeros(n, c, h * up, w * up, dtype=x.dtype)
    z[:, :, ::up, ::up] = x
    z = F.pad(z, [pad[0], pad[1], pad[2], pad[3]])
    k = f[:, None] * f[None, :] if f.ndim == 1 else f
    k = k * gain
    if not flip:
        k = torch.flip(k, [0, 1])
    y = F.conv2d(z.reshape(n * c, 1, *z.shape[2:]), k[None, None])
    return y.reshape(n, c, *y.shape[2:])[:, :, ::down, ::down]


def main():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 9, 11, generator=gen)
    taps6 = torch.randn(6, generator=gen)
    taps4 = torch.tensor([1.0, 3.0, 3.0, 1.0]) / 8
    radial = torch.randn(5, 5, generator=gen)
    cases = [
        ('2-D filter, up 2, pad (2, 1)', radial, 2, 1, [2, 1, 2, 1], False, 4),
        ('1-D filter, up 2, pad (3, 2, 3, 2), gain 4', taps6, 2, 1, [3, 2, 3, 2], False, 4),
        ('1-D filter, down 2', taps6, 1, 2, [0, 0, 0, 0], False, 1),
        ('1-D filter, up 4, down 2, uneven pad', taps6, 4, 2, [5, 3, 4, 6], False, 16),
        ('negative padding (crop)', taps4, 2, 1, [-1, -2, 1, -1], False, 4),
        ('correlation (flip_filter)', radial, 1, 1, [2, 2, 2, 2], True, 1),
        ('2-D filter, down 2, crop', radial, 1, 2, [-1, 0, 0, -2], False, 1),
    ]
    for name, f, up, down, pad, flip, gain in cases:
        got = upfirdn2d_static(x, f, up=up, down=down, padding=pad, flip_filter=flip, gain=gain)
        want = direct_upfirdn2d(x, f, up, down, pad, flip, gain)
        same = list(got.shape) == list(want.shape)
        err = float((got - want).abs().max()) if same else float('inf')
        print(json.dumps({'case': f'upfirdn2d {name}', 'shape': list(got.shape), 'want': list(want.shape), 'maxAbs': err}))
    grid = affine_grid_static(F.affine_grid)
    theta = torch.randn(2, 2, 3, generator=gen)
    for corners in (False, True):
        got, want = grid(theta, [2, 1, 5, 7], align_corners=corners), F.affine_grid(theta, [2, 1, 5, 7], align_corners=corners)
        print(json.dumps({'case': f'affine_grid align_corners={corners}', 'shape': list(got.shape), 'want': list(want.shape), 'maxAbs': float((got - want).abs().max())}))


if __name__ == '__main__':
    main()
