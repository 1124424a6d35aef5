// Raising a model's default-domain opset, so models exported with different opsets can be composed.
// Only ops whose signature or meaning changed between opset 7 and 21 need rewriting: attributes
// that became inputs (axes, split, pads, starts/ends, k, min/max) and Softmax's 2-D coercion.
import { create } from '@bufbuild/protobuf';
import {
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from 'onnx-buf';
import { attribute } from './builder.js';
import { Attrs, isDefaultDomain, opsetOf } from './graph.js';
import { fromNumbers } from './host.js';
import { tensorToProto } from './model.js';

const REDUCE_18 = new Set([
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'ReduceSumSquare',
]);

/** Returns the model with its default-domain opset raised to `target`; nodes are rewritten where needed. */
export function upgradeOpset(model: ModelProto, target: number): ModelProto {
  const from = opsetOf(model);
  if (from === target) return model;
  if (from > target) throw new Error(`cannot lower a model's opset from ${from} to ${target}`);
  if (from < 7) throw new Error(`opset ${from} is too old to upgrade; re-export the model with opset 11 or later`);
  const g = model.graph!;
  const names = new Set<string>();
  for (const n of g.node) for (const v of [...n.input, ...n.output]) names.add(v);
  for (const t of g.initializer) names.add(t.name);
  let k = 0;
  const fresh = (hint: string) => {
    let n: string;
    do n = `${hint}__up${k++}`;
    while (names.has(n));
    names.add(n);
    return n;
  };
  const inits: TensorProto[] = [];
  const ints = (v: number[]) => {
    const n = fresh('ints');
    inits.push(tensorToProto(n, fromNumbers('int64', [v.length], v)));
    return n;
  };
  const floatScalar = (v: number) => {
    const n = fresh('value');
    inits.push(tensorToProto(n, fromNumbers('float32', [], [v])));
    return n;
  };
  const crosses = (v: number) => from < v && target >= v;
  const nodes: NodeProto[] = [];
  const without = (n: NodeProto, drop: string[]) => n.attribute.filter((a) => !drop.includes(a.name));
  for (const n of g.node) {
    if (!isDefaultDomain(n.domain)) {
      nodes.push(n);
      continue;
    }
    const a = new Attrs(n);
    const op = n.opType;
    const rewrite = (input: string[], drop: string[], extra: ReturnType<typeof attribute>[] = []) =>
      nodes.push(create(NodeProtoSchema, { ...n, input, attribute: [...without(n, drop), ...extra] }));
    if ((op === 'ReduceSum' && crosses(13)) || (REDUCE_18.has(op) && crosses(18))) {
      const axes = a.ints('axes');
      rewrite(axes ? [n.input[0]!, ints(axes)] : [n.input[0]!], ['axes']);
    } else if ((op === 'Squeeze' || op === 'Unsqueeze') && crosses(13)) {
      const axes = a.ints('axes');
      rewrite(axes ? [n.input[0]!, ints(axes)] : [n.input[0]!], ['axes']);
    } else if (op === 'Split' && (crosses(13) || crosses(18))) {
      const split = a.ints('split');
      if (split && crosses(13)) rewrite([n.input[0]!, ints(split)], ['split']);
      else if (!split && !n.input[1] && target >= 18)
        rewrite(n.input.slice(), [], [attribute('num_outputs', n.output.length)]);
      else nodes.push(n);
    } else if ((op === 'Softmax' || op === 'LogSoftmax' || op === 'Hardmax') && crosses(13)) {
      const axis = a.int('axis', 1);
      if (axis === -1) {
        nodes.push(n);
        continue;
      }
      // Before 13 these flattened to 2-D at `axis`; keep that meaning explicitly.
      const flat = fresh('flat');
      const shape = fresh('shape');
      const y = fresh('soft');
      nodes.push(
        create(NodeProtoSchema, {
          opType: 'Flatten',
          name: fresh('Flatten'),
          input: [n.input[0]!],
          output: [flat],
          attribute: [attribute('axis', axis)],
        }),
      );
      nodes.push(
        create(NodeProtoSchema, {
          opType: op,
          name: n.name,
          input: [flat],
          output: [y],
          attribute: [attribute('axis', -1)],
        }),
      );
      nodes.push(
        create(NodeProtoSchema, { opType: 'Shape', name: fresh('Shape'), input: [n.input[0]!], output: [shape] }),
      );
      nodes.push(
        create(NodeProtoSchema, {
          opType: 'Reshape',
          name: fresh('Reshape'),
          input: [y, shape],
          output: [n.output[0]!],
        }),
      );
    } else if (op === 'Clip' && crosses(11)) {
      const lo = a.float('min'),
        hi = a.float('max');
      rewrite(
        [n.input[0]!, lo === undefined ? '' : floatScalar(lo), hi === undefined ? '' : floatScalar(hi)],
        ['min', 'max'],
      );
    } else if (op === 'Slice' && crosses(10)) {
      const axes = a.ints('axes');
      const input = [n.input[0]!, ints(a.ints('starts', [])), ints(a.ints('ends', []))];
      if (axes) input.push(ints(axes));
      rewrite(input, ['starts', 'ends', 'axes']);
    } else if (op === 'Pad' && crosses(11)) {
      const v = a.float('value', 0);
      rewrite([n.input[0]!, ints(a.ints('pads', [])), ...(v !== 0 ? [floatScalar(v)] : [])], ['pads', 'value']);
    } else if (op === 'TopK' && crosses(10)) {
      rewrite([n.input[0]!, ints([a.int('k', 1)])], ['k']);
    } else if ((op === 'Upsample' || op === 'Resize') && crosses(11)) {
      // Opset 10's Resize and Upsample: [X, scales], asymmetric coordinates, floor for nearest.
      const scales =
        op === 'Upsample' && from < 9
          ? (() => {
              const n2 = fresh('scales');
              inits.push(tensorToProto(n2, fromNumbers('float32', [a.floats('scales')!.length], a.floats('scales')!)));
              return n2;
            })()
          : n.input[1]!;
      const mode = a.string('mode', 'nearest');
      nodes.push(
        create(NodeProtoSchema, {
          opType: 'Resize',
          name: n.name,
          input: [n.input[0]!, '', scales],
          output: n.output,
          attribute: [
            attribute('mode', mode === 'bilinear' ? 'linear' : mode),
            attribute('coordinate_transformation_mode', 'asymmetric'),
            ...(mode === 'nearest' ? [attribute('nearest_mode', 'floor')] : []),
          ],
        }),
      );
    } else if (op === 'Dropout' && crosses(12)) {
      rewrite([n.input[0]!], ['ratio', 'is_test']);
    } else nodes.push(n);
  }
  const graph = create(GraphProtoSchema, { ...g, node: nodes, initializer: [...g.initializer, ...inits] });
  const opsetImport = model.opsetImport.map((o) =>
    isDefaultDomain(o.domain)
      ? create(OperatorSetIdProtoSchema, { domain: o.domain ?? '', version: BigInt(target) })
      : o,
  );
  const irVersion = model.irVersion < 8n && target >= 15 ? 8n : model.irVersion;
  return create(ModelProtoSchema, { ...model, irVersion, opsetImport, graph });
}
