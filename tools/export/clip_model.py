"""CLIP ViT towers with the key layout of OpenAI's clip/model.py state dicts (visual.conv1.weight,
visual.class_embedding, visual.transformer.resblocks.N.attn.in_proj_weight, token_embedding,
text_projection, …), and the mapping from Hugging Face CLIPModel key names onto it.

Attention is written out (q, k, v slices of in_proj, softmax, out_proj) in the exported form; the
reference form calls torch's multi_head_attention_forward on the same parameters, so the exporter
checks the written-out graph against PyTorch's own attention."""
import math
import re
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    """Parameters named as nn.MultiheadAttention's: in_proj_weight [3D, D], in_proj_bias, out_proj."""

    def __init__(self, d, heads):
        super().__init__()
        self.in_proj_weight = nn.Parameter(torch.zeros(3 * d, d))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d))
        self.out_proj = nn.Linear(d, d)
        self.d, self.heads = d, heads

    def forward(self, x, mask=None, export=False):  # x: [B, L, D]
        b, n, d = (int(s) for s in x.shape)
        if not export:
            out, _ = F.multi_head_attention_forward(
                x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1), d, self.heads,
                self.in_proj_weight, self.in_proj_bias, None, None, False, 0.0,
                self.out_proj.weight, self.out_proj.bias, training=False, need_weights=False, attn_mask=mask,
            )
            return out.transpose(0, 1)
        h, hd = self.heads, d // self.heads
        qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias)
        q, k, v = (qkv[:, :, i * d:(i + 1) * d].reshape(b, n, h, hd).transpose(1, 2) for i in range(3))
        att = torch.matmul(q * (1.0 / math.sqrt(hd)), k.transpose(2, 3))
        if mask is not None:
            att = att + mask
        out = torch.matmul(torch.softmax(att, dim=-1), v).transpose(1, 2).reshape(b, n, d)
        return self.out_proj(out)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d, heads, act='quick_gelu', eps=1e-5):
        super().__init__()
        self.attn = Attention(d, heads)
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        gelu = QuickGELU() if act == 'quick_gelu' else nn.GELU()
        self.mlp = nn.Sequential(
            OrderedDict([('c_fc', nn.Linear(d, 4 * d)), ('gelu', gelu), ('c_proj', nn.Linear(4 * d, d))])
        )
        self.ln_2 = nn.LayerNorm(d, eps=eps)

    def forward(self, x, mask=None, export=False):
        x = x + self.attn(self.ln_1(x), mask, export)
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, d, layers, heads, act, eps=1e-5):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(d, heads, act, eps) for _ in range(layers)])

    def forward(self, x, mask=None, export=False):
        for block in self.resblocks:
            x = block(x, mask, export)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, resolution, patch, width, layers, heads, embed_dim, act, eps=1e-5):
        super().__init__()
        grid = resolution // patch
        self.conv1 = nn.Conv2d(3, width, patch, patch, bias=False)
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.positional_embedding = nn.Parameter(torch.zeros(grid * grid + 1, width))
        self.ln_pre = nn.LayerNorm(width, eps=eps)
        self.transformer = Transformer(width, layers, heads, act, eps)
        self.ln_post = nn.LayerNorm(width, eps=eps)
        self.proj = nn.Parameter(torch.zeros(width, embed_dim))
        self.resolution = resolution

    def forward(self, x, export=False):
        x = self.conv1(x)
        b, w = int(x.shape[0]), int(x.shape[1])
        x = x.reshape(b, w, -1).transpose(1, 2)
        cls = self.class_embedding.reshape(1, 1, w).expand(b, 1, w)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.transformer(self.ln_pre(x), None, export)
        return self.ln_post(x[:, 0, :]) @ self.proj


class CLIP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.visual = VisionTransformer(
            cfg['image_resolution'], cfg['patch'], cfg['vision_width'], cfg['vision_layers'],
            cfg['vision_heads'], cfg['embed_dim'], cfg['act'], cfg.get('vision_eps', 1e-5),
        )
        w = cfg['text_width']
        self.token_embedding = nn.Embedding(cfg['vocab_size'], w)
        self.positional_embedding = nn.Parameter(torch.zeros(cfg['context_length'], w))
        self.transformer = Transformer(w, cfg['text_layers'], cfg['text_heads'], cfg['act'], cfg.get('eps', 1e-5))
        self.ln_final = nn.LayerNorm(w, eps=cfg.get('eps', 1e-5))
        self.text_projection = nn.Parameter(torch.zeros(w, cfg['embed_dim']))
        self.logit_scale = nn.Parameter(torch.zeros([]))
        n = cfg['context_length']
        self.register_buffer('causal', torch.full((n, n), float('-inf')).triu(1), persistent=False)

    def encode_image(self, pixels, export=False):
        return self.visual(pixels, export)

    def encode_text(self, ids, export=False):
        x = self.token_embedding(ids) + self.positional_embedding
        x = self.ln_final(self.transformer(x, self.causal, export))
        # The end-of-text token has the largest id: its position is where CLIP pools.
        eot = ids.argmax(dim=-1)
        if export:  # batch 1: a Gather on the sequence axis
            pooled = torch.index_select(x[0], 0, eot)
        else:
            pooled = x[torch.arange(int(x.shape[0])), eot]
        return pooled @ self.text_projection


class ImageTower(nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, pixel_values):
        return self.clip.encode_image(pixel_values, export=True)


class TextTower(nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, input_ids):
        return self.clip.encode_text(input_ids, export=True)


ARCHIVE_EXTRAS = ('input_resolution', 'context_length', 'vocab_size')


def config_from_openai_state(state, where):
    """What OpenAI's build_model reads from a state dict: widths from shapes, depths from key
    counts, 64-wide attention heads."""
    if 'visual.proj' not in state or 'visual.class_embedding' not in state:
        if any(k.startswith('visual.layer1.') for k in state):
            raise ValueError(f'{where}: a ResNet CLIP (ModifiedResNet image tower); only ViT CLIP models are supported')
        raise ValueError(f'{where}: no visual.proj / visual.class_embedding, so this is not an OpenAI CLIP ViT state dict')
    vw = int(state['visual.conv1.weight'].shape[0])
    patch = int(state['visual.conv1.weight'].shape[-1])
    grid = round((int(state['visual.positional_embedding'].shape[0]) - 1) ** 0.5)
    tw = int(state['ln_final.weight'].shape[0])
    count = lambda pre: len({m.group(1) for k in state for m in [re.match(pre + r'(\d+)\.', k)] if m})  # noqa: E731
    return {
        'embed_dim': int(state['text_projection'].shape[1]),
        'image_resolution': patch * grid,
        'patch': patch,
        'vision_width': vw,
        'vision_layers': count(r'visual\.transformer\.resblocks\.'),
        'vision_heads': max(1, vw // 64),
        'context_length': int(state['positional_embedding'].shape[0]),
        'vocab_size': int(state['token_embedding.weight'].shape[0]),
        'text_width': tw,
        'text_layers': count(r'transformer\.resblocks\.'),
        'text_heads': max(1, tw // 64),
        'act': 'quick_gelu',
    }


def openai_state_from_hf(hf, config, where):
    """Renames a Hugging Face CLIPModel state dict into OpenAI's layout (q/k/v joined into
    in_proj, projections transposed) and reads the config from config.json."""
    out = {}
    used = set()

    def take(key):
        if key not in hf:
            raise ValueError(f'{where}: no key "{key}" in the Hugging Face CLIPModel weights')
        used.add(key)
        return hf[key]

    layer_ids = lambda pre: sorted({int(m.group(1)) for k in hf for m in [re.match(pre + r'(\d+)\.', k)] if m})  # noqa: E731
    for hf_pre, oa_pre in (('vision_model.encoder.layers.', 'visual.transformer.resblocks.'), ('text_model.encoder.layers.', 'transformer.resblocks.')):
        for i in layer_ids(re.escape(hf_pre)):
            a, o = f'{hf_pre}{i}.', f'{oa_pre}{i}.'
            for part in ('weight', 'bias'):
                out[f'{o}attn.in_proj_{part}'] = torch.cat([take(f'{a}self_attn.{p}_proj.{part}') for p in 'qkv'])
                out[f'{o}attn.out_proj.{part}'] = take(f'{a}self_attn.out_proj.{part}')
                out[f'{o}ln_1.{part}'] = take(f'{a}layer_norm1.{part}')
                out[f'{o}ln_2.{part}'] = take(f'{a}layer_norm2.{part}')
                out[f'{o}mlp.c_fc.{part}'] = take(f'{a}mlp.fc1.{part}')
                out[f'{o}mlp.c_proj.{part}'] = take(f'{a}mlp.fc2.{part}')
    out['visual.class_embedding'] = take('vision_model.embeddings.class_embedding')
    out['visual.conv1.weight'] = take('vision_model.embeddings.patch_embedding.weight')
    out['visual.positional_embedding'] = take('vision_model.embeddings.position_embedding.weight')
    for part in ('weight', 'bias'):
        out[f'visual.ln_pre.{part}'] = take(f'vision_model.pre_layrnorm.{part}')
        out[f'visual.ln_post.{part}'] = take(f'vision_model.post_layernorm.{part}')
        out[f'ln_final.{part}'] = take(f'text_model.final_layer_norm.{part}')
    out['visual.proj'] = take('visual_projection.weight').t()
    out['token_embedding.weight'] = take('text_model.embeddings.token_embedding.weight')
    out['positional_embedding'] = take('text_model.embeddings.position_embedding.weight')
    out['text_projection'] = take('text_projection.weight').t()
    out['logit_scale'] = take('logit_scale')
    ignorable = {'text_model.embeddings.position_ids', 'vision_model.embeddings.position_ids'}
    left = [k for k in hf if k not in used and k not in ignorable]
    if left:
        raise ValueError(f'{where}: unexpected keys for a CLIPModel ({len(left)}): ' + ', '.join(left[:20]))
    cfg = config_from_openai_state(out, where)
    tc, vc = config.get('text_config', {}), config.get('vision_config', {})
    cfg['text_heads'] = int(tc.get('num_attention_heads', cfg['text_heads']))
    cfg['vision_heads'] = int(vc.get('num_attention_heads', cfg['vision_heads']))
    act = tc.get('hidden_act', 'quick_gelu')
    if act not in ('quick_gelu', 'gelu'):
        raise ValueError(f'{where}: config.json hidden_act "{act}" is not supported (quick_gelu or gelu)')
    cfg['act'] = act
    cfg['eps'] = float(tc.get('layer_norm_eps', 1e-5))
    cfg['vision_eps'] = float(vc.get('layer_norm_eps', 1e-5))
    return out, cfg
