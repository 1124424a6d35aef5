"""A stand-in for NVIDIA's checkouts (NVlabs/stylegan2-ada-pytorch, NVlabs/stylegan3), for the
interface only: the exporter's `nvidia` command imports `legacy.load_network_pkl` from the folder
given with --repo and reads {'G_ema': G} from it. This folder holds none of NVIDIA's code. Its
"pickle" is a rosinality-layout checkpoint (tools/export/synth.py stylegan2: {'g_ema': state,
'latent_avg': w}, plus 'c_dim' to make a conditional generator), and G is networks.Generator,
the project's own StyleGAN2 behind NVIDIA's attribute names and call signatures. The exporter was
checked against NVIDIA's real code once (tools/export/README.md); the tests use this folder."""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'tools', 'export'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from networks import Generator  # noqa: E402
from stylegan2 import Generator as Rosinality, config_from_state  # noqa: E402


def load_network_pkl(f, force_fp16=False):
    ckpt = torch.load(f, map_location='cpu')
    state = ckpt['g_ema']
    g = Rosinality(config_from_state(state, 'stand-in checkpoint'))
    g.load_state_dict(state)
    G = Generator(g.eval(), ckpt['latent_avg'], int(ckpt.get('c_dim', 0))).eval()
    return {'G': G, 'D': None, 'G_ema': G, 'training_set_kwargs': None, 'augment_pipe': None}
