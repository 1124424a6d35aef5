// The part of an ONNX model that one output needs (e.g. the generator's attribute head, without
// the renderer), as a model of its own.
import { create } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, type ModelProto } from 'onnx-buf';
import type { GraphBuilder } from '../../src/engine/onnx/builder.js';
import { tensorFromProto } from '../../src/engine/onnx/model.js';

export function subgraphFor(model: ModelProto, output: string): ModelProto {
  const g = model.graph;
  if (!g) throw new Error('subgraphFor: the model has no graph');
  const out = g.output.find((o) => o.name === output);
  if (!out)
    throw new Error(
      `subgraphFor: the model has no output '${output}' (outputs: ${g.output.map((o) => o.name).join(', ')})`,
    );
  const producer = new Map(g.node.flatMap((n) => n.output.map((o) => [o, n] as const)));
  const needed = new Set<string>();
  const keep = new Set<(typeof g.node)[number]>();
  const stack = [output];
  while (stack.length) {
    const v = stack.pop()!;
    if (needed.has(v)) continue;
    needed.add(v);
    const p = producer.get(v);
    if (p && !keep.has(p)) {
      keep.add(p);
      stack.push(...p.input.filter(Boolean));
    }
  }
  return create(ModelProtoSchema, {
    ...model,
    graph: create(GraphProtoSchema, {
      ...g,
      node: g.node.filter((n) => keep.has(n)),
      input: g.input.filter((i) => needed.has(i.name)),
      output: [out],
      initializer: g.initializer.filter((t) => needed.has(t.name)),
      valueInfo: g.valueInfo.filter((v) => needed.has(v.name)),
    }),
  });
}

/**
 * Copies a model's nodes and initializers into a builder under `prefix`, wiring its graph inputs to
 * existing values; returns the builder names of its outputs.
 */
export function inlineModel(
  g: GraphBuilder,
  model: ModelProto,
  inputs: Record<string, string>,
  prefix: string,
): Record<string, string> {
  const mg = model.graph!;
  const map = new Map<string, string>();
  for (const i of mg.input) {
    const to = inputs[i.name];
    if (to === undefined) throw new Error(`inlineModel: no value given for input '${i.name}' of ${mg.name}`);
    map.set(i.name, to);
  }
  const rename = (n: string) => (n === '' ? n : (map.get(n) ?? `${prefix}${n}`));
  for (const t of mg.initializer) {
    if (!map.has(t.name)) g.weight(rename(t.name), tensorFromProto(t));
  }
  for (const n of mg.node) {
    g.nodes.push(
      create(NodeProtoSchema, {
        ...n,
        name: `${prefix}${n.name}`,
        input: n.input.map(rename),
        output: n.output.map(rename),
      }),
    );
  }
  return Object.fromEntries(mg.output.map((o) => [o.name, rename(o.name)]));
}
