// Forward vs forward+gradient time of the four gradient fixtures on onnxruntime-node (CPU) and
// onnxruntime-web (wasm, in Node), one thread each, and PyTorch autograd on the same networks
// where a python3 has torch (tools/setup/test-env.ts finds it). The gradient models are built for
// CPU runtimes (target 'cpu'); where the portable (WebGPU-safe) graph differs, its ratio on onnxruntime-node is in the note.
// Run alone with `npx tsx bench/onnx.ts`; `--ops` also prints each gradient model's op counts.
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { gradientModel } from '../src/engine/onnx/gradient.js';
import { readModel, writeModel, type ModelProto } from '../src/engine/onnx/model.js';
import { FIXTURE_ROOT, FIXTURES, type Fixture, gradientFeeds, loadFixture } from '../test/onnx/fixtures.js';
import { repoPath } from '../test/paths.js';
import { findTorchPython } from '../tools/setup/test-env.js';

export interface Row {
  fixture: string;
  runtime: string;
  /** median forward time, ms */
  forwardMs: number | null;
  /** median forward + gradient time, ms */
  gradMs: number | null;
  /** gradMs / forwardMs */
  ratio: number | null;
  note?: string;
}

type Ort = typeof ortNode;

const median = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]!;

/**
 * Medians of repeated runs after warm-up, the functions taking turns so that a change in the
 * machine's load (it is shared) hits all of them alike: at least 5 rounds and about 600 ms.
 */
async function timeTogether(fs: (() => Promise<unknown>)[]): Promise<number[]> {
  for (let i = 0; i < 2; i++) for (const f of fs) await f();
  const times = fs.map(() => [] as number[]);
  const start = performance.now();
  while (times[0]!.length < 5 || (performance.now() - start < 600 && times[0]!.length < 300)) {
    for (let k = 0; k < fs.length; k++) {
      const t = performance.now();
      await fs[k]!();
      times[k]!.push(performance.now() - t);
    }
  }
  return times.map(median);
}

async function benchRuntime(
  ort: Ort,
  runtime: string,
  fx: Fixture,
  gradBytes: Uint8Array,
  portableBytes?: Uint8Array,
): Promise<Row> {
  const opts = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const fwd = await ort.InferenceSession.create(fx.model, opts);
  const grad = await ort.InferenceSession.create(gradBytes, opts);
  const portable = portableBytes ? await ort.InferenceSession.create(portableBytes, opts) : undefined;
  const gradFeeds = gradientFeeds(fx, (dtype, data, dims) => new ort.Tensor(dtype, data, dims));
  const feeds = Object.fromEntries(Object.entries(gradFeeds).filter(([k]) => k !== `${fx.of}_grad`));
  const runs = [() => fwd.run(feeds), () => grad.run(gradFeeds)];
  if (portable) runs.push(() => portable.run(gradFeeds));
  const [forwardMs, gradMs, portableMs] = (await timeTogether(runs)) as [number, number, number | undefined];
  await fwd.release();
  await grad.release();
  await portable?.release();
  const row: Row = { fixture: fx.name, runtime, forwardMs, gradMs, ratio: gradMs / forwardMs };
  if (portableMs !== undefined) row.note = `WebGPU-safe graph: ${(portableMs / forwardMs).toFixed(2)}×`;
  return row;
}

/** Op counts of a model, most frequent first. */
export function opCounts(model: ModelProto): string {
  const counts = new Map<string, number>();
  for (const n of model.graph!.node) counts.set(n.opType, (counts.get(n.opType) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([op, c]) => `${op} ${c}`)
    .join(', ');
}

// The fixtures' own networks (tools/fixtures/make_grad_fixtures.py's networks(), same weights) on
// the committed inputs.
const TORCH_SCRIPT = `
import json, os, sys, time, importlib.util
import numpy as np
import torch
torch.set_num_threads(1)
script, root = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location('make_grad_fixtures', script)
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
nets = m.networks()
def load(name, key):
    meta = json.load(open(os.path.join(root, name, 'fixture.json')))
    t = meta['tensors'][key]
    return torch.from_numpy(np.fromfile(os.path.join(root, name, t['file']), dtype=np.float32).reshape(t['shape']))
def median_times(fs):
    # the functions take turns, as in the onnxruntime timings
    for _ in range(2):
        for f in fs: f()
    ts = [[] for _ in fs]; start = time.perf_counter()
    while len(ts[0]) < 5 or (time.perf_counter() - start < 0.6 and len(ts[0]) < 300):
        for k, f in enumerate(fs):
            t = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t)
    return [sorted(t)[len(t) // 2] * 1000 for t in ts]
out = {}
for name, net in nets.items():
    meta = json.load(open(os.path.join(root, name, 'fixture.json')))
    net.eval()
    xs = [load(name, 'input:' + i) for i in meta['inputs']]
    seed = load(name, 'seed:' + meta['outputs'][0])
    params = dict(net.named_parameters())
    def fwd():
        with torch.no_grad(): net(*xs)
    def fwd_bwd():
        ins = [x.clone().requires_grad_(n in meta['wrt_inputs']) for x, n in zip(xs, meta['inputs'])]
        wrt = [x for x, n in zip(ins, meta['inputs']) if n in meta['wrt_inputs']] + [params[p] for p in meta['wrt_params']]
        torch.autograd.grad((net(*ins) * seed).sum(), wrt)
    out[name] = median_times([fwd, fwd_bwd])
print(json.dumps(out))
`;

function benchTorch(): Row[] {
  const python = findTorchPython();
  if (!python) {
    return FIXTURES.map((f) => ({
      fixture: f,
      runtime: 'pytorch (cpu, 1 thread)',
      forwardMs: null,
      gradMs: null,
      ratio: null,
      note: 'n/a (no python3 with torch and onnx: apt-get install python3-torch python3-onnx)',
    }));
  }
  const out = execFileSync(
    python,
    ['-c', TORCH_SCRIPT, repoPath('tools/fixtures/make_grad_fixtures.py'), FIXTURE_ROOT],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  const times = JSON.parse(out.trim().split('\n').pop()!) as Record<string, [number, number]>;
  return FIXTURES.map((f) => {
    const [forwardMs, gradMs] = times[f]!;
    return { fixture: f, runtime: 'pytorch (cpu, 1 thread)', forwardMs, gradMs, ratio: gradMs / forwardMs };
  });
}

export async function benchOnnx(opts: { ops?: (line: string) => void } = {}): Promise<Row[]> {
  ortWeb.env.wasm.numThreads = 1;
  const rows: Row[] = [];
  for (const name of FIXTURES) {
    const fx = loadFixture(name);
    const wrt = fx.wrt;
    const t = performance.now();
    const gm = gradientModel(readModel(fx.model, name), { of: fx.of, wrt, target: 'cpu' });
    const buildMs = performance.now() - t;
    const gradBytes = writeModel(gm);
    const portable = writeModel(gradientModel(readModel(fx.model, name), { of: fx.of, wrt }));
    const differs = portable.length !== gradBytes.length || portable.some((b, i) => b !== gradBytes[i]);
    opts.ops?.(
      `${name}: forward ${readModel(fx.model).graph!.node.length} nodes, gradient model ${gm.graph!.node.length} nodes: ${opCounts(gm)}`,
    );
    const node = await benchRuntime(
      ortNode,
      'onnxruntime-node (cpu, 1 thread)',
      fx,
      gradBytes,
      differs ? portable : undefined,
    );
    node.note = [`gradient model built in ${buildMs.toFixed(0)} ms`, node.note].filter(Boolean).join('; ');
    rows.push(node);
    rows.push(await benchRuntime(ortWeb as unknown as Ort, 'onnxruntime-web (wasm, 1 thread)', fx, gradBytes));
  }
  rows.push(...benchTorch());
  return rows;
}

export function formatRows(rows: Row[]): string {
  const num = (v: number | null, digits: number) => (v === null ? 'n/a' : v.toFixed(digits));
  const table = [
    ['fixture', 'runtime', 'forward ms', 'fwd+grad ms', 'ratio', 'note'],
    ...rows.map((r) => [
      r.fixture,
      r.runtime,
      num(r.forwardMs, 2),
      num(r.gradMs, 2),
      r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}×`,
      r.note ?? '',
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(table[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n');
}

const invokedDirectly =
  process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  const ops = process.argv.includes('--ops') ? (line: string) => console.log(line) : undefined;
  console.log(formatRows(await benchOnnx({ ops })));
}
