"""ArcFace IR-SE50 (InsightFace_Pytorch's Backbone(50, mode='ir_se'), the network StyleCLIP's
identity loss loads from model_ir_se50.pth), key layout input_layer.*, body.N.*,
output_layer.{0: BatchNorm2d, 3: Linear(C·7·7 → E), 4: BatchNorm1d}.

`Identity` is what identity.onnx computes: StyleCLIP's IDLoss.extract_feats on a 256 px image in
[−1, 1] — crop rows 35:223 and columns 32:220, adaptive-average-pool to 112, the backbone, L2
normalization."""
import math

import torch
from torch import nn

from ir_se import input_layer, l2_normalize, units


class Backbone(nn.Module):
    def __init__(self, stages, embed_dim=512):
        super().__init__()
        self.input_layer = input_layer(stages[0][0])
        self.body = nn.Sequential(*units(stages))
        c = stages[-1][1]
        self.output_layer = nn.Sequential(
            nn.BatchNorm2d(c), nn.Dropout(0.6), nn.Flatten(), nn.Linear(c * 7 * 7, embed_dim), nn.BatchNorm1d(embed_dim)
        )

    def forward(self, x, export=False):
        x = self.body(self.input_layer(x))
        if not export:
            return l2_normalize(self.output_layer(x))
        # BatchNorm1d folded into the Linear: the same numbers, one op fewer to differentiate.
        bn0, lin, bn1 = self.output_layer[0], self.output_layer[3], self.output_layer[4]
        x = torch.flatten(bn0(x), 1)
        g = bn1.weight / torch.sqrt(bn1.running_var + bn1.eps)
        weight = lin.weight * g[:, None]
        bias = (lin.bias - bn1.running_mean) * g + bn1.bias
        return l2_normalize(torch.nn.functional.linear(x, weight, bias))


def pool_matrix(n_in, n_out):
    """AdaptiveAvgPool1d as a matrix (window i covers floor(i·n/m) … ceil((i+1)·n/m)); torch.onnx
    cannot export an adaptive pool whose sizes do not divide."""
    p = torch.zeros(n_out, n_in)
    for i in range(n_out):
        a = (i * n_in) // n_out
        b = math.ceil((i + 1) * n_in / n_out)
        p[i, a:b] = 1.0 / (b - a)
    return p


class Identity(nn.Module):
    CROP = (35, 223, 32, 220)

    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone
        t, b, l, r = self.CROP
        self.register_buffer('rows', pool_matrix(b - t, 112))
        self.register_buffer('cols', pool_matrix(r - l, 112))
        self.pool = nn.AdaptiveAvgPool2d((112, 112))

    def forward(self, x, export=False):
        t, b, l, r = self.CROP
        x = x[:, :, t:b, l:r]
        if export:
            x = torch.matmul(torch.matmul(self.rows, x), self.cols.t())
        else:
            x = self.pool(x)
        return self.backbone(x, export)


class IdentityForExport(nn.Module):
    def __init__(self, ident):
        super().__init__()
        self.ident = ident

    def forward(self, image):
        return self.ident(image, export=True)
