import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { foldConstants, inferShapes } from '../../src/engine/onnx/fold.js';
import { readValueInfo } from '../../src/engine/onnx/graph.js';
import { hostTensor, writeModel } from '../../src/engine/onnx/model.js';
import { randn, toOrt } from './gradcheck.js';

/** The shape arithmetic torch.onnx emits around a flatten, with a symbolic batch dim. */
function exporterLikeModel() {
  const g = new GraphBuilder('exported');
  g.input('x', 'float32', ['batch', 3, 4]);
  const shape = g.op('Shape', ['x']);
  const batch = g.op('Gather', [shape, g.op('Constant', [], { value: hostTensor('int64', [], [0]) })], { axis: 0 });
  const b1 = g.op('Unsqueeze', [batch, g.ints([0])]);
  const target = g.op('Concat', [b1, g.op('Constant', [], { value: hostTensor('int64', [1], [-1]) })], { axis: 0 });
  const flat = g.op('Reshape', [g.op('Identity', ['x']), target]);
  const ones = g.op('ConstantOfShape', [g.op('Shape', [flat])], { value: hostTensor('float32', [1], [0.5]) });
  const scale = g.op('Cast', [g.op('Constant', [], { value: hostTensor('int64', [], [3]) })], { to: 1 });
  g.op('Mul', [g.op('Add', [flat, ones]), scale], {}, 'y');
  g.output('y', 'float32', ['batch', 12]);
  return g.model();
}

describe('foldConstants / inferShapes', () => {
  it('folds exporter shape chains, ConstantOfShape, Cast, Constant and Identity, and keeps the result', async () => {
    const model = exporterLikeModel();
    const folded = foldConstants(model, { x: [2, 3, 4] });
    const ops = folded.graph!.node.map((n) => n.opType);
    expect(ops).toEqual(['Reshape', 'Add', 'Mul']);
    expect(readValueInfo(folded.graph!.input[0]!)!.dims).toEqual([2, 3, 4]);
    expect(readValueInfo(folded.graph!.output[0]!)!.dims).toEqual([2, 12]);
    for (const v of folded.graph!.valueInfo)
      expect(readValueInfo(v)!.dims.every((d) => typeof d === 'number')).toBe(true);
    const x = randn('float32', [2, 3, 4], 3);
    const a = await (await ort.InferenceSession.create(writeModel(model))).run({ x: toOrt(x) });
    const b = await (await ort.InferenceSession.create(writeModel(folded))).run({ x: toOrt(x) });
    expect(Array.from(b.y!.data as Float32Array)).toEqual(Array.from(a.y!.data as Float32Array));
  });

  it('inferShapes annotates every intermediate value with static dims', () => {
    const m = inferShapes(exporterLikeModel(), { x: [5, 3, 4] });
    const dims = Object.fromEntries(m.graph!.valueInfo.map((v) => [v.name, readValueInfo(v)!.dims]));
    const reshapeOut = m.graph!.node.find((n) => n.opType === 'Reshape')!.output[0]!;
    expect(dims[reshapeOut]).toEqual([5, 12]);
  });

  it('keeps initializers named in keep (weights being trained) unfolded', () => {
    const g = new GraphBuilder('w');
    g.input('x', 'float32', [2]);
    g.weight('w', hostTensor('float32', [2], [1, 2]));
    g.op('Mul', ['x', g.op('Mul', ['w', g.scalar(2)])], {}, 'y');
    g.output('y', 'float32', [2]);
    expect(foldConstants(g.model()).graph!.node.map((n) => n.opType)).toEqual(['Mul']);
    expect(foldConstants(g.model(), undefined, { keep: ['w'] }).graph!.node.map((n) => n.opType)).toEqual([
      'Mul',
      'Mul',
    ]);
  });

  it('names the input and its symbolic dim when a shape is missing', () => {
    expect(() => foldConstants(exporterLikeModel())).toThrow(/input 'x' has a symbolic dim 'batch'/);
    expect(() => foldConstants(exporterLikeModel(), { x: [2, 3] })).toThrow(/input 'x': shape \[2,3\] has rank 2/);
    expect(() => foldConstants(exporterLikeModel(), { z: [1] } as Record<string, number[]>)).toThrow(
      /a shape is given for 'z', which is not a graph input/,
    );
  });
});
