import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { readModel, writeModel } from '../../src/engine/onnx/model.js';
import { manifestSchema } from '../../src/engine/models/manifest.js';
import {
  ATTRIBUTES,
  ATTRIBUTE_NAMES,
  CLASS_GROUPS,
  attributeIndex,
  classify,
  prototypeAttributes,
} from '../../tools/demo/attributes.js';
import {
  attributesOf,
  buildGenerator,
  latentForAttributes,
  mapZ,
  randomLatent,
  randomZ,
  TARGET_EDGE,
  writeGenerator,
  type BuiltGenerator,
} from '../../tools/demo/generator/index.js';
import { layersOf } from '../../tools/demo/generator/params.js';
import { Rng } from '../../src/engine/random.js';

const L = 6;
const D = 32;
const S = 128;

let built: BuiltGenerator;
let session: ort.InferenceSession;

interface Render {
  image: Float32Array;
  attributes: Float32Array;
  masks: Float32Array;
}

async function render(latent: Float32Array): Promise<Render> {
  const out = await session.run({ latent: new ort.Tensor('float32', latent, [1, L, D]) });
  return {
    image: out.image!.data as Float32Array,
    attributes: out.attributes!.data as Float32Array,
    masks: out.masks!.data as Float32Array,
  };
}

/** Share of the image a mask covers. */
function coverage(r: Render, mask: string): number {
  const m = built.maskNames.indexOf(mask);
  let sum = 0;
  for (let i = 0; i < S * S; i++) sum += r.masks[m * S * S + i]!;
  return sum / (S * S);
}

/** Share of pixels where a part is drawn with at least 10 % opacity. */
function pixelsOf(r: Render, mask: string): number {
  const m = built.maskNames.indexOf(mask);
  let n = 0;
  for (let i = 0; i < S * S; i++) if (r.masks[m * S * S + i]! > 0.1) n++;
  return n / (S * S);
}

/** RGB in [0, 1] of the pixel nearest drawing coordinates (x, y) in −1…1 of the image. */
function pixel(r: Render, x: number, y: number): [number, number, number] {
  const j = Math.min(S - 1, Math.floor(((x + 1) / 2) * S));
  const i = Math.min(S - 1, Math.floor(((y + 1) / 2) * S));
  return [0, 1, 2].map((c) => (r.image[c * S * S + i * S + j]! + 1) / 2) as [number, number, number];
}

const named = (values: ArrayLike<number>, name: string) => values[attributeIndex(name)]!;

beforeAll(async () => {
  built = buildGenerator({ seed: 1, masks: true });
  session = await ort.InferenceSession.create(writeModel(built.generator));
});

describe('demo face generator', () => {
  it('draws images in [-1, 1] and outputs the attributes its latent means', async () => {
    const rng = new Rng(3, 'mulberry32');
    for (let k = 0; k < 6; k++) {
      const latent = randomLatent(built.latentModel, rng);
      const r = await render(latent);
      expect(r.image.length).toBe(3 * S * S);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of r.image) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect(lo).toBeGreaterThanOrEqual(-1);
      expect(hi).toBeLessThanOrEqual(1);
      expect(hi - lo).toBeGreaterThan(1); // a face, not a flat colour
      const expected = attributesOf(built.latentModel, latent);
      ATTRIBUTES.forEach((a, i) => {
        expect(r.attributes[i]!).toBeGreaterThanOrEqual(a.min);
        expect(r.attributes[i]!).toBeLessThanOrEqual(a.max);
        expect(Math.abs(r.attributes[i]! - expected[i]!)).toBeLessThan(1e-4);
      });
    }
  });

  it('gives the sampler the attributes it asks for and keeps the others', async () => {
    const base = randomLatent(built.latentModel, new Rng(5, 'mulberry32'));
    const before = (await render(base)).attributes;
    const target = {
      ...prototypeAttributes('expression', 'surprised'),
      hair_length: 0.9,
      glasses: 1,
      skin_tone: 0.2,
      background_blue: 0.75,
    };
    const r = await render(latentForAttributes(built.latentModel, target, base));
    ATTRIBUTES.forEach((a, i) => {
      const want = target[a.name as keyof typeof target];
      const tol = (a.max - a.min) * (TARGET_EDGE + 1e-3);
      if (want === undefined) expect(Math.abs(r.attributes[i]! - before[i]!)).toBeLessThan(1e-3);
      else expect(Math.abs(r.attributes[i]! - want)).toBeLessThan(tol);
    });
    expect(classify('expression', r.attributes).name).toBe('surprised');
  });

  it('moving a middle layer changes the expression and not the colours or the shape', async () => {
    const base = randomLatent(built.latentModel, new Rng(8, 'mulberry32'));
    const moved = base.slice();
    const rng = new Rng(9, 'mulberry32');
    const middle = layersOf('middle', L);
    for (const l of middle) for (let d = 0; d < D; d++) moved[l * D + d]! += 1.5 * rng.normal();
    const a = await render(base);
    const b = await render(moved);
    const change = (name: string) => Math.abs(named(a.attributes, name) - named(b.attributes, name));
    const expression = CLASS_GROUPS.find((g) => g.name === 'expression')!.attributes;
    expect(Math.max(...expression.map(change))).toBeGreaterThan(0.1);
    for (const spec of ATTRIBUTES.filter((s) => s.layers !== 'middle')) expect(change(spec.name)).toBeLessThan(1e-6);
    // The backdrop in a corner is untouched.
    expect(pixel(a, -0.95, -0.95)).toEqual(pixel(b, -0.95, -0.95));
  });

  it('draws what the attributes say', async () => {
    const base = randomLatent(built.latentModel, new Rng(12, 'mulberry32'));
    const face = (t: Record<string, number>) => render(latentForAttributes(built.latentModel, t, base));

    const bald = await face({ hair_length: 0, beard: 0 });
    const long = await face({ hair_length: 1, beard: 0 });
    expect(pixelsOf(bald, 'hair')).toBe(0);
    expect(coverage(bald, 'hair')).toBeLessThan(0.005);
    expect(pixelsOf(long, 'hair')).toBeGreaterThan(0.25);
    // The crown of a bald head is skin; with hair it is hair.
    const crownBald = pixel(bald, 0, -0.62);
    const crownLong = pixel(long, 0, -0.62);
    expect(Math.max(...crownBald.map((v, c) => Math.abs(v - crownLong[c]!)))).toBeGreaterThan(0.05);

    const glasses = await face({ glasses: 1 });
    const noGlasses = await face({ glasses: 0 });
    expect(coverage(glasses, 'glasses')).toBeGreaterThan(0.01);
    expect(pixelsOf(noGlasses, 'glasses')).toBe(0);

    const beard = await face({ beard: 1 });
    expect(coverage(beard, 'beard')).toBeGreaterThan(0.04);
    expect(pixelsOf(bald, 'beard')).toBe(0);

    const open = await face({ mouth_open: 1 });
    const closed = await face({ mouth_open: 0 });
    expect(coverage(open, 'mouth')).toBeGreaterThan(3 * coverage(closed, 'mouth'));

    const big = await face({ eye_size: 1, eye_open: 0.8 });
    const small = await face({ eye_size: 0, eye_open: 0.8 });
    expect(coverage(big, 'eyes')).toBeGreaterThan(1.5 * coverage(small, 'eyes'));

    const red = await face({ background_red: 1, background_green: 0, background_blue: 0 });
    const [r, g, b] = pixel(red, -0.95, -0.95);
    expect(r).toBeGreaterThan(0.75);
    expect(g).toBeLessThan(0.25);
    expect(b).toBeLessThan(0.25);

    const hairAt = (x: Render) => pixel(x, 0, -0.62).reduce((s, v) => s + v, 0);
    const blond = await face({ hair_length: 0.9, ...prototypeAttributes('hair colour', 'blond') });
    const black = await face({ hair_length: 0.9, ...prototypeAttributes('hair colour', 'black') });
    expect(hairAt(blond)).toBeGreaterThan(hairAt(black) + 1);
  });

  it('reproduces the same files from the same seed and different ones from another', () => {
    const again = buildGenerator({ seed: 1, masks: true });
    expect(Buffer.from(writeModel(again.generator)).equals(Buffer.from(writeModel(built.generator)))).toBe(true);
    expect(Buffer.from(writeModel(again.mapping)).equals(Buffer.from(writeModel(built.mapping)))).toBe(true);
    expect(Array.from(again.meanLatent)).toEqual(Array.from(built.meanLatent));
    const other = buildGenerator({ seed: 2, size: 32 });
    expect(Array.from(other.meanLatent)).not.toEqual(Array.from(built.meanLatent));
  });

  it('maps z to w like the JS mapping, and the mean latent is the mean of w', async () => {
    const mapping = await ort.InferenceSession.create(writeModel(built.mapping));
    const rng = new Rng(21, 'mulberry32');
    const n = 400;
    const sum = new Float64Array(D);
    for (let k = 0; k < n; k++) {
      const z = randomZ(built.latentModel, rng);
      const w = (await mapping.run({ z: new ort.Tensor('float32', Float32Array.from(z), [1, built.latentModel.zDim]) }))
        .w!.data as Float32Array;
      const expected = mapZ(built.latentModel.mapping, z);
      for (let d = 0; d < D; d++) {
        expect(Math.abs(w[d]! - expected[d]!)).toBeLessThan(1e-4);
        sum[d]! += w[d]! / n;
      }
    }
    expect(built.meanLatent.length).toBe(L * D);
    // w has unit spread per coordinate, so 400 samples pin the mean to about ±0.15.
    for (let d = 0; d < D; d++) expect(Math.abs(sum[d]! - built.meanLatent[d]!)).toBeLessThan(0.25);
    for (let l = 1; l < L; l++)
      expect(Array.from(built.meanLatent.slice(l * D, (l + 1) * D))).toEqual(Array.from(built.meanLatent.slice(0, D)));
  });

  it('gives every expression class a fair share of random faces', () => {
    const rng = new Rng(31, 'mulberry32');
    const counts = new Map<string, number>();
    const n = 1000;
    for (let k = 0; k < n; k++) {
      const name = classify('expression', attributesOf(built.latentModel, randomLatent(built.latentModel, rng))).name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    for (const cls of CLASS_GROUPS.find((g) => g.name === 'expression')!.classes)
      expect(counts.get(cls.name) ?? 0).toBeGreaterThan(0.05 * n);
  });

  it('runs a batch of faces like single faces', async () => {
    const batched = buildGenerator({ seed: 1, batch: 2 });
    const s2 = await ort.InferenceSession.create(writeModel(batched.generator));
    const rng = new Rng(41, 'mulberry32');
    const a = randomLatent(built.latentModel, rng);
    const b = randomLatent(built.latentModel, rng);
    const both = new Float32Array(2 * L * D);
    both.set(a);
    both.set(b, L * D);
    const out = await s2.run({ latent: new ort.Tensor('float32', both, [2, L, D]) });
    const img = out.image!.data as Float32Array;
    const single = (await render(b)).image;
    let diff = 0;
    for (let i = 0; i < single.length; i++) diff = Math.max(diff, Math.abs(img[3 * S * S + i]! - single[i]!));
    expect(diff).toBeLessThan(1e-5);
    expect(out.attributes!.dims).toEqual([2, ATTRIBUTES.length]);
  });

  it('writes the bundle files and a manifest entry the bundle schema accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-generator-'));
    const paths = writeGenerator(dir, built);
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(['generator.onnx', 'mapping.onnx', 'mean_latent.bin']);
    expect(readModel(readFileSync(join(dir, 'generator.onnx'))).graph!.output.map((o) => o.name)).toEqual([
      'image',
      'attributes',
      'masks',
    ]);
    const mean = readFileSync(join(dir, 'mean_latent.bin'));
    expect(mean.length).toBe(L * D * 4);
    expect(mean.readFloatLE(4 * 5)).toBe(built.meanLatent[5]);
    const manifest = manifestSchema.parse({
      format: 'rete-clip-pae/bundle',
      version: 1,
      name: 'test',
      generator: built.manifestSection,
      clip: {
        image: { file: 'clip_image.onnx', input: 'pixel_values', output: 'image_embeds' },
        text: { file: 'clip_text.onnx', input: 'input_ids', output: 'text_embeds', contextLength: 16 },
        tokenizer: 'tokenizer.json',
        padId: 0,
        imageSize: 64,
        mean: [0.5, 0.5, 0.5],
        std: [0.5, 0.5, 0.5],
        embedDim: 64,
      },
    });
    expect(manifest.generator.latentShape).toEqual([1, L, D]);
    expect(manifest.generator.attributes!.names.map((a) => a.name)).toEqual(ATTRIBUTE_NAMES);
    expect(Object.keys(manifest.generator.attributes!.classes!.expression!.prototypes)).toEqual([
      'happy',
      'sad',
      'angry',
      'surprised',
      'fearful',
      'disgusted',
      'neutral',
    ]);
  });

  it('rejects bad options and targets with a clear message', () => {
    expect(() => buildGenerator({ seed: 1, layers: 2 })).toThrow(/at least 3 W\+ layers/);
    expect(() => buildGenerator({ seed: 1, size: 0 })).toThrow(/size must be a positive integer/);
    const base = randomLatent(built.latentModel, new Rng(1, 'mulberry32'));
    expect(() => latentForAttributes(built.latentModel, { smile: 1 }, base)).toThrow(/unknown attribute 'smile'/);
    expect(() => latentForAttributes(built.latentModel, { glasses: 2 }, base)).toThrow(
      /glasses = 2 is outside its range \[0, 1\]/,
    );
    expect(() => latentForAttributes(built.latentModel, { glasses: 1 }, base.slice(0, 10))).toThrow(
      /6×32 = 192 values, got 10/,
    );
  });

  it('has gradients d(sum(image·seed))/d(latent) that match central differences', async () => {
    // Float64 at 32 px: the same graph, small enough for a full finite-difference sweep.
    const small = buildGenerator({ seed: 1, size: 32, dtype: 'float64' });
    const forward = await ort.InferenceSession.create(writeModel(small.generator));
    const backward = await ort.InferenceSession.create(
      writeModel(gradientModel(small.generator, { of: 'image', wrt: ['latent'] })),
    );
    const latent = Float64Array.from(randomLatent(small.latentModel, new Rng(4, 'mulberry32')));
    const rng = new Rng(5, 'mulberry32');
    const seed = Float64Array.from({ length: 3 * 32 * 32 }, () => rng.normal());
    const feed = (l: Float64Array) => ({ latent: new ort.Tensor('float64', l, [1, L, D]) });
    const grad = (await backward.run({ ...feed(latent), image_grad: new ort.Tensor('float64', seed, [1, 3, 32, 32]) }))
      .latent_grad!.data as Float64Array;
    const objective = async (l: Float64Array) => {
      const img = (await forward.run(feed(l))).image!.data as Float64Array;
      let s = 0;
      for (let i = 0; i < img.length; i++) s += img[i]! * seed[i]!;
      return s;
    };
    const eps = 1e-5;
    let worst = 0;
    let largest = 0;
    for (let i = 0; i < L * D; i++) {
      const plus = latent.slice();
      const minus = latent.slice();
      plus[i]! += eps;
      minus[i]! -= eps;
      const fd = ((await objective(plus)) - (await objective(minus))) / (2 * eps);
      worst = Math.max(worst, Math.abs(fd - grad[i]!));
      largest = Math.max(largest, Math.abs(fd));
    }
    expect(largest).toBeGreaterThan(0.1);
    expect(worst / largest).toBeLessThan(1e-5);
  });
});
