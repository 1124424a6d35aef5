// A tiny but real bundle written to a temp folder: every model is a small ONNX graph that
// onnxruntime runs, so loading, checking and every bundle operation can be tested end to end.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { hostTensor, writeModel } from '../../src/engine/onnx/model.js';
import { mulberry32 } from '../../src/engine/random.js';

export const LAYERS = 2;
export const WIDTH = 4;
export const IMAGE = 8;
export const CLIP_SIZE = 4;
export const EMBED = 6;
export const CONTEXT = 5;
export const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a', 'happy', 'sad', 'face'];

function weights(seed: number, n: number, scale = 0.5): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

/** The weights of every model, so tests can compute expected outputs by hand. */
export const W = {
  generator: weights(1, LAYERS * WIDTH * 3 * IMAGE * IMAGE), // [8, 192]
  attributes: weights(2, LAYERS * WIDTH * 2), // [8, 2]
  mapping: weights(3, WIDTH * WIDTH), // [4, 4]
  clipImage: weights(4, 3 * CLIP_SIZE * CLIP_SIZE * EMBED), // [48, 6]
  tokenEmbedding: weights(5, VOCAB.length * EMBED, 1), // [8, 6]
  encoder: weights(6, 3 * IMAGE * IMAGE * LAYERS * WIDTH, 0.1), // [192, 8]
  meanLatent: weights(7, LAYERS * WIDTH, 0.3),
};

export interface TinyOptions {
  /** Declare the generator's latent input as [1, L·D] (rank 2) instead of [1, L, D]. */
  flatGeneratorInput?: boolean;
  /** Edit the manifest before it is written. */
  manifest?: (m: any) => void;
}

function generator(options: TinyOptions): Uint8Array {
  const g = new GraphBuilder('generator');
  const latent = options.flatGeneratorInput
    ? g.input('latent', 'float32', [1, LAYERS * WIDTH])
    : g.input('latent', 'float32', [1, LAYERS, WIDTH]);
  const flat = g.op('Reshape', [latent, g.ints([1, LAYERS * WIDTH])]);
  const pixels = g.op('Tanh', [
    g.op('MatMul', [
      flat,
      g.weight('w_image', hostTensor('float32', [LAYERS * WIDTH, 3 * IMAGE * IMAGE], W.generator)),
    ]),
  ]);
  g.op('Reshape', [pixels, g.ints([1, 3, IMAGE, IMAGE])], {}, 'image');
  g.op(
    'MatMul',
    [flat, g.weight('w_attr', hostTensor('float32', [LAYERS * WIDTH, 2], W.attributes))],
    {},
    'attributes',
  );
  g.output('image', 'float32', [1, 3, IMAGE, IMAGE]);
  g.output('attributes', 'float32', [1, 2]);
  return writeModel(g.model());
}

function mapping(): Uint8Array {
  const g = new GraphBuilder('mapping');
  const z = g.input('z', 'float32', [1, WIDTH]);
  g.op('MatMul', [z, g.weight('w_map', hostTensor('float32', [WIDTH, WIDTH], W.mapping))], {}, 'w');
  g.output('w', 'float32', [1, WIDTH]);
  return writeModel(g.model());
}

function clipImage(): Uint8Array {
  const g = new GraphBuilder('clip_image');
  const x = g.input('pixel_values', 'float32', [1, 3, CLIP_SIZE, CLIP_SIZE]);
  const flat = g.op('Reshape', [x, g.ints([1, 3 * CLIP_SIZE * CLIP_SIZE])]);
  g.op(
    'MatMul',
    [flat, g.weight('w_proj', hostTensor('float32', [3 * CLIP_SIZE * CLIP_SIZE, EMBED], W.clipImage))],
    {},
    'image_embeds',
  );
  g.output('image_embeds', 'float32', [1, EMBED]);
  return writeModel(g.model());
}

/** Sum of the token embeddings under the attention mask; the batch dim is symbolic. */
function clipText(): Uint8Array {
  const g = new GraphBuilder('clip_text');
  const ids = g.input('input_ids', 'int64', ['batch', CONTEXT]);
  const mask = g.input('attention_mask', 'int64', ['batch', CONTEXT]);
  const tokens = g.op('Gather', [
    g.weight('token_embedding', hostTensor('float32', [VOCAB.length, EMBED], W.tokenEmbedding)),
    ids,
  ]);
  const m = g.op('Unsqueeze', [g.op('Cast', [mask], { to: 1 }), g.ints([2])]);
  g.op('ReduceSum', [g.op('Mul', [tokens, m]), g.ints([1])], { keepdims: 0 }, 'text_embeds');
  g.output('text_embeds', 'float32', ['batch', EMBED]);
  return writeModel(g.model());
}

function encoder(): Uint8Array {
  const g = new GraphBuilder('encoder');
  const x = g.input('image', 'float32', [1, 3, IMAGE, IMAGE]);
  const flat = g.op('Reshape', [x, g.ints([1, 3 * IMAGE * IMAGE])]);
  const w = g.op('MatMul', [
    flat,
    g.weight('w_enc', hostTensor('float32', [3 * IMAGE * IMAGE, LAYERS * WIDTH], W.encoder)),
  ]);
  g.op('Reshape', [w, g.ints([1, LAYERS, WIDTH])], {}, 'latent');
  g.output('latent', 'float32', [1, LAYERS, WIDTH]);
  return writeModel(g.model());
}

/** A WordPiece model over whole words: the word-level tokenizer @huggingface/tokenizers can run. */
export function tokenizerJson(): object {
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '[PAD]'), special(1, '[UNK]'), special(2, '[CLS]'), special(3, '[SEP]')],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: null,
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(VOCAB.map((w, i) => [w, i])),
    },
  };
}

/**
 * The manifest's CLIP section for a pair of towers named as the test bundles name them, fed by
 * tokenizerJson() (hence its context length and pad id) with OpenAI CLIP's pixel normalisation.
 */
export function clipManifest(imageSize: number, embedDim: number) {
  return {
    image: { file: 'clip_image.onnx', input: 'pixel_values', output: 'image_embeds' },
    text: {
      file: 'clip_text.onnx',
      input: 'input_ids',
      attentionMask: 'attention_mask',
      output: 'text_embeds',
      contextLength: CONTEXT,
    },
    tokenizer: 'tokenizer.json',
    padId: 0,
    imageSize,
    mean: [0.48145466, 0.4578275, 0.40821073],
    std: [0.26862954, 0.26130258, 0.27577711],
    embedDim,
  };
}

export function tinyManifest(): any {
  return {
    format: 'rete-clip-pae/bundle',
    version: 1,
    name: 'tiny',
    description: 'A test bundle',
    generator: {
      file: 'generator.onnx',
      input: 'latent',
      output: 'image',
      outputRange: [-1, 1],
      latentShape: [1, LAYERS, WIDTH],
      imageSize: [IMAGE, IMAGE],
      meanLatent: 'mean_latent.bin',
      mapping: { file: 'mapping.onnx', input: 'z', output: 'w', zDim: WIDTH },
      attributes: {
        output: 'attributes',
        names: [
          { name: 'smile', min: -1, max: 1, group: 'expression' },
          { name: 'grey', min: -1, max: 1, group: 'hair colour' },
        ],
        classes: {
          expression: {
            attributes: ['smile'],
            prototypes: { happy: [1], sad: [-1] },
            prompts: { happy: 'a happy face', sad: 'a sad face' },
          },
        },
      },
    },
    clip: clipManifest(CLIP_SIZE, EMBED),
    encoder: {
      file: 'encoder.onnx',
      input: 'image',
      output: 'latent',
      inputSize: IMAGE,
      inputRange: [-1, 1],
      addMeanLatent: true,
    },
    identity: null,
  };
}

/** Writes the bundle to a fresh temp folder and returns the folder. */
export async function writeTinyBundle(options: TinyOptions = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tiny-bundle-'));
  const manifest = tinyManifest();
  options.manifest?.(manifest);
  const files: Record<string, Uint8Array | string> = {
    'manifest.json': JSON.stringify(manifest, null, 2),
    'generator.onnx': generator(options),
    'mapping.onnx': mapping(),
    'clip_image.onnx': clipImage(),
    'clip_text.onnx': clipText(),
    'encoder.onnx': encoder(),
    'tokenizer.json': JSON.stringify(tokenizerJson()),
    'mean_latent.bin': new Uint8Array(W.meanLatent.buffer.slice(0)),
  };
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}
