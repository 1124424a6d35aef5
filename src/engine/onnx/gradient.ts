// Reverse-mode autodiff on ONNX graphs: the result is one ordinary ONNX model that computes the
// original outputs and the gradient of `of` with respect to each name in `wrt`.
// Contract: an extra input `<of>_grad` (the upstream gradient, shape of `of`) and one output
// `<name>_grad` per wrt name; original inputs and outputs keep their names.
import type { ModelProto, NodeProto } from 'onnx-buf';
import { Attrs, describeNode, isFloat } from './graph.js';
import { lowerNode } from './lower.js';
import { accumulate } from './accumulate.js';
import { findComposites } from './composites.js';
import { recomputeFromKept } from './recompute.js';
import { writeForRuntime } from './runtime-order.js';
import { sinkChannelScales } from './sink-scales.js';
import { dropRedundantExpands, foldScalarFactors, readSignsFromScaled } from './simplify.js';
import { zeros } from './ops.js';
import { NON_DIFFERENTIABLE, RULES } from './rules.js';
import { GraphState } from './state.js';
import { topoSort } from './graph.js';

export interface GradientOptions {
  /** the value to differentiate (usually a scalar loss output) */
  of: string;
  /** graph inputs or initializers to differentiate with respect to */
  wrt: string[];
  /** static shapes for inputs with symbolic dims */
  inputShapes?: Record<string, number[]>;
  /**
   * 'any' (default): only ops that every onnxruntime backend runs on its device, WebGPU included.
   * 'cpu': for CPU runtimes (onnxruntime-node, wasm), also ops that WebGPU runs on the CPU where
   * they are much faster there (MaxUnpool for the backward of non-overlapping MaxPool).
   */
  target?: 'any' | 'cpu';
}

export const gradName = (name: string) => `${name}_grad`;

export function gradientModel(model: ModelProto, opts: GradientOptions): ModelProto {
  const g = model.graph;
  if (!g) throw new Error('model has no graph');
  const { of, wrt } = opts;
  if (wrt.length === 0) throw new Error('gradientModel: wrt is empty; name at least one input or initializer');
  if (opts.target !== undefined && opts.target !== 'any' && opts.target !== 'cpu')
    throw new Error(`gradientModel: target must be 'any' or 'cpu', not '${String(opts.target)}'`);
  const inputs = new Set(g.input.map((i) => i.name));
  const inits = new Set(g.initializer.map((t) => t.name));
  const produced = new Set(g.node.flatMap((n) => n.output));
  for (const w of wrt) {
    if (!inputs.has(w) && !inits.has(w) && !produced.has(w)) {
      throw new Error(
        `gradient w.r.t. '${w}': not a graph input, initializer or value of the graph (inputs: ${[...inputs].join(', ')}; ${inits.size} initializers)`,
      );
    }
  }
  // Intermediate values may be wrt too (exporters write a parameter that has the same value as
  // another as an Identity of it): the gradient is then the one flowing into that value.
  const s = new GraphState(model, {
    inputShapes: opts.inputShapes,
    variables: wrt.filter((w) => !inputs.has(w)),
    lower: lowerNode,
  });
  for (const n of topoSort(g.node, [...inputs, ...inits])) s.add(n);
  const ofName = s.resolve(of);
  if (!s.types.has(ofName)) {
    const producer = s.nodes.find((n) => n.output.includes(ofName));
    if (producer)
      throw new Error(`gradient of '${of}': its shape is not known (${describeNode(producer)} has no shape rule here)`);
    const outs = g.output.map((o) => o.name).join(', ');
    throw new Error(`gradient of '${of}': no such value in the graph (outputs: ${outs})`);
  }
  if (!isFloat(s.types.get(ofName))) throw new Error(`gradient of '${of}': it is not a float tensor`);
  const seed = gradName(of);
  for (const name of [seed, ...wrt.map(gradName)]) {
    if (s.types.has(name) || inputs.has(name))
      throw new Error(`the gradient model needs the name '${name}', which the graph already uses`);
  }
  s.types.set(seed, { ...s.types.get(ofName)!, dims: s.types.get(ofName)!.dims.slice() });

  s.dropDead();
  sinkChannelScales(s);
  const forward = s.nodes.slice();
  const producer = new Map<string, NodeProto>();
  for (const n of forward) for (const o of n.output) producer.set(o, n);

  // Values that depend on a wrt through float data.
  const fwd = new Set<string>(wrt);
  for (const n of forward) {
    if (NON_DIFFERENTIABLE.has(n.opType)) continue;
    if (!n.input.some((i) => fwd.has(i))) continue;
    for (const o of n.output) if (o && isFloat(s.types.get(o))) fwd.add(o);
  }
  // Values `of` depends on.
  const bwd = new Set<string>([ofName]);
  for (let i = forward.length - 1; i >= 0; i--) {
    const n = forward[i]!;
    if (n.output.some((o) => bwd.has(o))) for (const x of n.input) if (x) bwd.add(x);
  }
  const active = (name: string) => fwd.has(name) && bwd.has(name);
  const wrtSet = new Set(wrt);

  const pending = new Map<string, string[]>([[ofName, [seed]]]);
  const total = (name: string): string | undefined => {
    const parts = pending.get(name);
    if (!parts || parts.length === 0) return undefined;
    const acc = accumulate(s, parts);
    pending.set(name, [acc]);
    return acc;
  };

  // Multi-op activations differentiated as one unit (see composites.ts).
  const uses = new Map<string, number>();
  for (const n of forward) for (const x of n.input) if (x) uses.set(x, (uses.get(x) ?? 0) + 1);
  for (const name of [...s.outputs.map((o) => s.resolve(o)), ...wrt]) uses.set(name, (uses.get(name) ?? 0) + 1);
  const composites = findComposites(s, forward, uses);
  const push = (x: string, gr: string) => {
    const have = pending.get(x);
    if (have) have.push(gr);
    else pending.set(x, [gr]);
  };

  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i]!;
    if (!node.output.some(active) || !node.input.some(active)) continue;
    const composite = composites.get(node);
    if (composite) {
      const out = node.output[0]!;
      const dy = wrtSet.has(out) ? undefined : total(out);
      if (dy && active(composite.x)) push(composite.x, composite.backward(s, dy));
      continue;
    }
    // A wrt value is a leaf: its gradient is reported, not passed on to what produced it.
    const dy = node.output.map((o) => (active(o) && !wrtSet.has(o) ? total(o) : undefined));
    if (dy.every((d) => d === undefined)) continue;
    const rule = RULES[node.opType];
    if (!rule) {
      throw new Error(
        `no gradient rule for op ${node.opType} (${describeNode(node)}); it is on the path ${pathThrough(node, wrt, ofName, producer, fwd, bwd, forward)}`,
      );
    }
    const needs = node.input.map((x) => !!x && active(x));
    let grads: (string | undefined)[];
    try {
      grads = rule({
        s,
        node,
        a: new Attrs(node),
        x: node.input.slice(),
        y: node.output.slice(),
        dy,
        needs,
        target: opts.target ?? 'any',
      });
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(msg.includes(describeNode(node)) ? msg : `gradient of ${describeNode(node)}: ${msg}`);
    }
    grads.forEach((gr, k) => {
      if (gr && needs[k]) push(node.input[k]!, gr);
    });
  }

  const gradOutputs: string[] = [];
  for (const w of wrt) {
    const target = gradName(w);
    const gr = total(w) ?? zeros(s, w);
    s.rename(gr, target);
    gradOutputs.push(target);
  }
  const keep = new Set([...s.outputs, ...gradOutputs].map((o) => s.resolve(o)));
  foldScalarFactors(s, new Set(forward), keep);
  dropRedundantExpands(s);
  readSignsFromScaled(s);
  recomputeFromKept(s, forward.length);
  const written = s.toModel({ inputs: [seed], outputs: [...s.outputs, ...gradOutputs] });
  // Written so that onnxruntime runs the nodes in the order they were built (runtime-order.ts).
  written.graph!.node = writeForRuntime(written.graph!.node);
  return written;
}

/** "wrt → op → … → of" through the node that lacks a rule, for the error message. */
function pathThrough(
  node: NodeProto,
  wrt: string[],
  of: string,
  producer: Map<string, NodeProto>,
  fwd: Set<string>,
  bwd: Set<string>,
  forward: NodeProto[],
): string {
  const back: string[] = [];
  let v: string | undefined = node.input.find((x) => fwd.has(x) && bwd.has(x));
  while (v && !wrt.includes(v)) {
    const p = producer.get(v);
    if (!p) break;
    back.unshift(`${p.opType}(${v})`);
    v = p.input.find((x) => fwd.has(x) && bwd.has(x));
  }
  const start = v ?? '?';
  const ahead: string[] = [];
  let cur: NodeProto | undefined = node;
  const consumers = (name: string) =>
    forward.find((n) => n.input.includes(name) && n.output.some((o) => bwd.has(o) && fwd.has(o)));
  for (let guard = 0; cur && guard < 10000; guard++) {
    const out: string | undefined = cur.output.find((o) => bwd.has(o) && fwd.has(o));
    if (!out) break;
    ahead.push(`${cur.opType}(${out})`);
    if (out === of) break;
    cur = consumers(out);
  }
  const steps = [start, ...back, ...ahead];
  if (steps[steps.length - 1] !== of && !ahead[ahead.length - 1]?.endsWith(`(${of})`)) steps.push(of);
  return steps.join(' → ');
}
