"""PyTorch's vector-Jacobian product of an exported model's reference form (the checkpoint's own
computation), for gradients.test.ts: writes x, r and r·∂y/∂x as raw float32 plus shapes.json.

  python3 vjp.py stylegan2|stylegan2-styles|clip-image|identity <checkpoint> <out-dir>
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../tools/export'))

import torch  # noqa: E402

from common import load_checkpoint, strict_load  # noqa: E402


def model_and_input(kind, path, gen):
    if kind in ('stylegan2', 'stylegan2-styles'):
        from stylegan2 import Generator, config_from_state

        state = load_checkpoint(path)['g_ema']
        g = Generator(config_from_state(state, path))
        strict_load(g, state, path)
        g.eval()
        w = g.mapping(torch.randn(g.cfg.n_latent, g.cfg.style_dim, generator=gen)).reshape(1, g.cfg.n_latent, -1)
        if kind == 'stylegan2':
            return g, w.detach()
        # StyleSpace: the image as a function of s (StyleMC's gradient).
        s = torch.cat(g.styles(w), dim=1).detach()
        return (lambda x: g.synthesize(g.split_styles(x))), s
    if kind == 'clip-image':
        from clip_model import ARCHIVE_EXTRAS, CLIP, config_from_openai_state

        state = {k: v for k, v in torch.jit.load(path).state_dict().items() if k not in ARCHIVE_EXTRAS}
        model = CLIP(config_from_openai_state(state, path))
        strict_load(model, state, path)
        model.eval()
        r = model.cfg['image_resolution']
        return model.encode_image, torch.randn(1, 3, r, r, generator=gen)
    if kind == 'identity':
        from arcface import Backbone, Identity
        from ir_se import stages_from_state

        state = load_checkpoint(path)
        net = Backbone(stages_from_state(state, path), int(state['output_layer.3.weight'].shape[0]))
        strict_load(net, state, path)
        return Identity(net).eval(), torch.rand(1, 3, 256, 256, generator=gen) * 2 - 1
    raise SystemExit(f'unknown kind {kind}')


def main(kind, path, out):
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(11)
    f, x = model_and_input(kind, path, gen)
    x = x.clone().requires_grad_(True)
    y = f(x)
    r = torch.randn(y.shape, generator=gen)
    (y * r).sum().backward()
    for name, t in (('x', x), ('r', r), ('grad', x.grad)):
        t.detach().numpy().astype('<f4').tofile(os.path.join(out, f'{name}.bin'))
    with open(os.path.join(out, 'shapes.json'), 'w') as fh:
        json.dump({'x': list(x.shape), 'y': list(y.shape)}, fh)


if __name__ == '__main__':
    main(*sys.argv[1:4])
