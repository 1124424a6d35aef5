"""IR-SE residual units (ArcFace IR-SE50 as in InsightFace_Pytorch, and the body of e4e/pSp
encoders), with the upstream key names: input_layer.{0,1,2}, body.N.shortcut_layer.{0,1},
body.N.res_layer.{0..5} (5 = SE: fc1, fc2)."""
import re

import torch
from torch import nn


class SEModule(nn.Module):
    def __init__(self, channels, reduction=16):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, channels // reduction, 1, padding=0, bias=False)
        self.relu = nn.ReLU()
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1, padding=0, bias=False)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return x * self.sigmoid(self.fc2(self.relu(self.fc1(self.avg_pool(x)))))


class BottleneckIRSE(nn.Module):
    def __init__(self, c_in, depth, stride):
        super().__init__()
        if c_in == depth:
            self.shortcut_layer = nn.MaxPool2d(1, stride)
        else:
            self.shortcut_layer = nn.Sequential(nn.Conv2d(c_in, depth, 1, stride, bias=False), nn.BatchNorm2d(depth))
        self.res_layer = nn.Sequential(
            nn.BatchNorm2d(c_in),
            nn.Conv2d(c_in, depth, 3, 1, 1, bias=False),
            nn.PReLU(depth),
            nn.Conv2d(depth, depth, 3, stride, 1, bias=False),
            nn.BatchNorm2d(depth),
            SEModule(depth, 16),
        )

    def forward(self, x):
        return self.res_layer(x) + self.shortcut_layer(x)


# (in, depth, units) per stage for each depth; the first unit of a stage has stride 2.
STAGES = {
    50: [(64, 64, 3), (64, 128, 4), (128, 256, 14), (256, 512, 3)],
    100: [(64, 64, 3), (64, 128, 13), (128, 256, 30), (256, 512, 3)],
    152: [(64, 64, 3), (64, 128, 8), (128, 256, 36), (256, 512, 3)],
}


def scaled_stages(num_layers, width=1.0):
    """The stage table with widths 64·w, 128·w, 256·w, 512·w (at least 16, 32, 64, 128: the SE
    reduction of 16 needs 16 channels, and each stage must be wider than the one before, as
    upstream, so the stage boundaries can be read back from the keys)."""
    base = max(16, int(round(64 * width)))
    widths = [base * 2**i for i in range(4)]
    out = []
    for i, (_, _, n) in enumerate(STAGES[num_layers]):
        out.append((widths[max(i - 1, 0)], widths[i], n))
    return out


def units(stages):
    out = []
    for c_in, depth, n in stages:
        out.append(BottleneckIRSE(c_in, depth, 2))
        out += [BottleneckIRSE(depth, depth, 1) for _ in range(n - 1)]
    return out


def input_layer(c_out):
    return nn.Sequential(nn.Conv2d(3, c_out, 3, 1, 1, bias=False), nn.BatchNorm2d(c_out), nn.PReLU(c_out))


def stages_from_state(state, where, prefix=''):
    """Reads the stage table (channels and unit counts) back from the body.N keys: a stage starts
    at unit 0 and at every unit with a convolution shortcut (its width changes). Strides are not
    in the keys; the first unit of each stage has stride 2, as in every IR-SE network."""
    ids = sorted({int(m.group(1)) for k in state for m in [re.match(re.escape(prefix) + r'body\.(\d+)\.', k)] if m})
    if not ids:
        raise ValueError(f'{where}: no {prefix}body.N keys, so this is not an IR-SE network')
    stages = []
    for i in ids:
        key = f'{prefix}body.{i}.res_layer.1.weight'
        if key not in state:
            raise ValueError(f'{where}: no key "{key}"')
        depth, c_in = int(state[key].shape[0]), int(state[key].shape[1])
        if i == 0 or f'{prefix}body.{i}.shortcut_layer.0.weight' in state:
            stages.append([c_in, depth, 1])
        else:
            stages[-1][2] += 1
    return [tuple(s) for s in stages]


def l2_normalize(x):
    return x / torch.norm(x, 2, 1, True)
