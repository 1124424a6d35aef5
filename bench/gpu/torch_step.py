# Times one StyleCLIP optimization step in PyTorch on the same architectures as the bundle that
# realshape-export.ts wrote (arch.json): a StyleGAN2 config-f synthesis network (modulation applied
# to the activations, FIR up-sampling) and a ViT-B/32 image tower, random weights. A step is
# G(w) → centre square → StyleCLIP's resize to the CLIP size → normalize → CLIP → 1 − cos + λ‖w − w0‖²
# → backward to w, the work one session run of the edit objective does. CUDA fp32 and fp16
# (autocast), or the CPU where there is no CUDA.
# Usage: python3 torch_step.py <folder with arch.json> [steps]
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

folder = sys.argv[1] if len(sys.argv) > 1 else '.devbench/realshape'
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
arch = json.load(open(os.path.join(folder, 'arch.json')))
W = arch['w_dim']


def channels(res):
    return min(32768 // res, 512)


def fir(ch):
    f = torch.tensor([1.0, 3.0, 3.0, 1.0])
    f = f[:, None] * f[None, :]
    return (f / f.sum() * 4)[None, None].repeat(ch, 1, 1, 1)


class ModConv(nn.Module):
    def __init__(self, cin, cout, k, up=False, demod=True):
        super().__init__()
        self.affine = nn.Linear(W, cin)
        nn.init.ones_(self.affine.bias)
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k) / math.sqrt(cin * k * k))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.up, self.demod, self.k = up, demod, k
        if up:
            self.register_buffer('fir', fir(cout))

    def forward(self, x, w):
        s = self.affine(w)
        x = x * s[:, :, None, None]
        if self.up:
            x = F.conv_transpose2d(x, self.weight.transpose(0, 1), stride=2)
            x = F.conv2d(x, self.fir, padding=1, groups=x.shape[1])
        else:
            x = F.conv2d(x, self.weight, padding=self.k // 2)
        if self.demod:
            d = torch.rsqrt((s * s) @ (self.weight**2).sum([2, 3]).t() + 1e-8)
            x = x * d[:, :, None, None]
        return x + self.bias[None, :, None, None]


class Layer(nn.Module):
    def __init__(self, cin, cout, r, up=False):
        super().__init__()
        self.conv = ModConv(cin, cout, 3, up)
        self.register_buffer('noise', torch.randn(1, 1, r, r))
        self.strength = nn.Parameter(torch.tensor(0.1))

    def forward(self, x, w):
        return F.leaky_relu(self.conv(x, w) + self.noise * self.strength, 0.2) * math.sqrt(2)


class Synthesis(nn.Module):
    def __init__(self, res):
        super().__init__()
        self.const = nn.Parameter(torch.randn(1, 512, 4, 4))
        self.layers = nn.ModuleList([Layer(512, 512, 4)])
        self.torgb = nn.ModuleList([ModConv(512, 3, 1, demod=False)])
        r, c = 8, 512
        while r <= res:
            self.layers.append(Layer(c, channels(r), r, up=True))
            self.layers.append(Layer(channels(r), channels(r), r))
            self.torgb.append(ModConv(channels(r), 3, 1, demod=False))
            c, r = channels(r), r * 2
        self.register_buffer('rgbup', fir(3))
        self.num_ws = len(self.layers) + 1

    def forward(self, ws):
        x = self.layers[0](self.const, ws[:, 0])
        img = self.torgb[0](x, ws[:, 1])
        i = 1
        for j in range(1, len(self.torgb)):
            x = self.layers[2 * j - 1](x, ws[:, i])
            x = self.layers[2 * j](x, ws[:, i + 1])
            img = F.conv_transpose2d(img, self.rgbup, stride=2, padding=1, groups=3) + self.torgb[j](x, ws[:, i + 2])
            i += 2
        return img


class Block(nn.Module):
    def __init__(self, d=768, h=12):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.h = h

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).reshape(B, T, 3, self.h, D // self.h).permute(2, 0, 3, 1, 4)
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D // self.h), -1)
        x = x + self.proj((a @ v).transpose(1, 2).reshape(B, T, D))
        m = self.fc1(self.ln2(x))
        return x + self.fc2(m * torch.sigmoid(1.702 * m))


class ViT(nn.Module):
    def __init__(self, embed):
        super().__init__()
        self.patch = nn.Conv2d(3, 768, 32, 32, bias=False)
        self.cls = nn.Parameter(torch.randn(1, 1, 768) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, 50, 768) * 0.02)
        self.ln_pre, self.ln_post = nn.LayerNorm(768), nn.LayerNorm(768)
        self.blocks = nn.ModuleList([Block() for _ in range(12)])
        self.proj = nn.Linear(768, embed, bias=False)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = self.ln_pre(torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos)
        for b in self.blocks:
            x = b(x)
        return self.proj(self.ln_post(x[:, 0]))


def resize(img, size):
    # StyleCLIP: nearest up-sampling ×k, then average pooling (k = size / gcd, pool = side / gcd).
    side = img.shape[-1]
    g = math.gcd(side, size)
    k, pool = size // g, side // g
    if k > 1:
        img = F.interpolate(img, scale_factor=k, mode='nearest')
    return F.avg_pool2d(img, pool) if pool > 1 else img


def run(device, dtype_name):
    torch.manual_seed(0)
    gen = Synthesis(arch['resolution']).to(device).eval().requires_grad_(False)
    clip = ViT(arch['embed_dim']).to(device).eval().requires_grad_(False)
    assert gen.num_ws == arch['num_ws'], f"num_ws {gen.num_ws} != {arch['num_ws']}"
    mean = torch.tensor(arch['mean'], device=device)[None, :, None, None]
    std = torch.tensor(arch['std'], device=device)[None, :, None, None]
    w0 = torch.randn(1, gen.num_ws, W, device=device) * 0.5
    target = F.normalize(torch.randn(1, arch['embed_dim'], device=device), dim=-1)
    w = w0.clone().requires_grad_(True)
    autocast = dtype_name == 'fp16'
    # torch.autocast refuses float16 on the CPU even when disabled; the CPU runs fp32 only.
    half = torch.float16 if device == 'cuda' else torch.bfloat16

    def step():
        with torch.autocast(device_type=device, dtype=half, enabled=autocast):
            img = gen(w)
            pixels = (resize((img + 1) / 2, arch['clip_size']) - mean) / std
            e = F.normalize(clip(pixels).float(), dim=-1)
            loss = 1 - (e * target).sum() + 0.008 * ((w - w0) ** 2).sum()
        (g,) = torch.autograd.grad(loss, [w])
        return loss, g

    def forward():
        with torch.no_grad(), torch.autocast(device_type=device, dtype=half, enabled=autocast):
            clip((resize((gen(w) + 1) / 2, arch['clip_size']) - mean) / std)

    def timed(f, n):
        f()
        if device == 'cuda':
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        times = []
        for _ in range(n):
            t = time.perf_counter()
            f()
            if device == 'cuda':
                torch.cuda.synchronize()
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        return times[len(times) // 2]

    step_ms = timed(step, steps)
    peak = torch.cuda.max_memory_allocated() / 1e6 if device == 'cuda' else float('nan')
    forward_ms = timed(forward, steps)
    loss, g = step()
    ok = bool(torch.isfinite(loss).item() and torch.isfinite(g).all().item())
    print(
        f"| torch {device} {dtype_name} | {arch['resolution']} px | {step_ms:.1f} | {forward_ms:.1f} | "
        f"{step_ms / forward_ms:.2f} | {peak:.0f} | {'finite' if ok else 'NOT FINITE'} |",
        flush=True,
    )


print('| runtime | resolution | step ms (median) | forward ms | step / forward | CUDA peak MB | loss and gradient |')
print('|---|---|---|---|---|---|---|')
if torch.cuda.is_available():
    torch.backends.cudnn.benchmark = True
    run('cuda', 'fp32')
    run('cuda', 'fp16')
else:
    torch.set_num_threads(os.cpu_count() or 1)
    run('cpu', 'fp32')
