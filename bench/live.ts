// `npm run bench -- live --bundle <manifest or folder> [--top n] [--written-order]`: which values of
// a bundle's edit objective are alive at once, by static shapes, when its nodes run in the order
// onnxruntime runs them (runtimeOrder: its depth-first plan; --written-order: the order the model
// lists them). A value lives from the node that makes it to the last node that reads it; the peak
// and what is alive there show which forward values the backward keeps. A lower bound of a run's
// memory: a runtime adds its own buffers (kernel scratch, allocator slack).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { parseManifest } from '../src/engine/models/manifest.js';
import { readModel } from '../src/engine/onnx/model.js';
import { buildEditModel } from '../src/engine/optimize/edit-model.js';
import { runtimeOrder } from '../src/engine/onnx/runtime-order.js';

const BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8 };

export interface LiveValue {
  name: string;
  bytes: number;
  /** The op that makes it and the index of that node. */
  producer: string;
  /** Index of the last node that reads it. */
  lastUse: number;
}

export interface Liveness {
  peakBytes: number;
  /** The node running at the peak (its inputs and outputs alive). */
  peakAt: { index: number; op: string; name: string };
  /** Everything alive at the peak, largest first. */
  alive: LiveValue[];
  weightBytes: number;
}

/** Live bytes over onnxruntime's node order (or the written one) of a model whose values all have static shapes. */
export function liveness(model: ModelProto, order: 'written' | 'runtime' = 'runtime'): Liveness {
  const g = model.graph!;
  const nodes = order === 'runtime' ? runtimeOrder(g.node) : g.node;
  const size = new Map<string, number>();
  for (const v of [...g.valueInfo, ...g.output]) {
    const t = v.type?.value;
    if (t?.case !== 'tensorType') continue;
    const dims = t.value.shape?.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : 1)) ?? [];
    size.set(v.name, dims.reduce((a, b) => a * b, 1) * (BYTES[t.value.elemType] ?? 4));
  }
  const outputs = new Set(g.output.map((o) => o.name));
  const last = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const x of n.input) last.set(x, i);
  });
  const producer = new Map<string, string>();
  const alive = new Map<string, number>();
  let live = 0;
  let best: Liveness = { peakBytes: 0, peakAt: { index: 0, op: '', name: '' }, alive: [], weightBytes: 0 };
  nodes.forEach((n, i) => {
    for (const o of n.output) {
      const bytes = size.get(o) ?? 0;
      producer.set(o, `${n.opType} #${i}`);
      alive.set(o, bytes);
      live += bytes;
    }
    if (live > best.peakBytes) {
      best = {
        peakBytes: live,
        peakAt: { index: i, op: n.opType, name: n.name },
        alive: [...alive].map(([name, bytes]) => ({ name, bytes, producer: '', lastUse: last.get(name) ?? i })),
        weightBytes: 0,
      };
    }
    for (const x of n.input) {
      if (last.get(x) === i && alive.has(x) && !outputs.has(x)) {
        live -= alive.get(x)!;
        alive.delete(x);
      }
    }
  });
  for (const v of best.alive) v.producer = producer.get(v.name)!;
  best.alive.sort((a, b) => b.bytes - a.bytes);
  best.weightBytes = g.initializer.reduce((a, t) => a + t.rawData.length, 0);
  return best;
}

export function formatLiveness(l: Liveness, top: number): string {
  const mb = (b: number) => (b / 1e6).toFixed(1);
  return [
    `weights ${mb(l.weightBytes)} MB; live activations peak at ${mb(l.peakBytes)} MB while node #${l.peakAt.index} runs (${l.peakAt.op} ${l.peakAt.name})`,
    '',
    '| MB | value | made by | last read by node |',
    '|---|---|---|---|',
    ...l.alive.slice(0, top).map((v) => `| ${mb(v.bytes)} | ${v.name} | ${v.producer} | #${v.lastUse} |`),
  ].join('\n');
}

export async function runLiveBench(args: readonly string[]): Promise<number> {
  const at = args.indexOf('--bundle');
  const bundle = at >= 0 ? args[at + 1] : undefined;
  if (!bundle) {
    console.log('bench live: --bundle <manifest.json or bundle folder> is required');
    return 2;
  }
  const top = Number(args[args.indexOf('--top') + 1] ?? 30) || 30;
  const path = resolve(bundle.endsWith('.json') ? bundle : join(bundle, 'manifest.json'));
  if (!existsSync(path)) {
    console.log(`bench live: no bundle manifest at ${path}`);
    return 1;
  }
  const manifest = parseManifest(readFileSync(path), path);
  const dir = dirname(path);
  const built = buildEditModel({
    manifest,
    generator: new Uint8Array(readFileSync(join(dir, manifest.generator.file))),
    clipImage: new Uint8Array(readFileSync(join(dir, manifest.clip.image.file))),
  });
  const model = readModel(built.bytes);
  const order = args.includes('--written-order') ? 'written' : 'runtime';
  console.log(formatLiveness(liveness(model, order), top));
  return 0;
}
