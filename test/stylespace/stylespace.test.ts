// StyleSpace on the demo bundle: the styles and synthesis-from-styles models are the generator split
// in two (same image, same attributes), the demo builder adds them without touching another file,
// global directions edit toward their target with β selecting channels, a directions build
// interrupted after a face continues to the same result, and StyleMC's gradient model is right and
// takes an identity term when the bundle has an identity network.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { PARTIAL_FILE } from '../../src/cli/directions.js';
import { loadBundle, type ModelBundle } from '../../src/engine/models/index.js';
import { writeModel } from '../../src/engine/onnx/model.js';
import {
  applyDelta,
  buildDirections,
  buildStyleModel,
  learnDirection,
  bundleDirections,
  directionsBytes,
  styleDelta,
  styleSpaceOf,
  type DirectionsState,
} from '../../src/engine/stylespace/index.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { createRuntime } from '../../src/engine/tensor/runtime.js';
import { hostTensor } from '../../src/engine/onnx/model.js';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { imageToInput } from '../../src/engine/models/preprocess.js';
import { DEFAULT_HOST_EVAL, runHostEval } from '../../src/engine/optimize/host-eval.js';
import { buildGenerator } from '../../tools/demo/generator/index.js';
import { STYLE_FILES, writeStyleSpace } from '../../tools/demo/style-space.js';

const DEMO = fileURLToPath(new URL('../../public/models/demo/', import.meta.url));
const dirs: string[] = [];
let bundle: ModelBundle;

async function load(dir: string): Promise<ModelBundle> {
  const services = createNodeServices({ baseDir: dir });
  return loadBundle(join(dir, 'manifest.json'), { loadBytes: services.loadBytes, runtime: await createRuntime() });
}

function tempCopy(): string {
  const d = mkdtempSync(join(tmpdir(), 'stylespace-'));
  dirs.push(d);
  cpSync(DEMO, d, { recursive: true });
  return d;
}

beforeAll(async () => {
  bundle = await load(DEMO);
});
afterAll(async () => {
  await bundle?.release();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const attribute = (values: Float32Array, name: string) =>
  values[bundle.manifest.generator.attributes!.names.findIndex((a) => a.name === name)]!;

describe('StyleSpace of the demo bundle', () => {
  it('synthesis(styles(w)) draws what the generator draws', async () => {
    const space = styleSpaceOf(bundle, 'test');
    expect(space.size).toBe(28);
    for (const seed of [1, 2]) {
      const latent = await bundle.sampleLatent(seed, 0.7);
      const direct = await bundle.generate(latent);
      const split = await space.synthesize(await space.styles(latent));
      expect(maxAbsDiff(split.image.data, direct.image.data)).toBeLessThan(1e-5);
      expect(maxAbsDiff(split.attributes!, direct.attributes!)).toBeLessThan(1e-5);
    }
  });

  it('the builder step writes the committed StyleSpace files and changes no other file', () => {
    const d = tempCopy();
    rmSync(join(d, STYLE_FILES.styles));
    const before = Object.fromEntries(readdirSync(d).map((f) => [f, readFileSync(join(d, f))]));
    const manifestBefore = JSON.parse(before['manifest.json']!.toString());
    delete manifestBefore.styleSpace;
    writeFileSync(join(d, 'manifest.json'), `${JSON.stringify(manifestBefore, null, 2)}\n`);
    writeStyleSpace(d, 1);
    for (const f of readdirSync(DEMO)) {
      if (f === 'manifest.json') continue;
      expect(readFileSync(join(d, f)).equals(readFileSync(join(DEMO, f))), f).toBe(true);
    }
    // The manifest gains the styleSpace section (directions come from their own build) and nothing else.
    const committed = JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8'));
    delete committed.styleSpace.directions;
    expect(readFileSync(join(d, 'manifest.json'), 'utf8')).toBe(`${JSON.stringify(committed, null, 2)}\n`);
    expect(
      Buffer.from(writeModel(buildGenerator({ seed: 1 }).generator)).equals(readFileSync(join(DEMO, 'generator.onnx'))),
    ).toBe(true);
    expect(() => writeStyleSpace(d, 2)).toThrow(/not the demo generator of seed 2/);
  });

  it('rejects a manifest whose style layers do not match the models', async () => {
    const d = tempCopy();
    const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
    m.styleSpace.layers[0].size = 8;
    delete m.styleSpace.directions;
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
    await expect(load(d)).rejects.toThrow(/styles\.onnx[\s\S]*styleSpace\.layers/);
  });
});

describe("StyleMC's gradient model", () => {
  it('gives the gradient of its CLIP loss with respect to the style vector (central differences agree)', async () => {
    const { bytes, names } = buildStyleModel(
      bundle.manifest,
      bundle.modelBytes('styleSynthesis'),
      bundle.modelBytes('clipImage'),
    );
    const session = await bundle.runtime.createSession(bytes, { name: 'style objective' });
    const space = styleSpaceOf(bundle, 'test');
    const s = await space.styles(await bundle.sampleLatent(5, 0.7));
    const [target] = (await bundle.encodeText(['a happy face'])) as [Float32Array];
    const run = async (styles: Float32Array) => {
      const out = await session.runToHost({
        [names.styles]: hostTensor('float32', [1, space.size], styles),
        [names.target]: hostTensor('float32', [1, target.length], target),
        [names.lossSeed]: hostTensor('float32', [], [1]),
      });
      return { loss: Number(out[names.loss]!.data[0]), grad: out[names.grad]!.data as Float32Array };
    };
    const at = await run(s);
    expect(at.loss).toBeGreaterThan(0);
    // The largest components, where float32 differences are well above rounding.
    const channels = [...at.grad.keys()].sort((a, b) => Math.abs(at.grad[b]!) - Math.abs(at.grad[a]!)).slice(0, 4);
    const h = 0.005;
    for (const c of channels) {
      const up = s.slice();
      const down = s.slice();
      up[c]! += h;
      down[c]! -= h;
      const numeric = ((await run(up)).loss - (await run(down)).loss) / (2 * h);
      expect(Math.abs(numeric - at.grad[c]!), `channel ${c}`).toBeLessThan(0.1 * Math.abs(at.grad[c]!) + 1e-4);
    }
    await session.release();
  });
});

describe('global directions', () => {
  it('move a face toward "a happy face", with β choosing the channels', async () => {
    const space = styleSpaceOf(bundle, 'test');
    const d = bundleDirections(bundle, 'test');
    const [happy, neutral] = (await bundle.encodeText(['a happy face', 'a face'])) as [Float32Array, Float32Array];
    const dt = happy.map((v, i) => v - neutral[i]!);
    const n = Math.hypot(...dt);
    const direction = dt.map((v) => v / n);
    const loose = styleDelta(d, direction, 0.05);
    const strict = styleDelta(d, direction, 0.3);
    expect(strict.kept).toBeGreaterThan(0);
    expect(strict.kept).toBeLessThan(loose.kept);
    expect(styleDelta(d, direction, loose.largest + 0.01).kept).toBe(0);
    let raised = 0;
    for (const seed of [11, 12, 13, 14]) {
      const s = await space.styles(await bundle.sampleLatent(seed, 0.7));
      const start = (await space.synthesize(s)).attributes!;
      expect(maxAbsDiff((await space.synthesize(applyDelta(s, loose.delta, 0))).attributes!, start)).toBe(0);
      const edited = (await space.synthesize(applyDelta(s, loose.delta, 3))).attributes!;
      if (attribute(edited, 'mouth_curve') > attribute(start, 'mouth_curve') + 0.2) raised++;
      // Hair colour lives in channels a happy face does not need.
      expect(Math.abs(attribute(edited, 'hair_lightness') - attribute(start, 'hair_lightness'))).toBeLessThan(0.05);
    }
    expect(raised).toBe(4);
  });

  it('a build interrupted after a face continues (engine and CLI) to the same result', async () => {
    const settings = { faces: 2, seed: 500 };
    const whole = await buildDirections(bundle, settings);
    let saved: DirectionsState | undefined;
    await expect(
      buildDirections(bundle, {
        ...settings,
        onFace: (state) => {
          saved = state;
          throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(saved!.done).toBe(1);
    const resumed = await buildDirections(bundle, { ...settings, resume: saved });
    expect(resumed.relevance).toEqual(whole.relevance);
    expect(resumed.sigma).toEqual(whole.sigma);
    await expect(buildDirections(bundle, { faces: 3, seed: 500, resume: saved })).rejects.toThrow(
      /cannot be continued: faces is 2 there, 3 now/,
    );

    const d = tempCopy();
    writeFileSync(join(d, PARTIAL_FILE), JSON.stringify(saved));
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, cwd: d };
    expect(await main(['directions', 'build', '.', '--faces', '2', '--seed', '500'], io)).toBe(0);
    expect(err.join('')).toMatch(/continuing from .*1 of 2 faces done/);
    expect(err.join('')).toMatch(/\[####################\] 100%/);
    expect(readFileSync(join(d, 'directions.bin')).equals(Buffer.from(directionsBytes(whole)))).toBe(true);
    expect(readdirSync(d)).not.toContain(PARTIAL_FILE);
    const manifest = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
    expect(manifest.styleSpace.directions).toEqual({ file: 'directions.bin', faces: 2, step: 1, seed: 500 });
    const rebuilt = await load(d);
    expect(rebuilt.directions!.length).toBe(28 * 65);
    await rebuilt.release();
  });
});

describe('StyleMC with an identity network', () => {
  it('adds the identity loss: a larger λ_id learns a direction that keeps the identity embedding closer', async () => {
    const d = tempCopy();
    // A face-identity stand-in: 112×112 → 8×8 average → linear → 8 values.
    const g = new GraphBuilder('identity');
    const x = g.input('faces', 'float32', [1, 3, 112, 112]);
    const pooled = g.op('AveragePool', [x], { kernel_shape: [8, 8], strides: [8, 8], pads: [0, 0, 0, 0] });
    const weights = Float32Array.from({ length: 3 * 14 * 14 * 8 }, (_, i) => Math.sin(i * 12.9898) * 0.1);
    g.op(
      'MatMul',
      [g.op('Flatten', [pooled], { axis: 1 }), g.weight('w', hostTensor('float32', [588, 8], weights))],
      {},
      'id',
    );
    g.output('id', 'float32', [1, 8]);
    writeFileSync(join(d, 'identity.onnx'), writeModel(g.model()));
    const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
    m.name = 'demo-with-identity';
    m.identity = { file: 'identity.onnx', input: 'faces', output: 'id', imageSize: 112, inputRange: [-1, 1] };
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
    const withId = await load(d);
    const space = styleSpaceOf(withId, 'test');
    const [text] = (await withId.encodeText(['a person with grey hair'])) as [Float32Array];
    const learn = (lambdaId: number) =>
      learnDirection(withId, { faces: 1, seed: 40, steps: 6, lr: 0.3, lambdaL2: 0, lambdaId, targetFor: () => text });
    const loose = await learn(0);
    const held = await learn(20);
    expect(held.delta).not.toEqual(loose.delta);
    const s = await space.styles(await withId.sampleLatent(40, 0.7));
    const idOf = async (styles: Float32Array) => {
      const session = await withId.session('identity');
      const image = (await space.synthesize(styles)).image;
      const out = await session.runToHost({
        faces: hostTensor(
          'float32',
          [1, 3, 112, 112],
          imageToInput(image, 112, (v) => 2 * v - 1),
        ),
      });
      const e = out.id!.data as Float32Array;
      const n = Math.hypot(...e);
      return e.map((v) => v / n);
    };
    const before = await idOf(s);
    const cos = async (delta: Float32Array) => {
      const after = await idOf(applyDelta(s, delta, 1));
      return after.reduce((a, v, i) => a + v * before[i]!, 0);
    };
    expect(await cos(held.delta)).toBeGreaterThan(await cos(loose.delta));
    const plain = tempCopy();
    const pm = JSON.parse(readFileSync(join(plain, 'manifest.json'), 'utf8'));
    pm.name = 'demo-without-identity';
    pm.identity = null;
    writeFileSync(join(plain, 'manifest.json'), JSON.stringify(pm));
    const noId = await load(plain);
    await expect(
      learnDirection(noId, {
        faces: 1,
        seed: 40,
        steps: 1,
        lr: 0.1,
        lambdaL2: 0,
        lambdaId: 1,
        targetFor: () => text,
      }),
    ).rejects.toThrow(/λ_id is 1, but bundle "demo-without-identity" has no identity network/);
    // The host table reads identity similarity off the identity network when the bundle has one.
    const { rows } = await runHostEval(withId, {
      ...DEFAULT_HOST_EVAL,
      hosts: ['global', 'naive'],
      targets: ['text'],
      count: 1,
      steps: 2,
    });
    for (const row of rows) {
      expect(row.identity).toBeGreaterThan(0);
      expect(row.identity).toBeLessThanOrEqual(1 + 1e-6);
    }
    await withId.release();
    await noId.release();
  });
});
