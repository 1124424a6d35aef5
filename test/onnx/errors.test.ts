import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';

function modelWith(op: string) {
  const g = new GraphBuilder('m');
  g.input('x', 'float32', [2, 3]);
  g.weight('w', { dtype: 'float32', dims: [3], data: new Float32Array([1, 2, 3]) });
  const a = g.op('Mul', ['x', 'w'], {}, 'scaled');
  const b = g.op(op, [a], {}, 'odd');
  g.op('ReduceSum', [g.op('Add', [b, 'x'], {}, 'summed')], { keepdims: 0 }, 'loss');
  g.output('loss', 'float32', []);
  return g.model();
}

describe('gradientModel errors', () => {
  it('names the op, the node and the path from wrt to of when a rule is missing', () => {
    const m = modelWith('Shrink');
    m.graph!.node[1]!.name = 'my_shrink';
    expect(() => gradientModel(m, { of: 'loss', wrt: ['w'] })).toThrow(
      /no gradient rule for op Shrink \(Shrink node 'my_shrink'\); it is on the path w → Mul\(scaled\) → Shrink\(odd\) → Add\(summed\) → ReduceSum\(loss\)/,
    );
  });

  it('does not need a rule for ops off the path', () => {
    const g = new GraphBuilder('m');
    g.input('x', 'float32', [3]);
    g.input('c', 'float32', [3]);
    g.op('Add', ['x', g.op('Atan', ['c'])], {}, 'y');
    g.output('y', 'float32', [3]);
    const gm = gradientModel(g.model(), { of: 'y', wrt: ['x'] });
    expect(gm.graph!.output.map((o) => o.name)).toEqual(['y', 'x_grad']);
    expect(gm.graph!.input.map((i) => i.name)).toEqual(['x', 'c', 'y_grad']);
  });

  it('names unknown of and wrt', () => {
    expect(() => gradientModel(modelWith('Tanh'), { of: 'nope', wrt: ['x'] })).toThrow(
      /gradient of 'nope': no such value.*outputs: loss/,
    );
    expect(() => gradientModel(modelWith('Tanh'), { of: 'loss', wrt: ['nope'] })).toThrow(
      /gradient w.r.t. 'nope': not a graph input, initializer or value of the graph \(inputs: x/,
    );
    expect(() => gradientModel(modelWith('Tanh'), { of: 'loss', wrt: [] })).toThrow(/wrt is empty/);
  });

  it('gives zeros for a wrt that does not reach of', async () => {
    const g = new GraphBuilder('m');
    g.input('x', 'float32', [3]);
    g.input('unused', 'float32', [2]);
    g.op('Neg', ['x'], {}, 'y');
    g.output('y', 'float32', [3]);
    const ort = await import('onnxruntime-node');
    const { writeModel } = await import('../../src/engine/onnx/model.js');
    const s = await ort.InferenceSession.create(
      writeModel(gradientModel(g.model(), { of: 'y', wrt: ['x', 'unused'] })),
    );
    const out = await s.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]),
      unused: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]),
      y_grad: new ort.Tensor('float32', Float32Array.from([1, 1, 2]), [3]),
    });
    expect(Array.from(out.x_grad!.data as Float32Array)).toEqual([-1, -1, -2]);
    expect(Array.from(out.unused_grad!.data as Float32Array)).toEqual([0, 0]);
  });
});

describe('gradientModel targets', () => {
  it('takes a parameter that the exporter wrote as an Identity of an equal one as its own target', async () => {
    // torch.onnx writes a parameter equal to another as Identity(other); each keeps its own gradient.
    const g = new GraphBuilder('tied');
    g.input('x', 'float64', [3]);
    g.weight('w0', { dtype: 'float64', dims: [3], data: new Float64Array([1, 1, 1]) });
    g.op('Identity', ['w0'], {}, 'w1');
    const a = g.op('Mul', ['x', 'w0']);
    const b = g.op('Mul', [g.op('Mul', ['x', 'x']), 'w1']);
    g.op('Add', [a, b], {}, 'y');
    g.output('y', 'float64', [3]);
    const ort = await import('onnxruntime-node');
    const { writeModel } = await import('../../src/engine/onnx/model.js');
    const s = await ort.InferenceSession.create(writeModel(gradientModel(g.model(), { of: 'y', wrt: ['w0', 'w1'] })));
    const out = await s.run({
      x: new ort.Tensor('float64', Float64Array.from([1, 2, 3]), [3]),
      y_grad: new ort.Tensor('float64', Float64Array.from([1, 1, 1]), [3]),
    });
    expect(Array.from(out.w0_grad!.data as Float64Array)).toEqual([1, 2, 3]);
    expect(Array.from(out.w1_grad!.data as Float64Array)).toEqual([1, 4, 9]);
  });
});
