"""Shared pieces of the exporters: checkpoint reading, strict state-dict loading, ONNX export and
the check data that tools/export/check-onnx.ts compares onnxruntime's outputs against.

Runs on Debian's python3-torch 1.13 and on current PyTorch: only APIs both have are used, and the
options that changed between them (torch.load's weights_only, torch.onnx.export's dynamo) are set
only where the running version knows them.
"""
import inspect
import json
import os
import sys

import numpy as np
import torch

OPSET = 17


class ExportError(Exception):
    """A problem with the user's input: printed as one message, no traceback."""


def load_checkpoint(path):
    """torch.load on the CPU. Checkpoints hold argparse namespaces and dicts of options, so
    weights_only (the default from PyTorch 2.6) is turned off where the option exists; only load
    checkpoints you trust."""
    if not os.path.isfile(path):
        raise ExportError(f'{path}: no such file')
    kwargs = {'map_location': 'cpu'}
    if 'weights_only' in inspect.signature(torch.load).parameters:
        kwargs['weights_only'] = False
    try:
        return torch.load(path, **kwargs)
    except Exception as e:  # a pickle or zip error: say which file
        raise ExportError(f'{path}: cannot be read by torch.load: {e}') from e


def strict_load(module, state, where):
    """load_state_dict(strict=True) with a message that names every missing, unexpected and
    wrongly shaped key, so a checkpoint of another layout fails before anything is exported."""
    own = module.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [
        f'{k}: checkpoint {tuple(state[k].shape)}, architecture {tuple(own[k].shape)}'
        for k in own
        if k in state and tuple(state[k].shape) != tuple(own[k].shape)
    ]
    if missing or unexpected or shapes:
        lines = [f'{where} does not match the architecture:']
        if missing:
            lines.append(f'  missing keys ({len(missing)}): ' + ', '.join(missing[:20]) + (' …' if len(missing) > 20 else ''))
        if unexpected:
            lines.append(
                f'  unexpected keys ({len(unexpected)}): ' + ', '.join(unexpected[:20]) + (' …' if len(unexpected) > 20 else '')
            )
        if shapes:
            lines.append('  wrong shapes: ' + '; '.join(shapes[:20]))
        raise ExportError('\n'.join(lines))
    module.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()}, strict=True)


def sub_state(state, prefix):
    """The keys under `prefix.` with the prefix cut off."""
    p = prefix + '.'
    return {k[len(p):]: v for k, v in state.items() if k.startswith(p)}


def export_onnx(module, args, path, input_names, output_names):
    """torch.onnx.export with the TorchScript exporter (the dynamo exporter of newer PyTorch writes
    other op forms), constants folded, opset 17."""
    kwargs = dict(
        input_names=input_names,
        output_names=output_names,
        opset_version=OPSET,
        do_constant_folding=True,
    )
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False
    module.eval()
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        # The tracer warns about every static size it records; the exports are static on purpose.
        warnings.simplefilter('ignore')
        torch.onnx.export(module, args, path, **kwargs)


class CheckWriter:
    """Writes, for each exported model, inputs and the PyTorch module's outputs as raw
    little-endian arrays plus check.json; check-onnx.ts runs the ONNX on the same inputs."""

    def __init__(self, folder):
        self.folder = folder
        self.cases = []
        if folder:
            os.makedirs(folder, exist_ok=True)

    def _save(self, tag, name, array):
        array = np.ascontiguousarray(array)
        file = f'{tag}.{name}.bin'
        array.astype(array.dtype.newbyteorder('<')).tofile(os.path.join(self.folder, file))
        return {'dtype': str(array.dtype), 'shape': list(array.shape), 'file': file}

    def add(self, model_path, inputs, outputs, tolerance=1e-4):
        """inputs/outputs: name → numpy array (outputs computed by the reference PyTorch module)."""
        if not self.folder:
            return
        tag = f'{len(self.cases)}-{os.path.basename(model_path)}'
        self.cases.append(
            {
                'model': os.path.abspath(model_path),
                'tolerance': tolerance,
                'inputs': {k: self._save(tag, k, v) for k, v in inputs.items()},
                'outputs': {k: self._save(tag, k, v) for k, v in outputs.items()},
            }
        )
        self._write()

    def add_chain(self, model_paths, inputs, outputs, tolerance=1e-4):
        """A pipeline check: `inputs` feed the first model, each model's outputs feed the next one's
        inputs of the same names, and the last model's outputs are compared with `outputs`."""
        if not self.folder:
            return
        self.add(model_paths[-1], inputs, outputs, tolerance)
        self.cases[-1]['via'] = [os.path.abspath(p) for p in model_paths[:-1]]
        self._write()

    def _write(self):
        with open(os.path.join(self.folder, 'check.json'), 'w') as f:
            json.dump({'cases': self.cases}, f, indent=1)


def say(text):
    print(text, flush=True)


def fail(e):
    sys.stderr.write(f'error: {e}\n')
    sys.exit(1)


def annotate(path, facts):
    """Stores what bundle init cannot read from the graph's inputs and outputs (value ranges,
    normalization, the checkpoint it came from) in the ONNX file's metadata_props, under the key
    'rete-clip-pae', as JSON."""
    import onnx

    model = onnx.load(path)
    kept = [p for p in model.metadata_props if p.key != 'rete-clip-pae']
    del model.metadata_props[:]
    model.metadata_props.extend(kept)
    entry = model.metadata_props.add()
    entry.key = 'rete-clip-pae'
    entry.value = json.dumps(facts)
    onnx.save(model, path)


def write_model_card(out_dir, title, sections):
    """MODEL_CARD.md next to the files: where each model came from and under which licence.
    sections: list of (model name, source, licence, notes). Several exporters write into one
    bundle folder: a section replaces the one of the same name and the others are kept."""
    path = os.path.join(out_dir, 'MODEL_CARD.md')
    blocks = {}
    if os.path.exists(path):
        with open(path) as f:
            for chunk in f.read().split('\n## ')[1:]:
                name, _, body = chunk.partition('\n')
                blocks[name.strip()] = body.strip('\n')
    for name, source, licence, notes in sections:
        blocks[name] = '\n'.join([f'- Source: {source}', f'- Licence: {licence}'] + [f'- {n}' for n in notes])
    lines = [
        f'# {title}', '',
        'Written by `npm run export` (tools/export). Each model keeps the licence of the checkpoint it was exported from;',
        'a bundle is only as free to use as its most restrictive model.', '',
    ]
    for name, body in blocks.items():
        lines += [f'## {name}', '', body, '']
    with open(path, 'w') as f:
        f.write('\n'.join(lines))


def file_mb(path):
    return os.path.getsize(path) / 1e6


# ---------------------------------------------------------------- StyleSpace

STYLES_FILE = 'styles.onnx'
STYLE_SYNTHESIS_FILE = 'synthesis_styles.onnx'
STYLE_KINDS = ('conv', 'torgb')


def style_layer_list(layers):
    """The StyleSpace layer list stored in the metadata of styles.onnx and synthesis_styles.onnx.

    layers: (name, size, resolution, kind) per layer in forward order (the order s concatenates
    them); kind is 'conv' (a modulated convolution of the synthesis network) or 'torgb'. Returns
    dicts {name, offset, size, resolution, kind}, offset = where the layer starts in s."""
    out = []
    offset = 0
    for name, size, resolution, kind in layers:
        if kind not in STYLE_KINDS:
            raise ExportError(f'StyleSpace layer {name}: kind "{kind}" is not one of {", ".join(STYLE_KINDS)}')
        size, resolution = int(size), int(resolution)
        if size < 1:
            raise ExportError(f'StyleSpace layer {name}: size {size}')
        out.append({'name': str(name), 'offset': offset, 'size': size, 'resolution': resolution, 'kind': kind})
        offset += size
    return out


def export_stylespace(out, check, latent, layers, styles_module, synthesis_module, reference_synthesis, generator_image, source, wrote):
    """Writes styles.onnx (W+ latent [1, L, D] → styles [1, S]) and synthesis_styles.onnx
    (styles [1, S] → image [1, 3, H, W], the noise generator.onnx has) and adds three checks:
    styles against the PyTorch styles, synthesis against `reference_synthesis` (s → image computed
    the checkpoint's way), and the two ONNX files in a row against `generator_image`, the
    reference generator's image of the same `latent` (so the split computes the generator).

    layers: style_layer_list(...); styles_module / synthesis_module: the modules exported."""
    size = sum(layer['size'] for layer in layers)
    with torch.no_grad():
        s = styles_module(latent)
        if tuple(s.shape) != (1, size):
            raise ExportError(f'the styles module gives {tuple(s.shape)}, the StyleSpace layers add up to (1, {size})')
        image = reference_synthesis(s)
    kinds = {k: sum(1 for layer in layers if layer['kind'] == k) for k in STYLE_KINDS}
    summary = f'{len(layers)} layers ({kinds["conv"]} conv, {kinds["torgb"]} torgb), S = {size}'
    styles_path = os.path.join(out, STYLES_FILE)
    export_onnx(styles_module, (latent,), styles_path, ['latent'], ['styles'])
    annotate(styles_path, {'role': 'styles', 'layers': layers, 'source': source})
    wrote(styles_path, f', latent {list(latent.shape)} → styles [1, {size}]: {summary}')
    synthesis_path = os.path.join(out, STYLE_SYNTHESIS_FILE)
    export_onnx(synthesis_module, (s,), synthesis_path, ['styles'], ['image'])
    annotate(synthesis_path, {'role': 'styleSynthesis', 'outputRange': [-1, 1], 'layers': layers, 'source': source})
    wrote(synthesis_path, f', styles [1, {size}] → image {list(image.shape)}')
    check.add(styles_path, {'latent': latent.numpy()}, {'styles': s.numpy()})
    check.add(synthesis_path, {'styles': s.numpy()}, {'image': image.numpy()})
    check.add_chain([styles_path, synthesis_path], {'latent': latent.numpy()}, {'image': generator_image.numpy()})
