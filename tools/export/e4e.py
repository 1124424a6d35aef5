"""e4e (Encoder4Editing) and pSp (GradualStyleEncoder) encoders, with the key layout of
omertov/encoder4editing and eladrich/pixel2style2pixel: an IR-SE body (ir_se.py), styles.N
(GradualStyleBlock: convs.{0,2,4,…} stride-2 3×3 convs with LeakyReLU, linear = EqualLinear) and
the FPN lateral convs latlayer1 (c2 → c3 width) and latlayer2 (c1 → c3 width)."""
import math
import re

import torch
import torch.nn.functional as F
from torch import nn

from ir_se import input_layer, units
from stylegan2 import EqualLinear


class GradualStyleBlock(nn.Module):
    def __init__(self, c_in, c_out, spatial):
        super().__init__()
        pools = int(math.log2(spatial))
        mods = [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.LeakyReLU()]
        for _ in range(pools - 1):
            mods += [nn.Conv2d(c_out, c_out, 3, stride=2, padding=1), nn.LeakyReLU()]
        self.convs = nn.Sequential(*mods)
        self.linear = EqualLinear(c_out, c_out, lr_mul=1)
        self.c_out = c_out

    def forward(self, x):
        return self.linear(self.convs(x).reshape(-1, self.c_out))


def upsample_add(x, y):
    return F.interpolate(x, size=(int(y.shape[2]), int(y.shape[3])), mode='bilinear', align_corners=True) + y


class StyleEncoder(nn.Module):
    """`kind` is 'Encoder4Editing' (one w, then per-layer deltas) or 'GradualStyleEncoder' (pSp:
    every layer's w on its own); both share the key layout."""

    COARSE, MIDDLE = 3, 7

    def __init__(self, stages, style_spatials, style_dim, kind='Encoder4Editing'):
        super().__init__()
        self.kind = kind
        self.input_layer = input_layer(stages[0][0])
        self.body = nn.Sequential(*units(stages))
        # The body's taps: c1 after stage 2, c2 after stage 3, c3 after stage 4.
        ends = []
        total = 0
        for _, _, n in stages:
            total += n
            ends.append(total - 1)
        self.taps = (ends[1], ends[2], ends[3])
        c1, c2, c3 = stages[1][1], stages[2][1], stages[3][1]
        self.styles = nn.ModuleList(GradualStyleBlock(c3, style_dim, s) for s in style_spatials)
        self.latlayer1 = nn.Conv2d(c2, c3, 1, 1, 0)
        self.latlayer2 = nn.Conv2d(c1, c3, 1, 1, 0)
        self.count = len(style_spatials)
        self.input_size = style_spatials[0] * 2 ** len(stages)

    def forward(self, x):
        x = self.input_layer(x)
        for i, unit in enumerate(self.body):
            x = unit(x)
            if i == self.taps[0]:
                c1 = x
            elif i == self.taps[1]:
                c2 = x
            elif i == self.taps[2]:
                c3 = x
        p2 = upsample_add(c3, self.latlayer1(c2))
        p1 = upsample_add(p2, self.latlayer2(c1))
        feats = [c3 if i < self.COARSE else p2 if i < self.MIDDLE else p1 for i in range(self.count)]
        if self.kind == 'GradualStyleEncoder':
            return torch.stack([s(f) for s, f in zip(self.styles, feats)], dim=1)
        w0 = self.styles[0](c3)
        rows = [w0] + [w0 + self.styles[i](feats[i]) for i in range(1, self.count)]
        return torch.stack(rows, dim=1)


def encoder_from_state(state, where, kind):
    from ir_se import stages_from_state

    stages = stages_from_state(state, where)
    if len(stages) != 4:
        raise ValueError(f'{where}: the IR-SE body has {len(stages)} stages, an e4e/pSp encoder has 4')
    ids = sorted({int(m.group(1)) for k in state for m in [re.match(r'styles\.(\d+)\.linear\.weight$', k)] if m})
    if not ids:
        raise ValueError(f'{where}: no styles.N.linear.weight keys, so this is not an e4e/pSp encoder')
    spatials = []
    for i in ids:
        convs = [k for k in state if re.match(rf'styles\.{i}\.convs\.\d+\.weight$', k)]
        spatials.append(2 ** len(convs))
    style_dim = int(state[f'styles.{ids[0]}.linear.weight'].shape[0])
    return StyleEncoder(stages, spatials, style_dim, kind)
