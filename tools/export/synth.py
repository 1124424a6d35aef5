"""Synthetic checkpoints in the upstream layouts, with seeded random weights: what the exporters
are tested on, since no real weights can be fetched here. Sizes are the upstream ones at
--width 1; smaller widths scale every channel count (the key layout stays the same).

  python3 tools/export/synth.py stylegan2 <out.pt> --size 256 [--width 0.25] [--channel-multiplier 2]
  python3 tools/export/synth.py e4e <out.pt> --size 256 [--width 0.25] [--encoder-width 0.25]
  python3 tools/export/synth.py arcface <out.pth> [--width 0.25]
  python3 tools/export/synth.py bpe <out.txt.gz> [--merges 400]
  python3 tools/export/synth.py clip <out.pt> --bpe <file> [--width 0.25] [--layers 2] [--hf <folder>] [--safetensors]
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402


def randomize_generator(g, gen):
    sd = g.state_dict()
    out = {}
    for k, v in sd.items():
        if k.endswith('.kernel'):
            out[k] = v  # the FIR filters are fixed, not trained
        elif k.startswith('style.') and k.endswith('.weight'):
            out[k] = torch.randn(v.shape, generator=gen) / g.cfg.lr_mlp
        elif k.endswith('modulation.bias'):
            out[k] = torch.ones(v.shape) + 0.1 * torch.randn(v.shape, generator=gen)
        elif k.endswith('noise.weight'):
            out[k] = 0.1 * torch.randn(v.shape, generator=gen)
        elif k.endswith('.bias'):
            out[k] = 0.05 * torch.randn(v.shape, generator=gen)
        else:  # conv weights, constant input, noise maps: N(0, 1) as upstream initializes them
            out[k] = torch.randn(v.shape, generator=gen)
    g.load_state_dict(out)
    return out


def make_generator(size, width, channel_multiplier, gen):
    from stylegan2 import Generator, StyleGAN2Config, upstream_channels

    channels = {r: c for r, c in upstream_channels(channel_multiplier, width).items() if r <= size}
    cfg = StyleGAN2Config(size, max(8, int(round(512 * width))), 8, channels)
    g = Generator(cfg).eval()
    state = randomize_generator(g, gen)
    with torch.no_grad():
        latent_avg = g.mapping(torch.randn(4096, cfg.style_dim, generator=gen)).mean(0)
    return g, state, latent_avg


def randomize_bn(module, gen):
    for m in module.modules():
        if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
            n = m.num_features
            m.running_mean.copy_(0.1 * torch.randn(n, generator=gen))
            m.running_var.copy_(0.5 + torch.rand(n, generator=gen))
            m.weight.data.copy_(1 + 0.1 * torch.randn(n, generator=gen))
            m.bias.data.copy_(0.1 * torch.randn(n, generator=gen))
        elif isinstance(m, torch.nn.PReLU):
            m.weight.data.copy_(0.25 + 0.05 * torch.randn(m.weight.shape, generator=gen))


def cmd_stylegan2(a, gen):
    _, state, latent_avg = make_generator(a.size, a.width, a.channel_multiplier, gen)
    torch.save({'g_ema': state, 'latent_avg': latent_avg}, a.out)


def cmd_e4e(a, gen):
    from e4e import StyleEncoder
    from ir_se import scaled_stages

    g, dec_state, latent_avg = make_generator(a.size, a.width, a.channel_multiplier, gen)
    stages = scaled_stages(50, a.encoder_width)
    count = g.cfg.n_latent
    spatials = [16 if i < 3 else 32 if i < 7 else 64 for i in range(count)]
    torch.manual_seed(a.seed)
    enc = StyleEncoder(stages, spatials, g.cfg.style_dim).eval()
    randomize_bn(enc, gen)
    for block in enc.styles:  # EqualLinear starts from N(0, 1) weights upstream
        block.linear.weight.data.copy_(torch.randn(block.linear.weight.shape, generator=gen))
        block.linear.bias.data.copy_(0.1 * torch.randn(block.linear.bias.shape, generator=gen))
    state = {f'encoder.{k}': v for k, v in enc.state_dict().items()}
    state.update({f'decoder.{k}': v for k, v in dec_state.items()})
    opts = {'stylegan_size': a.size, 'encoder_type': 'Encoder4Editing', 'start_from_latent_avg': True, 'input_nc': 3}
    torch.save({'state_dict': state, 'opts': opts, 'latent_avg': latent_avg}, a.out)


def cmd_arcface(a, gen):
    from arcface import Backbone
    from ir_se import scaled_stages

    torch.manual_seed(a.seed)
    net = Backbone(scaled_stages(50, a.width), max(16, int(round(512 * a.width)))).eval()
    randomize_bn(net, gen)
    torch.save(net.state_dict(), a.out)


CORPUS = (
    'a happy face a sad face an angry face a fearful face a surprised face a disgusted face a neutral face '
    'a person with grey hair a person with blond hair a person wearing glasses a smiling woman a smiling man '
    'a photo of a face a close up photo of a person with large eyes and a beard'
)


def learn_merges(text, count):
    """A tiny BPE trainer (most frequent adjacent pair first) on words with '</w>' on their last
    symbol, as CLIP's vocabulary is built; enough to make a real-format merges file."""
    words = Counter(text.lower().split())
    seqs = {w: list(w[:-1]) + [w[-1] + '</w>'] for w in words}
    merges = []
    while len(merges) < count:
        pairs = Counter()
        for w, s in seqs.items():
            for p in zip(s, s[1:]):
                pairs[p] += words[w]
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        for w, s in seqs.items():
            i, out = 0, []
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(s[i] + s[i + 1])
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return merges


def fill_merges(merges, count):
    """Pads learned merges up to `count` with pairs of byte characters whose joined token is not in
    the vocabulary yet, so a synthetic file can have the real file's 48,894 merges (and the text
    tower the real 49,408-row token embedding)."""
    from clip_tokenizer import byte_alphabet

    chars = list(byte_alphabet().values())
    taken = set(chars) | {c + '</w>' for c in chars} | {x + y for x, y in merges}
    out = list(merges)
    for x in chars:
        for y in chars + [c + '</w>' for c in chars]:
            if len(out) >= count:
                return out
            if x + y not in taken:
                taken.add(x + y)
                out.append((x, y))
    return out


def cmd_bpe(a, gen):
    merges = learn_merges(CORPUS, a.merges)
    if a.fill:
        merges = fill_merges(merges, a.merges)
    with gzip.open(a.out, 'wb') as f:
        f.write(('"bpe_simple_vocab synthetic"\n' + '\n'.join(f'{x} {y}' for x, y in merges) + '\n').encode('utf-8'))


def clip_state(cfg, gen):
    from clip_model import CLIP

    model = CLIP(cfg)
    sd = {}
    for k, v in model.state_dict().items():
        if k.endswith(('ln_1.weight', 'ln_2.weight', 'ln_pre.weight', 'ln_post.weight', 'ln_final.weight')):
            sd[k] = torch.ones(v.shape)
        elif k == 'logit_scale':
            sd[k] = torch.tensor(math.log(1 / 0.07))
        elif k in ('visual.proj', 'text_projection'):
            sd[k] = torch.randn(v.shape, generator=gen) / math.sqrt(v.shape[0])
        elif k.endswith('.bias'):
            sd[k] = 0.02 * torch.randn(v.shape, generator=gen)
        else:
            sd[k] = 0.05 * torch.randn(v.shape, generator=gen)
    return model, sd


def hf_state(sd):
    """OpenAI layout → Hugging Face CLIPModel names (the inverse of clip_model.openai_state_from_hf)."""
    out = {}
    for k, v in sd.items():
        for oa, hf in (('visual.transformer.resblocks.', 'vision_model.encoder.layers.'), ('transformer.resblocks.', 'text_model.encoder.layers.')):
            if k.startswith(oa):
                rest = k[len(oa):]
                i, name = rest.split('.', 1)
                p = f'{hf}{i}.'
                if name.startswith('attn.in_proj_'):
                    part = name.rsplit('_', 1)[1]
                    for j, x in enumerate('qkv'):
                        out[f'{p}self_attn.{x}_proj.{part}'] = v.chunk(3)[j].clone()
                else:
                    m = {'attn.out_proj': 'self_attn.out_proj', 'ln_1': 'layer_norm1', 'ln_2': 'layer_norm2', 'mlp.c_fc': 'mlp.fc1', 'mlp.c_proj': 'mlp.fc2'}
                    head, part = name.rsplit('.', 1)
                    out[f'{p}{m[head]}.{part}'] = v
                break
        else:
            simple = {
                'visual.class_embedding': 'vision_model.embeddings.class_embedding',
                'visual.conv1.weight': 'vision_model.embeddings.patch_embedding.weight',
                'visual.positional_embedding': 'vision_model.embeddings.position_embedding.weight',
                'visual.ln_pre.weight': 'vision_model.pre_layrnorm.weight', 'visual.ln_pre.bias': 'vision_model.pre_layrnorm.bias',
                'visual.ln_post.weight': 'vision_model.post_layernorm.weight', 'visual.ln_post.bias': 'vision_model.post_layernorm.bias',
                'ln_final.weight': 'text_model.final_layer_norm.weight', 'ln_final.bias': 'text_model.final_layer_norm.bias',
                'token_embedding.weight': 'text_model.embeddings.token_embedding.weight',
                'positional_embedding': 'text_model.embeddings.position_embedding.weight',
                'logit_scale': 'logit_scale',
            }
            if k in simple:
                out[simple[k]] = v
            elif k == 'visual.proj':
                out['visual_projection.weight'] = v.t().contiguous()
            elif k == 'text_projection':
                out['text_projection.weight'] = v.t().contiguous()
            else:
                raise KeyError(k)
    n_text = sd['positional_embedding'].shape[0]
    n_vis = sd['visual.positional_embedding'].shape[0]
    out['text_model.embeddings.position_ids'] = torch.arange(n_text)[None]
    out['vision_model.embeddings.position_ids'] = torch.arange(n_vis)[None]
    return out


def save_safetensors(tensors, path):
    header, blobs, offset = {}, [], 0
    names = {torch.float32: 'F32', torch.float16: 'F16', torch.int64: 'I64'}
    for k, v in tensors.items():
        raw = v.contiguous().numpy().tobytes()
        header[k] = {'dtype': names[v.dtype], 'shape': list(v.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def cmd_clip(a, gen):
    from clip_tokenizer import vocab_from_bpe_file

    vocab, merges = vocab_from_bpe_file(a.bpe)
    vw = max(64, int(round(768 * a.width / 64)) * 64)
    tw = max(64, int(round(512 * a.width / 64)) * 64)
    cfg = {
        'embed_dim': max(16, int(round(512 * a.width))), 'image_resolution': a.resolution, 'patch': a.patch,
        'vision_width': vw, 'vision_layers': a.layers, 'vision_heads': vw // 64, 'context_length': 77,
        'vocab_size': len(vocab), 'text_width': tw, 'text_layers': a.layers, 'text_heads': tw // 64, 'act': 'quick_gelu',
    }
    model, sd = clip_state(cfg, gen)
    half = {k: v.half() for k, v in sd.items()}  # OpenAI's archives hold float16 weights
    if a.state_dict:
        torch.save(half, a.out)
    else:
        extras = {k: torch.tensor(v) for k, v in (('input_resolution', a.resolution), ('context_length', 77), ('vocab_size', len(vocab)))}
        torch.jit.save(torch.jit.script(archive_module({**half, **extras})), a.out)
    if a.hf:
        os.makedirs(a.hf, exist_ok=True)
        hf = hf_state(half)  # the same float16 numbers as the archive
        if a.safetensors:
            save_safetensors(hf, os.path.join(a.hf, 'model.safetensors'))
        else:
            torch.save(hf, os.path.join(a.hf, 'pytorch_model.bin'))
        config = {
            'architectures': ['CLIPModel'], 'projection_dim': cfg['embed_dim'],
            'text_config': {'hidden_size': tw, 'num_attention_heads': cfg['text_heads'], 'num_hidden_layers': a.layers,
                            'hidden_act': 'quick_gelu', 'layer_norm_eps': 1e-5, 'max_position_embeddings': 77, 'vocab_size': len(vocab)},
            'vision_config': {'hidden_size': vw, 'num_attention_heads': cfg['vision_heads'], 'num_hidden_layers': a.layers,
                              'hidden_act': 'quick_gelu', 'image_size': a.resolution, 'patch_size': a.patch},
        }
        with open(os.path.join(a.hf, 'config.json'), 'w') as f:
            json.dump(config, f, indent=2)
        with open(os.path.join(a.hf, 'vocab.json'), 'w', encoding='utf-8') as f:
            json.dump(vocab, f, ensure_ascii=False)
        with open(os.path.join(a.hf, 'merges.txt'), 'w', encoding='utf-8') as f:
            f.write('#version: 0.2\n' + '\n'.join(f'{x} {y}' for x, y in merges) + '\n')


def archive_module(state):
    """Bare containers holding the tensors under their state-dict names (no forwards to compile),
    so a scripted copy saves as a TorchScript archive whose state dict reads like ViT-B-32.pt's."""

    class Root(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x

    root = Root()
    for key, value in state.items():
        *path, leaf = key.split('.')
        node = root
        for part in path:
            if not hasattr(node, part):
                node.add_module(part, torch.nn.Module())
            node = getattr(node, part)
        if value.is_floating_point():
            node.register_parameter(leaf, torch.nn.Parameter(value, requires_grad=False))
        else:
            node.register_buffer(leaf, value)
    return root


COMMANDS = {'stylegan2': cmd_stylegan2, 'e4e': cmd_e4e, 'arcface': cmd_arcface, 'bpe': cmd_bpe, 'clip': cmd_clip}


def main(argv):
    p = argparse.ArgumentParser(prog='synth', description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('kind', choices=sorted(COMMANDS))
    p.add_argument('out')
    p.add_argument('--size', type=int, default=256)
    p.add_argument('--width', type=float, default=1.0)
    p.add_argument('--encoder-width', type=float, default=None)
    p.add_argument('--channel-multiplier', type=int, default=2)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--merges', type=int, default=400)
    p.add_argument('--bpe')
    p.add_argument('--fill', action='store_true', help='bpe: pad to --merges with synthetic pairs')
    p.add_argument('--layers', type=int, default=12)
    p.add_argument('--resolution', type=int, default=224)
    p.add_argument('--patch', type=int, default=32)
    p.add_argument('--hf')
    p.add_argument('--safetensors', action='store_true')
    p.add_argument('--state-dict', action='store_true', help='clip: a plain state dict instead of a TorchScript archive')
    a = p.parse_args(argv)
    if a.encoder_width is None:
        a.encoder_width = a.width
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    COMMANDS[a.kind](a, torch.Generator().manual_seed(a.seed))
    print(f'wrote {a.out} ({os.path.getsize(a.out) / 1e6:.2f} MB)')


if __name__ == '__main__':
    main(sys.argv[1:])
