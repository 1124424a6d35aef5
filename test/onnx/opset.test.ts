import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { compose } from '../../src/engine/onnx/compose.js';
import { opsetOf } from '../../src/engine/onnx/graph.js';
import { writeModel, type ModelProto } from '../../src/engine/onnx/model.js';
import { upgradeOpset } from '../../src/engine/onnx/opset.js';
import { randn, toOrt } from './gradcheck.js';

async function run(m: ModelProto, x: ReturnType<typeof randn>) {
  const out = await (await ort.InferenceSession.create(writeModel(m))).run({ x: toOrt(x) });
  return Array.from(out.y!.data as Float32Array);
}

/** Ops whose attributes became inputs after opset 9. */
function opset9Model(): ModelProto {
  const g = new GraphBuilder('old');
  g.input('x', 'float32', [1, 2, 3, 4]);
  const c = g.op('Clip', ['x'], { min: { float: -0.5 }, max: { float: 0.6 } });
  const s = g.op('Slice', [c], { starts: [1, 0], ends: [3, -1], axes: [2, 3] });
  const p = g.op('Pad', [s], { pads: [0, 0, 1, 0, 0, 0, 0, 2], value: { float: 0.25 } });
  const u = g.op('Upsample', [p, g.constant('float32', [4], [1, 1, 2, 2])], { mode: 'nearest' });
  const r = g.op('ReduceSum', [u], { axes: [1], keepdims: 0 });
  const q = g.op('Unsqueeze', [r], { axes: [0] });
  const sm = g.op('Softmax', [q], { axis: 2 });
  g.op('TopK', [g.op('Reshape', [sm, g.ints([1, -1])])], { k: 5 }, 'y');
  g.nodes[g.nodes.length - 1]!.output.push('idx');
  g.output('y', 'float32', [1, 5]);
  return g.model(9);
}

function opset11Model(): ModelProto {
  const g = new GraphBuilder('mid');
  g.input('x', 'float32', [2, 6, 3]);
  const [a, b] = g.opN('Split', ['x'], { axis: 1, split: [2, 4] }, 2);
  const m = g.op('ReduceMean', [b!], { axes: [1], keepdims: 1 });
  const s = g.op('Squeeze', [g.op('Add', [a!, m])], { axes: [] });
  g.op('LogSoftmax', [g.op('Unsqueeze', [s], { axes: [0] })], { axis: 1 }, 'y');
  g.output('y', 'float32', [1, 2, 2, 3]);
  return g.model(11);
}

describe('upgradeOpset', () => {
  it('keeps the meaning of opset 9 ops whose attributes became inputs', async () => {
    const old = opset9Model();
    const x = randn('float32', [1, 2, 3, 4], 1);
    const up = upgradeOpset(old, 17);
    expect(opsetOf(up)).toBe(17);
    expect(up.graph!.node.some((n) => n.opType === 'Upsample')).toBe(false);
    expect(await run(up, x)).toEqual(await run(old, x));
  });

  it('keeps Split, Reduce*, Squeeze and the 2-D LogSoftmax of opset 11 at opset 18', async () => {
    const old = opset11Model();
    const x = randn('float32', [2, 6, 3], 2);
    const up = upgradeOpset(old, 18);
    const ref = await run(old, x);
    const got = await run(up, x);
    for (const [i, v] of got.entries()) expect(v).toBeCloseTo(ref[i]!, 6);
  });

  it('compose upgrades the older model', async () => {
    const g = new GraphBuilder('new');
    g.input('z', 'float32', [1, 5]);
    g.op('Neg', ['z'], {}, 'out');
    g.output('out', 'float32', [1, 5]);
    const m = compose(opset9Model(), g.model(17), { connect: { z: 'y' } });
    expect(opsetOf(m)).toBe(17);
    const x = randn('float32', [1, 2, 3, 4], 3);
    const ref = await run(opset9Model(), x);
    const out = await (await ort.InferenceSession.create(writeModel(m))).run({ x: toOrt(x) });
    expect(Array.from(out.out!.data as Float32Array)).toEqual(ref.map((v) => -v));
    expect(() => upgradeOpset(g.model(17), 11)).toThrow(/cannot lower/);
  });
});
