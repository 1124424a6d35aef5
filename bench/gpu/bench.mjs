// Times the models written by export.ts with onnxruntime-node on each execution provider it can
// start (WebGPU through Dawn, CPU), checks that the WebGPU outputs match the CPU's, and prints a
// table; probe models (single ops, see probes.ts) are only checked, and listed with every output's
// error. EPS=webgpu,webgpu-nchw,cpu adds the WebGPU EP with preferredLayout NCHW (its default is
// NHWC, whose grouped Conv kernels are the faulty ones). Plain JavaScript with onnxruntime-node as its only dependency, so it runs on a machine
// that has a GPU but no project checkout. Usage: node bench.mjs <models dir> <onnxruntime-node dir>
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Folders given on the command line are the caller's; the defaults are the checkout's own.
const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const [dir = here('../../.devbench/models'), ortDir = here('../../node_modules/onnxruntime-node')] =
  process.argv.slice(2);
const require = createRequire(import.meta.url);
const ort = require(resolve(ortDir));
const verbose = process.env.PLACEMENT === '1';
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
const eps = (process.env.EPS ?? 'webgpu,cpu').split(',');
const provider = (ep) => (ep === 'webgpu-nchw' ? { name: 'webgpu', preferredLayout: 'NCHW' } : ep);
const only = process.env.ONLY; // 'probes' or 'models'
// Timed runs per model (after 3 warm-up runs); real-shape objectives on a CPU want few.
const runs = Number(process.env.RUNS ?? 25);
const warmups = Math.min(3, runs);

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

/** max |a − b| / max |a| over one output */
function relErr(a, b) {
  let max = 0,
    diff = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(Number(a[i])));
    diff = Math.max(diff, Math.abs(Number(a[i]) - Number(b[i])));
  }
  return max > 0 ? diff / max : diff;
}

const rows = [];
const probeRows = [];
for (const m of index) {
  if ((only === 'probes' && !m.probe) || (only === 'models' && m.probe)) continue;
  if (m.probe) {
    const bytes = readFileSync(join(dir, m.file));
    const feeds = Object.fromEntries(m.feeds.map((f) => [f.name, tensor(f)]));
    const results = {};
    for (const ep of eps) {
      try {
        const session = await ort.InferenceSession.create(bytes, {
          executionProviders: [provider(ep)],
          logSeverityLevel: 3,
        });
        results[ep] = await session.run(feeds);
        await session.release();
      } catch (e) {
        results[ep] = String(e.message ?? e)
          .split('\n')[0]
          .slice(0, 100);
      }
    }
    const cells = eps
      .filter((ep) => ep !== 'cpu')
      .map((ep) => {
        const r = results[ep],
          c = results.cpu;
        if (typeof r === 'string') return `${ep}: failed ${r}`;
        if (!c || typeof c === 'string') return `${ep}: no cpu reference`;
        const e = Math.max(...Object.keys(c).map((k) => relErr(c[k].data, r[k].data)));
        return `${ep}: ${e.toExponential(1)}${e > 1e-4 ? ' WRONG' : ''}`;
      });
    probeRows.push(`${m.name} | ${cells.join(' | ')}`);
    continue;
  }
  const bytes = readFileSync(join(dir, m.file));
  const feeds = Object.fromEntries(m.feeds.map((f) => [f.name, tensor(f)]));
  const results = {};
  for (const ep of eps) {
    try {
      let t = performance.now();
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: [provider(ep)],
        logSeverityLevel: verbose ? 0 : 3,
        graphOptimizationLevel: 'all',
      });
      const createMs = performance.now() - t;
      t = performance.now();
      const first = await session.run(feeds);
      const firstMs = performance.now() - t;
      for (let i = 0; i < warmups; i++) await session.run(feeds);
      const runMs = await median(runs, () => session.run(feeds));
      results[ep] = first;
      rows.push({ model: m.name, ep, createMs, firstMs, runMs });
      await session.release();
    } catch (e) {
      rows.push({
        model: m.name,
        ep,
        error: String(e.message ?? e)
          .split('\n')[0]
          .slice(0, 140),
      });
    }
  }
  for (const ep of eps.filter((e) => e !== 'cpu')) {
    if (!results[ep] || !results.cpu) continue;
    const worst = Math.max(...Object.keys(results.cpu).map((k) => relErr(results.cpu[k].data, results[ep][k].data)));
    rows.find((r) => r.model === m.name && r.ep === ep).relErr = worst;
  }
}
const head = [
  'model',
  'EP',
  'session ms',
  'first run ms',
  `run ms (median of ${runs})`,
  'runs/s',
  'max rel err vs cpu',
];
const body = rows.map((r) =>
  r.error
    ? [r.model, r.ep, `failed: ${r.error}`, '', '', '', '']
    : [
        r.model,
        r.ep,
        r.createMs.toFixed(0),
        r.firstMs.toFixed(1),
        r.runMs.toFixed(3),
        (1000 / r.runMs).toFixed(0),
        r.relErr === undefined ? '' : r.relErr.toExponential(1),
      ],
);
const w = head.map((_, c) => Math.max(...[head, ...body].map((r) => String(r[c]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join(' | ');
console.log(line(head));
console.log(w.map((n) => '-'.repeat(n)).join('-|-'));
for (const r of body) console.log(line(r));
if (probeRows.length) {
  console.log(`\nsingle-op probes, max rel err vs cpu over the outputs (WRONG: above 1e-4)`);
  for (const r of probeRows) console.log(r);
}
