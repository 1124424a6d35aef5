"""NVIDIA's StyleGAN2-ADA / StyleGAN3 pickles (network-snapshot-*.pkl, ffhq.pkl, …).

The pickles hold NVIDIA's own module classes, so they can only be unpickled inside a checkout of
NVlabs/stylegan2-ada-pytorch or NVlabs/stylegan3 (--repo): its `legacy.load_network_pkl` reads
them. The exporter then wraps `G_ema`:
  generator.onnx: ws [1, num_ws, w_dim] → G.synthesis(ws, noise_mode='const', force_fp32=True)
                  (StyleGAN2-ADA with fused_modconv=False: modulation on the activations);
  mapping.onnx:   z [1, z_dim] → G.mapping(z, None, truncation_psi=1)[:, 0];
  mean_latent.bin: G.mapping.w_avg repeated num_ws times.
Their upfirdn2d/bias_act/filtered_lrelu fall back to plain PyTorch ops on the CPU, which is what
torch.onnx traces. The ONNX is checked against G.synthesis itself (its default, fused form).

This path needs NVIDIA's code and cannot be tested without it; the tests exercise the other
exporters only."""
import os
import sys

import torch

from common import ExportError, annotate, export_onnx


class _Synthesis(torch.nn.Module):
    def __init__(self, G, fused):
        super().__init__()
        self.G = G
        self.fused = fused

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


def export_nvidia(a, check, wrote):
    if not a.repo:
        raise ExportError('nvidia needs --repo <a checkout of NVlabs/stylegan2-ada-pytorch or NVlabs/stylegan3>')
    repo = os.path.abspath(a.repo)
    if not os.path.isfile(os.path.join(repo, 'legacy.py')) or not os.path.isdir(os.path.join(repo, 'dnnlib')):
        raise ExportError(f'{repo}: no legacy.py and dnnlib/, so this is not a stylegan2-ada-pytorch or stylegan3 checkout')
    sys.path.insert(0, repo)
    try:
        import legacy  # noqa: PLC0415 — NVIDIA's module, importable only from their checkout
    except Exception as e:
        raise ExportError(f'{repo}: cannot import legacy.py: {e}') from e
    with open(a.checkpoint, 'rb') as f:
        G = legacy.load_network_pkl(f)['G_ema'].eval().float().cpu()
    if getattr(G, 'c_dim', 0):
        raise ExportError(f'{a.checkpoint}: a conditional generator (c_dim {G.c_dim}); only unconditional ones are supported')
    L, D, R = int(G.num_ws), int(G.w_dim), int(G.img_resolution)
    mean = G.mapping.w_avg.detach().float().reshape(1, D).repeat(L, 1)
    mean_path = os.path.join(a.out, 'mean_latent.bin')
    mean.numpy().astype('<f4').tofile(mean_path)
    wrote(mean_path, f', [1, {L}, {D}] float32')

    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        z = torch.randn(L, int(G.z_dim), generator=gen)
        latent = (mean + 0.7 * (G.mapping(z, None, truncation_psi=1)[:, 0] - mean)).reshape(1, L, D)
        image = G.synthesis(latent, noise_mode='const', force_fp32=True)
    synth = _Synthesis(G, False)
    try:
        with torch.no_grad():
            synth(latent)
    except TypeError:  # StyleGAN3's layers take no fused_modconv: their weights are computed in-graph
        synth = _Synthesis(G, None)
    path = os.path.join(a.out, 'generator.onnx')
    export_onnx(synth, (latent,), path, ['latent'], ['image'])
    annotate(path, {'role': 'generator', 'outputRange': [-1, 1], 'source': os.path.basename(a.checkpoint)})
    wrote(path, f', latent [1, {L}, {D}] → image [1, 3, {R}, {R}]')
    check.add(path, {'latent': latent.numpy()}, {'image': image.numpy()})

    with torch.no_grad():
        z = torch.randn(1, int(G.z_dim), generator=gen)
        w = _Mapping(G)(z)
    path = os.path.join(a.out, 'mapping.onnx')
    export_onnx(_Mapping(G), (z,), path, ['z'], ['w'])
    annotate(path, {'role': 'mapping', 'source': os.path.basename(a.checkpoint)})
    wrote(path, f', z [1, {G.z_dim}] → w [1, {D}]')
    check.add(path, {'z': z.numpy()}, {'w': w.numpy()})
