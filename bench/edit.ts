// `npm run bench -- edit --bundle <manifest> --runtime node|chromium-wasm|chromium-webgpu [--steps n] [--json]
// [--no-forward] [--ort-build wasm|webgpu]`:
// compiles a bundle's edit objective (the loss-and-gradient model Optimize runs) and times it in one
// runtime. Made for real bundles of hundreds of MB: the bundle is read from disk, never copied into
// the repo. `--json` prints one line; a failure prints the same line with "error".
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { parseManifest } from '../src/engine/models/manifest.js';
import { createNodeRuntime } from '../src/engine/tensor/runtime-node.js';
import { serveFolder } from '../test/browser/helpers.js';
import { measureEdit, type EditMeasured } from './edit-measure.js';
import { ROOT } from './optimize-bundle.js';
import { descendantPeaks, largestPeak, samplePhases } from './process-memory.js';

const RUNTIMES = ['node', 'chromium-wasm', 'chromium-webgpu'] as const;
type EditRuntime = (typeof RUNTIMES)[number];

export interface EditRow extends Partial<EditMeasured> {
  runtime: EditRuntime;
  /** Peak resident memory: this process (node), chromium's renderer (the page with its wasm heap). */
  peak_mb?: number;
  /** Chromium only: the renderer's largest resident memory in each phase of the page (fetch, compile, session, first-step, steps, forward), MB. */
  phase_mb?: Record<string, number>;
  /** Chromium wasm only: onnxruntime-web's wasm heap at the end of each phase, MB (it never shrinks). */
  wasm_mb?: Record<string, number>;
  /** The runtime's own words: "onnxruntime-node (CPU)", "wasm (4 threads, cross-origin isolated)", … */
  note?: string;
  error?: string;
}

interface EditArgs {
  bundle: string;
  runtime: EditRuntime;
  steps: number;
  json: boolean;
  forward: boolean;
  /** Chromium wasm: 'webgpu' runs it on the WebGPU bundle's (Asyncify) build instead of the plain wasm one. */
  ortBuild?: 'wasm' | 'webgpu';
}

export function parseEditArgs(args: readonly string[]): EditArgs {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`bench edit: ${flag} needs a value`);
    return v;
  };
  const bundle = value('--bundle');
  if (!bundle) throw new Error('bench edit: --bundle <manifest.json or bundle folder> is required');
  const runtime = (value('--runtime') ?? 'node') as EditRuntime;
  if (!RUNTIMES.includes(runtime))
    throw new Error(`bench edit: --runtime must be one of ${RUNTIMES.join(', ')} (got "${runtime}")`);
  const steps = Number(value('--steps') ?? 3);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`bench edit: --steps must be a positive integer`);
  const ortBuild = value('--ort-build');
  if (ortBuild !== undefined && ortBuild !== 'wasm' && ortBuild !== 'webgpu')
    throw new Error(`bench edit: --ort-build must be wasm or webgpu (got "${ortBuild}")`);
  return {
    bundle,
    runtime,
    steps,
    json: args.includes('--json'),
    forward: !args.includes('--no-forward'),
    ortBuild,
  };
}

function manifestPath(bundle: string): string {
  const p = resolve(bundle);
  return p.endsWith('.json') ? p : join(p, 'manifest.json');
}

const MB = 1e6;

async function benchNode(path: string, a: EditArgs): Promise<EditRow> {
  const manifest = parseManifest(readFileSync(path), path);
  const dir = dirname(path);
  const load = async () => ({
    manifest,
    generator: new Uint8Array(readFileSync(join(dir, manifest.generator.file))),
    clipImage: new Uint8Array(readFileSync(join(dir, manifest.clip.image.file))),
  });
  const runtime = await createNodeRuntime();
  // maxRSS is in KiB; read before the forward sessions open, so it is the objective's peak.
  let peak = 0;
  const readPeak = () => {
    peak = (process.resourceUsage().maxRSS * 1024) / MB;
  };
  const measured = await measureEdit(load, runtime, {
    steps: a.steps,
    forward: a.forward,
    onPhase: (phase) => {
      if (phase === 'forward') readPeak();
    },
  });
  if (!a.forward) readPeak();
  return { runtime: 'node', ...measured, peak_mb: peak, note: runtime.description };
}

async function benchChromium(path: string, a: EditArgs): Promise<EditRow> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) throw new Error(`chromium not found at ${chromiumPath} (set CHROMIUM_PATH)`);
  const dir = dirname(path);
  const server = await createServer({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    cacheDir: join(ROOT, 'node_modules', '.vite-bench-edit'),
    logLevel: 'error',
    clearScreen: false,
    plugins: [serveFolder('/edit-bundle', dir)],
    optimizeDeps: { entries: ['bench/edit-page/index.html'] },
    server: { host: '127.0.0.1', port: 0, open: false, hmr: false, watch: null },
  });
  await server.listen();
  const address = server.httpServer!.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  try {
    const page = await browser.newPage();
    // The page names each phase on its console; the renderer's memory is sampled meanwhile.
    let phase = 'load';
    const wasm: Record<string, number> = {};
    page.on('console', (message) => {
      const named = /^bench-phase (\S+)$/.exec(message.text());
      if (named) phase = named[1]!;
      const heap = /^bench-wasm (\S+) (\d+)$/.exec(message.text());
      if (heap && Number(heap[2]) > 0) wasm[heap[1]!] = Math.round(Number(heap[2]) / MB);
    });
    const sampler = samplePhases('renderer', () => phase);
    const backend = a.runtime === 'chromium-webgpu' ? 'webgpu' : 'wasm';
    const file = path.slice(dir.length + 1);
    await page.goto(
      `${base}bench/edit-page/index.html?backend=${backend}&steps=${a.steps}&forward=${a.forward}${a.ortBuild ? `&build=${a.ortBuild}` : ''}&manifest=${encodeURIComponent(`/edit-bundle/${file}`)}`,
    );
    await page.waitForFunction(() => (window as { __bench?: unknown }).__bench !== undefined, undefined, {
      timeout: 1_800_000,
      polling: 1000,
    });
    const outcome = (await page.evaluate(() => (window as { __bench?: unknown }).__bench)) as {
      result?: EditMeasured & { description: string };
      error?: string;
      phase?: string;
    };
    const renderer = largestPeak(descendantPeaks(), 'renderer');
    const peak_mb = renderer === null ? undefined : renderer / MB;
    const phase_mb = Object.fromEntries(Object.entries(sampler.stop()).map(([k, v]) => [k, Math.round(v / MB)]));
    if (outcome.error)
      return {
        runtime: a.runtime,
        peak_mb,
        phase_mb,
        wasm_mb: wasm,
        error: `${outcome.error} (while: ${outcome.phase})`,
      };
    const { description, ...measured } = outcome.result!;
    return { runtime: a.runtime, ...measured, peak_mb, phase_mb, wasm_mb: wasm, note: description };
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function benchEdit(a: EditArgs): Promise<EditRow> {
  const path = manifestPath(a.bundle);
  try {
    if (!existsSync(path)) throw new Error(`no bundle manifest at ${path}`);
    return a.runtime === 'node' ? await benchNode(path, a) : await benchChromium(path, a);
  } catch (e) {
    return { runtime: a.runtime, error: (e as Error).message };
  }
}

const round = (v: number | undefined, digits: number) => (v === undefined ? undefined : Number(v.toFixed(digits)));

/** The one-line JSON form (fixed key order). */
export function editJson(row: EditRow): string {
  return JSON.stringify({
    runtime: row.runtime,
    compile_s: round(row.compile_s, 2),
    session_s: round(row.session_s, 2),
    step_ms: round(row.step_ms, 1),
    forward_ms: round(row.forward_ms, 1),
    peak_mb: round(row.peak_mb, 0),
    objective_mb: round(row.objective_mb, 1),
    models_mb: round(row.models_mb, 1),
    backend: row.backend,
    phase_mb: row.phase_mb,
    wasm_mb: row.wasm_mb,
    note: row.note,
    error: row.error,
  });
}

export function formatEditRow(row: EditRow): string {
  if (row.error) return `${row.runtime}: failed: ${row.error}`;
  const ratio = row.forward_ms ? (row.step_ms! / row.forward_ms).toFixed(2) : '–';
  const cells = [
    row.runtime,
    row.note ?? '',
    row.compile_s!.toFixed(1),
    row.session_s!.toFixed(1),
    row.step_ms!.toFixed(0),
    row.forward_ms?.toFixed(0) ?? '–',
    ratio,
    `${row.objective_mb!.toFixed(0)} / ${row.models_mb!.toFixed(0)} (${(row.objective_mb! / row.models_mb!).toFixed(3)}×)`,
    row.peak_mb?.toFixed(0) ?? '–',
  ];
  return [
    '| runtime | where | compile s | session s | step ms | forward ms | step / forward | objective MB / models MB | peak MB |',
    '|---|---|---|---|---|---|---|---|---|',
    `| ${cells.join(' | ')} |`,
  ].join('\n');
}

export async function runEditBench(args: readonly string[]): Promise<number> {
  let parsed: EditArgs;
  try {
    parsed = parseEditArgs(args);
  } catch (e) {
    const runtime = (RUNTIMES as readonly string[]).includes(args[args.indexOf('--runtime') + 1] ?? '')
      ? (args[args.indexOf('--runtime') + 1] as EditRuntime)
      : 'node';
    const message = (e as Error).message;
    console.log(args.includes('--json') ? editJson({ runtime, error: message }) : message);
    return 2;
  }
  const row = await benchEdit(parsed);
  console.log(parsed.json ? editJson(row) : formatEditRow(row));
  return row.error ? 1 : 0;
}
