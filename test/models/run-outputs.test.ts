// A session run can ask for some of its outputs: only those come back, and an unknown name is named.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { hostTensor, writeModel } from '../../src/engine/onnx/model.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';

function twoOutputs(): Uint8Array {
  const g = new GraphBuilder('two');
  g.input('x', 'float32', [2]);
  g.op('Neg', ['x'], {}, 'negated');
  g.op('Mul', ['x', 'x'], {}, 'squared');
  g.output('negated', 'float32', [2]);
  g.output('squared', 'float32', [2]);
  return writeModel(g.model(17));
}

describe('session outputs', () => {
  it('returns only the outputs asked for', async () => {
    const runtime = await createNodeRuntime();
    const session = await runtime.createSession(twoOutputs(), { name: 'two outputs' });
    const x = hostTensor('float32', [2], [2, -3]);
    const all = await session.run({ x });
    expect(Object.keys(all).sort()).toEqual(['negated', 'squared']);
    const some = await session.run({ x }, { outputs: ['squared'] });
    expect(Object.keys(some)).toEqual(['squared']);
    expect(Array.from((await some.squared!.read()).data as Float32Array)).toEqual([4, 9]);
    await expect(session.run({ x }, { outputs: ['image'] })).rejects.toThrow(
      'two outputs: there is no output "image" (outputs: negated, squared)',
    );
    await session.release();
  });
});
