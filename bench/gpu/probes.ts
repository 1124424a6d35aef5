// Single-op probe models for checking onnxruntime's WebGPU kernels against its CPU kernels, one op
// (with the exact attributes and shapes our backward graphs emit) per model:
// - groupedProbes: the grouped Conv / ConvTranspose cases the NHWC WebGPU kernels get wrong, each
//   as the raw op and as the rewrite that src/engine/onnx/grouped-conv.ts emits instead;
// - nodeProbes: every distinct (op, attributes, input shapes) node of a gradient model whose
//   runtime inputs are floats, cut out with its constant inputs kept and random float inputs.
import type { ModelProto, NodeProto } from 'onnx-buf';
import { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { readValueInfo } from '../../src/engine/onnx/graph.js';
import { groupedConv, groupedConvTranspose } from '../../src/engine/onnx/grouped-conv.js';
import { hostTensor, tensorFromProto, writeModel, DataType } from '../../src/engine/onnx/model.js';
import { GraphState } from '../../src/engine/onnx/state.js';

export interface ProbeFeed {
  name: string;
  dtype: 'float32';
  dims: number[];
  values: number[];
}
export interface Probe {
  name: string;
  bytes: Uint8Array;
  feeds: ProbeFeed[];
}

/** A grouped window op: x [N, C, H, W], weight [M, C/G, k, k] (Conv) or [C, M/G, k, k] (ConvTranspose). */
export interface GroupedCase {
  label: string;
  op: 'Conv' | 'ConvTranspose';
  N: number;
  C: number;
  H: number;
  M: number;
  G: number;
  k: number;
  s: number;
  pads: number[];
}

/** The cases found in the fixtures' backward graphs, plus the boundaries of the faulty ranges. */
export const GROUPED_CASES: GroupedCase[] = [
  {
    label: 'im2col taps of cnn c2 (9 per group, 72 out)',
    op: 'Conv',
    N: 4,
    C: 8,
    H: 8,
    M: 72,
    G: 8,
    k: 3,
    s: 1,
    pads: [1, 1, 1, 1],
  },
  {
    label: 'im2col taps of stylegan c1 (9 per group, 144 out)',
    op: 'Conv',
    N: 1,
    C: 16,
    H: 8,
    M: 144,
    G: 16,
    k: 3,
    s: 1,
    pads: [1, 1, 1, 1],
  },
  {
    label: 'im2col taps of cnn c1 (9 per group, 27 out: odd total)',
    op: 'Conv',
    N: 4,
    C: 3,
    H: 16,
    M: 27,
    G: 3,
    k: 3,
    s: 2,
    pads: [1, 1, 1, 1],
  },
  { label: '5 per group, 10 out', op: 'Conv', N: 1, C: 2, H: 6, M: 10, G: 2, k: 3, s: 1, pads: [1, 1, 1, 1] },
  { label: '3 per group, 12 out (under 4)', op: 'Conv', N: 1, C: 4, H: 6, M: 12, G: 4, k: 3, s: 1, pads: [1, 1, 1, 1] },
  {
    label: 'max-pool taps scatter of cnn (4 in, 1 out per group)',
    op: 'ConvTranspose',
    N: 4,
    C: 64,
    H: 4,
    M: 16,
    G: 16,
    k: 2,
    s: 2,
    pads: [0, 0, 0, 0],
  },
  {
    label: '2 in, 1 out per group (channel multiplier 2 input gradient)',
    op: 'ConvTranspose',
    N: 1,
    C: 32,
    H: 6,
    M: 16,
    G: 16,
    k: 3,
    s: 1,
    pads: [1, 1, 1, 1],
  },
  {
    label: '3 in, 1 out per group (odd)',
    op: 'ConvTranspose',
    N: 1,
    C: 48,
    H: 4,
    M: 16,
    G: 16,
    k: 2,
    s: 2,
    pads: [0, 0, 0, 0],
  },
];

/** Deterministic values in [-0.5, 0.5). */
function values(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647 - 0.5;
  });
}

const count = (d: number[]) => d.reduce((a, b) => a * b, 1);

/** One grouped case as a model: the raw op, or the form grouped-conv.ts emits. */
export function groupedProbe(c: GroupedCase, rewrite: boolean): Probe {
  const b = new GraphBuilder('probe');
  const xDims = [c.N, c.C, c.H, c.H];
  b.input('x', 'float32', xDims);
  const wDims = c.op === 'Conv' ? [c.M, c.C / c.G, c.k, c.k] : [c.C, c.M / c.G, c.k, c.k];
  b.weight('w', hostTensor('float32', wDims, values(count(wDims), 7)));
  const s = new GraphState(b.model());
  const attrs = { kernel_shape: [c.k, c.k], strides: [c.s, c.s], dilations: [1, 1], pads: c.pads, group: c.G };
  const y =
    c.op === 'Conv'
      ? rewrite
        ? groupedConv(s, 'x', 'w', attrs)
        : s.op('Conv', ['x', 'w'], attrs)
      : rewrite
        ? groupedConvTranspose(s, 'x', 'w', { ...attrs, output_padding: [0, 0] })
        : s.op('ConvTranspose', ['x', 'w'], { ...attrs, output_padding: [0, 0] });
  const name = `probe ${c.op} group=${c.G} ${c.C}→${c.M} k${c.k} s${c.s}, ${c.label}${rewrite ? ' — rewritten' : ''}`;
  return {
    name,
    bytes: writeModel(s.toModel({ outputs: [y] })),
    feeds: [{ name: 'x', dtype: 'float32', dims: xDims, values: values(count(xDims), 3) }],
  };
}

export function groupedProbes(): Probe[] {
  return GROUPED_CASES.flatMap((c) => [groupedProbe(c, false), groupedProbe(c, true)]);
}

function attrText(n: NodeProto): string {
  return n.attribute
    .map(
      (a) =>
        `${a.name}=${a.ints.length ? `[${a.ints.join(',')}]` : a.s.length ? new TextDecoder().decode(a.s) : a.type === 1 ? a.f : a.i}`,
    )
    .join(' ');
}

/**
 * Every distinct node of `model` (by op, attributes and input shapes) whose non-constant inputs are
 * floats, as a one-node model: initializers stay, other inputs become graph inputs fed random values.
 */
export function nodeProbes(model: ModelProto, label: string, ops?: Set<string>): Probe[] {
  const g = model.graph!;
  const types = new Map<string, { elemType: number; dims: number[] }>();
  for (const v of [...g.input, ...g.valueInfo, ...g.output]) {
    const info = readValueInfo(v);
    if (info?.dims.every((d) => typeof d === 'number'))
      types.set(v.name, { elemType: info.elemType, dims: info.dims as number[] });
  }
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const seen = new Set<string>();
  const probes: Probe[] = [];
  for (const n of g.node) {
    if (ops && !ops.has(n.opType)) continue;
    const ins = n.input.filter(Boolean);
    const runtime = ins.filter((i) => !inits.has(i));
    if (runtime.some((i) => types.get(i)?.elemType !== DataType.FLOAT)) continue;
    if (n.output.some((o) => !types.has(o))) continue;
    const shapes = ins.map((i) =>
      inits.has(i) ? `c[${inits.get(i)!.dims.join('x')}]` : `[${types.get(i)!.dims.join('x')}]`,
    );
    const key = `${n.opType} ${attrText(n)} ${shapes.join(' ')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const b = new GraphBuilder('probe');
    const feeds: ProbeFeed[] = [];
    const rename = new Map<string, string>();
    ins.forEach((i, k) => {
      const local = `in${k}`;
      if (rename.has(i)) return;
      rename.set(i, local);
      if (inits.has(i)) b.weight(local, tensorFromProto(inits.get(i)!));
      else {
        const dims = types.get(i)!.dims;
        b.input(local, 'float32', dims);
        feeds.push({ name: local, dtype: 'float32', dims, values: values(count(dims), 11 + k) });
      }
    });
    const outs = n.output.map((_, k) => `out${k}`);
    b.opN(
      n.opType,
      n.input.map((i) => (i ? rename.get(i)! : '')),
      {},
      outs.length,
      outs,
    );
    n.output.forEach((o, k) => {
      const t = types.get(o)!;
      b.output(
        outs[k]!,
        t.elemType === DataType.FLOAT ? 'float32' : t.elemType === DataType.INT64 ? 'int64' : 'bool',
        t.dims,
      );
    });
    const m = b.model(Number(model.opsetImport.find((o) => !o.domain)?.version ?? 17));
    m.graph!.node[0]!.attribute = n.attribute;
    probes.push({ name: `probe ${label}: ${key}`, bytes: writeModel(m), feeds });
  }
  return probes;
}
