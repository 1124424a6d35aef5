"""NVIDIA's StyleGAN2-ADA / StyleGAN3 pickles (network-snapshot-*.pkl, ffhq.pkl, …).

The pickles hold NVIDIA's own module classes, so they can only be unpickled inside a checkout of
NVlabs/stylegan2-ada-pytorch or NVlabs/stylegan3 (--repo): its `legacy.load_network_pkl` reads
them. The exporter then wraps `G_ema`:
  generator.onnx: ws [1, num_ws, w_dim] → G.synthesis(ws, noise_mode='const', force_fp32=True)
                  (StyleGAN2 networks with fused_modconv=False: modulation on the activations);
  mapping.onnx:   z [1, z_dim] → G.mapping(z, None, truncation_psi=1)[:, 0];
  mean_latent.bin: G.mapping.w_avg repeated num_ws times;
  styles.onnx, synthesis_styles.onnx (StyleGAN2 networks): StyleSpace, the output of every
                  SynthesisLayer's and ToRGBLayer's `affine` in forward order, and the synthesis
                  network fed those outputs in place of its affines (see style_layers).
On the CPU their upfirdn2d / bias_act / filtered_lrelu run their reference PyTorch code. While the
ONNX is traced, two functions are swapped for static-shape forms of the same arithmetic (see
`static_shape_ops`); the ONNX is then checked against G.synthesis computed by their code alone
(StyleSpace: synthesis_styles.onnx against their synthesis fed the same s, and styles.onnx then
synthesis_styles.onnx against generator.onnx's reference image).

Checked against the upstream code itself (tools/export/README.md names the commits and configs);
the tests run it on a stand-in checkout (test/export/nvidia-checkout)."""
import contextlib
import copy
import os
import sys

import torch
import torch.nn.functional as F

from common import ExportError, annotate, export_onnx, export_stylespace, style_layer_list


def is_stylegan3(G):
    """StyleGAN3's synthesis network (networks_stylegan3.py): Fourier-feature input, layers named
    in `layer_names`, no fused_modconv switch."""
    return hasattr(G.synthesis, 'layer_names')


class _Synthesis(torch.nn.Module):
    def __init__(self, G):
        super().__init__()
        self.G = G
        self.fused = None if is_stylegan3(G) else False

    def forward(self, ws):
        if self.fused is None:
            return self.G.synthesis(ws, noise_mode='const', force_fp32=True)
        return self.G.synthesis(ws, noise_mode='const', force_fp32=True, fused_modconv=self.fused)


class _Mapping(torch.nn.Module):
    def __init__(self, G):
        super().__init__()
        self.G = G

    def forward(self, z):
        return self.G.mapping(z, None, truncation_psi=1)[:, 0]


def _pair(v):
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _padding4(padding):
    """upfirdn2d's padding argument: int, [x, y] or [x0, x1, y0, y1]."""
    if isinstance(padding, int):
        return padding, padding, padding, padding
    if len(padding) == 2:
        return padding[0], padding[0], padding[1], padding[1]
    return tuple(int(p) for p in padding)


def _flat_filter(f, ndim, gain, flip, dtype):
    """The FIR filter as plain numbers (so the ONNX holds a constant, not ops on a buffer), scaled
    by gain^(ndim/2) and reversed unless `flip` is False (upfirdn2d's flip_filter=False means a
    true convolution; conv2d correlates)."""
    k = f.detach().cpu().double() * (gain ** (ndim / 2))
    if not flip:
        k = k.flip(list(range(ndim)))
    return torch.tensor(k.tolist(), dtype=dtype)


def upfirdn2d_static(x, f, up=1, down=1, padding=0, flip_filter=False, gain=1, impl='cuda'):
    """upfirdn2d (upsample by zero insertion, pad or crop, FIR filter, keep every `down`-th pixel)
    with every size a Python int, written here because the reference implementation upstream
    computes sizes from traced shapes and repeats the filter by a traced channel count, which
    torch.onnx cannot give a static kernel shape. The filter runs as a depthwise convolution (one
    group per channel), which onnxruntime's CPU kernels run far faster than the same work with the
    channels folded into the batch."""
    del impl
    upx, upy = _pair(up)
    downx, downy = _pair(down)
    px0, px1, py0, py1 = _padding4(padding)
    n, c, h, w = (int(d) for d in x.shape)
    if upx > 1 or upy > 1:
        x = x.reshape(n, c, h, 1, w, 1)
        x = F.pad(x, [0, upx - 1, 0, 0, 0, upy - 1])
        h, w = h * upy, w * upx
        x = x.reshape(n, c, h, w)
    if max(px0, 0) or max(px1, 0) or max(py0, 0) or max(py1, 0):
        x = F.pad(x, [max(px0, 0), max(px1, 0), max(py0, 0), max(py1, 0)])
        h, w = h + max(py0, 0) + max(py1, 0), w + max(px0, 0) + max(px1, 0)
    if min(px0, px1, py0, py1) < 0:
        x = x[:, :, max(-py0, 0):h - max(-py1, 0), max(-px0, 0):w - max(-px1, 0)]
    if f is None:
        f = torch.ones([1, 1])
    k = _flat_filter(f, f.ndim, gain, flip_filter, x.dtype)
    if f.ndim == 2:
        if not (k.numel() == 1 and float(k) == 1):
            x = F.conv2d(x, k[None, None].repeat(c, 1, 1, 1), groups=c)
    else:  # separable: along x, then along y
        x = F.conv2d(x, k[None, None, None, :].repeat(c, 1, 1, 1), groups=c)
        x = F.conv2d(x, k[None, None, :, None].repeat(c, 1, 1, 1), groups=c)
    if downx > 1 or downy > 1:
        x = x[:, :, ::downy, ::downx]
    # A reshape to the sizes as numbers keeps the traced shapes static: without it the exported
    # image comes out as [N, 3, H, W] with symbolic N, H, W, which bundle init cannot size.
    return x.reshape(n, c, int(x.shape[2]), int(x.shape[3]))


def affine_grid_static(original):
    """F.affine_grid for 4-D sizes as a MatMul of a constant base grid with theta (ONNX has no
    AffineGrid before opset 20): the base grid holds each pixel's (x, y, 1), x and y at pixel
    centres in [-1, 1] (or at the corners with align_corners)."""

    def grid(theta, size, align_corners=None):
        if len(size) != 4:
            return original(theta, size, align_corners=align_corners)
        n, _, h, w = (int(s) for s in size)

        def coords(count):
            if align_corners:
                return [2 * i / (count - 1) - 1 if count > 1 else 0.0 for i in range(count)]
            return [(2 * i + 1) / count - 1 for i in range(count)]

        base = torch.tensor([[[x, y, 1.0] for x in coords(w)] for y in coords(h)], dtype=theta.dtype)
        return torch.matmul(base.reshape(1, h * w, 3), theta.transpose(1, 2)).reshape(n, h, w, 2)

    return grid


@contextlib.contextmanager
def static_shape_ops():
    """Their upfirdn2d (used by conv2d_resample, upsample2d and filtered_lrelu) and torch's
    affine_grid swapped for the static-shape forms above; restored afterwards."""
    from torch_utils.ops import upfirdn2d  # noqa: PLC0415 — their module, loaded from --repo

    saved_fir, saved_grid = upfirdn2d.upfirdn2d, F.affine_grid
    upfirdn2d.upfirdn2d = upfirdn2d_static
    F.affine_grid = affine_grid_static(saved_grid)
    try:
        yield
    finally:
        upfirdn2d.upfirdn2d = saved_fir
        F.affine_grid = saved_grid


class _StaticShapes(torch.nn.Module):
    """What torch.onnx traces: the module run under static_shape_ops. The reference outputs the
    ONNX is checked against are computed without it, by their code alone."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, x):
        with static_shape_ops():
            return self.module(x)


def load_generator(repo, checkpoint):
    """G_ema of the pickle, read by the checkout's legacy.load_network_pkl, on the CPU in float32."""
    if not repo:
        raise ExportError('nvidia needs --repo <a checkout of NVlabs/stylegan2-ada-pytorch or NVlabs/stylegan3>')
    repo = os.path.abspath(repo)
    if not os.path.isfile(os.path.join(repo, 'legacy.py')) or not os.path.isdir(os.path.join(repo, 'dnnlib')):
        raise ExportError(f'{repo}: no legacy.py and dnnlib/, so this is not a stylegan2-ada-pytorch or stylegan3 checkout')
    if not os.path.isfile(checkpoint):
        raise ExportError(f'{checkpoint}: no such file')
    sys.path.insert(0, repo)
    try:
        import legacy  # noqa: PLC0415 — NVIDIA's module, importable only from their checkout
    except Exception as e:
        raise ExportError(f'{repo}: cannot import legacy.py: {e}') from e
    try:
        with open(checkpoint, 'rb') as f:
            data = legacy.load_network_pkl(f)
    except ImportError as e:
        hint = ''
        if 'filtered_lrelu' in str(e):
            hint = ' (a StyleGAN3 pickle needs a NVlabs/stylegan3 checkout)'
        elif (getattr(e, 'name', None) or '').split('.')[0] == 'scipy':
            hint = ' (stylegan3\'s networks import scipy; Debian: apt-get install python3-scipy)'
        raise ExportError(f'{checkpoint}: cannot be unpickled with {repo}/legacy.py: {e}{hint}') from e
    except Exception as e:
        raise ExportError(f'{checkpoint}: cannot be read by {repo}/legacy.py: {type(e).__name__}: {e}') from e
    G = data.get('G_ema') if isinstance(data, dict) else None
    if not isinstance(G, torch.nn.Module):
        raise ExportError(f'{checkpoint}: legacy.load_network_pkl gave no G_ema module')
    G = G.eval().float().cpu()
    if getattr(G, 'c_dim', 0):
        raise ExportError(f'{checkpoint}: a conditional generator (c_dim {G.c_dim}); only unconditional ones are supported')
    return G


def export_nvidia(a, check, wrote):
    """Writes the files; True when the StyleSpace pair was written too."""
    G = load_generator(a.repo, a.checkpoint)
    source = os.path.basename(a.checkpoint)
    L, D, R = int(G.num_ws), int(G.w_dim), int(G.img_resolution)
    kind = 'StyleGAN3' if is_stylegan3(G) else 'StyleGAN2'
    print(f'{a.checkpoint}: {kind} {R} px, W+ [1, {L}, {D}], z [1, {G.z_dim}]', flush=True)
    mean = G.mapping.w_avg.detach().float().reshape(1, D).repeat(L, 1)
    mean_path = os.path.join(a.out, 'mean_latent.bin')
    mean.numpy().astype('<f4').tofile(mean_path)
    wrote(mean_path, f', [1, {L}, {D}] float32')

    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        z = torch.randn(L, int(G.z_dim), generator=gen)
        latent = (mean + 0.7 * (G.mapping(z, None, truncation_psi=1)[:, 0] - mean)).reshape(1, L, D)
        image = G.synthesis(latent, noise_mode='const', force_fp32=True)  # their default (fused) form
    path = os.path.join(a.out, 'generator.onnx')
    export_onnx(_StaticShapes(_Synthesis(G)), (latent,), path, ['latent'], ['image'])
    annotate(path, {'role': 'generator', 'outputRange': [-1, 1], 'source': source})
    wrote(path, f', latent [1, {L}, {D}] → image [1, 3, {R}, {R}]')
    check.add(path, {'latent': latent.numpy()}, {'image': image.numpy()})

    with torch.no_grad():
        z = torch.randn(1, int(G.z_dim), generator=gen)
        w = _Mapping(G)(z)
    path = os.path.join(a.out, 'mapping.onnx')
    export_onnx(_Mapping(G), (z,), path, ['z'], ['w'])
    annotate(path, {'role': 'mapping', 'source': source})
    wrote(path, f', z [1, {G.z_dim}] → w [1, {D}]')
    check.add(path, {'z': z.numpy()}, {'w': w.numpy()})
    return False if a.no_stylespace else export_nvidia_stylespace(G, latent, image, a.out, check, source, wrote)


# ---------------------------------------------------------------- StyleSpace (StyleGAN2 networks)


def style_layers(G):
    """(name, layer, w index, resolution, kind) of each modulated layer of a StyleGAN2 synthesis
    network (training/networks.py of stylegan2-ada-pytorch, networks_stylegan2.py of stylegan3) in
    forward order: per block b{res}, conv0 (not in the 4 px block), conv1, torgb (every block of
    the 'skip' architecture, the last one otherwise). The w index follows SynthesisNetwork: block
    ws start where the previous block's convolutions end, so a block's torgb shares its w with the
    next block's conv0."""
    out = []
    w_idx = 0
    for res in G.synthesis.block_resolutions:
        block = getattr(G.synthesis, f'b{res}')
        i = w_idx
        for name in ('conv0', 'conv1'):
            if hasattr(block, name):
                out.append((f'b{res}.{name}', getattr(block, name), i, res, 'conv'))
                i += 1
        if hasattr(block, 'torgb'):
            out.append((f'b{res}.torgb', block.torgb, i, res, 'torgb'))
        w_idx += block.num_conv
    return out


class _Styles(torch.nn.Module):
    """W+ [1, num_ws, w_dim] → s [1, S]: each layer's affine of its w, concatenated."""

    def __init__(self, G):
        super().__init__()
        self.G = G
        self.layers = [(layer, i) for _, layer, i, _, _ in style_layers(G)]

    def forward(self, ws):
        return torch.cat([layer.affine(ws[:, i]) for layer, i in self.layers], dim=1)


class _StyleFeed(torch.nn.Module):
    """Stands in for a layer's affine: returns the style vector it was given, whatever w is."""

    def __init__(self, size):
        super().__init__()
        self.size = size
        self.value = None

    def forward(self, w):
        return self.value


class _SynthesisFromStyles(torch.nn.Module):
    """s [1, S] → image: NVIDIA's own synthesis network, on a copy of G whose affines are
    _StyleFeeds, so every layer computes exactly what it computes from its affine's output;
    fused=False is the exported form, None their default (fused) form."""

    def __init__(self, G, fused):
        super().__init__()
        self.G = copy.deepcopy(G)
        self.fused = fused
        self.feeds = []
        for _, layer, _, _, _ in style_layers(self.G):
            layer.affine = _StyleFeed(int(layer.affine.weight.shape[0]))
            self.feeds.append(layer.affine)

    def forward(self, s):
        for feed, part in zip(self.feeds, torch.split(s, [f.size for f in self.feeds], dim=1)):
            feed.value = part
        ws = torch.zeros(int(s.shape[0]), int(self.G.num_ws), int(self.G.w_dim), dtype=s.dtype)  # read by no affine
        kwargs = {} if self.fused is None else {'fused_modconv': self.fused}
        return self.G.synthesis(ws, noise_mode='const', force_fp32=True, **kwargs)


def export_nvidia_stylespace(G, latent, image, out, check, source, wrote):
    """styles.onnx and synthesis_styles.onnx for a StyleGAN2 network (layer names are NVIDIA's
    module names, b{res}.conv0 / conv1 / torgb); a StyleGAN3 network gets a message instead."""
    if is_stylegan3(G):
        print(
            'no StyleSpace files for a StyleGAN3 network: its first layer turns w into a Fourier-feature '
            'transform, not a style vector, so s alone does not determine the image (generator.onnx and '
            'mapping.onnx are written)',
            flush=True,
        )
        return False
    layers = style_layer_list(
        (name, int(layer.affine.weight.shape[0]), res, kind) for name, layer, _, res, kind in style_layers(G)
    )
    export_stylespace(
        out, check, latent, layers, _Styles(G), _StaticShapes(_SynthesisFromStyles(G, False)),
        _SynthesisFromStyles(G, None), image, source, wrote,
    )
    return True
