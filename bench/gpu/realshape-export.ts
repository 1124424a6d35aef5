// Writes what bench/gpu/realshape.sh times on a GPU machine, small enough to carry (64 MiB in all):
// a bundle's compiled edit objective, its generator and its CLIP image tower with every large
// initializer emptied (name, type and dims kept), which refill.py fills with random weights there,
// plus index.json in bench.mjs's format and arch.json for the PyTorch step (torch_step.py).
// Usage: npx tsx bench/gpu/realshape-export.ts --bundle <manifest.json> [--out .devbench/realshape]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseManifest } from '../../src/engine/models/index.js';
import { readModel, tensorFromProto, writeModel, type ModelProto } from '../../src/engine/onnx/model.js';
import { buildEditModel } from '../../src/engine/optimize/edit-model.js';

/** Initializers of at least this many bytes travel empty. */
const EMPTIED_BYTES = 4096;

/** Empties the large initializers in place; returns how many bytes that saved. */
export function emptyInitializers(model: ModelProto): number {
  let saved = 0;
  for (const t of model.graph!.initializer) {
    const bytes = t.rawData.byteLength + 4 * t.floatData.length;
    if (bytes < EMPTIED_BYTES || t.dataType !== 1) continue;
    saved += bytes;
    // refill.py draws normals with the same mean and spread (non-negative where all were, such as a
    // demodulation's sums of squares, whose rsqrt would otherwise be NaN).
    const v = tensorFromProto(t).data as Float32Array;
    let sum = 0,
      squares = 0,
      min = Infinity;
    for (const x of v) {
      sum += x;
      squares += x * x;
      min = Math.min(min, x);
    }
    const mean = sum / v.length;
    const std = Math.sqrt(Math.max(0, squares / v.length - mean * mean));
    t.rawData = new Uint8Array(0);
    t.floatData = [];
    t.docString = `refill ${mean} ${std} ${min >= 0 ? 'nonneg' : 'any'}`;
  }
  return saved;
}

function arg(flag: string, fallback?: string): string {
  const i = process.argv.indexOf(flag);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (!v) throw new Error(`realshape-export: ${flag} is required`);
  return v;
}

const path = resolve(arg('--bundle'));
const manifestFile = path.endsWith('.json') ? path : join(path, 'manifest.json');
const out = resolve(arg('--out', '.devbench/realshape'));
mkdirSync(out, { recursive: true });
const manifest = parseManifest(readFileSync(manifestFile), manifestFile);
const dir = dirname(manifestFile);
const generator = new Uint8Array(readFileSync(join(dir, manifest.generator.file)));
const clipImage = new Uint8Array(readFileSync(join(dir, manifest.clip.image.file)));

const edit = buildEditModel({ manifest, generator, clipImage });
const shape = [...manifest.generator.latentShape];
const latent = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.5 * Math.sin(i * 12.9898));
const n = edit.names;
const size = manifest.clip.imageSize;
const written: { name: string; file: string; bytes: Uint8Array; feeds: unknown[] }[] = [
  {
    name: `${manifest.name} edit objective (loss + gradient)`,
    file: 'edit_objective.onnx',
    bytes: edit.bytes,
    feeds: [
      { name: n.latent, dtype: 'float32', dims: shape, values: latent },
      { name: n.latent0, dtype: 'float32', dims: shape, values: latent },
      {
        name: n.target,
        dtype: 'float32',
        dims: [1, manifest.clip.embedDim],
        values: Array.from({ length: manifest.clip.embedDim }, (_, i) => (i === 0 ? 1 : 0)),
      },
      { name: n.lambdaL2, dtype: 'float32', dims: [], values: [0.008] },
      { name: n.lossSeed, dtype: 'float32', dims: [], values: [1] },
    ],
  },
  {
    name: `${manifest.name} generator (forward)`,
    file: 'generator.onnx',
    bytes: generator,
    feeds: [{ name: manifest.generator.input, dtype: 'float32', dims: shape, values: latent }],
  },
  {
    name: `${manifest.name} CLIP image tower (forward)`,
    file: 'clip_image.onnx',
    bytes: clipImage,
    feeds: [
      {
        name: manifest.clip.image.input,
        dtype: 'float32',
        dims: [1, 3, size, size],
        values: Array.from({ length: 3 * size * size }, (_, i) => 0.5 * Math.sin(i)),
      },
    ],
  },
];
const index = [];
for (const w of written) {
  const model = readModel(w.bytes, w.file);
  const saved = emptyInitializers(model);
  const bytes = writeModel(model);
  writeFileSync(join(out, w.file), bytes);
  index.push({ name: w.name, file: w.file, feeds: w.feeds });
  console.log(
    `${w.file}: ${(w.bytes.byteLength / 1e6).toFixed(1)} MB → ${(bytes.byteLength / 1e6).toFixed(2)} MB (${(saved / 1e6).toFixed(1)} MB of weights to refill)`,
  );
}
writeFileSync(join(out, 'index.json'), JSON.stringify(index));
const [height] = manifest.generator.imageSize;
writeFileSync(
  join(out, 'arch.json'),
  JSON.stringify({
    resolution: height,
    num_ws: shape[1],
    w_dim: shape[2],
    clip_size: size,
    embed_dim: manifest.clip.embedDim,
    mean: manifest.clip.mean,
    std: manifest.clip.std,
  }),
);
