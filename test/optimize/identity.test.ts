// The identity term on the demo bundle: an edit toward "a happy face" with λ_id > 0 keeps the face's
// identity (the cosine of the bundle's identity embeddings before and after) closer than the same
// edit with λ_id = 0, while the edit itself goes about as far (its CLIP loss). A bundle whose identity
// file is missing or has the wrong input shape does not load, and the message names the file.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, type ModelBundle } from '../../src/engine/models/index.js';
import { editObjective } from '../../src/engine/optimize/objective.js';
import { optimizeLatent } from '../../src/engine/optimize/optimize.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import type { Runtime } from '../../src/engine/tensor/runtime.js';

const DEMO = fileURLToPath(new URL('../../public/models/demo/', import.meta.url));
const FACES = fileURLToPath(new URL('../../public/models/faces/', import.meta.url));
const loadBytes = async (path: string) => new Uint8Array(await readFile(path));

const SEEDS = [11, 12, 13];
const EDIT = { prompt: 'a happy face', steps: 12, lr: 0.1, lambdaL2: 0.008, lambdaId: 2 } as const;

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('the identity term of the edit objective (demo bundle)', () => {
  let runtime: Runtime;
  let bundle: ModelBundle;

  beforeAll(async () => {
    runtime = await createNodeRuntime();
    bundle = await loadBundle(DEMO, { loadBytes, runtime });
  });
  afterAll(async () => {
    await bundle?.release();
  });

  it('keeps identity closer than λ_id = 0 at a similar CLIP loss', async () => {
    expect(bundle.roles).toContain('identity');
    const objective = await editObjective(bundle);
    expect(objective.hasIdentity).toBe(true);
    const [target] = await bundle.encodeText([EDIT.prompt]);
    const rows: { seed: number; lambdaId: number; identity: number; clip: number; clip0: number }[] = [];
    for (const seed of SEEDS) {
      const latent0 = await bundle.sampleLatent(seed, 0.7);
      const start = await objective.evaluate(latent0, latent0, target!, 0, 0);
      for (const lambdaId of [0, EDIT.lambdaId]) {
        const result = await optimizeLatent(bundle, { ...EDIT, latent0, target: target!, lambdaId });
        const end = await objective.evaluate(result.latent, latent0, target!, 0, 0);
        // With both λs 0 the loss is the CLIP term alone: 1 − cos(E(G(w)), target).
        rows.push({ seed, lambdaId, identity: dot(start.identity!, end.identity!), clip: end.loss, clip0: start.loss });
      }
    }
    console.log(rows.map((r) => JSON.stringify(r)).join('\n'));
    const mean = (lambdaId: number, key: 'identity' | 'clip') => {
      const of = rows.filter((r) => r.lambdaId === lambdaId);
      return of.reduce((s, r) => s + r[key], 0) / of.length;
    };
    expect(mean(EDIT.lambdaId, 'identity')).toBeGreaterThan(mean(0, 'identity'));
    for (const seed of SEEDS) {
      const [free, kept] = [0, EDIT.lambdaId].map((l) => rows.find((r) => r.seed === seed && r.lambdaId === l)!);
      expect(kept!.identity, `seed ${seed}`).toBeGreaterThanOrEqual(free!.identity);
    }
    // Both edits move toward the prompt, and about as far: the CLIP losses end within 0.05.
    for (const r of rows) expect(r.clip, `seed ${r.seed}, λ_id ${r.lambdaId}`).toBeLessThan(r.clip0);
    expect(Math.abs(mean(EDIT.lambdaId, 'clip') - mean(0, 'clip'))).toBeLessThan(0.05);
  }, 600_000);
});

describe('a bundle with a wrong identity file', () => {
  let runtime: Runtime;
  const dirs: string[] = [];
  beforeAll(async () => {
    runtime = await createNodeRuntime();
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /**
   * The demo bundle's files linked into <tmp>/demo, with the manifest's identity section replaced,
   * and the face bundle linked as its sibling <tmp>/faces.
   */
  function bundleWith(identity: object): string {
    const root = mkdtempSync(join(tmpdir(), 'identity-bundle-'));
    dirs.push(root);
    const dir = join(root, 'demo');
    mkdirSync(dir);
    symlinkSync(FACES, join(root, 'faces'), 'dir');
    for (const f of readdirSync(DEMO)) if (f !== 'manifest.json') symlinkSync(join(DEMO, f), join(dir, f));
    const manifest = JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, identity }));
    return dir;
  }

  it('fails to load when the file is missing, naming it', async () => {
    const dir = bundleWith({ file: 'no_such_identity.onnx', input: 'image', output: 'embedding', imageSize: 64 });
    await expect(loadBundle(dir, { loadBytes, runtime })).rejects.toThrow(/no_such_identity\.onnx/);
  });

  it('fails to load when the input shape is not the one the manifest says, naming the file', async () => {
    const manifest = JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8'));
    const dir = bundleWith({ ...manifest.identity, imageSize: 150 });
    const error = await loadBundle(dir, { loadBytes, runtime }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(new RegExp(manifest.identity.file.replace('.', '\\.')));
    expect(error?.message).toMatch(/150/);
  });

  it('fails to load when the crop is not a square in pixels, naming identity.crop', async () => {
    const manifest = JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8'));
    const dir = bundleWith({ ...manifest.identity, crop: [0, 0, 1, 0.5] });
    await expect(loadBundle(dir, { loadBytes, runtime })).rejects.toThrow(
      /identity\.crop: \[0, 0, 1, 0\.5\] is 128×64 pixels of the 128×128 image/,
    );
  });

  it('loads the face bundle’s recognition net by a path into ../faces, with its crop', async () => {
    const dir = bundleWith({
      file: '../faces/face_recognition.onnx',
      input: 'image',
      output: 'descriptor',
      imageSize: 150,
      inputRange: [0, 1],
      crop: [0.165, 0.275, 0.67, 0.67],
    });
    const b = await loadBundle(dir, { loadBytes, runtime });
    try {
      expect(b.roles).toContain('identity');
      const objective = await editObjective(b);
      const latent0 = await b.sampleLatent(3, 0.7);
      const latent = await b.sampleLatent(4, 0.7);
      const [target] = await b.encodeText(['a happy face']);
      const without = await objective.evaluate(latent, latent0, target!, 0, 0);
      const withId = await objective.evaluate(latent, latent0, target!, 0, 1);
      expect(withId.identity).toHaveLength(128);
      // Another face: the identity term adds to the loss, and its gradient to the latent's.
      expect(withId.loss).toBeGreaterThan(without.loss);
      const moved = withId.grad.reduce((s, v, i) => s + Math.abs(v - without.grad[i]!), 0);
      expect(moved).toBeGreaterThan(0);
      expect(withId.grad.every(Number.isFinite)).toBe(true);
    } finally {
      await b.release();
    }
  }, 300_000);
});
