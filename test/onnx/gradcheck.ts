// Central finite differences against gradientModel, on onnxruntime-node. Float64 where ORT's CPU
// kernels have double versions; float32 for the rest (their rules are tested on ops that are linear
// in the perturbed input, where a large step is exact).
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { initializersToInputs } from '../../src/engine/onnx/compose.js';
import { mulberry32 } from '../../src/engine/random.js';
import { hostTensor, writeModel, type DType, type HostTensor, type ModelProto } from '../../src/engine/onnx/model.js';

export function randn(dtype: DType, dims: number[], seed: number, scale = 1, offset = 0): HostTensor {
  // Tests must not depend on Math.random: the tree's one seeded source.
  const r = mulberry32(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return hostTensor(
    dtype,
    dims,
    Array.from({ length: n }, () => offset + scale * (r() * 2 - 1)),
  );
}

export function toOrt(t: HostTensor): ort.Tensor {
  return new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.dims);
}

export interface GradCheck {
  model: ModelProto;
  inputs: Record<string, HostTensor>;
  of: string;
  wrt: string[];
  eps?: number;
  /** max |g − fd| / max |fd| */
  tol?: number;
  seed?: number;
  target?: 'any' | 'cpu';
}

export interface GradCheckResult {
  errors: Record<string, number>;
  grads: Record<string, Float64Array>;
  fd: Record<string, Float64Array>;
}

async function run(session: ort.InferenceSession, feeds: Record<string, HostTensor>) {
  const f: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = toOrt(v);
  return session.run(f);
}

/** Compares gradientModel's gradients with central differences of sum(of · seed). */
export async function gradCheck(c: GradCheck): Promise<GradCheckResult> {
  const eps = c.eps ?? 1e-5;
  const inits = c.wrt.filter((w) => !(w in c.inputs));
  const { model: fwdModel, values } = initializersToInputs(c.model, inits);
  const all: Record<string, HostTensor> = { ...c.inputs, ...values };
  const fwd = await ort.InferenceSession.create(writeModel(fwdModel));
  const base = await run(fwd, all);
  const y = base[c.of]!;
  const seed = randn(y.type as DType, [...y.dims], c.seed ?? 99);
  const seedVals = Array.from(seed.data as Float64Array);
  const objective = async (feeds: Record<string, HostTensor>) => {
    const out = (await run(fwd, feeds))[c.of]!.data as Float64Array;
    let acc = 0;
    for (let i = 0; i < out.length; i++) acc += Number(out[i]) * seedVals[i]!;
    return acc;
  };
  const gm = gradientModel(c.model, { of: c.of, wrt: c.wrt, target: c.target });
  const gs = await ort.InferenceSession.create(writeModel(gm));
  const gout = await run(gs, { ...c.inputs, [`${c.of}_grad`]: seed });
  const res: GradCheckResult = { errors: {}, grads: {}, fd: {} };
  for (const w of c.wrt) {
    const x = all[w]!;
    const g = Float64Array.from(gout[`${w}_grad`]!.data as Float64Array, Number);
    const fd = new Float64Array(x.data.length);
    for (let i = 0; i < x.data.length; i++) {
      const plus = { ...x, data: x.data.slice() } as HostTensor;
      const minus = { ...x, data: x.data.slice() } as HostTensor;
      (plus.data as Float64Array)[i] = Number(x.data[i]) + eps;
      (minus.data as Float64Array)[i] = Number(x.data[i]) - eps;
      const fp = await objective({ ...all, [w]: plus });
      const fm = await objective({ ...all, [w]: minus });
      fd[i] = (fp - fm) / (2 * eps);
    }
    let md = 0,
      mr = 0;
    for (let i = 0; i < fd.length; i++) {
      md = Math.max(md, Math.abs(g[i]! - fd[i]!));
      mr = Math.max(mr, Math.abs(fd[i]!));
    }
    if (g.length !== fd.length) md = Infinity;
    res.errors[w] = md / Math.max(mr, 1e-6);
    res.grads[w] = g;
    res.fd[w] = fd;
  }
  return res;
}

/** A one-node model: inputs are graph inputs unless listed in `weights`; ints are int64 constants. */
export function singleOp(
  op: string,
  spec: {
    inputs: Record<string, HostTensor>;
    order: string[];
    attrs?: Record<string, any>;
    outDtype?: DType;
    opset?: number;
    consts?: Record<string, HostTensor>;
  },
): ModelProto {
  const g = new GraphBuilder(op);
  for (const name of spec.order) {
    if (name === '') continue;
    const t = spec.inputs[name];
    if (t) g.input(name, t.dtype, t.dims);
    else if (spec.consts?.[name]) g.weight(name, spec.consts[name]!);
  }
  g.op(op, spec.order, spec.attrs ?? {}, 'y');
  g.output('y', spec.outDtype ?? Object.values(spec.inputs)[0]!.dtype, []);
  const m = g.model(spec.opset);
  m.graph!.output[0]!.type = undefined;
  return m;
}
