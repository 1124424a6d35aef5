import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { compose, extendModel, initializersToInputs } from '../../src/engine/onnx/compose.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { hostTensor, writeModel, type ModelProto } from '../../src/engine/onnx/model.js';
import { gradCheck, randn, toOrt } from './gradcheck.js';

function generator(): ModelProto {
  const g = new GraphBuilder('gen');
  g.input('z', 'float64', [1, 4]);
  g.weight('w', randn('float64', [4, 6], 1));
  g.op('Tanh', [g.op('MatMul', ['z', 'w'])], {}, 'img');
  g.output('img', 'float64', [1, 6]);
  return g.model();
}

function scorer(): ModelProto {
  const g = new GraphBuilder('score');
  g.input('x', 'float64', [1, 6]);
  g.input('target', 'float64', [1, 6]);
  g.weight('w', randn('float64', [6, 6], 2));
  const d = g.op('Sub', [g.op('MatMul', ['x', 'w']), 'target']);
  g.op('ReduceSum', [g.op('Mul', [d, d]), g.ints([0, 1])], { keepdims: 0 }, 'loss');
  g.output('loss', 'float64', []);
  return g.model();
}

async function run(m: ModelProto, feeds: Record<string, ort.Tensor>) {
  return (await ort.InferenceSession.create(writeModel(m))).run(feeds);
}

describe('compose / extendModel / initializersToInputs', () => {
  it("feeds A's output into B with prefixes and differentiates through both", async () => {
    const m = compose(generator(), scorer(), {
      connect: { x: 'img' },
      prefixA: 'g/',
      prefixB: 's/',
      keepOutputsA: true,
    });
    expect(m.graph!.input.map((i) => i.name)).toEqual(['g/z', 's/target']);
    expect(m.graph!.output.map((o) => o.name)).toEqual(['g/img', 's/loss']);
    const z = randn('float64', [1, 4], 3),
      t = randn('float64', [1, 6], 4);
    const a = await run(generator(), { z: toOrt(z) });
    const b = await run(scorer(), { x: a.img!, target: toOrt(t) });
    const c = await run(m, { 'g/z': toOrt(z), 's/target': toOrt(t) });
    expect(c['s/loss']!.data[0]).toBeCloseTo(b.loss!.data[0] as number, 12);
    const r = await gradCheck({ model: m, inputs: { 'g/z': z, 's/target': t }, of: 's/loss', wrt: ['g/z', 'g/w'] });
    expect(r.errors['g/z']).toBeLessThan(1e-6);
    expect(r.errors['g/w']).toBeLessThan(1e-6);
  });

  it('refuses clashing names and unknown connections, naming them', () => {
    expect(() => compose(generator(), scorer(), { connect: { x: 'img' } })).toThrow(
      /both use the names 'w'.*prefixA or prefixB/,
    );
    expect(() => compose(generator(), scorer(), { connect: { nope: 'img' }, prefixB: 's/' })).toThrow(
      /'nope' is not an input of model B/,
    );
    expect(() => compose(generator(), scorer(), { connect: { x: 'nope' }, prefixB: 's/' })).toThrow(
      /'nope' is not an output of model A/,
    );
  });

  it("extendModel appends a cosine loss that sees the model's value types", async () => {
    const m = extendModel(generator(), (g, ctx) => {
      const [n, d] = ctx.type('img').dims as [number, number];
      const t = g.input('target', 'float64', [n, d]);
      const dot = g.op('ReduceSum', [g.op('Mul', ['img', t]), g.ints([1])], { keepdims: 0 });
      const norm = (v: string) =>
        g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [v, v]), g.ints([1])], { keepdims: 0 })]);
      g.op('Sub', [g.scalar(1, 'float64'), g.op('Div', [dot, g.op('Mul', [norm('img'), norm(t)])])], {}, 'cos_loss');
      g.output('cos_loss', 'float64', [n]);
    });
    expect(m.graph!.output.map((o) => o.name)).toEqual(['img', 'cos_loss']);
    const z = randn('float64', [1, 4], 5),
      t = randn('float64', [1, 6], 6);
    const out = await run(m, { z: toOrt(z), target: toOrt(t) });
    const img = out.img!.data as Float64Array;
    const tv = t.data as Float64Array;
    let dot = 0,
      ni = 0,
      nt = 0;
    for (let i = 0; i < 6; i++) {
      dot += img[i]! * tv[i]!;
      ni += img[i]! ** 2;
      nt += tv[i]! ** 2;
    }
    expect(out.cos_loss!.data[0]).toBeCloseTo(1 - dot / Math.sqrt(ni * nt), 12);
    const r = await gradCheck({ model: m, inputs: { z, target: t }, of: 'cos_loss', wrt: ['z'] });
    expect(r.errors.z).toBeLessThan(1e-6);
  });

  it('initializersToInputs returns the weights and the model takes them as inputs', async () => {
    const { model, values } = initializersToInputs(generator(), ['w']);
    expect(model.graph!.initializer.map((t) => t.name)).toEqual([]);
    expect(model.graph!.input.map((i) => i.name)).toEqual(['z', 'w']);
    expect(values.w!.dims).toEqual([4, 6]);
    const z = randn('float64', [1, 4], 7);
    const a = await run(generator(), { z: toOrt(z) });
    const b = await run(model, { z: toOrt(z), w: toOrt(values.w!) });
    expect(Array.from(b.img!.data as Float64Array)).toEqual(Array.from(a.img!.data as Float64Array));
    const gm = gradientModel(model, { of: 'img', wrt: ['w'] });
    const zero = hostTensor('float64', [4, 6], new Array(24).fill(0));
    const seed = hostTensor('float64', [1, 6], [1, 1, 1, 1, 1, 1]);
    const g = await run(gm, { z: toOrt(z), w: toOrt(zero), img_grad: toOrt(seed) });
    // tanh'(0) = 1, so d(sum img)/dw[i, j] = z[i]
    const zv = z.data as Float64Array;
    expect(Array.from(g.w_grad!.data as Float64Array)).toEqual(
      Array.from({ length: 24 }, (_, k) => zv[Math.floor(k / 6)]!),
    );
    expect(() => initializersToInputs(generator(), ['nope'])).toThrow(/'nope' is not an initializer/);
  });
});
