// The order onnxruntime runs a graph's nodes in, and a way to write a graph so that it runs them in
// the order we choose.
//
// onnxruntime does not run nodes in the order they are written. Its default execution order is a
// depth-first search from the graph's leaves (nodes whose outputs no other node reads) that, at
// each node, explores the inputs' producers with the largest node index (the one written last)
// first, and runs each node once everything it reads has run (GraphViewer's ReverseDFSFrom with
// NodeCompare, onnxruntime 1.x). For a gradient graph written forward-then-backward this defers
// every branch that hangs off the backward chain (StyleGAN2's per-layer style gradients, which read
// the chain's 134 MB maps at 1024 px) until the whole chain has run, so every map stays alive to
// the end. Written in the order `writeForRuntime` gives, the same graph runs in (nearly) the
// order it was built in.
import type { NodeProto } from 'onnx-buf';

/** For each node, the indices of the nodes that make its inputs, once each, in ascending order. */
function producersOf(nodes: readonly NodeProto[]): number[][] {
  const at = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output) if (o) at.set(o, i);
  });
  return nodes.map((n) =>
    [...new Set(n.input.flatMap((x) => (x && at.has(x) ? [at.get(x)!] : [])))].sort((a, b) => a - b),
  );
}

/** The order onnxruntime's default execution plan runs `nodes` (indexed as written) in. */
export function runtimeOrder(nodes: readonly NodeProto[]): NodeProto[] {
  const inputsOf = producersOf(nodes);
  const read = new Uint8Array(nodes.length);
  for (const ins of inputsOf) for (const i of ins) read[i] = 1;
  const stack: [number, boolean][] = [];
  nodes.forEach((_, i) => {
    if (!read[i]) stack.push([i, false]);
  });
  const visited = new Uint8Array(nodes.length);
  const out: NodeProto[] = [];
  while (stack.length) {
    const [i, leave] = stack.pop()!;
    if (leave) {
      out.push(nodes[i]!);
      continue;
    }
    if (visited[i]) continue;
    visited[i] = 1;
    stack.push([i, true]);
    for (const p of inputsOf[i]!) if (!visited[p]) stack.push([p, false]);
  }
  return out;
}

/**
 * A topological order to write `nodes` in so that onnxruntime runs them in about the order given.
 * Built from the end: of the nodes whose readers are all placed, the one that comes first in the
 * given order is placed last (it gets the largest index), so at every node the runtime's search
 * explores first the input that the given order computes first, and that input's whole branch runs
 * before the next one's. (Written greedily from the start instead, a long chain's side branches end
 * up after the chain they hang off, and run last.)
 */
export function writeForRuntime(nodes: readonly NodeProto[]): NodeProto[] {
  const inputsOf = producersOf(nodes);
  const unplacedReaders = new Array<number>(nodes.length).fill(0);
  for (const ins of inputsOf) for (const p of ins) unplacedReaders[p]!++;
  // A min-heap of the positions (in the given order) of nodes whose readers are all placed.
  const heap: number[] = [];
  const push = (v: number) => {
    heap.push(v);
    for (let k = heap.length - 1; k > 0; ) {
      const up = (k - 1) >> 1;
      if (heap[up]! <= heap[k]!) break;
      [heap[up], heap[k]] = [heap[k]!, heap[up]!];
      k = up;
    }
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let k = 0; ; ) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < heap.length && heap[l]! < heap[m]!) m = l;
        if (r < heap.length && heap[r]! < heap[m]!) m = r;
        if (m === k) break;
        [heap[m], heap[k]] = [heap[k]!, heap[m]!];
        k = m;
      }
    }
    return top;
  };
  unplacedReaders.forEach((c, i) => {
    if (c === 0) push(i);
  });
  const reversed: NodeProto[] = [];
  while (heap.length) {
    const i = pop();
    reversed.push(nodes[i]!);
    for (const p of inputsOf[i]!) if (--unplacedReaders[p]! === 0) push(p);
  }
  if (reversed.length !== nodes.length) throw new Error('writeForRuntime: the graph has a cycle');
  return reversed.reverse();
}
