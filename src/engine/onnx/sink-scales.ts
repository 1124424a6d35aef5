// Per-channel scales moved past the channel-preserving linear ops that follow them.
import type { NodeProto } from 'onnx-buf';
import { numel } from './graph.js';
import { zeroFillPads } from './ops.js';
import type { GraphState } from './state.js';

/** The single axis along which a broadcast factor varies, or undefined. */
function scaledAxis(dims: readonly number[], full: readonly number[]): number | undefined {
  if (dims.length !== full.length) return undefined;
  const axes = dims.flatMap((d, i) => (d === 1 ? [] : [i]));
  return axes.length === 1 && dims[axes[0]!] === full[axes[0]!] ? axes[0] : undefined;
}

/** Where axis `axis` of a value goes through `node`, when scaling along it commutes with the op. */
function through(s: GraphState, node: NodeProto, axis: number): number | undefined {
  const x = node.input[0]!;
  const y = node.output[0];
  if (!y || node.output.length !== 1 || !s.types.has(y)) return undefined;
  const a = s.dims(x);
  const b = s.dims(y);
  switch (node.opType) {
    case 'Reshape': {
      const before = numel(a.slice(0, axis));
      for (let j = 0; j < b.length; j++) if (numel(b.slice(0, j)) === before && b[j] === a[axis]) return j;
      return undefined;
    }
    case 'Pad': {
      const pads = zeroFillPads(s, node);
      return pads && pads[axis] === 0 && pads[axis + a.length] === 0 ? axis : undefined;
    }
    case 'Conv': {
      if (node.input[2]) return undefined;
      // Images of a batch are convolved independently; a depthwise Conv keeps each channel apart.
      if (axis === 0) return 0;
      const group = Number(node.attribute.find((t) => t.name === 'group')?.i ?? 1);
      const w = s.dims(node.input[1]!);
      return axis === 1 && group === a[1] && w[0] === group ? 1 : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * StyleGAN2's upsampling layers scale a transposed convolution's output per channel (the
 * demodulation) and then blur it (a Reshape to one image per channel, Pad, a 4×4 Conv, a Reshape
 * back). A per-channel factor commutes with those ops, so the Mul moves after them. The scale's
 * gradient then reads the blurred map, which `recomputeFromKept` gets back from the layer's output,
 * instead of keeping the transposed convolution's output to the end of the backward (at 1024 px
 * 134 MB per upsampling layer). Runs on the forward nodes before they are differentiated.
 */
export function sinkChannelScales(s: GraphState): void {
  const outputs = new Set(s.outputs.map((o) => s.resolve(o)));
  const readers = s.readers();
  const only = (v: string) => {
    const r = readers.get(v) ?? [];
    return r.length === 1 && !outputs.has(v) ? r[0] : undefined;
  };
  let moved = false;
  for (const m of s.nodes.slice()) {
    if (m.opType !== 'Mul' || m.input.length !== 2 || m.input[0] === m.input[1]) continue;
    const o = m.output[0]!;
    if (!s.types.has(o) || s.dtype(o) !== 'float32') continue;
    const full = s.dims(o);
    const k = m.input.findIndex((x) => s.dims(x).join() === full.join());
    if (k < 0) continue;
    const u = m.input[k]!;
    const d = m.input[1 - k]!;
    let axis = scaledAxis(s.dims(d), full);
    if (axis === undefined) continue;
    const chain: NodeProto[] = [];
    let cur = o;
    for (let next = only(cur); next && next.input[0] === cur; next = only(cur)) {
      const to = through(s, next, axis);
      if (to === undefined) break;
      chain.push(next);
      axis = to;
      cur = next.output[0]!;
    }
    if (!chain.some((n) => n.opType !== 'Reshape')) continue;
    const end = cur;
    const endDims = s.dims(end);
    const unscaled = s.fresh(`${end}_unscaled`);
    s.types.set(unscaled, s.type(end));
    // New arrays, not edits in place: a node's arrays may be shared with the caller's model.
    const [head, tail] = [chain[0]!, chain[chain.length - 1]!];
    head.input = [u, ...head.input.slice(1)];
    tail.output = [unscaled, ...tail.output.slice(1)];
    const target = endDims.map((v, i) => (i === axis ? v : 1));
    let factor = d;
    const before = s.nodes.length;
    if (s.dims(d).join() !== target.join()) factor = s.op('Reshape', [d, s.ints(target)]);
    const emitted = s.nodes.splice(before);
    s.nodes.splice(s.nodes.indexOf(m), 1);
    m.input = [unscaled, factor];
    m.output = [end];
    s.nodes.splice(s.nodes.indexOf(tail) + 1, 0, ...emitted, m);
    moved = true;
  }
  if (moved) s.reindex();
}
