// Static shapes and constant folding: with the input shapes fixed, the shape arithmetic exporters emit
// (Shape → Gather → Unsqueeze → Concat → Reshape, ConstantOfShape, Cast, Constant, Identity) becomes
// initializers, and every remaining value gets a static shape in value_info.
import type { ModelProto } from 'onnx-buf';
import { topoSort } from './graph.js';
import { GraphState, type StateOptions } from './state.js';

export interface FoldOptions {
  /** Initializers to keep as they are (not folded into constants), e.g. weights being trained. */
  keep?: string[];
}

/** Loads a model into a GraphState, folding and inferring node by node. */
export function loadState(model: ModelProto, opts: StateOptions = {}): GraphState {
  const g = model.graph;
  if (!g) throw new Error('model has no graph');
  const state = new GraphState(model, opts);
  for (const n of g.node) {
    if (n.attribute.some((a) => a.g || a.graphs.length)) {
      throw new Error(`${n.opType} node '${n.name}' has a subgraph; control flow (If, Loop, Scan) is not supported`);
    }
  }
  const available = [...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name)];
  for (const n of topoSort(g.node, available)) state.add(n);
  return state;
}

export function foldConstants(
  model: ModelProto,
  inputShapes?: Record<string, number[]>,
  opts: FoldOptions = {},
): ModelProto {
  return loadState(model, { inputShapes, variables: opts.keep }).toModel();
}

/**
 * Static shapes need the shape arithmetic evaluated, so this is the same pass as foldConstants:
 * the result has value_info with static dims for every value.
 */
export function inferShapes(
  model: ModelProto,
  inputShapes?: Record<string, number[]>,
  opts: FoldOptions = {},
): ModelProto {
  return foldConstants(model, inputShapes, opts);
}
