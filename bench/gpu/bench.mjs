// Times the models written by export.ts with onnxruntime-node on each execution provider it can
// start (WebGPU through Dawn, CPU), checks that the WebGPU outputs match the CPU's, and prints a
// table. Plain JavaScript with onnxruntime-node as its only dependency, so it runs on a machine
// that has a GPU but no project checkout. Usage: node bench.mjs <models dir> <onnxruntime-node dir>
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const [dir = '.devbench/models', ortDir = 'node_modules/onnxruntime-node'] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const ort = require(resolve(ortDir));
const verbose = process.env.PLACEMENT === '1';
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
const eps = (process.env.EPS ?? 'webgpu,cpu').split(',');

function tensor(f) {
  const data = f.dtype === 'int64' ? BigInt64Array.from(f.values.map(BigInt)) : Float32Array.from(f.values);
  return new ort.Tensor(f.dtype, data, f.dims);
}

async function median(n, f) {
  const t = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(n / 2)];
}

const rows = [];
for (const m of index) {
  const bytes = readFileSync(join(dir, m.file));
  const feeds = Object.fromEntries(m.feeds.map((f) => [f.name, tensor(f)]));
  const results = {};
  for (const ep of eps) {
    try {
      let t = performance.now();
      const session = await ort.InferenceSession.create(bytes, { executionProviders: [ep], logSeverityLevel: verbose ? 0 : 3, graphOptimizationLevel: 'all' });
      const createMs = performance.now() - t;
      t = performance.now();
      const first = await session.run(feeds);
      const firstMs = performance.now() - t;
      for (let i = 0; i < 3; i++) await session.run(feeds);
      const runMs = await median(25, () => session.run(feeds));
      results[ep] = first;
      rows.push({ model: m.name, ep, createMs, firstMs, runMs });
      await session.release();
    } catch (e) {
      rows.push({ model: m.name, ep, error: String(e.message ?? e).split('\n')[0].slice(0, 140) });
    }
  }
  if (results.webgpu && results.cpu) {
    let worst = 0;
    for (const name of Object.keys(results.cpu)) {
      const a = results.cpu[name].data, b = results.webgpu[name].data;
      let max = 0, diff = 0;
      for (let i = 0; i < a.length; i++) { max = Math.max(max, Math.abs(Number(a[i]))); diff = Math.max(diff, Math.abs(Number(a[i]) - Number(b[i]))); }
      worst = Math.max(worst, max > 0 ? diff / max : diff);
    }
    rows.find((r) => r.model === m.name && r.ep === 'webgpu').relErr = worst;
  }
}
const head = ['model', 'EP', 'session ms', 'first run ms', 'run ms (median of 25)', 'runs/s', 'max rel err vs cpu'];
const body = rows.map((r) => r.error ? [r.model, r.ep, 'failed: ' + r.error, '', '', '', ''] : [r.model, r.ep, r.createMs.toFixed(0), r.firstMs.toFixed(1), r.runMs.toFixed(3), (1000 / r.runMs).toFixed(0), r.relErr === undefined ? '' : r.relErr.toExponential(1)]);
const w = head.map((_, c) => Math.max(...[head, ...body].map((r) => String(r[c]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join(' | ');
console.log(line(head));
console.log(w.map((n) => '-'.repeat(n)).join('-|-'));
for (const r of body) console.log(line(r));
