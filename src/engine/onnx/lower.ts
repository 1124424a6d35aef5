// Rewrites applied before differentiation: ops whose backward pass would need non-standard or
// CPU-only kernels become plain ones (Resize → MatMul with interpolation matrices, DepthToSpace →
// Reshape/Transpose), and window ops get every attribute written out (WebGPU's Conv wants that).
import { create } from '@bufbuild/protobuf';
import { NodeProtoSchema, TensorProto_DataType as DataType, type NodeProto } from 'onnx-buf';
import { attribute } from './builder.js';
import { windowGeometry } from './conv.js';
import { Attrs, describeNode, numel, type ValueType } from './graph.js';
import { fromNumbers } from './host.js';
import { inversePerm, reduce, reshape, transpose, zeroFillPads } from './ops.js';
import { resizeOutDims } from './shapes.js';
import type { GraphState } from './state.js';

/** Interpolation matrix [out, in] for one axis of Resize, as onnxruntime computes it. */
export function resizeMatrix(inSize: number, outSize: number, scale: number, node: NodeProto): number[][] {
  const a = new Attrs(node);
  const where = describeNode(node);
  const mode = a.string('mode', 'nearest');
  const ctm = a.string('coordinate_transformation_mode', 'half_pixel');
  const nearestMode = a.string('nearest_mode', 'round_prefer_floor');
  const cubicA = a.float('cubic_coeff_a', -0.75);
  const exclude = a.int('exclude_outside', 0) === 1;
  if (a.int('antialias', 0) === 1 && outSize < inSize)
    throw new Error(`${where}: antialiased downscaling is not supported`);
  const original = (x: number): number => {
    switch (ctm) {
      case 'half_pixel':
        return (x + 0.5) / scale - 0.5;
      case 'pytorch_half_pixel':
        return outSize > 1 ? (x + 0.5) / scale - 0.5 : 0;
      case 'align_corners':
        return outSize === 1 ? 0 : (x * (inSize - 1)) / (outSize - 1);
      case 'asymmetric':
        return x / scale;
      case 'tf_half_pixel_for_nn':
        return (x + 0.5) / scale;
      case 'half_pixel_symmetric': {
        const adj = outSize / (inSize * scale);
        const center = inSize / 2;
        const offset = center * (1 - adj);
        return offset + (x + 0.5) / scale - 0.5;
      }
    }
    throw new Error(`${where}: coordinate_transformation_mode '${ctm}' is not supported`);
  };
  const rows: number[][] = [];
  const clampI = (i: number) => Math.min(Math.max(i, 0), inSize - 1);
  for (let o = 0; o < outSize; o++) {
    const row = new Array<number>(inSize).fill(0);
    const x = original(o);
    if (mode === 'nearest') {
      let i: number;
      const f = Math.floor(x);
      switch (nearestMode) {
        case 'round_prefer_floor':
          i = x - f === 0.5 ? f : Math.round(x);
          break;
        case 'round_prefer_ceil':
          i = x - f === 0.5 ? f + 1 : Math.round(x);
          break;
        case 'floor':
          i = f;
          break;
        case 'ceil':
          i = Math.ceil(x);
          break;
        default:
          throw new Error(`${where}: nearest_mode '${nearestMode}' is not supported`);
      }
      row[clampI(i)] = 1;
    } else if (mode === 'linear') {
      const xc = Math.min(Math.max(x, 0), inSize - 1);
      const x0 = Math.floor(xc);
      const x1 = Math.min(x0 + 1, inSize - 1);
      const t = xc - x0;
      row[x0]! += 1 - t;
      row[x1]! += t;
    } else if (mode === 'cubic') {
      const f = Math.floor(x);
      const t = x - f;
      const k = (d: number) => {
        const ad = Math.abs(d);
        if (ad <= 1) return (cubicA + 2) * ad ** 3 - (cubicA + 3) * ad ** 2 + 1;
        if (ad < 2) return cubicA * ad ** 3 - 5 * cubicA * ad ** 2 + 8 * cubicA * ad - 4 * cubicA;
        return 0;
      };
      const taps = [-1, 0, 1, 2].map((j) => ({ i: f + j, w: k(t - j) }));
      const kept = exclude ? taps.filter((p) => p.i >= 0 && p.i < inSize) : taps;
      const norm = exclude ? kept.reduce((p, q) => p + q.w, 0) : 1;
      for (const p of kept) row[clampI(p.i)]! += p.w / norm;
    } else throw new Error(`${where}: mode '${mode}' is not supported`);
    rows.push(row);
  }
  return rows;
}

function lowerResize(node: NodeProto, s: GraphState): boolean {
  const x = node.input[0]!;
  const xt = s.type(x);
  const a = new Attrs(node);
  if (a.string('coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize') return false;
  const { dims, scales } = resizeOutDims(
    node,
    xt.dims,
    (k) => (node.input[k] ? s.constValue(node.input[k]!) : undefined),
    s.opset,
  );
  const r = dims.length;
  let cur = x;
  const changed = dims.map((_d, i) => i).filter((i) => dims[i] !== xt.dims[i] || scales[i] !== 1);
  for (const ax of changed) {
    const m = resizeMatrix(xt.dims[ax]!, dims[ax]!, scales[ax]!, node);
    const dtype = s.dtype(x);
    if (ax === r - 1) {
      const mt = s.constant(fromNumbers(dtype, [xt.dims[ax]!, dims[ax]!], transposeRows(m)), 'resize_t');
      cur = s.op('MatMul', [cur, mt]);
    } else if (ax === r - 2) {
      const mm = s.constant(fromNumbers(dtype, [dims[ax]!, xt.dims[ax]!], m.flat()), 'resize');
      cur = s.op('MatMul', [mm, cur]);
    } else {
      const perm = Array.from({ length: r }, (_, i) => i).filter((i) => i !== ax);
      perm.push(ax);
      const mt = s.constant(fromNumbers(dtype, [xt.dims[ax]!, dims[ax]!], transposeRows(m)), 'resize_t');
      cur = transpose(s, s.op('MatMul', [transpose(s, cur, perm), mt]), inversePerm(perm));
    }
  }
  s.rename(cur, node.output[0]!);
  return true;
}

function transposeRows(m: number[][]): number[] {
  const rows = m.length,
    cols = m[0]!.length;
  const out = new Array<number>(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r]![c]!;
  return out;
}

function lowerDepthSpace(node: NodeProto, s: GraphState): boolean {
  const x = node.input[0]!;
  const [n, c, h, w] = s.dims(x) as [number, number, number, number];
  const a = new Attrs(node);
  const b = a.int('blocksize', 1);
  let out: string;
  if (node.opType === 'DepthToSpace') {
    const crd = a.string('mode', 'DCR') === 'CRD';
    const split = crd ? [n, c / (b * b), b, b, h, w] : [n, b, b, c / (b * b), h, w];
    const perm = crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2];
    out = reshape(s, transpose(s, reshape(s, x, split), perm), [n, c / (b * b), h * b, w * b]);
  } else {
    const t = transpose(s, reshape(s, x, [n, c, h / b, b, w / b, b]), [0, 3, 5, 1, 2, 4]);
    out = reshape(s, t, [n, c * b * b, h / b, w / b]);
  }
  s.rename(out, node.output[0]!);
  return true;
}

/** Upsample (opset 7–9) is Resize with asymmetric coordinates and floor rounding. */
function lowerUpsample(node: NodeProto, s: GraphState): boolean {
  const a = new Attrs(node);
  const mode = a.string('mode', 'nearest');
  let scales = node.input[1];
  if (!scales) {
    const f = a.floats('scales');
    if (!f) throw new Error(`${describeNode(node)}: no scales`);
    scales = s.constant(fromNumbers('float32', [f.length], f), 'scales');
  }
  const resize = create(NodeProtoSchema, {
    opType: 'Resize',
    name: node.name,
    input: [node.input[0]!, '', scales],
    output: node.output,
    attribute: [
      attribute('mode', mode === 'bilinear' ? 'linear' : mode),
      attribute('coordinate_transformation_mode', 'asymmetric'),
      attribute('nearest_mode', 'floor'),
    ],
  });
  // resizeOutDims reads Resize's opset-11 input layout.
  const { dims, scales: sc } = resizeOutDims(
    resize,
    s.dims(node.input[0]!),
    (k) => (resize.input[k] ? s.constValue(resize.input[k]!) : undefined),
    11,
  );
  let cur = node.input[0]!;
  dims.forEach((d, ax) => {
    if (d === s.dims(cur)[ax] && sc[ax] === 1) return;
    const inSize = s.dims(cur)[ax]!;
    const m = resizeMatrix(inSize, d, sc[ax]!, resize);
    cur = applyAlongAxis(s, cur, ax, m, inSize, d);
  });
  s.rename(cur, node.output[0]!);
  return true;
}

function applyAlongAxis(s: GraphState, x: string, ax: number, m: number[][], inSize: number, outSize: number): string {
  const r = s.dims(x).length;
  const perm = Array.from({ length: r }, (_, i) => i).filter((i) => i !== ax);
  perm.push(ax);
  const mt = s.constant(fromNumbers(s.dtype(x), [inSize, outSize], transposeRows(m)), 'resize_t');
  return transpose(s, s.op('MatMul', [transpose(s, x, perm), mt]), inversePerm(perm));
}

/** Normalization ops without a kernel everywhere become ReduceMean arithmetic (their gradients follow). */
function lowerNormalization(node: NodeProto, s: GraphState): boolean {
  const a = new Attrs(node);
  const x = node.input[0]!;
  const xd = s.dims(x);
  const meanOver = (t: string, axes: number[]) => reduce(s, 'ReduceMean', t, axes, true);
  let out: string;
  if (node.opType === 'MeanVarianceNormalization') {
    const axes = (a.ints('axes') ?? [0, 2, 3]).map((v) => (v < 0 ? v + xd.length : v));
    const xc = s.op('Sub', [x, meanOver(x, axes)]);
    const std = s.op('Sqrt', [meanOver(s.op('Mul', [xc, xc]), axes)]);
    out = s.op('Div', [xc, s.op('Add', [std, s.scalar(1e-9, s.dtype(x))])]);
  } else {
    const groups = a.int('num_groups', 1);
    const eps = a.float('epsilon', 1e-5);
    const [n, c] = xd as [number, number];
    const xg = reshape(s, x, [n, groups, numel(xd.slice(1)) / groups]);
    const xc = s.op('Sub', [xg, meanOver(xg, [2])]);
    const v = meanOver(s.op('Mul', [xc, xc]), [2]);
    let y = s.op('Div', [xc, s.op('Sqrt', [s.op('Add', [v, s.scalar(eps, s.dtype(x))])])]);
    const perGroup = s.dims(node.input[1]!)[0] === groups && groups !== c;
    if (perGroup) {
      // Opset 18 has one scale and bias per group.
      y = s.op('Add', [
        s.op('Mul', [y, reshape(s, node.input[1]!, [groups, 1])]),
        reshape(s, node.input[2]!, [groups, 1]),
      ]);
      out = reshape(s, y, xd);
    } else {
      const chan = xd.map((d, i) => (i === 1 ? d : 1));
      out = s.op('Add', [
        s.op('Mul', [reshape(s, y, xd), reshape(s, node.input[1]!, chan)]),
        reshape(s, node.input[2]!, chan),
      ]);
    }
  }
  s.rename(out, node.output[0]!);
  return true;
}

/**
 * SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss (what torch.onnx writes for
 * F.cross_entropy / F.nll_loss) as LogSoftmax and a one-hot selection: both have gradients, and
 * the one-hot is a comparison with constant labels that folds away.
 */
function lowerLoss(node: NodeProto, s: GraphState): boolean {
  const a = new Attrs(node);
  const where = describeNode(node);
  const [scores, labels, weights] = node.input as [string, string, string | undefined];
  const sd = s.dims(scores);
  const r = sd.length;
  if (r < 2) throw new Error(`${where}: scores must be [N, C, ...], got [${sd}]`);
  const C = sd[1]!;
  const lt = s.type(labels).elemType;
  if (lt !== DataType.INT64 && lt !== DataType.INT32) throw new Error(`${where}: labels must be int32 or int64`);
  let logp = scores;
  if (node.opType === 'SoftmaxCrossEntropyLoss') {
    // Before opset 13 LogSoftmax flattens from its axis on, so the class axis goes last first.
    if (r === 2 || s.opset >= 13) logp = s.op('LogSoftmax', [scores], { axis: 1 });
    else {
      const perm = [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
      logp = transpose(s, s.op('LogSoftmax', [transpose(s, scores, perm)], { axis: r - 1 }), inversePerm(perm));
    }
  }
  const ld = s.dims(labels);
  const classDims = sd.map((_d, i) => (i === 1 ? C : 1));
  const range = s.constant(
    fromNumbers(
      s.dtype(labels),
      classDims,
      Array.from({ length: C }, (_, i) => i),
    ),
    'classes',
  );
  const unsq = reshape(s, labels, [ld[0]!, 1, ...ld.slice(1)]);
  const onehot = s.op('Cast', [s.op('Equal', [unsq, range])], { to: s.type(scores).elemType });
  const picked = reduce(s, 'ReduceSum', s.op('Mul', [onehot, logp]), [1], false); // [N, ...]
  let w: string | undefined;
  if (weights) w = reduce(s, 'ReduceSum', s.op('Mul', [onehot, reshape(s, weights, classDims)]), [1], false);
  const ignore = a.int('ignore_index');
  if (ignore !== undefined) {
    const ig = s.constant(fromNumbers(s.dtype(labels), [], [ignore]), 'ignore_index');
    const valid = s.op('Cast', [s.op('Not', [s.op('Equal', [labels, ig])])], { to: s.type(scores).elemType });
    w = w ? s.op('Mul', [w, valid]) : valid;
  }
  const loss = s.op('Neg', [w ? s.op('Mul', [picked, w]) : picked]);
  const all = ld.map((_, i) => i);
  const reduction = a.string('reduction', 'mean');
  let out: string;
  if (reduction === 'none') out = loss;
  else if (reduction === 'sum') out = reduce(s, 'ReduceSum', loss, all, false);
  else if (reduction === 'mean') {
    out = w
      ? s.op('Div', [reduce(s, 'ReduceSum', loss, all, false), reduce(s, 'ReduceSum', w, all, false)])
      : reduce(s, 'ReduceMean', loss, all, false);
  } else throw new Error(`${where}: reduction '${reduction}' is not one of none, sum, mean`);
  s.rename(out, node.output[0]!);
  if (node.output[1]) s.rename(logp, node.output[1]);
  return true;
}

const WINDOW_OPS = new Set(['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool']);

/**
 * A constant-zero Pad of only the spatial axes that feeds a Conv (how upfirdn-style blurs export:
 * Pad, then a 4×4 Conv): its input and the amounts it pads by, which the Conv can take as pads of
 * its own. The Pad itself stays for any other reader (and drops out as dead if there is none).
 */
function zeroSpatialPad(x: string, s: GraphState): { input: string; begin: number[]; end: number[] } | undefined {
  const pad = s.producer(x);
  const amounts = pad && zeroFillPads(s, pad);
  if (!pad || !amounts) return undefined;
  const rank = amounts.length / 2;
  if (rank < 3 || amounts.some((p) => p < 0) || amounts[0] || amounts[1] || amounts[rank] || amounts[rank + 1])
    return undefined;
  return { input: pad.input[0]!, begin: amounts.slice(2, rank), end: amounts.slice(rank + 2) };
}

/**
 * Re-emits a window op with kernel_shape, strides, dilations and pads explicit and no auto_pad;
 * a Conv takes a zero Pad in front of it into its own pads (no padded copy of the map, and no Slice
 * in its backward).
 */
function explicitWindow(node: NodeProto, s: GraphState): boolean {
  const a = new Attrs(node);
  const hasAll =
    ['kernel_shape', 'strides', 'dilations', 'pads'].every((k) => a.has(k)) &&
    !a.has('auto_pad') &&
    !a.has('output_shape');
  const padded = node.opType === 'Conv' ? zeroSpatialPad(node.input[0]!, s) : undefined;
  if (hasAll && !padded) return false;
  const xt: ValueType = s.type(node.input[0]!);
  const wt = node.input[1] ? s.type(node.input[1]!) : undefined;
  const geo = windowGeometry(node, xt.dims, wt?.dims);
  const keep = node.attribute.filter(
    (at) =>
      !['kernel_shape', 'strides', 'dilations', 'pads', 'auto_pad', 'output_shape', 'output_padding'].includes(at.name),
  );
  const n = geo.kernel.length;
  const pads = padded ? geo.pads.map((p, i) => p + (i < n ? padded.begin[i]! : padded.end[i - n]!)) : geo.pads;
  const explicit = [attribute('kernel_shape', geo.kernel), attribute('strides', geo.strides), attribute('pads', pads)];
  // MaxPool got dilations in opset 10, AveragePool in 19.
  if (node.opType !== 'AveragePool' || s.opset >= 19) {
    if (node.opType !== 'MaxPool' || s.opset >= 10) explicit.push(attribute('dilations', geo.dilations));
  }
  if (node.opType === 'ConvTranspose') explicit.push(attribute('output_padding', geo.outputPadding));
  const input = padded ? [padded.input, ...node.input.slice(1)] : node.input;
  s.add(create(NodeProtoSchema, { ...node, input, attribute: [...keep, ...explicit] }));
  return true;
}

/** The rewrites gradientModel applies to every node before differentiating. */
export function lowerNode(node: NodeProto, s: GraphState): boolean {
  if (node.domain && node.domain !== 'ai.onnx') return false;
  switch (node.opType) {
    case 'Resize':
      return lowerResize(node, s);
    case 'DepthToSpace':
    case 'SpaceToDepth':
      return lowerDepthSpace(node, s);
    case 'Upsample':
      return lowerUpsample(node, s);
    case 'MeanVarianceNormalization':
    case 'GroupNormalization':
      return lowerNormalization(node, s);
    case 'SoftmaxCrossEntropyLoss':
    case 'NegativeLogLikelihoodLoss':
      return lowerLoss(node, s);
  }
  if (WINDOW_OPS.has(node.opType)) return explicitWindow(node, s);
  return false;
}
