// A graph whose node order matters to onnxruntime: a chain c1 → c2 → c3 with a reduction off
// each link (b1, b2, b3), joined at the end, written in build order.
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import type { ModelProto } from '../../src/engine/onnx/model.js';

export function chainWithBranches(dims: number[]): ModelProto {
  const g = new GraphBuilder('branches');
  g.input('x', 'float32', dims);
  const c1 = g.op('Neg', ['x'], {}, 'c1');
  const b1 = g.op('ReduceSum', [c1], { keepdims: 1 }, 'b1');
  const c2 = g.op('Neg', [c1], {}, 'c2');
  const b2 = g.op('ReduceSum', [c2], { keepdims: 1 }, 'b2');
  const c3 = g.op('Neg', [c2], {}, 'c3');
  const b3 = g.op('ReduceSum', [c3], { keepdims: 1 }, 'b3');
  g.op('Concat', [b1, b2, b3], { axis: 0 }, 'y');
  g.output('y', 'float32', [3, ...dims.slice(1).map(() => 1)]);
  return g.model(17);
}
