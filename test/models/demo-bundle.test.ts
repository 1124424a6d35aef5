import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, type ModelBundle } from '../../src/engine/models/bundle.js';
import { paeTarget, semanticBasis } from '../../src/engine/pae/index.js';
import { createRuntime } from '../../src/engine/tensor/runtime.js';

const DEMO = fileURLToPath(new URL('../../public/models/demo/', import.meta.url));
const loadBytes = async (path: string) => new Uint8Array(await readFile(path));
const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i]!, 0);

describe('the demo bundle in public/models/demo', () => {
  let bundle: ModelBundle;
  beforeAll(async () => {
    bundle = await loadBundle(DEMO, { loadBytes, runtime: await createRuntime() });
  });
  afterAll(() => bundle?.release());

  it('loads and passes every model IO check', () => {
    expect(bundle.manifest.format).toBe('rete-clip-pae/bundle');
    expect(bundle.roles).toEqual(expect.arrayContaining(['generator', 'mapping', 'clipImage', 'clipText', 'encoder']));
    expect(bundle.meanLatent.length).toBe(bundle.latentSize);
  });

  it('samples, generates, embeds and inverts a face', async () => {
    const latent = await bundle.sampleLatent(1, 0.7);
    expect(Array.from(await bundle.sampleLatent(1, 0.7))).toEqual(Array.from(latent));
    const { image, attributes } = await bundle.generate(latent);
    const [h, w] = bundle.manifest.generator.imageSize;
    expect([image.height, image.width, image.data.length]).toEqual([h, w, 3 * h * w]);
    expect(image.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(attributes?.length).toBe(bundle.attributes?.names.length);
    const e = await bundle.encodeImage(image);
    expect(e.length).toBe(bundle.manifest.clip.embedDim);
    expect(norm(e)).toBeCloseTo(1, 5);
    const inverted = await bundle.encode(image);
    expect(inverted.length).toBe(bundle.latentSize);
    expect(inverted.every(Number.isFinite)).toBe(true);
  });

  it('embeds the prompts of every attribute class as distinct unit vectors', async () => {
    const prompts = Object.values(bundle.attributes?.classes ?? {}).flatMap((c) => Object.values(c.prompts ?? {}));
    expect(prompts.length).toBeGreaterThan(1);
    const embeddings = await bundle.encodeText(prompts);
    for (const e of embeddings) expect(norm(e)).toBeCloseTo(1, 5);
    expect(dot(embeddings[0]!, embeddings[1]!)).toBeLessThan(0.9999);
  });

  it('feeds PAE: a semantic basis of one class group and a target for one of its prompts', async () => {
    const [group] = Object.values(bundle.attributes?.classes ?? {}).filter(
      (c) => Object.keys(c.prompts ?? {}).length >= 2,
    );
    const prompts = Object.values(group!.prompts!);
    const subspace = semanticBasis(await bundle.encodeText(prompts), prompts);
    expect(subspace.n + subspace.notes.length).toBe(prompts.length);
    const image = await bundle.encodeImage((await bundle.generate(await bundle.sampleLatent(3, 0.7))).image);
    const [text] = await bundle.encodeText([prompts[0]!]);
    const edit = paeTarget({ image, text: text!, subspace, alpha: 2, variant: 'pae' });
    expect(norm(edit.target)).toBeCloseTo(1, 5);
    expect(edit.before).toHaveLength(subspace.n);
    // The target moves toward the prompt: closer to it than the image embedding was.
    expect(dot(edit.target, text!)).toBeGreaterThan(dot(image, text!));
    const unchanged = paeTarget({ image, text: text!, subspace, alpha: 0, variant: 'pae' }).target;
    expect(Math.max(...Array.from(unchanged, (v, i) => Math.abs(v - image[i]! / norm(image))))).toBeLessThan(1e-6);
  });
});
