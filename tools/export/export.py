"""Exports real checkpoints to the ONNX files of a rete-clip-pae model bundle.

  python3 tools/export/export.py stylegan2 <checkpoint.pt> <out-dir> [--size R] [--channel-multiplier M] [--no-stylespace]
  python3 tools/export/export.py e4e <e4e_ffhq_encode.pt> <out-dir> [--encoder-only] [--no-stylespace]
  python3 tools/export/export.py arcface <model_ir_se50.pth> <out-dir>
  python3 tools/export/export.py clip <ViT-B-32.pt | hf-folder> <out-dir> [--bpe bpe_simple_vocab_16e6.txt.gz]
  python3 tools/export/export.py tokenizer <out-dir> (--bpe <file> | --hf <folder>)
  python3 tools/export/export.py nvidia <network.pkl> <out-dir> --repo <stylegan2-ada-pytorch or stylegan3 checkout>

stylegan2, e4e (its decoder) and nvidia (StyleGAN2 networks) also write StyleSpace: styles.onnx
(W+ → s, every modulated convolution's and to_rgb's style vector concatenated) and
synthesis_styles.onnx (s → image); --no-stylespace skips them.

--check-dir <dir> writes inputs and the PyTorch module's outputs for each ONNX file there;
`npm run export` passes a temporary one and runs check-onnx.ts on it (onnxruntime-node).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from common import (  # noqa: E402
    CheckWriter, ExportError, annotate, export_onnx, export_stylespace, fail, file_mb, load_checkpoint, say,
    strict_load, style_layer_list, sub_state, write_model_card,
)

LICENCES = {
    'stylegan2': 'the licence of the checkpoint: NVIDIA\'s FFHQ StyleGAN2 weights (and rosinality conversions of them) are under the Nvidia Source Code License-NC, non-commercial use only',
    'e4e': 'e4e code and its released encoders: MIT; the StyleGAN2 decoder inside the checkpoint keeps NVIDIA\'s Nvidia Source Code License-NC (non-commercial)',
    'arcface': 'InsightFace / IR-SE50 weights: non-commercial research use only',
    'clip': 'OpenAI CLIP code and weights: MIT',
    'nvidia': 'NVIDIA StyleGAN2-ADA / StyleGAN3 weights: Nvidia Source Code License-NC (non-commercial)',
}


def wrote(path, extra=''):
    say(f'wrote {path} ({file_mb(path):.2f} MB){extra}')


def seeded(seed):
    return torch.Generator().manual_seed(seed)


def mean_latent_rows(latent_avg, n_latent, dim, where):
    t = latent_avg.detach().float()
    if t.numel() == dim:
        return t.reshape(1, dim).repeat(n_latent, 1)
    if t.numel() == n_latent * dim:
        return t.reshape(n_latent, dim)
    raise ExportError(f'{where}: latent_avg has shape {tuple(t.shape)}, expected [{dim}] or [{n_latent}, {dim}]')


# ---------------------------------------------------------------- StyleGAN2 (rosinality layout)


def export_generator(
    state, latent_avg, out, check, where, size=None, channel_multiplier=None, lr_mlp=0.01, source='', stylespace=True,
):
    from stylegan2 import Generator, MappingForExport, SynthesisForExport, config_from_state

    try:
        cfg = config_from_state(state, where, size, channel_multiplier, lr_mlp)
    except ValueError as e:
        raise ExportError(str(e)) from e
    say(f'{where}: StyleGAN2 {cfg.describe()}')
    g = Generator(cfg)
    strict_load(g, state, where)
    g.eval()
    L, D = cfg.n_latent, cfg.style_dim
    with torch.no_grad():
        if latent_avg is None:
            z = torch.randn(10000, D, generator=seeded(0))
            latent_avg = g.mapping(z).mean(0)
            say('no latent_avg in the checkpoint: the mean latent is the mean w of 10000 seeded z (seed 0)')
        mean = mean_latent_rows(latent_avg, L, D, where)
    mean_path = os.path.join(out, 'mean_latent.bin')
    mean.numpy().astype('<f4').tofile(mean_path)
    wrote(mean_path, f', [1, {L}, {D}] float32')

    gen_path = os.path.join(out, 'generator.onnx')
    with torch.no_grad():
        z = torch.randn(L, D, generator=seeded(1))
        latent = (mean + 0.7 * (g.mapping(z) - mean)).reshape(1, L, D)
        image = g(latent)  # the checkpoint's own form: grouped convolution with modulated weights
    export_onnx(SynthesisForExport(g), (latent,), gen_path, ['latent'], ['image'])
    annotate(gen_path, {'role': 'generator', 'outputRange': [-1, 1], 'source': source})
    wrote(gen_path, f', latent [1, {L}, {D}] → image [1, 3, {cfg.size}, {cfg.size}]')
    check.add(gen_path, {'latent': latent.numpy()}, {'image': image.numpy()})

    map_path = os.path.join(out, 'mapping.onnx')
    with torch.no_grad():
        z = torch.randn(1, D, generator=seeded(2))
        w = g.mapping(z)
    export_onnx(MappingForExport(g), (z,), map_path, ['z'], ['w'])
    annotate(map_path, {'role': 'mapping', 'source': source})
    wrote(map_path, f', z [1, {D}] → w [1, {D}]')
    check.add(map_path, {'z': z.numpy()}, {'w': w.numpy()})
    if stylespace:
        export_stylegan2_stylespace(g, latent, image, out, check, source)
    return cfg


def export_stylegan2_stylespace(g, latent, image, out, check, source):
    """styles.onnx and synthesis_styles.onnx: the generator split at its affines (rosinality's
    module names: conv1, to_rgb1, convs.N, to_rgbs.N)."""
    from stylegan2 import StylesForExport, SynthesisFromStylesForExport

    layers = style_layer_list((name, conv.c_in, res, kind) for name, conv, _, res, kind in g.style_layers())
    export_stylespace(
        out, check, latent, layers, StylesForExport(g), SynthesisFromStylesForExport(g),
        lambda s: g.synthesize(g.split_styles(s)), image, source, wrote,
    )


def cmd_stylegan2(a, check):
    ckpt = load_checkpoint(a.checkpoint)
    if isinstance(ckpt, dict) and 'g_ema' in ckpt:
        state, latent_avg = ckpt['g_ema'], ckpt.get('latent_avg')
    elif isinstance(ckpt, dict) and 'state_dict' in ckpt and any(k.startswith('decoder.') for k in ckpt['state_dict']):
        state, latent_avg = sub_state(ckpt['state_dict'], 'decoder'), ckpt.get('latent_avg')
    elif isinstance(ckpt, dict) and 'input.input' in ckpt:
        state, latent_avg = ckpt, None
    else:
        keys = ', '.join(list(ckpt)[:8]) if isinstance(ckpt, dict) else type(ckpt).__name__
        raise ExportError(f'{a.checkpoint}: expected a rosinality checkpoint with "g_ema" (or an e4e/pSp checkpoint); its top-level keys are {keys}')
    where = f'{a.checkpoint} (g_ema)' if 'g_ema' in ckpt else a.checkpoint
    export_generator(
        state, latent_avg, a.out, check, where, a.size, a.channel_multiplier, a.lr_mlp, os.path.basename(a.checkpoint),
        not a.no_stylespace,
    )
    write_model_card(a.out, 'Model bundle', [(
        'Generator (StyleGAN2)', f'{os.path.basename(a.checkpoint)}, rosinality stylegan2-pytorch layout', LICENCES['stylegan2'],
        ['Noise fixed to the checkpoint\'s noise buffers; output RGB in [-1, 1].']
        + ([] if a.no_stylespace else ['styles.onnx / synthesis_styles.onnx: the same generator split at its style vectors (StyleSpace).']),
    )])


# ---------------------------------------------------------------- e4e / pSp encoder


def cmd_e4e(a, check):
    from e4e import encoder_from_state

    ckpt = load_checkpoint(a.checkpoint)
    if not (isinstance(ckpt, dict) and 'state_dict' in ckpt):
        raise ExportError(f'{a.checkpoint}: expected an e4e/pSp checkpoint (a dict with "state_dict", "opts", "latent_avg")')
    opts = ckpt.get('opts', {})
    opts = opts if isinstance(opts, dict) else vars(opts)
    kind = opts.get('encoder_type', 'Encoder4Editing')
    if kind not in ('Encoder4Editing', 'GradualStyleEncoder'):
        raise ExportError(f'{a.checkpoint}: encoder_type "{kind}" is not supported (Encoder4Editing or GradualStyleEncoder)')
    state = ckpt['state_dict']
    enc_state = sub_state(state, 'encoder')
    others = [k for k in state if not k.startswith(('encoder.', 'decoder.'))]
    if others:
        raise ExportError(f'{a.checkpoint}: unexpected keys outside encoder./decoder.: ' + ', '.join(others[:10]))
    where = f'{a.checkpoint} (encoder)'
    try:
        enc = encoder_from_state(enc_state, where, kind)
    except ValueError as e:
        raise ExportError(str(e)) from e
    strict_load(enc, enc_state, where)
    enc.eval()
    latent_avg = ckpt.get('latent_avg')
    add_mean = bool(opts.get('start_from_latent_avg', True))
    if add_mean and latent_avg is None:
        raise ExportError(f'{a.checkpoint}: start_from_latent_avg is set but the checkpoint has no latent_avg')
    if not a.encoder_only:
        export_generator(
            sub_state(state, 'decoder'), latent_avg, a.out, check, f'{a.checkpoint} (decoder)',
            source=os.path.basename(a.checkpoint), stylespace=not a.no_stylespace,
        )
    size = enc.input_size
    x = torch.rand(1, 3, size, size, generator=seeded(3)) * 2 - 1
    with torch.no_grad():
        w = enc(x)
    path = os.path.join(a.out, 'encoder.onnx')
    export_onnx(enc, (x,), path, ['image'], ['latent'])
    annotate(path, {'role': 'encoder', 'inputRange': [-1, 1], 'addMeanLatent': add_mean, 'source': os.path.basename(a.checkpoint)})
    wrote(path, f', image [1, 3, {size}, {size}] in [-1, 1] → latent {list(w.shape)}' + (' (offsets from the mean latent)' if add_mean else ''))
    check.add(path, {'image': x.numpy()}, {'latent': w.numpy()})
    write_model_card(a.out, 'Model bundle', [(
        f'Encoder ({kind})', f'{os.path.basename(a.checkpoint)}, omertov/encoder4editing layout', LICENCES['e4e'],
        [f'Input {size} px RGB in [-1, 1]; ' + ('output is the W+ offset from the mean latent (addMeanLatent).' if add_mean else 'output is W+.')],
    )])


# ---------------------------------------------------------------- ArcFace IR-SE50


def cmd_arcface(a, check):
    from arcface import Backbone, Identity, IdentityForExport
    from ir_se import stages_from_state

    state = load_checkpoint(a.checkpoint)
    if isinstance(state, dict) and 'state_dict' in state:
        state = state['state_dict']
    if not isinstance(state, dict) or 'output_layer.3.weight' not in state:
        raise ExportError(f'{a.checkpoint}: expected an IR-SE Backbone state dict (output_layer.3.weight missing)')
    try:
        stages = stages_from_state(state, a.checkpoint)
    except ValueError as e:
        raise ExportError(str(e)) from e
    embed = int(state['output_layer.3.weight'].shape[0])
    net = Backbone(stages, embed)
    strict_load(net, state, a.checkpoint)
    ident = Identity(net).eval()
    x = torch.rand(1, 3, 256, 256, generator=seeded(4)) * 2 - 1
    with torch.no_grad():
        e = ident(x)
    path = os.path.join(a.out, 'identity.onnx')
    export_onnx(IdentityForExport(ident), (x,), path, ['image'], ['embedding'])
    annotate(path, {'role': 'identity', 'inputRange': [-1, 1], 'source': os.path.basename(a.checkpoint)})
    depth = sum(n for _, _, n in stages) * 2 + 2
    wrote(path, f', image [1, 3, 256, 256] in [-1, 1] → embedding [1, {embed}] (IR-SE{depth}, crop [35:223, 32:220], pooled to 112)')
    check.add(path, {'image': x.numpy()}, {'embedding': e.numpy()})
    write_model_card(a.out, 'Model bundle', [(
        'Identity (ArcFace IR-SE50)', f'{os.path.basename(a.checkpoint)}, InsightFace_Pytorch Backbone(50, ir_se) layout', LICENCES['arcface'],
        ['Takes a 256 px face in [-1, 1], crops and pools as StyleCLIP\'s identity loss; unit-length embedding.'],
    )])


# ---------------------------------------------------------------- CLIP


def read_clip(source, where):
    """(OpenAI-layout state dict, config, tokenizer vocab/merges or None) from an OpenAI .pt
    (TorchScript archive or state dict) or a Hugging Face CLIPModel folder."""
    import json

    from clip_model import ARCHIVE_EXTRAS, config_from_openai_state, openai_state_from_hf
    from clip_tokenizer import vocab_from_hf

    if os.path.isdir(source):
        cfg_path = os.path.join(source, 'config.json')
        if not os.path.isfile(cfg_path):
            raise ExportError(f'{source}: no config.json, so this is not a Hugging Face model folder')
        with open(cfg_path) as f:
            config = json.load(f)
        bin_path, st_path = os.path.join(source, 'pytorch_model.bin'), os.path.join(source, 'model.safetensors')
        if os.path.isfile(bin_path):
            hf = load_checkpoint(bin_path)
        elif os.path.isfile(st_path):
            from safetensors_reader import load_safetensors

            hf = load_safetensors(st_path)
        else:
            raise ExportError(f'{source}: neither pytorch_model.bin nor model.safetensors (sharded weights are not supported)')
        try:
            state, cfg = openai_state_from_hf(hf, config, source)
        except ValueError as e:
            raise ExportError(str(e)) from e
        tok = None
        v, m = os.path.join(source, 'vocab.json'), os.path.join(source, 'merges.txt')
        if os.path.isfile(v) and os.path.isfile(m):
            tok = vocab_from_hf(v, m)
        return state, cfg, tok
    try:
        archive = torch.jit.load(source, map_location='cpu')
        state = archive.state_dict()
    except Exception:
        state = load_checkpoint(source)
        if isinstance(state, dict) and 'state_dict' in state:
            state = state['state_dict']
    state = {k: v for k, v in state.items() if k not in ARCHIVE_EXTRAS}
    try:
        return state, config_from_openai_state(state, where), None
    except ValueError as e:
        raise ExportError(str(e)) from e


CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def cmd_clip(a, check):
    from clip_model import CLIP, ImageTower, TextTower
    from clip_tokenizer import vocab_from_bpe_file, write_tokenizer

    state, cfg, tok = read_clip(a.checkpoint, a.checkpoint)
    if a.bpe:
        tok = vocab_from_bpe_file(a.bpe)
    if tok is None:
        raise ExportError(
            f'{a.checkpoint}: the tokenizer is not inside an OpenAI checkpoint: pass --bpe bpe_simple_vocab_16e6.txt.gz '
            '(clip/bpe_simple_vocab_16e6.txt.gz in the CLIP repository)'
        )
    vocab, merges = tok
    if len(vocab) != cfg['vocab_size']:
        raise ExportError(f'the tokenizer has {len(vocab)} tokens, the text tower\'s token_embedding has {cfg["vocab_size"]} rows')
    model = CLIP(cfg)
    strict_load(model, state, a.checkpoint)
    model.eval()
    say(
        f'{a.checkpoint}: CLIP ViT {cfg["image_resolution"]} px / patch {cfg["patch"]}, vision {cfg["vision_layers"]}×{cfg["vision_width"]} '
        f'({cfg["vision_heads"]} heads), text {cfg["text_layers"]}×{cfg["text_width"]} ({cfg["text_heads"]} heads), embed {cfg["embed_dim"]}'
    )
    r, n = cfg['image_resolution'], cfg['context_length']
    src = os.path.basename(os.path.normpath(a.checkpoint))
    pixels = torch.randn(1, 3, r, r, generator=seeded(5))
    with torch.no_grad():
        emb = model.encode_image(pixels)
    img_path = os.path.join(a.out, 'clip_image.onnx')
    export_onnx(ImageTower(model), (pixels,), img_path, ['pixel_values'], ['image_embeds'])
    annotate(img_path, {'role': 'clipImage', 'mean': CLIP_MEAN, 'std': CLIP_STD, 'source': src})
    wrote(img_path, f', pixel_values [1, 3, {r}, {r}] → image_embeds [1, {cfg["embed_dim"]}]')
    check.add(img_path, {'pixel_values': pixels.numpy()}, {'image_embeds': emb.numpy()})

    sot, eot = vocab['<|startoftext|>'], vocab['<|endoftext|>']
    body = torch.randint(0, min(sot, cfg['vocab_size']), (min(10, n - 2),), generator=seeded(6))
    ids = torch.zeros(1, n, dtype=torch.int64)
    ids[0, 0] = sot
    ids[0, 1:1 + len(body)] = body
    ids[0, 1 + len(body)] = eot
    with torch.no_grad():
        temb = model.encode_text(ids)
    txt_path = os.path.join(a.out, 'clip_text.onnx')
    export_onnx(TextTower(model), (ids,), txt_path, ['input_ids'], ['text_embeds'])
    annotate(txt_path, {'role': 'clipText', 'padId': 0, 'source': src})
    wrote(txt_path, f', input_ids [1, {n}] int64 → text_embeds [1, {cfg["embed_dim"]}]')
    check.add(txt_path, {'input_ids': ids.numpy()}, {'text_embeds': temb.numpy()})

    tok_path = os.path.join(a.out, 'tokenizer.json')
    write_tokenizer(vocab, merges, tok_path)
    wrote(tok_path, f', {len(vocab)} tokens, {len(merges)} merges')
    write_model_card(a.out, 'Model bundle', [(
        'CLIP (image and text towers, tokenizer)', f'{src}', LICENCES['clip'],
        [f'Image input {r} px, normalized with CLIP\'s mean and std; text input {n} ids padded with 0; embeddings not normalized (the app normalizes).'],
    )])


def cmd_tokenizer(a, check):
    from clip_tokenizer import vocab_from_bpe_file, vocab_from_hf, write_tokenizer

    if a.bpe:
        vocab, merges = vocab_from_bpe_file(a.bpe)
    elif a.hf:
        vocab, merges = vocab_from_hf(os.path.join(a.hf, 'vocab.json'), os.path.join(a.hf, 'merges.txt'))
    else:
        raise ExportError('tokenizer needs --bpe <file> or --hf <folder>')
    path = os.path.join(a.checkpoint, 'tokenizer.json')  # the positional is the out-dir here
    write_tokenizer(vocab, merges, path)
    wrote(path, f', {len(vocab)} tokens, {len(merges)} merges')


# ---------------------------------------------------------------- NVIDIA pickles


def cmd_nvidia(a, check):
    from nvidia import export_nvidia

    styles = export_nvidia(a, check, wrote)
    write_model_card(a.out, 'Model bundle', [(
        'Generator (NVIDIA StyleGAN2-ADA / StyleGAN3 pickle)', os.path.basename(a.checkpoint), LICENCES['nvidia'],
        ['Exported inside the NVIDIA code checkout given with --repo; noise_mode const; output RGB in [-1, 1].']
        + (['styles.onnx / synthesis_styles.onnx: the same generator split at its style vectors (StyleSpace).'] if styles else []),
    )])


COMMANDS = {
    'stylegan2': cmd_stylegan2, 'e4e': cmd_e4e, 'arcface': cmd_arcface, 'clip': cmd_clip, 'tokenizer': cmd_tokenizer,
    'nvidia': cmd_nvidia,
}


def main(argv):
    p = argparse.ArgumentParser(prog='export', description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('kind', choices=sorted(COMMANDS))
    p.add_argument('checkpoint')
    p.add_argument('out', nargs='?')
    p.add_argument('--check-dir')
    p.add_argument('--size', type=int)
    p.add_argument('--channel-multiplier', type=int)
    p.add_argument('--lr-mlp', type=float, default=0.01)
    p.add_argument('--encoder-only', action='store_true')
    p.add_argument('--bpe')
    p.add_argument('--hf')
    p.add_argument('--repo')
    p.add_argument('--no-stylespace', action='store_true', help='skip styles.onnx and synthesis_styles.onnx')
    a = p.parse_args(argv)
    if a.kind != 'tokenizer' and not a.out:
        p.error(f'{a.kind} needs <checkpoint> <out-dir>')
    out = a.checkpoint if a.kind == 'tokenizer' else a.out
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    try:
        COMMANDS[a.kind](a, CheckWriter(a.check_dir))
    except ExportError as e:
        fail(e)


if __name__ == '__main__':
    main(sys.argv[1:])
