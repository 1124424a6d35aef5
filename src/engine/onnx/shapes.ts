// Static shape and element-type inference, one rule per op. Inputs that decide shapes (Reshape's shape,
// Slice's starts, …) must be constants by the time a node is reached; constant folding makes them so.
import { TensorProto_DataType as DataType, type NodeProto } from 'onnx-buf';
import { windowGeometry } from './conv.js';
import { Attrs, broadcastDims, describeNode, isDefaultDomain, normAxis, type ValueType } from './graph.js';
import { reduceOutDims, reshapeDims, sliceParams, splitSizes, toNumbers } from './host.js';
import { onnxDataType, type HostTensor } from './model.js';

type ConstOf = (i: number) => HostTensor | undefined;

const SAME_AS_INPUT = new Set([
  'Identity',
  'Neg',
  'Abs',
  'Sqrt',
  'Exp',
  'Log',
  'Reciprocal',
  'Tanh',
  'Sigmoid',
  'Relu',
  'LeakyRelu',
  'Elu',
  'Selu',
  'Celu',
  'Erf',
  'Sin',
  'Cos',
  'Tan',
  'Asin',
  'Acos',
  'Atan',
  'Sinh',
  'Cosh',
  'Asinh',
  'Acosh',
  'Atanh',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Softplus',
  'Softsign',
  'HardSigmoid',
  'HardSwish',
  'Gelu',
  'Mish',
  'Clip',
  'Softmax',
  'LogSoftmax',
  'Hardmax',
  'LRN',
  'Not',
  'CumSum',
  'InstanceNormalization',
  'MeanVarianceNormalization',
  'Trilu',
  'ThresholdedRelu',
  'Shrink',
  'ScatterND',
  'ScatterElements',
  'Scatter',
  'GroupNormalization',
]);
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Min', 'Max', 'Sum', 'Mean', 'PRelu', 'BitShift']);
const COMPARE = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']);
const BOOL_UNARY = new Set(['IsNaN', 'IsInf']);

const REDUCE = new Set([
  'ReduceSum',
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceSumSquare',
  'ReduceLogSum',
  'ReduceLogSumExp',
]);

/** Axes of a Reduce* node, normalized; [] means "no reduction" (noop_with_empty_axes). */
export function reduceAxesOf(node: NodeProto, constOf: ConstOf, opset: number, rank: number): number[] {
  const a = new Attrs(node);
  const fromInput = (node.opType === 'ReduceSum' && opset >= 13) || opset >= 18;
  let axes: number[] | undefined;
  if (fromInput && node.input[1]) {
    const t = constOf(1);
    if (!t) throw new Error(`${describeNode(node)}: axes must be a constant`);
    axes = toNumbers(t);
  } else if (!fromInput) axes = a.ints('axes');
  if (!axes || axes.length === 0)
    return a.int('noop_with_empty_axes', 0) ? [] : Array.from({ length: rank }, (_, i) => i);
  return axes.map((x) => normAxis(x, rank, describeNode(node)));
}

function need(constOf: ConstOf, i: number, node: NodeProto, what: string): number[] {
  const t = constOf(i);
  if (!t)
    throw new Error(
      `${describeNode(node)}: ${what} (input ${i}, '${node.input[i]}') is not a constant; give static input shapes so it can be folded`,
    );
  return toNumbers(t);
}

export function matmulDims(a: readonly number[], b: readonly number[], where: string): number[] {
  const A = a.length === 1 ? [1, a[0]!] : a;
  const B = b.length === 1 ? [b[0]!, 1] : b;
  if (A[A.length - 1] !== B[B.length - 2]) throw new Error(`${where}: inner dims of [${a}] and [${b}] differ`);
  const batch = broadcastDims(A.slice(0, -2), B.slice(0, -2), where);
  const out = [...batch];
  if (a.length !== 1) out.push(A[A.length - 2]!);
  if (b.length !== 1) out.push(B[B.length - 1]!);
  return out;
}

/** Resize output dims from its constant scales or sizes. */
export function resizeOutDims(
  node: NodeProto,
  x: readonly number[],
  constOf: ConstOf,
  opset: number,
): { dims: number[]; scales: number[] } {
  const a = new Attrs(node);
  const r = x.length;
  const scalesIdx = opset >= 11 ? 2 : 1;
  const axes = (a.ints('axes') ?? Array.from({ length: r }, (_, i) => i)).map((v) => normAxis(v, r, 'Resize'));
  const sizesT = opset >= 11 && node.input[3] ? constOf(3) : undefined;
  const scalesT = node.input[scalesIdx] ? constOf(scalesIdx) : undefined;
  const scales = x.map(() => 1);
  const dims = x.slice();
  if (sizesT && sizesT.dims[0] !== 0) {
    const sizes = toNumbers(sizesT);
    const policy = a.string('keep_aspect_ratio_policy', 'stretch');
    if (policy !== 'stretch') {
      const ratios = axes.map((ax, i) => sizes[i]! / x[ax]!);
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((ax) => {
        scales[ax] = s;
        dims[ax] = Math.round(s * x[ax]!);
      });
    } else
      axes.forEach((ax, i) => {
        dims[ax] = sizes[i]!;
        scales[ax] = sizes[i]! / x[ax]!;
      });
  } else if (scalesT && scalesT.dims[0] !== 0) {
    const sc = toNumbers(scalesT);
    axes.forEach((ax, i) => {
      scales[ax] = sc[i]!;
      dims[ax] = Math.floor(x[ax]! * sc[i]!);
    });
  } else throw new Error(`${describeNode(node)}: needs constant scales or sizes`);
  return { dims, scales };
}

/**
 * Output types of one node. `ins[i]` is undefined for omitted inputs or unknown types; returns
 * undefined entries where the op is not known here (callers fail later only if they need them).
 */
export function inferTypes(
  node: NodeProto,
  ins: (ValueType | undefined)[],
  constOf: ConstOf,
  opset: number,
): (ValueType | undefined)[] {
  const op = node.opType;
  const a = new Attrs(node);
  const where = describeNode(node);
  const x = ins[0];
  const same = (t: ValueType | undefined, dims?: number[]) =>
    t && { elemType: t.elemType, dims: dims ?? t.dims.slice() };
  if (!isDefaultDomain(node.domain)) return node.output.map(() => undefined);
  if (SAME_AS_INPUT.has(op)) return [same(x), ...node.output.slice(1).map(() => undefined)];
  if (BOOL_UNARY.has(op)) return [x && { elemType: DataType.BOOL, dims: x.dims.slice() }];
  if (BROADCAST.has(op) || COMPARE.has(op)) {
    const present = ins.filter((t, i): t is ValueType => !!t && !!node.input[i]);
    if (present.length !== node.input.filter(Boolean).length) return [undefined];
    const dims = present.reduce<number[]>((d, t) => broadcastDims(d, t.dims, where), []);
    return [{ elemType: COMPARE.has(op) ? DataType.BOOL : present[0]!.elemType, dims }];
  }
  if (REDUCE.has(op)) {
    if (!x) return [undefined];
    const axes = reduceAxesOf(node, constOf, opset, x.dims.length);
    return [same(x, reduceOutDims(x.dims, axes, a.int('keepdims', 1) === 1))];
  }
  if (!x && !['Constant', 'Range', 'ConstantOfShape'].includes(op) && !(op === 'Concat' && ins.some(Boolean)))
    return node.output.map(() => undefined);
  switch (op) {
    case 'Constant':
    case 'ConstantOfShape':
    case 'Range':
      return [undefined]; // folded on the host before shape inference is asked
    case 'Cast':
      return [same(x) && { elemType: a.int('to', 1) as DataType, dims: x!.dims.slice() }];
    case 'CastLike':
      return [ins[1] && { elemType: ins[1].elemType, dims: x!.dims.slice() }];
    case 'Dropout':
      return [same(x), x && { elemType: DataType.BOOL, dims: x.dims.slice() }];
    case 'Shape': {
      const r = x!.dims.length;
      let s = a.int('start', 0),
        e = a.int('end', r);
      if (s < 0) s += r;
      if (e < 0) e += r;
      return [{ elemType: DataType.INT64, dims: [Math.max(0, Math.min(e, r) - Math.max(s, 0))] }];
    }
    case 'Size':
      return [{ elemType: DataType.INT64, dims: [] }];
    case 'ArgMax':
    case 'ArgMin': {
      const axis = normAxis(a.int('axis', 0), x!.dims.length, where);
      return [{ elemType: DataType.INT64, dims: reduceOutDims(x!.dims, [axis], a.int('keepdims', 1) === 1) }];
    }
    case 'Where': {
      if (!ins[1] || !ins[2]) return [undefined];
      return [
        {
          elemType: ins[1].elemType,
          dims: broadcastDims(broadcastDims(x!.dims, ins[1].dims, where), ins[2].dims, where),
        },
      ];
    }
    case 'MatMul':
      return [ins[1] && same(x, matmulDims(x!.dims, ins[1].dims, where))];
    case 'Gemm': {
      const b = ins[1];
      if (!b) return [undefined];
      const m = a.int('transA', 0) ? x!.dims[1]! : x!.dims[0]!;
      const n = a.int('transB', 0) ? b.dims[0]! : b.dims[1]!;
      return [same(x, [m, n])];
    }
    case 'Conv':
    case 'ConvTranspose': {
      const w = ins[1];
      if (!w) return [undefined];
      const g = windowGeometry(node, x!.dims, w.dims);
      const m = op === 'Conv' ? w.dims[0]! : w.dims[1]! * g.group;
      return [same(x, [x!.dims[0]!, m, ...g.out])];
    }
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool': {
      const g = windowGeometry(node, x!.dims);
      const t = same(x, [x!.dims[0]!, x!.dims[1]!, ...g.out]);
      return op === 'MaxPool' ? [t, t && { elemType: DataType.INT64, dims: t.dims.slice() }] : [t];
    }
    case 'MaxUnpool': {
      const shape = node.input[2] ? constOf(2) : undefined;
      if (shape) return [same(x, toNumbers(shape))];
      const g = windowGeometry(node, x!.dims);
      const n = g.kernel.length;
      return [
        same(x, [
          x!.dims[0]!,
          x!.dims[1]!,
          ...x!.dims.slice(2).map((d, i) => (d - 1) * g.strides[i]! + g.kernel[i]! - g.pads[i]! - g.pads[i + n]!),
        ]),
      ];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'GlobalLpPool':
      return [same(x, [...x!.dims.slice(0, 2), ...x!.dims.slice(2).map(() => 1)])];
    case 'BatchNormalization':
      return [same(x), same(ins[3]), same(ins[4])];
    case 'LayerNormalization': {
      const axis = normAxis(a.int('axis', -1), x!.dims.length, where);
      const statDims = x!.dims.map((d, i) => (i < axis ? d : 1));
      const stash = { elemType: a.int('stash_type', 1) as DataType, dims: statDims };
      return [same(x), stash, { ...stash, dims: statDims.slice() }];
    }
    case 'Reshape':
      return [same(x, reshapeDims(x!.dims, need(constOf, 1, node, 'shape'), a.int('allowzero', 0) === 1))];
    case 'Flatten': {
      const r = x!.dims.length;
      const axis = a.int('axis', 1);
      const ax = axis < 0 ? axis + r : axis;
      const p = (d: number[]) => d.reduce((s, v) => s * v, 1);
      return [same(x, [p(x!.dims.slice(0, ax)), p(x!.dims.slice(ax))])];
    }
    case 'Squeeze': {
      const raw = opset >= 13 ? (node.input[1] ? need(constOf, 1, node, 'axes') : undefined) : a.ints('axes');
      const axes = raw?.map((v) => normAxis(v, x!.dims.length, where));
      return [
        same(
          x,
          x!.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)),
        ),
      ];
    }
    case 'Unsqueeze': {
      const raw = opset >= 13 ? need(constOf, 1, node, 'axes') : a.ints('axes', []);
      const r = x!.dims.length + raw.length;
      const axes = raw.map((v) => normAxis(v, r, where));
      const dims: number[] = [];
      let k = 0;
      for (let i = 0; i < r; i++) dims.push(axes.includes(i) ? 1 : x!.dims[k++]!);
      return [same(x, dims)];
    }
    case 'Transpose': {
      const perm = a.ints('perm') ?? x!.dims.map((_, i) => x!.dims.length - 1 - i);
      return [
        same(
          x,
          perm.map((p) => x!.dims[p]!),
        ),
      ];
    }
    case 'Concat': {
      const present = ins.filter((t, i): t is ValueType => !!t && !!node.input[i]);
      if (present.length !== node.input.filter(Boolean).length) return [undefined];
      const axis = normAxis(a.int('axis', 0), present[0]!.dims.length, where);
      const dims = present[0]!.dims.slice();
      dims[axis] = present.reduce((s, t) => s + t.dims[axis]!, 0);
      return [{ elemType: present[0]!.elemType, dims }];
    }
    case 'Split': {
      const axis = normAxis(a.int('axis', 0), x!.dims.length, where);
      const split = opset >= 13 && node.input[1] ? need(constOf, 1, node, 'split') : undefined;
      return splitSizes(node, a, split, x!.dims[axis]!, opset).map((s) => {
        const dims = x!.dims.slice();
        dims[axis] = s;
        return same(x, dims);
      });
    }
    case 'Slice': {
      if (opset < 10) {
        return [same(x, sliceParams(x!.dims, a.ints('starts', []), a.ints('ends', []), a.ints('axes')).size)];
      }
      const p = sliceParams(
        x!.dims,
        need(constOf, 1, node, 'starts'),
        need(constOf, 2, node, 'ends'),
        node.input[3] ? need(constOf, 3, node, 'axes') : undefined,
        node.input[4] ? need(constOf, 4, node, 'steps') : undefined,
      );
      return [same(x, p.size)];
    }
    case 'Gather': {
      const ind = ins[1];
      if (!ind) return [undefined];
      const axis = normAxis(a.int('axis', 0), x!.dims.length, where);
      return [same(x, [...x!.dims.slice(0, axis), ...ind.dims, ...x!.dims.slice(axis + 1)])];
    }
    case 'GatherElements':
      return [ins[1] && same(x, ins[1].dims)];
    case 'GatherND': {
      const ind = ins[1];
      if (!ind) return [undefined];
      const b = a.int('batch_dims', 0);
      const last = ind.dims[ind.dims.length - 1]!;
      return [same(x, [...ind.dims.slice(0, -1), ...x!.dims.slice(b + last)])];
    }
    case 'Expand':
      return [same(x, broadcastDims(x!.dims, need(constOf, 1, node, 'shape'), where))];
    case 'Tile': {
      const reps = need(constOf, 1, node, 'repeats');
      return [
        same(
          x,
          x!.dims.map((d, i) => d * reps[i]!),
        ),
      ];
    }
    case 'Pad': {
      const pads = opset >= 11 ? need(constOf, 1, node, 'pads') : a.ints('pads', []);
      const r = x!.dims.length;
      const axes =
        opset >= 18 && node.input[3]
          ? need(constOf, 3, node, 'axes').map((v) => normAxis(v, r, where))
          : x!.dims.map((_, i) => i);
      const dims = x!.dims.slice();
      axes.forEach((ax, i) => {
        dims[ax] = dims[ax]! + pads[i]! + pads[i + axes.length]!;
      });
      return [same(x, dims)];
    }
    case 'Resize':
      return [same(x, resizeOutDims(node, x!.dims, constOf, opset).dims)];
    case 'DepthToSpace':
    case 'SpaceToDepth': {
      const b = a.int('blocksize', 1);
      const [n, c, h, w] = x!.dims as [number, number, number, number];
      return [same(x, op === 'DepthToSpace' ? [n, c / (b * b), h * b, w * b] : [n, c * b * b, h / b, w / b])];
    }
    case 'TopK': {
      const k = need(constOf, 1, node, 'k')[0]!;
      const axis = normAxis(a.int('axis', -1), x!.dims.length, where);
      const dims = x!.dims.slice();
      dims[axis] = k;
      return [same(x, dims), { elemType: DataType.INT64, dims: dims.slice() }];
    }
    case 'OneHot': {
      const depth = need(constOf, 1, node, 'depth')[0]!;
      const r = x!.dims.length + 1;
      const axis = normAxis(a.int('axis', -1), r, where);
      const dims = x!.dims.slice();
      dims.splice(axis, 0, depth);
      return [ins[2] && { elemType: ins[2].elemType, dims }];
    }
    case 'EyeLike':
      return [{ elemType: (a.int('dtype') as DataType | undefined) ?? x!.elemType, dims: x!.dims.slice() }];
    case 'Einsum': {
      const eq = a.string('equation', '').replace(/\s/g, '');
      const [lhs, rhs] = eq.split('->') as [string, string | undefined];
      const terms = lhs.split(',');
      const sizes = new Map<string, number>();
      for (const [i, t] of terms.entries())
        [...t].forEach((c, k) => {
          sizes.set(c, ins[i]!.dims[k]!);
        });
      if (rhs === undefined || eq.includes('.')) return [undefined];
      return [
        same(
          x,
          [...rhs].map((c) => sizes.get(c)!),
        ),
      ];
    }
  }
  return node.output.map(() => undefined);
}

export function valueTypeOf(t: HostTensor): ValueType {
  return { elemType: onnxDataType(t.dtype), dims: t.dims.slice() };
}
