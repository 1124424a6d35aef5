// `bundle init`: writes manifest.json for a folder of model files by reading each model's declared
// inputs and outputs (latent shape, image sizes, embedding size, context length, attention mask)
// and the facts the exporters store in each ONNX file's metadata (value ranges, normalization,
// padding id). What it cannot infer is listed with the flag that supplies it; a flag given wins
// over what a file says.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { modelContracts } from '../engine/models/contracts.js';
import { checkModel, type DeclaredValue, declaredIo } from '../engine/models/io.js';
import { type Manifest, parseManifest } from '../engine/models/manifest.js';
import { readModel } from '../engine/onnx/model.js';

/** The metadata_props key the exporters (tools/export) write their facts under. */
export const METADATA_KEY = 'rete-clip-pae';

export interface InitOptions {
  /** Model files (absolute or relative to `cwd`); absent ones default to the exporters' file names in the folder. */
  files: Partial<Record<FileFlag, string>>;
  clipHf?: string;
  clipVariant?: string;
  name?: string;
  description?: string;
  license?: string;
  outputRange?: [number, number];
  clipMean?: [number, number, number];
  clipStd?: [number, number, number];
  clipImageSize?: number;
  padId?: number;
  contextLength?: number;
  latentShape?: [number, number];
  encoderRange?: [number, number];
  encoderAddsMean?: boolean;
  identityRange?: [number, number];
  /** StyleSpace layers (name and size, in the order s concatenates them) when the styles model does not list them. */
  styleLayers?: { name: string; size: number }[];
}

export type FileFlag =
  | 'generator'
  | 'mapping'
  | 'mean-latent'
  | 'clip-image'
  | 'clip-text'
  | 'tokenizer'
  | 'tokenizer-config'
  | 'encoder'
  | 'identity'
  | 'styles'
  | 'style-synthesis';

/** The file names `npm run export` writes; a flag that is not given falls back to these. */
export const DEFAULT_FILES: Record<FileFlag, string> = {
  generator: 'generator.onnx',
  mapping: 'mapping.onnx',
  'mean-latent': 'mean_latent.bin',
  'clip-image': 'clip_image.onnx',
  'clip-text': 'clip_text.onnx',
  tokenizer: 'tokenizer.json',
  'tokenizer-config': 'tokenizer_config.json',
  encoder: 'encoder.onnx',
  identity: 'identity.onnx',
  styles: 'styles.onnx',
  'style-synthesis': 'synthesis_styles.onnx',
};

export interface InitResult {
  manifest?: Manifest;
  /** What was read from where, one line each. */
  notes: string[];
  /** What could not be inferred or does not fit, each naming the flag that supplies it. */
  problems: string[];
}

interface ModelFacts {
  path: string;
  file: string;
  inputs: DeclaredValue[];
  outputs: DeclaredValue[];
  meta: Record<string, unknown>;
}

function readFacts(path: string, file: string): ModelFacts {
  const model = readModel(new Uint8Array(readFileSync(path)), file);
  const io = declaredIo(model);
  const entry = model.metadataProps.find((p) => p.key === METADATA_KEY);
  let meta: Record<string, unknown> = {};
  if (entry) {
    try {
      meta = JSON.parse(entry.value) as Record<string, unknown>;
    } catch {
      throw new Error(`${file}: its "${METADATA_KEY}" metadata is not JSON`);
    }
  }
  return { path, file, ...io, meta };
}

const show = (v: DeclaredValue) =>
  `"${v.name}" [${v.dims.map((d) => (typeof d === 'number' ? d : `"${d}"`)).join(', ')}]`;
const staticDims = (v: DeclaredValue) => v.dims.every((d) => typeof d === 'number');
const isRange = (v: unknown): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number');
const isRgb = (v: unknown): v is [number, number, number] =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number');

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

/** A Hugging Face / transformers.js CLIP folder: onnx/{vision,text}_model[_variant].onnx and its configs. */
function hfFiles(folder: string, variant: string | undefined): { image: string; text: string; problems: string[] } {
  const suffix = variant ? `_${variant}` : '';
  const image = join(folder, 'onnx', `vision_model${suffix}.onnx`);
  const text = join(folder, 'onnx', `text_model${suffix}.onnx`);
  const problems: string[] = [];
  for (const p of [image, text]) {
    if (!existsSync(p)) {
      const combined = existsSync(join(folder, 'onnx', `model${suffix}.onnx`));
      problems.push(
        `--clip-hf: no ${relative(folder, p)} in ${folder}` +
          (combined
            ? ' (it has onnx/model.onnx, one graph for both towers, which is not supported: export the towers separately)'
            : variant
              ? ` (is --clip-variant ${variant} right? it names onnx/vision_model_${variant}.onnx)`
              : ''),
      );
    }
  }
  return { image, text, problems };
}

export function initBundle(dir: string, cwd: string, o: InitOptions): InitResult {
  const notes: string[] = [];
  const problems: string[] = [];
  const root = resolve(cwd, dir);
  const rel = (p: string) => relative(root, p).split(sep).join('/');
  const locate = (flag: FileFlag, required: boolean): string | undefined => {
    const given = o.files[flag];
    if (given) {
      const p = isAbsolute(given) ? given : resolve(cwd, given);
      if (!existsSync(p)) problems.push(`--${flag} ${given}: no such file`);
      return existsSync(p) ? p : undefined;
    }
    const p = join(root, DEFAULT_FILES[flag]);
    if (existsSync(p)) return p;
    if (required) problems.push(`no ${DEFAULT_FILES[flag]} in ${dir}: pass --${flag} <file>`);
    return undefined;
  };
  const facts = (path: string | undefined): ModelFacts | undefined => {
    if (!path) return undefined;
    try {
      return readFacts(path, rel(path));
    } catch (e) {
      problems.push((e as Error).message);
      return undefined;
    }
  };

  // Generator: W+ in, image out.
  const gen = facts(locate('generator', true));
  let layers = 0;
  let width = 0;
  let generator: Record<string, unknown> | undefined;
  if (gen) {
    const input = gen.inputs[0];
    const image = gen.outputs.find((v) => v.dims.length === 4) ?? gen.outputs[0];
    if (gen.inputs.length !== 1 || !input || input.dims.length !== 3) {
      problems.push(
        `${gen.file}: a generator takes one latent [1, L, D]; its inputs are ${gen.inputs.map(show).join(', ') || 'none'}`,
      );
    } else if (staticDims(input)) {
      [, layers, width] = input.dims as number[];
    } else if (o.latentShape) {
      [layers, width] = o.latentShape;
    } else {
      problems.push(`generator.latentShape: ${gen.file} input ${show(input)} is not static: pass --latent-shape L,D`);
    }
    const range = o.outputRange ?? (isRange(gen.meta.outputRange) ? gen.meta.outputRange : undefined);
    if (!range)
      problems.push(`generator.outputRange: ${gen.file} does not say its output range: pass --output-range=-1,1`);
    if (image?.dims.length !== 4 || !staticDims(image)) {
      problems.push(
        `generator.imageSize: ${gen.file} has no static [1, 3, H, W] output (${gen.outputs.map(show).join(', ')})`,
      );
    }
    if (input && image && range && layers) {
      generator = {
        file: gen.file,
        input: input.name,
        output: image.name,
        outputRange: range,
        latentShape: [1, layers, width],
        imageSize: [image.dims[2], image.dims[3]],
      };
      notes.push(`generator: ${gen.file} ${show(input)} → ${show(image)}, output range [${range.join(', ')}]`);
    }
  }
  const meanPath = locate('mean-latent', true);
  if (generator && meanPath) {
    generator.meanLatent = rel(meanPath);
    const bytes = statSync(meanPath).size;
    if (bytes !== layers * width * 4)
      problems.push(
        `--mean-latent ${rel(meanPath)}: ${bytes} bytes, the generator's [1, ${layers}, ${width}] latent needs ${layers * width * 4} (float32)`,
      );
  }
  const map = facts(locate('mapping', false));
  if (generator && map) {
    const z = map.inputs[0];
    const w = map.outputs[0];
    if (map.inputs.length !== 1 || !z || z.dims.length !== 2 || typeof z.dims[1] !== 'number' || !w) {
      problems.push(
        `${map.file}: a mapping network takes one z [1, Z]; its inputs are ${map.inputs.map(show).join(', ')}`,
      );
    } else {
      generator.mapping = {
        file: map.file,
        input: z.name,
        output: w.name,
        zDim: z.dims[1],
        outputShape: w.dims.length === 3 ? [1, layers, width] : [1, width],
      };
      notes.push(`mapping: ${map.file} ${show(z)} → ${show(w)}`);
    }
  }

  // CLIP: the exporter's files, or a Hugging Face / transformers.js folder.
  let clipImagePath: string | undefined;
  let clipTextPath: string | undefined;
  let tokenizerPath: string | undefined;
  let tokenizerConfigPath: string | undefined;
  let hfPre: Record<string, unknown> = {};
  let hfTokConfig: Record<string, unknown> = {};
  if (o.clipHf) {
    const folder = isAbsolute(o.clipHf) ? o.clipHf : resolve(cwd, o.clipHf);
    const found = hfFiles(folder, o.clipVariant);
    problems.push(...found.problems);
    if (!found.problems.length) {
      clipImagePath = found.image;
      clipTextPath = found.text;
    }
    tokenizerPath = o.files.tokenizer ? locate('tokenizer', true) : join(folder, 'tokenizer.json');
    if (!existsSync(tokenizerPath!)) problems.push(`--clip-hf: no tokenizer.json in ${folder}`);
    const tc = join(folder, 'tokenizer_config.json');
    if (existsSync(tc)) {
      tokenizerConfigPath = tc;
      hfTokConfig = readJson(tc);
    }
    const pre = join(folder, 'preprocessor_config.json');
    if (existsSync(pre)) hfPre = readJson(pre);
  } else {
    clipImagePath = locate('clip-image', true);
    clipTextPath = locate('clip-text', true);
    tokenizerPath = locate('tokenizer', true);
    tokenizerConfigPath = o.files['tokenizer-config'] ? locate('tokenizer-config', false) : undefined;
  }
  const img = facts(clipImagePath);
  const txt = facts(clipTextPath);
  let clip: Record<string, unknown> | undefined;
  if (img && txt && tokenizerPath) {
    const pixels = img.inputs.find((v) => v.dims.length === 4);
    const imageEmbeds =
      img.outputs.find((v) => v.name === 'image_embeds') ?? img.outputs.find((v) => v.dims.length === 2);
    const ids = txt.inputs.find((v) => v.name === 'input_ids') ?? txt.inputs.find((v) => v.dtype.startsWith('int'));
    const mask = txt.inputs.find((v) => v !== ids && /mask/i.test(v.name));
    const textEmbeds =
      txt.outputs.find((v) => v.name === 'text_embeds') ?? txt.outputs.find((v) => v.dims.length === 2);
    for (const [what, v, f] of [
      ['a [1, 3, S, S] pixel input', pixels, img],
      ['a [1, E] embedding output', imageEmbeds, img],
      ['an integer ids input', ids, txt],
      ['a [N, E] embedding output', textEmbeds, txt],
    ] as const) {
      if (!v)
        problems.push(
          `${f.file}: has no ${what} (inputs ${f.inputs.map(show).join(', ')}; outputs ${f.outputs.map(show).join(', ')})`,
        );
    }
    for (const f of [img, txt]) {
      const half = [...f.inputs, ...f.outputs].find((v) => v.dtype !== 'float32' && !v.dtype.startsWith('int'));
      if (half)
        problems.push(
          `${f.file}: ${half.name} is ${half.dtype}; the app feeds and reads float32 (use the plain or _quantized variant, whose inputs and outputs are float32)`,
        );
    }
    const crop = hfPre.crop_size;
    const hfSize = typeof crop === 'number' ? crop : ((crop as { height?: number } | undefined)?.height ?? undefined);
    const size = pixels && typeof pixels.dims[2] === 'number' ? pixels.dims[2] : (o.clipImageSize ?? hfSize);
    if (pixels && !size)
      problems.push(`clip.imageSize: ${img.file} input ${show(pixels)} is not static: pass --clip-image-size S`);
    const mean =
      o.clipMean ?? (isRgb(img.meta.mean) ? img.meta.mean : isRgb(hfPre.image_mean) ? hfPre.image_mean : undefined);
    const std =
      o.clipStd ?? (isRgb(img.meta.std) ? img.meta.std : isRgb(hfPre.image_std) ? hfPre.image_std : undefined);
    if (!mean) problems.push(`clip.mean: ${img.file} does not say its pixel normalization: pass --clip-mean r,g,b`);
    if (!std) problems.push(`clip.std: ${img.file} does not say its pixel normalization: pass --clip-std r,g,b`);
    const maxLength = typeof hfTokConfig.model_max_length === 'number' ? hfTokConfig.model_max_length : undefined;
    const context =
      ids && typeof ids.dims[1] === 'number'
        ? ids.dims[1]
        : (o.contextLength ?? (maxLength && maxLength < 1e6 ? maxLength : undefined));
    if (ids && !context)
      problems.push(
        `clip.text.contextLength: ${txt.file} input ${show(ids)} has no fixed length: pass --context-length 77`,
      );
    const padId =
      o.padId ?? (typeof txt.meta.padId === 'number' ? txt.meta.padId : hfPadId(tokenizerPath, hfTokConfig));
    if (padId === undefined)
      problems.push(`clip.padId: neither ${txt.file} nor the tokenizer says the padding id: pass --pad-id N`);
    const embedDim = imageEmbeds?.dims[1];
    if (imageEmbeds && typeof embedDim !== 'number')
      problems.push(`clip.embedDim: ${img.file} output ${show(imageEmbeds)} has no static embedding size`);
    if (pixels && imageEmbeds && ids && textEmbeds && size && mean && std && context && padId !== undefined) {
      clip = {
        image: { file: img.file, input: pixels.name, output: imageEmbeds.name },
        text: {
          file: txt.file,
          input: ids.name,
          ...(mask ? { attentionMask: mask.name } : {}),
          output: textEmbeds.name,
          contextLength: context,
        },
        tokenizer: rel(tokenizerPath),
        ...(tokenizerConfigPath ? { tokenizerConfig: rel(tokenizerConfigPath) } : {}),
        padId,
        imageSize: size,
        mean,
        std,
        embedDim,
      };
      notes.push(
        `clip: ${img.file} ${show(pixels)} → ${show(imageEmbeds)}; ${txt.file} ${show(ids)}${mask ? ` + mask "${mask.name}"` : ''} → ${show(textEmbeds)}; context ${context}, pad id ${padId}`,
      );
    }
  }

  // Optional encoder and identity network.
  const enc = facts(locate('encoder', false));
  let encoder: Record<string, unknown> | null = null;
  if (enc) {
    const x = enc.inputs[0];
    const w = enc.outputs[0];
    const range = o.encoderRange ?? (isRange(enc.meta.inputRange) ? enc.meta.inputRange : undefined);
    const adds =
      o.encoderAddsMean ?? (typeof enc.meta.addMeanLatent === 'boolean' ? enc.meta.addMeanLatent : undefined);
    if (x?.dims.length !== 4 || typeof x.dims[2] !== 'number' || !w)
      problems.push(
        `${enc.file}: an encoder takes one static [1, 3, S, S] image; its inputs are ${enc.inputs.map(show).join(', ')}`,
      );
    if (!range)
      problems.push(`encoder.inputRange: ${enc.file} does not say its input range: pass --encoder-range=-1,1`);
    if (adds === undefined)
      problems.push(
        `encoder.addMeanLatent: ${enc.file} does not say whether its output is an offset from the mean latent: pass --encoder-adds-mean yes|no`,
      );
    if (x && w && typeof x.dims[2] === 'number' && range && adds !== undefined) {
      encoder = {
        file: enc.file,
        input: x.name,
        output: w.name,
        inputSize: x.dims[2],
        inputRange: range,
        addMeanLatent: adds,
      };
      notes.push(`encoder: ${enc.file} ${show(x)} → ${show(w)}${adds ? ' (offset from the mean latent)' : ''}`);
    }
  }
  const idn = facts(locate('identity', false));
  let identity: Record<string, unknown> | null = null;
  if (idn) {
    const x = idn.inputs[0];
    const e = idn.outputs[0];
    const range = o.identityRange ?? (isRange(idn.meta.inputRange) ? idn.meta.inputRange : undefined);
    if (!x || !e) problems.push(`${idn.file}: an identity network takes one image and returns one embedding`);
    else {
      identity = {
        file: idn.file,
        input: x.name,
        output: e.name,
        ...(typeof x.dims[2] === 'number' ? { imageSize: x.dims[2] } : {}),
        ...(range ? { inputRange: range } : {}),
      };
      if (!range)
        notes.push(
          `identity: ${idn.file} does not say its input range; the app assumes [-1, 1] (--identity-range=-1,1)`,
        );
      notes.push(`identity: ${idn.file} ${show(x)} → ${show(e)}`);
    }
  }

  const styleSpace = generator ? readStyleSpace(facts, locate, layers, width, o, notes, problems) : undefined;

  if (problems.length || !generator || !clip) return { notes, problems };
  const json = {
    format: 'rete-clip-pae/bundle',
    version: 1,
    name: o.name ?? basename(root),
    ...(o.description ? { description: o.description } : {}),
    ...(o.license ? { license: o.license } : {}),
    generator,
    clip,
    encoder,
    identity,
    ...(styleSpace ? { styleSpace } : {}),
  };
  let manifest: Manifest;
  try {
    manifest = parseManifest(json, join(dir, 'manifest.json'));
  } catch (e) {
    return { notes, problems: [(e as Error).message] };
  }
  // The same contract check the loader makes, so a written manifest always loads.
  for (const [, { file, contract }] of modelContracts(manifest)) {
    try {
      checkModel(new Uint8Array(readFileSync(resolve(root, file))), contract, file);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return problems.length ? { notes, problems } : { manifest, notes, problems };
}

interface StyleLayer {
  name: string;
  size: number;
}

/**
 * The layer list an exporter stores in styles.onnx / synthesis_styles.onnx: `layers` of
 * {name, offset, size, resolution, kind} in the order s concatenates them. Undefined when the file
 * has none; a message when it has one that does not add up.
 */
function metaLayers(f: ModelFacts): StyleLayer[] | string | undefined {
  const raw = f.meta.layers;
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0) return `${f.file}: its metadata "layers" is not a list of layers`;
  const out: StyleLayer[] = [];
  let offset = 0;
  for (const [i, l] of raw.entries()) {
    const { name, size, offset: at } = (l ?? {}) as { name?: unknown; size?: unknown; offset?: unknown };
    if (typeof name !== 'string' || !name || typeof size !== 'number' || !Number.isInteger(size) || size < 1)
      return `${f.file}: metadata layers[${i}] needs a name and a whole size ≥ 1, it is ${JSON.stringify(l)}`;
    if (at !== undefined && at !== offset)
      return `${f.file}: metadata layers[${i}] ("${name}") starts at ${String(at)}, but the layers before it end at ${offset}`;
    out.push({ name, size });
    offset += size;
  }
  return out;
}

/** styleSpace from styles.onnx (W+ → s) and synthesis_styles.onnx (s → image), when the folder has them. */
function readStyleSpace(
  facts: (path: string | undefined) => ModelFacts | undefined,
  locate: (flag: FileFlag, required: boolean) => string | undefined,
  layers: number,
  width: number,
  o: InitOptions,
  notes: string[],
  problems: string[],
): Record<string, unknown> | undefined {
  const stylesPath = locate('styles', false);
  const synthesisPath = locate('style-synthesis', false);
  if (!stylesPath && !synthesisPath) return undefined;
  if (!stylesPath || !synthesisPath) {
    const [has, lacks] = stylesPath ? ['styles', 'style-synthesis'] : ['style-synthesis', 'styles'];
    problems.push(
      `styleSpace: found ${DEFAULT_FILES[has as FileFlag]} but no ${DEFAULT_FILES[lacks as FileFlag]}: StyleSpace needs both (pass --${lacks} <file>)`,
    );
    return undefined;
  }
  const st = facts(stylesPath);
  const sy = facts(synthesisPath);
  if (!st || !sy) return undefined;
  const latent = st.inputs[0];
  const s = st.outputs[0];
  if (st.inputs.length !== 1 || latent?.dims.length !== 3 || st.outputs.length !== 1 || s?.dims.length !== 2) {
    problems.push(
      `${st.file}: a styles model takes one latent [1, L, D] and returns one style vector [1, S]; it has ${st.inputs.map(show).join(', ')} → ${st.outputs.map(show).join(', ')}`,
    );
    return undefined;
  }
  const size = s.dims[1];
  if (typeof size !== 'number') {
    problems.push(`styleSpace.layers: ${st.file} output ${show(s)} has no static size S`);
    return undefined;
  }
  const input = sy.inputs[0];
  const image = sy.outputs.find((v) => v.dims.length === 4);
  if (sy.inputs.length !== 1 || input?.dims.length !== 2 || !image) {
    problems.push(
      `${sy.file}: a synthesis-from-styles model takes one style vector [1, S] and returns an image [1, 3, H, W]; it has ${sy.inputs.map(show).join(', ')} → ${sy.outputs.map(show).join(', ')}`,
    );
    return undefined;
  }
  const fromStyles = metaLayers(st);
  const fromSynthesis = metaLayers(sy);
  for (const m of [fromStyles, fromSynthesis]) if (typeof m === 'string') problems.push(m);
  if (typeof fromStyles === 'string' || typeof fromSynthesis === 'string') return undefined;
  if (fromStyles && fromSynthesis && JSON.stringify(fromStyles) !== JSON.stringify(fromSynthesis)) {
    problems.push(`styleSpace.layers: ${st.file} and ${sy.file} list different style layers in their metadata`);
    return undefined;
  }
  const list = o.styleLayers ?? fromStyles ?? fromSynthesis;
  if (!list) {
    problems.push(
      `styleSpace.layers: neither ${st.file} nor ${sy.file} lists its style layers: pass --style-layers name:size,name:size,…`,
    );
    return undefined;
  }
  const total = list.reduce((n, l) => n + l.size, 0);
  if (total !== size) {
    problems.push(
      `styleSpace.layers: the ${list.length} layers${o.styleLayers ? ' of --style-layers' : ''} add up to ${total} channels, ${st.file} returns ${show(s)}`,
    );
    return undefined;
  }
  if (layers && staticDims(latent) && (latent.dims[1] !== layers || latent.dims[2] !== width))
    problems.push(
      `${st.file}: takes ${show(latent)}, the generator's latent is [1, ${layers}, ${width}] (generator.latentShape)`,
    );
  const meta = (st.meta.layers ?? []) as { kind?: string }[];
  const kinds = ['conv', 'torgb'].map((k) => `${meta.filter((l) => l.kind === k).length} ${k}`).join(', ');
  notes.push(
    `styleSpace: ${st.file} ${show(latent)} → ${show(s)}; ${sy.file} ${show(input)} → ${show(image)}; ${list.length} style layers${meta.length ? ` (${kinds})` : ''}`,
  );
  return {
    styles: { file: st.file, input: latent.name, output: s.name },
    synthesis: { file: sy.file, input: input.name, output: image.name },
    layers: list,
  };
}

/** The padding id a Hugging Face tokenizer declares (its padding section, or tokenizer_config's pad_token). */
function hfPadId(tokenizerPath: string, config: Record<string, unknown>): number | undefined {
  let tok: {
    padding?: { pad_id?: number };
    added_tokens?: { id: number; content: string }[];
    model?: { vocab?: Record<string, number> };
  };
  try {
    tok = JSON.parse(readFileSync(tokenizerPath, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof tok.padding?.pad_id === 'number') return tok.padding.pad_id;
  const pad = config.pad_token;
  const content = typeof pad === 'string' ? pad : (pad as { content?: string } | undefined)?.content;
  if (!content) return undefined;
  return tok.added_tokens?.find((t) => t.content === content)?.id ?? tok.model?.vocab?.[content];
}
