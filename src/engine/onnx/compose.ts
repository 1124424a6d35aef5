// Building one model out of several: feeding model A's outputs into model B's inputs, appending small
// op sequences to a model, and turning initializers into inputs so a trainer can feed new weights.
import { create } from '@bufbuild/protobuf';
import {
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  ValueInfoProtoSchema,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { GraphBuilder, valueInfo } from './builder.js';
import { loadState } from './fold.js';
import { opsetOf, readValueInfo, type ValueType } from './graph.js';
import { dtypeOf, tensorFromProto, tensorToProto, type HostTensor } from './model.js';
import { upgradeOpset } from './opset.js';

export interface ComposeOptions {
  /** B input name → A output name */
  connect: Record<string, string>;
  /** prefix for every name of A (values, initializers, nodes; graph inputs and outputs too) */
  prefixA?: string;
  /** prefix for every name of B */
  prefixB?: string;
  /** also expose A's outputs (prefixed) as outputs of the composed model */
  keepOutputsA?: boolean;
}

function renamed(
  graphNames: {
    node: NodeProto[];
    initializer: TensorProto[];
    input: ValueInfoProto[];
    output: ValueInfoProto[];
    valueInfo: ValueInfoProto[];
  },
  map: (n: string) => string,
) {
  return {
    node: graphNames.node.map((n) =>
      create(NodeProtoSchema, {
        ...n,
        name: n.name ? map(n.name) : n.name,
        input: n.input.map((i) => (i ? map(i) : i)),
        output: n.output.map((o) => (o ? map(o) : o)),
      }),
    ),
    initializer: graphNames.initializer.map((t) => create(TensorProtoSchema, { ...t, name: map(t.name) })),
    input: graphNames.input.map((v) => create(ValueInfoProtoSchema, { ...v, name: map(v.name) })),
    output: graphNames.output.map((v) => create(ValueInfoProtoSchema, { ...v, name: map(v.name) })),
    valueInfo: graphNames.valueInfo.map((v) => create(ValueInfoProtoSchema, { ...v, name: map(v.name) })),
  };
}

function allNames(m: ModelProto): Set<string> {
  const g = m.graph!;
  const s = new Set<string>();
  for (const n of g.node) for (const v of [...n.input, ...n.output]) if (v) s.add(v);
  for (const t of g.initializer) s.add(t.name);
  for (const v of [...g.input, ...g.output]) s.add(v.name);
  return s;
}

/** Feeds outputs of A into inputs of B; the result computes B's outputs from A's inputs (and B's other inputs). */
export function compose(a: ModelProto, b: ModelProto, opts: ComposeOptions): ModelProto {
  const ga = a.graph,
    gb = b.graph;
  if (!ga || !gb) throw new Error('compose: both models need a graph');
  const oa = opsetOf(a),
    ob = opsetOf(b);
  // The older model is rewritten to the newer opset so every node keeps its meaning.
  if (oa !== ob) return compose(upgradeOpset(a, Math.max(oa, ob)), upgradeOpset(b, Math.max(oa, ob)), opts);
  const pa = opts.prefixA ?? '',
    pb = opts.prefixB ?? '';
  const aOutputs = new Set(ga.output.map((o) => o.name));
  const bInputs = new Set(gb.input.map((i) => i.name));
  for (const [bi, ao] of Object.entries(opts.connect)) {
    if (!bInputs.has(bi))
      throw new Error(`compose: '${bi}' is not an input of model B (inputs: ${[...bInputs].join(', ')})`);
    if (!aOutputs.has(ao))
      throw new Error(`compose: '${ao}' is not an output of model A (outputs: ${[...aOutputs].join(', ')})`);
  }
  const A = renamed(ga, (n) => pa + n);
  const B = renamed(gb, (n) => (n in opts.connect ? pa + opts.connect[n]! : pb + n));
  const namesA = new Set([...allNames(a)].map((n) => pa + n));
  const clashes = [...allNames(b)]
    .filter((n) => !(n in opts.connect))
    .map((n) => pb + n)
    .filter((n) => namesA.has(n));
  if (clashes.length) {
    throw new Error(
      `compose: models A and B both use the names ${clashes
        .slice(0, 5)
        .map((c) => `'${c}'`)
        .join(', ')}${clashes.length > 5 ? ' …' : ''}; set prefixA or prefixB`,
    );
  }
  const connected = new Set(Object.keys(opts.connect).map((n) => pa + opts.connect[n]!));
  const graph = create(GraphProtoSchema, {
    name: `${ga.name ?? 'a'}+${gb.name ?? 'b'}`,
    node: [...A.node, ...B.node],
    initializer: [...A.initializer, ...B.initializer],
    input: [...A.input, ...B.input.filter((i) => !connected.has(i.name))],
    output: [...(opts.keepOutputsA ? A.output : []), ...B.output],
    valueInfo: [...A.valueInfo, ...B.valueInfo],
  });
  const opsets = new Map<string, bigint>();
  for (const o of [...a.opsetImport, ...b.opsetImport]) {
    const d = o.domain ?? '';
    if (!opsets.has(d) || opsets.get(d)! < o.version) opsets.set(d, o.version);
  }
  return create(ModelProtoSchema, {
    // biome-ignore lint/complexity/useMathMinMax: IR versions are bigints
    irVersion: a.irVersion > b.irVersion ? a.irVersion : b.irVersion,
    producerName: 'rete-clip-pae',
    opsetImport: [...opsets].map(([domain, version]) => ({ domain, version })),
    graph,
  });
}

export interface ExtendContext {
  /** the model's default-domain opset: write nodes for this version */
  opset: number;
  /** the model's graph inputs and outputs */
  inputs: string[];
  outputs: string[];
  /** static type of any value of the model (shapes inferred with the given input shapes) */
  type(name: string): ValueType;
}

export interface ExtendOptions {
  inputShapes?: Record<string, number[]>;
  /** the builder's declared outputs replace the model's outputs instead of being appended */
  replaceOutputs?: boolean;
}

/**
 * Appends ops to an existing model. The callback adds nodes to a GraphBuilder whose fresh names
 * cannot clash with the model's; `g.input` adds graph inputs, `g.output` declares new outputs.
 */
export function extendModel(
  model: ModelProto,
  build: (g: GraphBuilder, ctx: ExtendContext) => void,
  opts: ExtendOptions = {},
): ModelProto {
  const graph = model.graph;
  if (!graph) throw new Error('extendModel: model has no graph');
  const names = allNames(model);
  let k = 0;
  while ([...names].some((n) => n.startsWith(`ext${k}/`))) k++;
  const g = new GraphBuilder('extension', `ext${k}/`);
  let state: ReturnType<typeof loadState> | undefined;
  const ctx: ExtendContext = {
    opset: opsetOf(model),
    inputs: graph.input.map((i) => i.name),
    outputs: graph.output.map((o) => o.name),
    type(name) {
      state ??= loadState(model, { inputShapes: opts.inputShapes });
      return state.type(name);
    },
  };
  build(g, ctx);
  for (const n of g.initializers.keys())
    if (names.has(n)) throw new Error(`extendModel: initializer '${n}' already exists in the model`);
  const ext = g.graph();
  const out = create(GraphProtoSchema, {
    ...graph,
    node: [...graph.node, ...ext.node],
    initializer: [...graph.initializer, ...ext.initializer],
    input: [...graph.input, ...ext.input],
    output: opts.replaceOutputs ? ext.output : [...graph.output, ...ext.output],
  });
  return create(ModelProtoSchema, { ...model, graph: out });
}

/**
 * The same model with the named initializers turned into graph inputs (so a trainer can feed
 * updated weights every step); also returns their current values.
 */
export function initializersToInputs(
  model: ModelProto,
  names: string[],
): { model: ModelProto; values: Record<string, HostTensor> } {
  const graph = model.graph;
  if (!graph) throw new Error('initializersToInputs: model has no graph');
  const byName = new Map(graph.initializer.map((t) => [t.name, t]));
  const values: Record<string, HostTensor> = {};
  const inputs: ValueInfoProto[] = [];
  for (const n of names) {
    const t = byName.get(n);
    if (!t)
      throw new Error(
        `initializersToInputs: '${n}' is not an initializer (there are ${byName.size}: ${[...byName.keys()].slice(0, 8).join(', ')}${byName.size > 8 ? ', …' : ''})`,
      );
    values[n] = tensorFromProto(t);
    inputs.push(valueInfo(n, dtypeOf(t.dataType), t.dims.map(Number)));
  }
  const moved = new Set(names);
  const existing = new Set(graph.input.map((i) => i.name));
  const g = create(GraphProtoSchema, {
    ...graph,
    initializer: graph.initializer.filter((t) => !moved.has(t.name)),
    input: [...graph.input, ...inputs.filter((i) => !existing.has(i.name))],
  });
  return { model: create(ModelProtoSchema, { ...model, graph: g }), values };
}

/** Input and output names with static dims, for tools. */
export function describeIO(model: ModelProto) {
  const g = model.graph!;
  const inits = new Set(g.initializer.map((t) => t.name));
  const io = (v: ValueInfoProto) => ({ name: v.name, ...(readValueInfo(v) ?? { elemType: 0, dims: [] }) });
  return { inputs: g.input.filter((i) => !inits.has(i.name)).map(io), outputs: g.output.map(io) };
}

export function tensorInitializer(name: string, t: HostTensor): TensorProto {
  return tensorToProto(name, t);
}
