"""StyleGAN2 generator in the layout of rosinality's stylegan2-pytorch (`g_ema` state dicts, the
decoder inside pSp/e4e checkpoints), written here from the layout's key names and shapes.

`forward(latent)` computes the generator as the checkpoint means it: per-sample modulated weights,
demodulated, in a grouped convolution. `forward(latent, export=True)` computes the same image with
the modulation applied to the activations (x·s, a plain convolution, then ·demod per output
channel), which torch.onnx can export and which the project's autodiff differentiates; the
exporter checks the ONNX of the second form against the first.

The affines come first (`styles(latent)`: one style vector per modulated convolution and to_rgb,
StyleSpace), then `synthesize(styles)`; `forward` is the two in a row, so the StyleSpace pair
exported from them is the generator split at its style vectors.
"""
import math
import re

import torch
import torch.nn.functional as F
from torch import nn

SQRT2 = math.sqrt(2.0)


def upfirdn2d(x, kernel, up=1, pad=(0, 0)):
    """Zero-insertion upsampling by `up`, padding (pad0 before, pad1 after, both axes), then a true
    convolution with the FIR kernel, each channel on its own (batch and channels folded together,
    so one single-channel kernel serves every channel)."""
    n, c, h, w = (int(d) for d in x.shape)
    x = x.reshape(n * c, 1, h, w)
    if up > 1:
        x = x.reshape(n * c, 1, h, 1, w, 1)
        x = F.pad(x, [0, up - 1, 0, 0, 0, up - 1])
        x = x.reshape(n * c, 1, h * up, w * up)
    x = F.pad(x, [pad[0], pad[1], pad[0], pad[1]])
    # A true convolution flips the kernel; it is flipped here as plain numbers so the ONNX holds a
    # constant rather than a reversed Slice of one.
    flipped = torch.tensor([row[::-1] for row in kernel.tolist()[::-1]], dtype=x.dtype)
    x = F.conv2d(x, flipped[None, None])
    return x.reshape(n, c, int(x.shape[2]), int(x.shape[3]))


def fir_kernel(taps, gain):
    k = torch.tensor(taps, dtype=torch.float32)
    k = k[None, :] * k[:, None]
    return k / k.sum() * gain


class EqualLinear(nn.Module):
    """Keys: weight [out, in], bias [out]; equalized learning rate (scale = lr_mul/√in)."""

    def __init__(self, dim_in, dim_out, lr_mul=1.0, activation=False):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(dim_out, dim_in))
        self.bias = nn.Parameter(torch.zeros(dim_out))
        self.scale = lr_mul / math.sqrt(dim_in)
        self.lr_mul = lr_mul
        self.activation = activation

    def forward(self, x):
        if self.activation:
            return F.leaky_relu(F.linear(x, self.weight * self.scale) + self.bias * self.lr_mul, 0.2) * SQRT2
        return F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)


class PixelNorm(nn.Module):
    def forward(self, x):
        return x * torch.rsqrt(torch.mean(x * x, dim=1, keepdim=True) + 1e-8)


class Blur(nn.Module):
    def __init__(self, taps, pad, gain):
        super().__init__()
        self.register_buffer('kernel', fir_kernel(taps, gain))
        self.pad = pad

    def forward(self, x):
        return upfirdn2d(x, self.kernel, 1, self.pad)


class Upsample(nn.Module):
    def __init__(self, taps):
        super().__init__()
        self.register_buffer('kernel', fir_kernel(taps, 4.0))
        p = len(taps) - 2
        self.pad = ((p + 1) // 2 + 1, p // 2)

    def forward(self, x):
        return upfirdn2d(x, self.kernel, 2, self.pad)


class ModulatedConv2d(nn.Module):
    """Keys: weight [1, out, in, k, k], modulation.{weight, bias}, blur.kernel when upsampling."""

    def __init__(self, c_in, c_out, k, style_dim, demodulate=True, upsample=False, taps=(1, 3, 3, 1)):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1, c_out, c_in, k, k))
        self.modulation = EqualLinear(style_dim, c_in)
        self.scale = 1 / math.sqrt(c_in * k * k)
        self.padding = k // 2
        self.demodulate = demodulate
        self.upsample = upsample
        self.c_in, self.c_out, self.k = c_in, c_out, k
        if upsample:
            p = (len(taps) - 2) - (k - 1)
            self.blur = Blur(taps, ((p + 1) // 2 + 1, p // 2 + 1), 4.0)

    def style(self, w):
        """The layer's style vector s = A(w) [b, in]: one StyleSpace layer."""
        return self.modulation(w)

    def forward(self, x, s, export=False):
        b = int(s.shape[0])
        if export:
            return self._activation_form(x, s)
        weight = self.scale * self.weight * s.view(b, 1, self.c_in, 1, 1)
        if self.demodulate:
            weight = weight * torch.rsqrt(weight.pow(2).sum([2, 3, 4]) + 1e-8).view(b, self.c_out, 1, 1, 1)
        h, wd = int(x.shape[2]), int(x.shape[3])
        x = x.reshape(1, b * self.c_in, h, wd)
        if self.upsample:
            weight = weight.transpose(1, 2).reshape(b * self.c_in, self.c_out, self.k, self.k)
            out = F.conv_transpose2d(x, weight, padding=0, stride=2, groups=b)
            out = out.reshape(b, self.c_out, int(out.shape[2]), int(out.shape[3]))
            return self.blur(out)
        out = F.conv2d(x, weight.reshape(b * self.c_out, self.c_in, self.k, self.k), padding=self.padding, groups=b)
        return out.reshape(b, self.c_out, int(out.shape[2]), int(out.shape[3]))

    def _activation_form(self, x, s):
        weight = self.scale * self.weight[0]  # [out, in, k, k]
        x = x * s[:, :, None, None]
        if self.upsample:
            out = F.conv_transpose2d(x, weight.transpose(0, 1), padding=0, stride=2)
        else:
            out = F.conv2d(x, weight, padding=self.padding)
        if self.demodulate:
            # Σ_{i,kh,kw} (scale·W[o,i]·s_i)² = (s²) · (Σ_k (scale·W)²)ᵀ
            energy = weight.pow(2).sum([2, 3])  # [out, in]
            out = out * torch.rsqrt(torch.matmul(s * s, energy.t()) + 1e-8)[:, :, None, None]
        return self.blur(out) if self.upsample else out


class NoiseInjection(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, x, noise):
        return x + self.weight * noise


class FusedLeakyReLU(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        return F.leaky_relu(x + self.bias.view(1, -1, 1, 1), 0.2) * SQRT2


class StyledConv(nn.Module):
    def __init__(self, c_in, c_out, k, style_dim, upsample=False):
        super().__init__()
        self.conv = ModulatedConv2d(c_in, c_out, k, style_dim, upsample=upsample)
        self.noise = NoiseInjection()
        self.activate = FusedLeakyReLU(c_out)

    def forward(self, x, s, noise, export=False):
        return self.activate(self.noise(self.conv(x, s, export), noise))


class ToRGB(nn.Module):
    def __init__(self, c_in, style_dim, upsample=True):
        super().__init__()
        if upsample:
            self.upsample = Upsample((1, 3, 3, 1))
        self.conv = ModulatedConv2d(c_in, 3, 1, style_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(1, 3, 1, 1))

    def forward(self, x, s, skip=None, export=False):
        out = self.conv(x, s, export) + self.bias
        if skip is not None:
            out = out + self.upsample(skip)
        return out


class ConstantInput(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.input = nn.Parameter(torch.zeros(1, channels, 4, 4))


class StyleGAN2Config:
    def __init__(self, size, style_dim, n_mlp, channels, lr_mlp=0.01):
        self.size = size
        self.log_size = int(math.log2(size))
        self.style_dim = style_dim
        self.n_mlp = n_mlp
        self.channels = channels  # resolution → channels
        self.lr_mlp = lr_mlp
        self.num_layers = (self.log_size - 2) * 2 + 1
        self.n_latent = self.log_size * 2 - 2

    def describe(self):
        chans = ', '.join(f'{r}:{c}' for r, c in sorted(self.channels.items()))
        return f'{self.size} px, W+ [1, {self.n_latent}, {self.style_dim}], {self.n_mlp}-layer mapping, channels {chans}'


def upstream_channels(channel_multiplier, width=1.0):
    """rosinality's channel table, optionally scaled by `width` (used for the reduced test models)."""
    table = {4: 512, 8: 512, 16: 512, 32: 512, 64: 256, 128: 128, 256: 64, 512: 32, 1024: 16}
    out = {}
    for r, c in table.items():
        c = c * (channel_multiplier if r >= 64 else 1)
        out[r] = max(1, int(round(c * width)))
    return out


def config_from_state(state, where, size=None, channel_multiplier=None, lr_mlp=0.01):
    """Reads the architecture from the keys and shapes; a --size or --channel-multiplier given by
    the user must agree with them."""
    for key in ('input.input', 'conv1.conv.weight', 'conv1.conv.modulation.weight'):
        if key not in state:
            raise _missing(where, key)
    rgbs = sorted({int(m.group(1)) for k in state for m in [re.match(r'to_rgbs\.(\d+)\.', k)] if m})
    log_size = len(rgbs) + 2
    found_size = 2 ** log_size
    if size is not None and size != found_size:
        raise ValueError(f'{where}: --size {size}, but the checkpoint has {len(rgbs)} to_rgbs blocks, i.e. {found_size} px')
    style_dim = int(state['conv1.conv.modulation.weight'].shape[1])
    mlp = sorted({int(m.group(1)) for k in state for m in [re.match(r'style\.(\d+)\.weight$', k)] if m})
    channels = {4: int(state['input.input'].shape[1])}
    for i in range(3, log_size + 1):
        key = f'convs.{(i - 3) * 2}.conv.weight'
        if key not in state:
            raise _missing(where, key)
        channels[2 ** i] = int(state[key].shape[1])
    if channel_multiplier is not None and log_size >= 6:
        want = upstream_channels(channel_multiplier)
        got = {r: c for r, c in channels.items() if r >= 64}
        if any(want[r] != c for r, c in got.items()):
            raise ValueError(
                f'{where}: --channel-multiplier {channel_multiplier} gives channels '
                f'{ {r: want[r] for r in got} }, the checkpoint has {got}'
            )
    return StyleGAN2Config(found_size, style_dim, len(mlp), channels, lr_mlp)


def _missing(where, key):
    return ValueError(f'{where}: no key "{key}", so this is not a rosinality StyleGAN2 generator state dict')


class Generator(nn.Module):
    """Key layout of rosinality's Generator: style.*, input.input, conv1.*, to_rgb1.*, convs.N.*,
    to_rgbs.N.*, noises.noise_N."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        layers = [PixelNorm()] + [
            EqualLinear(cfg.style_dim, cfg.style_dim, lr_mul=cfg.lr_mlp, activation=True) for _ in range(cfg.n_mlp)
        ]
        self.style = nn.Sequential(*layers)
        ch = cfg.channels
        self.input = ConstantInput(ch[4])
        self.conv1 = StyledConv(ch[4], ch[4], 3, cfg.style_dim)
        self.to_rgb1 = ToRGB(ch[4], cfg.style_dim, upsample=False)
        self.convs = nn.ModuleList()
        self.to_rgbs = nn.ModuleList()
        self.noises = nn.Module()
        for i in range(cfg.num_layers):
            r = 2 ** ((i + 5) // 2)
            self.noises.register_buffer(f'noise_{i}', torch.zeros(1, 1, r, r))
        c_in = ch[4]
        for i in range(3, cfg.log_size + 1):
            c_out = ch[2**i]
            self.convs.append(StyledConv(c_in, c_out, 3, cfg.style_dim, upsample=True))
            self.convs.append(StyledConv(c_out, c_out, 3, cfg.style_dim))
            self.to_rgbs.append(ToRGB(c_out, cfg.style_dim))
            c_in = c_out

    def mapping(self, z):
        return self.style(z)

    def style_layers(self):
        """StyleSpace (Wu et al.; StyleCLIP's global directions): every modulated convolution and
        to_rgb in forward order, as (name, modulated conv, W+ row it reads, resolution, kind)."""
        out = [('conv1', self.conv1.conv, 0, 4, 'conv'), ('to_rgb1', self.to_rgb1.conv, 1, 4, 'torgb')]
        for k, rgb in enumerate(self.to_rgbs):
            r = 2 ** (k + 3)
            out.append((f'convs.{2 * k}', self.convs[2 * k].conv, 1 + 2 * k, r, 'conv'))
            out.append((f'convs.{2 * k + 1}', self.convs[2 * k + 1].conv, 2 + 2 * k, r, 'conv'))
            out.append((f'to_rgbs.{k}', rgb.conv, 3 + 2 * k, r, 'torgb'))
        return out

    def styles(self, latent):
        """W+ [b, L, D] → one style vector per StyleSpace layer, in style_layers() order."""
        return [conv.style(latent[:, row]) for _, conv, row, _, _ in self.style_layers()]

    def synthesize(self, styles, export=False):
        """The image from the style vectors (styles() order): the generator after its affines."""
        noise = [getattr(self.noises, f'noise_{i}') for i in range(self.cfg.num_layers)]
        x = self.input.input.repeat(int(styles[0].shape[0]), 1, 1, 1)
        x = self.conv1(x, styles[0], noise[0], export)
        skip = self.to_rgb1(x, styles[1], None, export)
        i = 2
        for c1, c2, n1, n2, rgb in zip(self.convs[::2], self.convs[1::2], noise[1::2], noise[2::2], self.to_rgbs):
            x = c1(x, styles[i], n1, export)
            x = c2(x, styles[i + 1], n2, export)
            skip = rgb(x, styles[i + 2], skip, export)
            i += 3
        return skip

    def forward(self, latent, export=False):
        return self.synthesize(self.styles(latent), export)

    def split_styles(self, s):
        """s [b, S] (the layers' style vectors concatenated) → the list synthesize() takes."""
        sizes = [conv.c_in for _, conv, _, _, _ in self.style_layers()]
        return list(torch.split(s, sizes, dim=1))


class SynthesisForExport(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, latent):
        return self.g(latent, export=True)


class MappingForExport(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, z):
        return self.g.mapping(z)


class StylesForExport(nn.Module):
    """W+ [1, L, D] → s [1, S]: every StyleSpace layer's style vector, concatenated."""

    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, latent):
        return torch.cat(self.g.styles(latent), dim=1)


class SynthesisFromStylesForExport(nn.Module):
    """s [1, S] → image, the export form (modulation on the activations)."""

    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, s):
        return self.g.synthesize(self.g.split_styles(s), export=True)
