// The compiled edit objective: its gradient against central finite differences of its own loss,
// the identity term, argument checks, and compile-once caching.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '../../src/engine/models/index.js';
import { editObjective, type EditObjective } from '../../src/engine/optimize/index.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import type { Runtime } from '../../src/engine/tensor/runtime.js';
import { loadOptimizeBundle, loadOptimizeBundleFrom, writeOptimizeBundle } from './fixture.js';

/** Counts the sessions a runtime creates, by name. */
function countingRuntime(inner: Runtime): Runtime & { created: string[] } {
  const created: string[] = [];
  return {
    backend: inner.backend,
    description: inner.description,
    created,
    createSession(model, options) {
      created.push(options.name);
      return inner.createSession(model, options);
    },
  };
}

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** The coordinates with the largest |gradient|: finite differences there are well above float32 noise. */
function largest(grad: Float32Array, k: number): number[] {
  return [...grad.keys()].sort((a, b) => Math.abs(grad[b]!) - Math.abs(grad[a]!)).slice(0, k);
}

async function finiteDifference(
  objective: EditObjective,
  latent: Float32Array,
  i: number,
  h: number,
  rest: Parameters<EditObjective['evaluate']>,
): Promise<number> {
  const [, latent0, target, lambdaL2, lambdaId] = rest;
  const plus = latent.slice();
  plus[i]! += h;
  const minus = latent.slice();
  minus[i]! -= h;
  const fp = (await objective.evaluate(plus, latent0, target, lambdaL2, lambdaId, { image: false })).loss;
  const fm = (await objective.evaluate(minus, latent0, target, lambdaL2, lambdaId, { image: false })).loss;
  return (fp - fm) / (2 * h);
}

describe('edit objective', () => {
  let runtime: Runtime & { created: string[] };
  let bundle: ModelBundle;
  let latent0: Float32Array;
  let latent: Float32Array;
  let target: Float32Array;

  beforeAll(async () => {
    runtime = countingRuntime(await createNodeRuntime());
    bundle = await loadOptimizeBundle(runtime);
    latent0 = await bundle.sampleLatent(11, 0.7);
    latent = latent0.map((v, i) => v + 0.05 * Math.sin(i));
    const other = await bundle.generate(await bundle.sampleLatent(12, 0.7));
    target = await bundle.encodeImage(other.image);
  });

  it('returns the image, its unit embedding, and the loss it is made of', async () => {
    const objective = await editObjective(bundle);
    const r = await objective.evaluate(latent, latent0, target, 0.5);
    expect(r.grad).toHaveLength(bundle.latentSize);
    expect(r.image!.width).toBe(128);
    const generated = await bundle.generate(latent);
    let maxDiff = 0;
    for (let i = 0; i < generated.image.data.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(generated.image.data[i]! - r.image!.data[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(Math.hypot(...r.embedding)).toBeCloseTo(1, 5);
    // The graph's resize and normalization match the host's preprocessing.
    const hostEmbedding = await bundle.encodeImage(generated.image);
    for (let i = 0; i < hostEmbedding.length; i++) expect(r.embedding[i]).toBeCloseTo(hostEmbedding[i]!, 4);
    let cos = 0;
    for (let i = 0; i < target.length; i++) cos += r.embedding[i]! * target[i]!;
    let l2 = 0;
    for (let i = 0; i < latent.length; i++) l2 += (latent[i]! - latent0[i]!) ** 2;
    expect(r.loss).toBeCloseTo(1 - cos + 0.5 * l2, 5);
  });

  it('has the gradient of its loss (central finite differences)', async () => {
    const objective = await editObjective(bundle);
    const args: Parameters<EditObjective['evaluate']> = [latent, latent0, target, 0.2, 0];
    const { grad } = await objective.evaluate(...args);
    for (const i of largest(grad, 4)) {
      const fd = await finiteDifference(objective, latent, i, 3e-3, args);
      expect(Math.abs(fd - grad[i]!)).toBeLessThan(0.03 * Math.abs(grad[i]!) + 1e-4);
    }
  });

  it('is compiled once per bundle', async () => {
    const a = await editObjective(bundle);
    const b = await editObjective(bundle);
    await a.evaluate(latent, latent0, target, 0);
    await b.evaluate(latent, latent0, target, 0);
    expect(runtime.created.filter((n) => n.includes('edit objective'))).toHaveLength(1);
  });

  it('follows the weights when a rebuilt bundle keeps its manifest (same bundle id)', async () => {
    const dir = await writeOptimizeBundle({ name: 'rebuilt' });
    const first = await loadOptimizeBundleFrom(dir, runtime);
    const before = await (await editObjective(first)).evaluate(latent, latent0, target, 0);
    await writeOptimizeBundle({ name: 'rebuilt', dir, clipSeed: 7 });
    const rebuilt = await loadOptimizeBundleFrom(dir, runtime);
    expect(rebuilt.id).toBe(first.id);
    const after = await (await editObjective(rebuilt)).evaluate(latent, latent0, target, 0);
    const expected = await rebuilt.encodeImage(after.image!);
    for (let i = 0; i < expected.length; i++) expect(after.embedding[i]).toBeCloseTo(expected[i]!, 4);
    expect(Math.max(...after.embedding.map((v, i) => Math.abs(v - before.embedding[i]!)))).toBeGreaterThan(0.01);
  });

  it('refuses a wrong target, latent or λ, and an identity term without an identity network', async () => {
    const objective = await editObjective(bundle);
    expect(objective.hasIdentity).toBe(false);
    await expect(objective.evaluate(latent, latent0, new Float32Array(3), 0)).rejects.toThrow(
      /target embedding needs 16 float32 values/,
    );
    await expect(objective.evaluate(latent.subarray(1), latent0, target, 0)).rejects.toThrow(
      /latent needs 192 float32 values \(\[1, 6, 32\]\)/,
    );
    await expect(objective.evaluate(latent, latent0, target, -1)).rejects.toThrow(
      /λ_L2 must be a finite number ≥ 0, got -1/,
    );
    await expect(objective.evaluate(latent, latent0, target, 0, 0.1)).rejects.toThrow(/has no identity network/);
  });
});

describe('edit objective with an identity network', () => {
  it('adds λ_id (1 − cos(ID(G(w)), ID(G(w0)))), zero at the start, with the right gradient', async () => {
    const bundle = await loadOptimizeBundle(await createNodeRuntime(), { identity: true, name: 'with-identity' });
    const objective = await editObjective(bundle);
    expect(objective.hasIdentity).toBe(true);
    const latent0 = await bundle.sampleLatent(21, 0.7);
    const target = unit(Float32Array.from({ length: 16 }, (_, i) => Math.cos(i)));
    const atStart = await objective.evaluate(latent0, latent0, target, 0, 0);
    const atStartWithId = await objective.evaluate(latent0, latent0, target, 0, 5);
    expect(atStartWithId.loss).toBeCloseTo(atStart.loss, 5);

    const latent = latent0.map((v, i) => v + 0.3 * Math.cos(3 * i));
    const without = await objective.evaluate(latent, latent0, target, 0, 0);
    const withId = await objective.evaluate(latent, latent0, target, 0, 5);
    const idCos = [...withId.identity!].reduce((s, v, i) => s + v * atStart.identity![i]!, 0);
    expect(withId.loss - without.loss).toBeCloseTo(5 * (1 - idCos), 4);
    expect(withId.loss).toBeGreaterThan(without.loss);

    const args: Parameters<EditObjective['evaluate']> = [latent, latent0, target, 0, 5];
    for (const i of largest(withId.grad, 3)) {
      const fd = await finiteDifference(objective, latent, i, 3e-3, args);
      expect(Math.abs(fd - withId.grad[i]!)).toBeLessThan(0.03 * Math.abs(withId.grad[i]!) + 1e-4);
    }
  });
});
