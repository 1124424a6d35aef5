import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { readModel, writeModel, hostTensor, tensorFromProto } from '../../src/engine/onnx/model.js';

describe('GraphBuilder', () => {
  it('builds a model that onnxruntime runs and that round-trips through bytes', async () => {
    const g = new GraphBuilder('affine');
    const x = g.input('x', 'float32', [2, 3]);
    const w = g.weight('w', hostTensor('float32', [3, 2], [1, 2, 3, 4, 5, 6]));
    const y = g.op('MatMul', [x, w]);
    g.op('Add', [y, g.scalar(0.5)], {}, 'y');
    g.output('y', 'float32', [2, 2]);
    const bytes = writeModel(g.model());
    const back = readModel(bytes);
    expect(back.graph!.node.map((n) => n.opType)).toEqual(['MatMul', 'Add']);
    expect(
      Array.from(tensorFromProto(back.graph!.initializer.find((t) => t.name === 'w')!).data as Float32Array),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 0, 0, 0, 1, 1]), [2, 3]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1.5, 2.5, 8.5, 10.5]);
  });

  it('names what is wrong with bytes that are not a model', () => {
    expect(() => readModel(new Uint8Array([1, 2, 3, 250]), 'broken.onnx')).toThrow(/broken\.onnx is not an ONNX model/);
  });
});
