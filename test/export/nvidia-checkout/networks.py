"""Stand-in checkout, interface only (see legacy.py): a generator with the attributes and call
signatures of NVIDIA's StyleGAN2 Generator (training/networks.py of stylegan2-ada-pytorch), built
on the project's rosinality-layout StyleGAN2 (tools/export/stylegan2.py). It is not NVIDIA's
code and computes rosinality's generator; it has their module structure where the exporter reads
it:
  G.z_dim, c_dim, w_dim, num_ws, img_resolution, img_channels;
  G.mapping(z, c, truncation_psi=1, truncation_cutoff=None) → ws [N, num_ws, w_dim], G.mapping.w_avg;
  G.synthesis(ws, noise_mode='const', force_fp32=True, fused_modconv=True) → image [N, 3, R, R],
  G.synthesis.block_resolutions and blocks b4, b8, … with conv0 (from 8 px), conv1 and torgb
  layers, each with an `affine` (its style vector A(w)), and num_conv per block.
fused_modconv=True computes the checkpoint's form (grouped convolution with modulated weights),
False the modulation on the activations, as NVIDIA's flag chooses."""
import torch

from torch_utils.ops import upfirdn2d


class Layer(torch.nn.Module):
    """A modulated layer (rosinality StyledConv or ToRGB) whose style comes from `affine`."""

    def __init__(self, styled, rgb):
        super().__init__()
        self.styled = styled
        self.affine = styled.conv.modulation
        self.rgb = rgb

    def forward(self, x, w, noise=None, fused_modconv=True):
        s = self.affine(w)
        if self.rgb:
            return self.styled.conv(x, s, not fused_modconv) + self.styled.bias
        return self.styled(x, s, noise, not fused_modconv)


class Block(torch.nn.Module):
    def __init__(self, resolution, conv0, conv1, torgb, noises):
        super().__init__()
        self.resolution = resolution
        if conv0 is not None:
            self.conv0 = Layer(conv0, False)
        self.conv1 = Layer(conv1, False)
        self.torgb = Layer(torgb, True)
        self.num_conv = 1 if conv0 is None else 2
        self.num_torgb = 1
        self.noises = noises
        self.register_buffer('resample_filter', upfirdn2d.setup_filter([1, 3, 3, 1]))

    def forward(self, x, img, ws, fused_modconv):
        if hasattr(self, 'conv0'):
            x = self.conv0(x, ws[:, 0], self.noises[0], fused_modconv)
        x = self.conv1(x, ws[:, self.num_conv - 1], self.noises[-1], fused_modconv)
        y = self.torgb(x, ws[:, self.num_conv], None, fused_modconv)
        if img is not None:  # rosinality's Upsample: (1, 3, 3, 1) filter, gain 4, padding (2, 1)
            img = upfirdn2d.upfirdn2d(img, self.resample_filter, up=2, padding=[2, 1, 2, 1], gain=4)
            y = y + img
        return x, y


class SynthesisNetwork(torch.nn.Module):
    def __init__(self, g):
        super().__init__()
        self.w_dim = g.cfg.style_dim
        self.img_resolution = g.cfg.size
        self.img_channels = 3
        self.block_resolutions = [2**i for i in range(2, g.cfg.log_size + 1)]
        self.num_ws = g.cfg.n_latent
        self.register_buffer('const', g.input.input.detach().clone())
        noise = [getattr(g.noises, f'noise_{i}') for i in range(g.cfg.num_layers)]
        self.b4 = Block(4, None, g.conv1, g.to_rgb1, [noise[0]])
        for k, res in enumerate(self.block_resolutions[1:]):
            convs = (g.convs[2 * k], g.convs[2 * k + 1])
            setattr(self, f'b{res}', Block(res, *convs, g.to_rgbs[k], [noise[2 * k + 1], noise[2 * k + 2]]))

    def forward(self, ws, noise_mode='random', force_fp32=False, fused_modconv=True):
        if noise_mode != 'const':
            raise ValueError('the stand-in synthesis has its fixed noise only: noise_mode="const"')
        x = self.const.repeat(int(ws.shape[0]), 1, 1, 1)
        img = None
        w_idx = 0
        for res in self.block_resolutions:
            block = getattr(self, f'b{res}')
            x, img = block(x, img, ws[:, w_idx:w_idx + block.num_conv + block.num_torgb], fused_modconv)
            w_idx += block.num_conv
        return img


class MappingNetwork(torch.nn.Module):
    def __init__(self, g, num_ws, c_dim, w_avg):
        super().__init__()
        self.g_style = g.style
        self.num_ws = num_ws
        self.c_dim = c_dim
        self.register_buffer('w_avg', w_avg.detach().float().reshape(-1).clone())

    def forward(self, z, c, truncation_psi=1, truncation_cutoff=None):
        if self.c_dim and c is None:
            raise ValueError(f'a conditional generator needs c [N, {self.c_dim}]')
        x = self.g_style(z).unsqueeze(1).repeat(1, self.num_ws, 1)
        if truncation_psi != 1:
            x = self.w_avg.lerp(x, truncation_psi)
        return x


class Generator(torch.nn.Module):
    def __init__(self, g, w_avg, c_dim=0):
        super().__init__()
        self.z_dim = self.w_dim = g.cfg.style_dim
        self.c_dim = c_dim
        self.img_resolution = g.cfg.size
        self.img_channels = 3
        self.synthesis = SynthesisNetwork(g)
        self.num_ws = self.synthesis.num_ws
        self.mapping = MappingNetwork(g, self.num_ws, c_dim, w_avg)
