// Layer helpers over GraphBuilder for the demo networks: each registers its weights in a ParamStore and
// writes Conv attributes explicitly (the WebGPU EPs need them spelled out).
import type { GraphBuilder } from '../../src/engine/onnx/builder.js';
import type { ParamStore } from './params.js';

export interface Net {
  g: GraphBuilder;
  p: ParamStore;
}

function weight(net: Net, name: string, dims: number[], init: Parameters<ParamStore['get']>[2]): string {
  net.p.get(name, dims, init);
  if (!net.g.initializers.has(name)) net.g.weight(name, net.p.tensor(name));
  return name;
}

export function conv(net: Net, x: string, name: string, cin: number, cout: number, k: number, stride: number): string {
  const w = weight(net, `${name}.weight`, [cout, cin, k, k], { kind: 'he', fanIn: cin * k * k });
  const b = weight(net, `${name}.bias`, [cout], { kind: 'const', value: 0 });
  const pad = (k - 1) >> 1;
  return net.g.op('Conv', [x, w, b], {
    kernel_shape: [k, k],
    strides: [stride, stride],
    pads: [pad, pad, pad, pad],
    dilations: [1, 1],
    group: 1,
  });
}

/** x [N, nin] -> [N, nout]. `gain` 1 for a layer that feeds no ReLU. */
export function dense(net: Net, x: string, name: string, nin: number, nout: number, gain = Math.SQRT2): string {
  const w = weight(net, `${name}.weight`, [nin, nout], { kind: 'he', fanIn: nin, gain });
  const b = weight(net, `${name}.bias`, [nout], { kind: 'const', value: 0 });
  return net.g.op('Add', [net.g.op('MatMul', [x, w]), b]);
}

export function embedding(net: Net, ids: string, name: string, vocab: number, dim: number): string {
  const w = weight(net, `${name}.weight`, [vocab, dim], { kind: 'normal', std: 0.3 });
  return net.g.op('Gather', [w, ids], { axis: 0 });
}

export function relu(net: Net, x: string): string {
  return net.g.op('Relu', [x]);
}

/** x / |x| along axis 1, with an epsilon so a zero vector gives zeros instead of NaN. */
export function l2normalize(net: Net, x: string): string {
  const g = net.g;
  const sq = g.op('ReduceSum', [g.op('Mul', [x, x]), g.ints([1])], { keepdims: 1 });
  return g.op('Div', [x, g.op('Sqrt', [g.op('Add', [sq, g.scalar(1e-8)])])]);
}
