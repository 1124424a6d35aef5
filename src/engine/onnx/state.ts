// A graph under construction with every value's static type known. Each node added goes through
// constant folding (evaluated on the host when all its inputs are constants) or shape inference.
// Constant folding, lowering and the backward pass all build graphs through this one class.
import { create } from '@bufbuild/protobuf';
import {
  GraphProtoSchema,
  NodeProtoSchema,
  TensorProto_DataType as DataType,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { attribute, valueInfo, type AttrValue } from './builder.js';
import {
  describeNode,
  isDefaultDomain,
  numel,
  opsetOf,
  readValueInfo,
  topoSort,
  typeName,
  type ValueType,
} from './graph.js';
import { evalHost, fromNumbers, HOST_OPS, toNumbers } from './host.js';
import { dtypeOf, tensorFromProto, tensorToProto, type DType, type HostTensor } from './model.js';
import { inferTypes, valueTypeOf } from './shapes.js';

/** Ops whose result is a shape computation: always folded, whatever the size. */
const SHAPE_OPS = new Set([
  'Shape',
  'Size',
  'Constant',
  'ConstantOfShape',
  'Range',
  'Cast',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Reshape',
  'Slice',
  'Identity',
  'Flatten',
]);
/** Above this many elements a folded value that is bigger than its inputs stays a runtime op. */
const GROWTH_LIMIT = 1 << 16;
const FOLD_LIMIT = 1 << 24;

const HOST_DTYPES = new Set<DataType>([
  DataType.FLOAT,
  DataType.DOUBLE,
  DataType.INT64,
  DataType.INT32,
  DataType.BOOL,
  DataType.UINT8,
]);

export interface StateOptions {
  /** Input dims by name; symbolic dims of graph inputs must be given here. */
  inputShapes?: Record<string, number[]>;
  /**
   * Initializers that must stay variable (not folded): gradient targets, trainable weights. Names of
   * intermediate values may be given too: those are never aliased or folded away.
   */
  variables?: Iterable<string>;
  /**
   * Rewrites a node into other nodes (emitted through the state) and returns true, or returns false
   * to keep it. Nodes it emits are not rewritten again.
   */
  lower?: (node: NodeProto, state: GraphState) => boolean;
}

export class GraphState {
  readonly opset: number;
  readonly types = new Map<string, ValueType>();
  readonly nodes: NodeProto[] = [];
  private readonly producers = new Map<string, NodeProto>();
  /** Graph inputs in order, with static types. */
  readonly inputs: string[] = [];
  readonly outputs: string[] = [];
  private readonly protoConsts = new Map<string, TensorProto>();
  private readonly hostConsts = new Map<string, HostTensor>();
  /** Initializers that are kept as initializers but never folded. */
  readonly variables = new Set<string>();
  private readonly variableProtos = new Map<string, TensorProto>();
  private readonly aliases = new Map<string, string>();
  private readonly used = new Set<string>();
  private counter = 0;
  private readonly lower?: StateOptions['lower'];
  private lowering = false;
  private readonly renamed = new Set<string>();
  /** Values that must stay real values: never aliased away or folded into constants. */
  private readonly keep: Set<string>;

  constructor(
    readonly model: ModelProto,
    opts: StateOptions = {},
  ) {
    const graph = model.graph!;
    this.lower = opts.lower;
    this.opset = opsetOf(model);
    const inputNames = new Set(graph.input.map((i) => i.name));
    for (const name of Object.keys(opts.inputShapes ?? {})) {
      if (!inputNames.has(name))
        throw new Error(
          `a shape is given for '${name}', which is not a graph input (inputs: ${[...inputNames].join(', ')})`,
        );
    }
    const variables = new Set(opts.variables ?? []);
    for (const v of variables) {
      if (
        !inputNames.has(v) &&
        !graph.initializer.some((t) => t.name === v) &&
        !graph.node.some((n) => n.output.includes(v))
      ) {
        throw new Error(`'${v}' is not a graph input, an initializer or a value of the graph`);
      }
    }
    this.keep = variables;
    for (const t of graph.initializer) {
      this.used.add(t.name);
      if (inputNames.has(t.name)) continue;
      const type = { elemType: t.dataType, dims: t.dims.map(Number) };
      this.types.set(t.name, type);
      if (variables.has(t.name)) {
        this.variables.add(t.name);
        this.variableProtos.set(t.name, t);
      } else this.protoConsts.set(t.name, t);
    }
    for (const v of graph.input) {
      this.used.add(v.name);
      this.inputs.push(v.name);
      const info = readValueInfo(v);
      const given = opts.inputShapes?.[v.name];
      if (!info) throw new Error(`graph input '${v.name}' is not a tensor`);
      if (given) {
        if (given.length !== info.dims.length && info.dims.length > 0) {
          throw new Error(
            `input '${v.name}': shape [${given}] has rank ${given.length}, the model expects rank ${info.dims.length} ([${info.dims}])`,
          );
        }
        info.dims.forEach((d, i) => {
          if (typeof d === 'number' && d !== given[i])
            throw new Error(`input '${v.name}': dim ${i} is fixed to ${d} by the model, ${given[i]} was given`);
        });
        this.types.set(v.name, { elemType: info.elemType, dims: given.slice() });
      } else {
        const sym = info.dims.find((d) => typeof d !== 'number');
        if (sym !== undefined) {
          // An initializer listed as an input has a default value that gives its shape.
          const init = graph.initializer.find((t) => t.name === v.name);
          if (!init)
            throw new Error(
              `input '${v.name}' has a symbolic dim '${sym}' ([${info.dims}]); give its shape (e.g. --shape ${v.name}=${info.dims.map((d) => (typeof d === 'number' ? d : 1)).join('x')})`,
            );
          this.types.set(v.name, { elemType: init.dataType, dims: init.dims.map(Number) });
        } else this.types.set(v.name, { elemType: info.elemType, dims: info.dims as number[] });
      }
    }
    graph.output.forEach((o) => {
      this.outputs.push(o.name);
      this.used.add(o.name);
    });
    for (const n of graph.node) {
      for (const o of [...n.input, ...n.output]) this.used.add(o);
      if (n.name) this.used.add(n.name);
    }
  }

  /** Original initializer (variable) protos, by name. */
  variableProto(name: string): TensorProto | undefined {
    return this.variableProtos.get(name);
  }

  resolve(name: string): string {
    return this.aliases.get(name) ?? name;
  }

  isConst(name: string): boolean {
    const n = this.resolve(name);
    return this.hostConsts.has(n) || this.protoConsts.has(n);
  }

  constValue(name: string): HostTensor | undefined {
    const n = this.resolve(name);
    const h = this.hostConsts.get(n);
    if (h) return h;
    const p = this.protoConsts.get(n);
    if (!p || !HOST_DTYPES.has(p.dataType)) return undefined;
    const t = tensorFromProto(p);
    this.hostConsts.set(n, t);
    this.protoConsts.delete(n);
    return t;
  }

  type(name: string): ValueType {
    const t = this.types.get(this.resolve(name));
    if (!t) throw new Error(`the type of value '${name}' is not known (it comes from an op without a shape rule here)`);
    return t;
  }

  dims(name: string): number[] {
    return this.type(name).dims;
  }

  dtype(name: string): DType {
    return dtypeOf(this.type(name).elemType);
  }

  /** A value name not used anywhere in the graph. */
  fresh(hint: string): string {
    let name: string;
    do name = `${hint}__${this.counter++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  /** Registers a constant under a fresh name (or the given one) and returns the name. */
  constant(t: HostTensor, hint = 'const', name?: string): string {
    const n = name ?? this.fresh(hint);
    this.used.add(n);
    this.hostConsts.set(n, t);
    this.types.set(n, valueTypeOf(t));
    return n;
  }

  scalar(v: number, dtype: DType): string {
    return this.constant(fromNumbers(dtype, [], [v]), 'scalar');
  }

  ints(values: number[]): string {
    return this.constant(fromNumbers('int64', [values.length], values), 'ints');
  }

  /** Adds a node built from parts; returns its output names. */
  opN(
    type: string,
    inputs: string[],
    attrs: Record<string, AttrValue | undefined> = {},
    nOutputs = 1,
    hint?: string,
    names?: string[],
  ): string[] {
    const outs = names ?? Array.from({ length: nOutputs }, () => this.fresh(hint ?? type.toLowerCase()));
    this.add(
      create(NodeProtoSchema, {
        opType: type,
        name: this.fresh(`${type}_node`),
        input: inputs,
        output: outs,
        attribute: Object.entries(attrs)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => attribute(k, v as AttrValue)),
      }),
    );
    return outs.map((o) => this.resolve(o));
  }

  op(type: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, hint?: string): string {
    return this.opN(type, inputs, attrs, 1, hint)[0]!;
  }

  /** Adds an existing node: folds it if it can, otherwise infers its output types. */
  add(original: NodeProto): void {
    const node = create(NodeProtoSchema, { ...original, input: original.input.map((i) => (i ? this.resolve(i) : i)) });
    for (const o of node.output) this.used.add(o);
    if (node.name) this.used.add(node.name);
    const where = describeNode(node);
    try {
      if (this.tryAlias(node) || this.tryFold(node)) return;
      if (this.lower && !this.lowering) {
        this.lowering = true;
        try {
          if (this.lower(node, this)) return;
        } finally {
          this.lowering = false;
        }
      }
      if (node.opType === 'ConstantOfShape' && this.isConst(node.input[0]!)) {
        // Would fold to a huge initializer; Expand of a scalar keeps it small and on the GPU.
        const value = fromNumbers('float32', [1], [0]);
        const v = node.attribute.find((a) => a.name === 'value')?.t;
        const scalar = v ? tensorFromProto(v) : value;
        const s = this.constant({ ...scalar, dims: [] }, 'fill');
        this.add(
          create(NodeProtoSchema, {
            opType: 'Expand',
            name: node.name,
            input: [s, node.input[0]!],
            output: node.output,
          }),
        );
        return;
      }
      const ins = node.input.map((i) => (i ? this.types.get(i) : undefined));
      const outs = inferTypes(
        node,
        ins,
        (k) => (node.input[k] ? this.constValue(node.input[k]!) : undefined),
        this.opset,
      );
      node.output.forEach((o, k) => {
        if (o && outs[k]) this.types.set(o, outs[k]!);
      });
      this.push(node);
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(msg.includes(where) ? msg : `${where}: ${msg}`);
    }
  }

  private push(node: NodeProto): void {
    this.nodes.push(node);
    for (const o of node.output) if (o) this.producers.set(o, node);
  }

  /** The nodes and values that the given (resolved) output values depend on. */
  private liveFrom(outputs: readonly string[]): { live: Set<NodeProto>; needed: Set<string> } {
    const producers = new Map<string, NodeProto>();
    for (const n of this.nodes) for (const o of n.output) producers.set(o, n);
    const live = new Set<NodeProto>();
    const needed = new Set<string>();
    const stack = [...outputs];
    while (stack.length) {
      const v = stack.pop()!;
      if (needed.has(v)) continue;
      needed.add(v);
      const p = producers.get(v);
      if (p && !live.has(p)) {
        live.add(p);
        stack.push(...p.input.filter(Boolean));
      }
    }
    return { live, needed };
  }

  /** Drops the nodes no output depends on (a rewrite that bypassed a node can leave it dead). */
  dropDead(): void {
    const { live } = this.liveFrom(this.outputs.map((o) => this.resolve(o)));
    const kept = this.nodes.filter((n) => live.has(n));
    this.nodes.splice(0, this.nodes.length, ...kept);
    this.reindex();
  }

  /** Every value's reading nodes, in node order (for passes over the finished graph). */
  readers(): Map<string, NodeProto[]> {
    const readers = new Map<string, NodeProto[]>();
    for (const n of this.nodes) for (const i of n.input) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
    return readers;
  }

  /** Whether `name` is a float constant whose every element passes `test`. */
  constEvery(name: string, test: (v: number) => boolean): boolean {
    const c = name ? this.constValue(name) : undefined;
    return c !== undefined && c.dtype !== 'int64' && toNumbers(c).every(test);
  }

  /** Rebuilds the value → producer index after a pass has rewired or reordered `nodes`. */
  reindex(): void {
    this.producers.clear();
    for (const n of this.nodes) for (const o of n.output) if (o) this.producers.set(o, n);
  }

  /** The node that computes a value (undefined for inputs, constants and variables). */
  producer(name: string): NodeProto | undefined {
    return this.producers.get(this.resolve(name));
  }

  private tryAlias(node: NodeProto): boolean {
    const op = node.opType;
    let alias = op === 'Identity' || (op === 'Dropout' && node.output.length === 1);
    if (op === 'Cast') {
      const t = this.types.get(node.input[0]!);
      alias = !!t && t.elemType === Number(node.attribute.find((a) => a.name === 'to')?.i ?? -1);
    }
    if (!alias || this.outputs.includes(node.output[0]!) || this.keep.has(node.output[0]!)) return false;
    this.aliases.set(node.output[0]!, node.input[0]!);
    return true;
  }

  private tryFold(node: NodeProto): boolean {
    const op = node.opType;
    if (!isDefaultDomain(node.domain)) return false;
    if (!HOST_OPS.has(op) || node.output.some((o) => this.keep.has(o))) return false;
    const shapeOnly = op === 'Shape' || op === 'Size';
    if (shapeOnly) {
      if (!this.types.has(node.input[0]!)) return false;
    } else if (!node.input.every((i) => !i || this.isConst(i))) return false;
    if (op === 'Dropout' && node.output.length > 1) return false;
    const inputs = node.input.map((i) => (i && !shapeOnly ? this.constValue(i) : undefined));
    if (!shapeOnly && inputs.some((t, k) => node.input[k] && !t)) return false; // element type the host does not compute
    if (!SHAPE_OPS.has(op)) {
      const inSize = Math.max(1, ...inputs.map((t) => (t ? numel(t.dims) : 0)));
      const outTypes = inferTypes(
        node,
        node.input.map((i) => (i ? this.types.get(i) : undefined)),
        (k) => inputs[k],
        this.opset,
      );
      const outSize = Math.max(0, ...outTypes.map((t) => (t ? numel(t.dims) : Infinity)));
      if (outSize > FOLD_LIMIT || (outSize > GROWTH_LIMIT && outSize > inSize)) return false;
    } else if (op === 'ConstantOfShape') {
      const n = numel(Array.from(inputs[0]!.data as ArrayLike<number | bigint>, Number));
      if (n > GROWTH_LIMIT) return false;
    }
    const dims = node.input.map((i) => (i ? this.types.get(i)?.dims : undefined));
    const results = evalHost(node, inputs, this.opset, dims);
    node.output.forEach((o, k) => {
      if (!o) return;
      if (this.outputs.includes(o)) {
        // A graph output keeps its name: produce it from the constant with an Identity.
        const c = this.constant(results[k]!, o);
        this.push(
          create(NodeProtoSchema, { opType: 'Identity', name: this.fresh('Identity_node'), input: [c], output: [o] }),
        );
        this.types.set(o, valueTypeOf(results[k]!));
      } else this.constant(results[k]!, o, o);
    });
    return true;
  }

  /**
   * Gives value `from` the name `to`: renames the node output that produces it when it is a plain
   * intermediate value, otherwise adds an Identity.
   */
  rename(from: string, to: string): void {
    const src = this.resolve(from);
    const producer = this.producers.get(src) ?? this.nodes.find((n) => n.output.includes(src));
    const protectedName =
      this.inputs.includes(src) ||
      this.outputs.includes(src) ||
      this.isConst(src) ||
      this.variables.has(src) ||
      this.renamed.has(src);
    this.used.add(to);
    this.renamed.add(to);
    if (producer && !protectedName) {
      for (const n of this.nodes) {
        n.input = n.input.map((i) => (i === src ? to : i));
        n.output = n.output.map((o) => (o === src ? to : o));
      }
      for (const [k, v] of this.aliases) if (v === src) this.aliases.set(k, to);
      this.producers.delete(src);
      this.producers.set(to, producer);
      this.types.set(to, this.types.get(src)!);
      this.aliases.set(src, to);
      return;
    }
    this.push(
      create(NodeProtoSchema, { opType: 'Identity', name: this.fresh('Identity_node'), input: [src], output: [to] }),
    );
    this.types.set(to, this.type(src));
  }

  /** Makes an initializer a variable (kept, never folded) — used when its gradient is wanted. */
  isVariable(name: string): boolean {
    return this.variables.has(name);
  }

  /**
   * The graph as a model: the given outputs, nodes in topological order, dead nodes and unused
   * initializers removed, value_info with static shapes for every intermediate value.
   */
  toModel(extra: { inputs?: string[]; outputs?: string[] } = {}): ModelProto {
    const g = this.model.graph!;
    const inputs = [...this.inputs, ...(extra.inputs ?? [])];
    const outputs = extra.outputs ?? this.outputs;
    const outNames = outputs.map((o) => this.resolve(o));
    const { live, needed } = this.liveFrom(outNames);
    const nodes = topoSort(
      this.nodes.filter((n) => live.has(n)),
      [...inputs, ...this.hostConsts.keys(), ...this.protoConsts.keys(), ...this.variables],
    );
    const initializer: TensorProto[] = [];
    for (const name of needed) {
      const p = this.protoConsts.get(name) ?? this.variableProtos.get(name);
      if (p) initializer.push(p);
      else {
        const h = this.hostConsts.get(name);
        if (h) initializer.push(tensorToProto(name, h));
      }
    }
    // Initializers the original graph listed as inputs (overridable defaults) stay as they were.
    const inputSet = new Set(inputs);
    for (const t of g.initializer) if (inputSet.has(t.name)) initializer.push(t);
    const info = (name: string): ValueInfoProto => {
      const t = this.types.get(this.resolve(name));
      if (!t) {
        const orig = [...g.input, ...g.output, ...g.valueInfo].find((v) => v.name === name);
        if (orig) return orig;
        throw new Error(`the type of '${name}' is not known`);
      }
      return valueInfo(name, HOST_DTYPES.has(t.elemType) ? dtypeOf(t.elemType) : 'float32', t.dims, t.elemType);
    };
    // Graph outputs that are aliases (e.g. an output that was an Identity of an input) need a node.
    const aliasNodes: NodeProto[] = [];
    outputs.forEach((o, i) => {
      if (outNames[i] !== o) {
        aliasNodes.push(
          create(NodeProtoSchema, {
            opType: 'Identity',
            name: this.fresh('Identity_node'),
            input: [outNames[i]!],
            output: [o],
          }),
        );
      }
    });
    const graphIO = new Set([...inputs, ...outputs]);
    const valueInfos: ValueInfoProto[] = [];
    for (const n of nodes)
      for (const o of n.output) if (o && !graphIO.has(o) && this.types.has(o)) valueInfos.push(info(o));
    const graph = create(GraphProtoSchema, {
      name: g.name,
      docString: g.docString,
      node: [...nodes, ...aliasNodes],
      input: inputs.map(info),
      output: outputs.map(info),
      initializer,
      valueInfo: valueInfos,
    });
    return { ...this.model, graph } as ModelProto;
  }
}

export function elemTypeName(t: ValueType): string {
  return typeName(t.elemType);
}
