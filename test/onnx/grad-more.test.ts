// Rules beyond the core set: more activations, Einsum, gather/scatter variants, TopK, Trilu, and the
// ops lowered to primitives first (Upsample, GroupNormalization, MeanVarianceNormalization,
// DepthToSpace, SpaceToDepth). Float64 where onnxruntime's CPU EP has a double kernel, else float32.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { hostTensor, writeModel, type DType, type HostTensor } from '../../src/engine/onnx/model.js';
import { gradCheck, randn, singleOp } from './gradcheck.js';

const i64 = (values: number[], dims = [values.length]) => hostTensor('int64', dims, values);

interface Case {
  name: string;
  op: string;
  /** float inputs as (dtype) => tensor, so the case can run in float64 or float32 */
  inputs: Record<string, [number[], number, number?, number?]>;
  order?: string[];
  attrs?: Record<string, unknown>;
  consts?: Record<string, HostTensor>;
  ints?: Record<string, HostTensor>;
  opset?: number;
  /** piecewise-linear ops are checked in float32 with a step that keeps their pieces */
  outputs?: string[];
}

const cases: Case[] = [
  {
    name: 'HardSigmoid',
    op: 'HardSigmoid',
    inputs: { x: [[12], 1, 4] },
    attrs: { alpha: { float: 0.3 }, beta: { float: 0.4 } },
  },
  { name: 'HardSwish', op: 'HardSwish', inputs: { x: [[12], 2, 5] }, opset: 14 },
  { name: 'Gelu exact (opset 20)', op: 'Gelu', inputs: { x: [[8], 3, 3] }, opset: 20 },
  { name: 'Gelu tanh (opset 20)', op: 'Gelu', inputs: { x: [[8], 4, 3] }, attrs: { approximate: 'tanh' }, opset: 20 },
  // seeds chosen so no input sits within a finite-difference step of a kink
  { name: 'Selu', op: 'Selu', inputs: { x: [[8], 51, 2] } },
  { name: 'Celu', op: 'Celu', inputs: { x: [[8], 6, 2] }, attrs: { alpha: { float: 0.7 } }, opset: 12 },
  { name: 'Elu', op: 'Elu', inputs: { x: [[8], 7, 2] }, attrs: { alpha: { float: 0.8 } } },
  { name: 'Softplus', op: 'Softplus', inputs: { x: [[8], 8, 3] } },
  { name: 'Mish', op: 'Mish', inputs: { x: [[8], 9, 3] }, opset: 18 },
  { name: 'ThresholdedRelu', op: 'ThresholdedRelu', inputs: { x: [[10], 10, 2] }, attrs: { alpha: { float: 0.4 } } },
  { name: 'Tan', op: 'Tan', inputs: { x: [[6], 11, 1] } },
  { name: 'Atan', op: 'Atan', inputs: { x: [[6], 12, 2] } },
  { name: 'Asin', op: 'Asin', inputs: { x: [[6], 13, 0.8] } },
  { name: 'Acos', op: 'Acos', inputs: { x: [[6], 14, 0.8] } },
  { name: 'Sinh', op: 'Sinh', inputs: { x: [[6], 15, 2] } },
  { name: 'Cosh', op: 'Cosh', inputs: { x: [[6], 16, 2] } },
  { name: 'Asinh', op: 'Asinh', inputs: { x: [[6], 17, 2] } },
  { name: 'Acosh', op: 'Acosh', inputs: { x: [[6], 18, 1, 2.5] } },
  { name: 'Atanh', op: 'Atanh', inputs: { x: [[6], 19, 0.8] } },
  { name: 'ReduceProd', op: 'ReduceProd', inputs: { x: [[3, 4], 20, 1, 0.2] }, attrs: { axes: [1], keepdims: 0 } },
  {
    name: 'Einsum attention-like bhqd,bhkd->bhqk',
    op: 'Einsum',
    inputs: { a: [[1, 2, 3, 4], 21], b: [[1, 2, 5, 4], 22] },
    attrs: { equation: 'bhqd,bhkd->bhqk' },
  },
  {
    name: 'Einsum with an index summed only in one operand',
    op: 'Einsum',
    inputs: { a: [[3, 4], 23], b: [[4, 2], 24] },
    attrs: { equation: 'ij,jk->k' },
  },
  {
    name: 'GatherElements axis 1 with negative and repeated indices',
    op: 'GatherElements',
    inputs: { x: [[3, 4], 25] },
    order: ['x', 'i'],
    ints: { i: i64([0, -1, 0, 3, 2, 2], [3, 2]) },
    attrs: { axis: 1 },
  },
  {
    name: 'GatherND',
    op: 'GatherND',
    inputs: { x: [[3, 4, 2], 26] },
    order: ['x', 'i'],
    ints: { i: i64([0, 1, 2, 3, 0, 1, -1, 0], [4, 2]) },
  },
  {
    name: 'ScatterND',
    op: 'ScatterND',
    inputs: { x: [[4, 3], 27], u: [[2, 3], 28] },
    order: ['x', 'i', 'u'],
    ints: { i: i64([2, 0], [2, 1]) },
  },
  {
    name: 'ScatterElements axis 0',
    op: 'ScatterElements',
    inputs: { x: [[3, 3], 29], u: [[2, 3], 30] },
    order: ['x', 'i', 'u'],
    ints: { i: i64([1, 0, 2, 0, 2, 1], [2, 3]) },
    attrs: { axis: 0 },
  },
  {
    name: 'TopK values',
    op: 'TopK',
    inputs: { x: [[3, 5], 31] },
    order: ['x', 'k'],
    ints: { k: i64([2]) },
    attrs: { axis: -1 },
    outputs: ['y', 'idx'],
  },
  {
    name: 'Trilu lower k=1',
    op: 'Trilu',
    inputs: { x: [[4, 4], 32] },
    order: ['x', 'k'],
    ints: { k: i64([1], []) },
    attrs: { upper: 0 },
    opset: 14,
  },
  {
    name: 'DepthToSpace CRD (lowered)',
    op: 'DepthToSpace',
    inputs: { x: [[1, 8, 2, 3], 33] },
    attrs: { blocksize: 2, mode: 'CRD' },
  },
  {
    name: 'DepthToSpace DCR (lowered)',
    op: 'DepthToSpace',
    inputs: { x: [[1, 8, 2, 3], 34] },
    attrs: { blocksize: 2 },
  },
  { name: 'SpaceToDepth (lowered)', op: 'SpaceToDepth', inputs: { x: [[1, 2, 4, 6], 35] }, attrs: { blocksize: 2 } },
  {
    name: 'MeanVarianceNormalization (lowered)',
    op: 'MeanVarianceNormalization',
    inputs: { x: [[2, 3, 2, 2], 36, 2] },
  },
  {
    name: 'GroupNormalization per-group scale, opset 18 (lowered)',
    op: 'GroupNormalization',
    inputs: { x: [[2, 4, 3], 37, 2], s: [[2], 38], b: [[2], 39] },
    attrs: { num_groups: 2 },
    opset: 18,
  },
  {
    name: 'Upsample nearest, opset 9 (lowered)',
    op: 'Upsample',
    inputs: { x: [[1, 1, 2, 3], 40] },
    order: ['x', 'sc'],
    consts: { sc: hostTensor('float32', [4], [1, 1, 2, 3]) },
    opset: 9,
  },
  {
    name: 'SoftmaxCrossEntropyLoss mean (lowered)',
    op: 'SoftmaxCrossEntropyLoss',
    inputs: { x: [[3, 4], 41, 2] },
    order: ['x', 'l'],
    ints: { l: i64([2, 0, 3]) },
    opset: 13,
  },
  {
    name: 'SoftmaxCrossEntropyLoss [N, C, D] with weights, ignore_index, sum, log_prob output (lowered)',
    op: 'SoftmaxCrossEntropyLoss',
    inputs: { x: [[2, 3, 4], 42, 2] },
    order: ['x', 'l', 'w'],
    ints: { l: i64([0, 2, 1, 1, 2, 2, 0, 1], [2, 4]) },
    consts: { w: hostTensor('float64', [3], [0.5, 2, 1.5]) },
    attrs: { ignore_index: 1, reduction: 'sum' },
    outputs: ['y', 'logp'],
    opset: 13,
  },
  {
    name: 'SoftmaxCrossEntropyLoss [N, C, D] reduction none, opset 12 (lowered)',
    op: 'SoftmaxCrossEntropyLoss',
    inputs: { x: [[2, 3, 2], 43, 2] },
    order: ['x', 'l'],
    ints: { l: i64([0, 2, 1, 1], [2, 2]) },
    attrs: { reduction: 'none' },
    opset: 12,
  },
  {
    name: 'NegativeLogLikelihoodLoss weighted mean with ignore_index (lowered)',
    op: 'NegativeLogLikelihoodLoss',
    inputs: { x: [[4, 3], 44, 2] },
    order: ['x', 'l', 'w'],
    ints: { l: i64([0, 2, 1, 2]) },
    consts: { w: hostTensor('float64', [3], [0.5, 2, 1.5]) },
    attrs: { ignore_index: 2 },
    opset: 13,
  },
];

async function supports(op: string, dtype: DType, c: Case): Promise<boolean> {
  const inputs = Object.fromEntries(
    Object.entries(c.inputs).map(([k, [d, seed, sc, off]]) => [k, randn(dtype, d, seed, sc, off)]),
  );
  const m = singleOp(op, {
    inputs: { ...inputs, ...c.ints },
    order: c.order ?? Object.keys(c.inputs),
    attrs: c.attrs,
    consts: c.consts,
    opset: c.opset,
    outDtype: dtype,
  });
  if (c.outputs) m.graph!.node[0]!.output = c.outputs;
  try {
    await ort.InferenceSession.create(writeModel(m));
    return true;
  } catch (e) {
    if (/Could not find an implementation|Type Error/.test(String(e))) return false;
    throw e;
  }
}

describe('gradient rules: more ops (finite differences)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const dtype: DType =
        c.op === 'GroupNormalization' || c.op === 'Upsample' || !(await supports(c.op, 'float64', c))
          ? 'float32'
          : 'float64';
      const floats = Object.fromEntries(
        Object.entries(c.inputs).map(([k, [d, seed, sc, off]]) => [k, randn(dtype, d, seed, sc, off)]),
      );
      const model = singleOp(c.op, {
        inputs: { ...floats, ...c.ints },
        order: c.order ?? Object.keys(c.inputs),
        attrs: c.attrs,
        consts: c.consts,
        opset: c.opset,
        outDtype: dtype,
      });
      if (c.outputs) model.graph!.node[0]!.output = c.outputs;
      if (c.ints)
        for (const [k, t] of Object.entries(c.ints)) {
          // index inputs are constants of the graph, not fed
          model.graph!.input = model.graph!.input.filter((i) => i.name !== k);
          const { tensorToProto } = await import('../../src/engine/onnx/model.js');
          model.graph!.initializer.push(tensorToProto(k, t));
        }
      // onnxruntime has no CPU kernel for these: finite differences run on the lowered forward model.
      const lowered = ['GroupNormalization', 'Upsample'].includes(c.op);
      const r = await gradCheck({
        model: lowered ? await loweredForward(model) : model,
        inputs: floats,
        of: 'y',
        wrt: Object.keys(floats),
        eps: dtype === 'float64' ? 1e-6 : 1e-2,
      });
      for (const [w, e] of Object.entries(r.errors))
        expect(e, `${c.name}: d/d${w} (${dtype})`).toBeLessThan(dtype === 'float64' ? 1e-6 : 3e-3);
    });
  }
});

/** The model after gradientModel's lowering, as a plain forward model (for ops ORT lacks). */
async function loweredForward(model: import('../../src/engine/onnx/model.js').ModelProto) {
  const { GraphState } = await import('../../src/engine/onnx/state.js');
  const { lowerNode } = await import('../../src/engine/onnx/lower.js');
  const s = new GraphState(model, { lower: lowerNode });
  for (const n of model.graph!.node) s.add(n);
  return s.toModel();
}
