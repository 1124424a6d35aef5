// Optimize steps per second: the compiled edit objective (generator → CLIP → loss → gradient) in
// an Adam loop, on onnxruntime-node (CPU) and in headless chromium (onnxruntime-web wasm, and the
// WebGPU EP on SwiftShader). Uses the demo bundle when it is complete, else the optimizer tests'
// bundle (the demo generator with a small random CLIP). Run alone with `npx tsx bench/optimize.ts`
// (`--no-browser` for the Node row only, `--steps n`). The Node row runs in a child process of its
// own, so the peak RSS it reports is that measurement's alone.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { loadBundle } from '../src/engine/models/index.js';
import { createNodeRuntime } from '../src/engine/tensor/runtime-node.js';
import { benchBundleDir, ROOT } from './optimize-bundle.js';
import { measure, type Measured } from './optimize-measure.js';

export interface OptimizeRow extends Measured {
  host: string;
  bundle: string;
  note?: string;
  /** Peak RSS of the process that measured (Node rows), bytes. */
  peakRssBytes?: number;
  /** RSS of that process before it loaded the bundle, bytes. */
  startRssBytes?: number;
}

export async function benchNode(steps = 30): Promise<OptimizeRow> {
  const { dir, label } = await benchBundleDir();
  const bundle = await loadBundle(dir, {
    runtime: await createNodeRuntime(),
    loadBytes: async (p) => new Uint8Array(await readFile(p)),
  });
  const row = await measure(bundle, steps);
  await bundle.release();
  return { host: 'node (onnxruntime-node)', bundle: label, ...row };
}

const NODE_ROW_FLAG = '--node-row-json';

/** benchNode in a fresh Node process (with tsx, as this file runs), its peak RSS included. */
async function benchNodeInChild(steps: number): Promise<OptimizeRow> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), NODE_ROW_FLAG, '--steps', String(steps)],
    {
      cwd: ROOT,
      maxBuffer: 16 << 20,
    },
  );
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as OptimizeRow;
  } catch {
    throw new Error(`the Node optimize bench printed no result; its output ended with: ${last.slice(-500)}`);
  }
}

export async function benchOptimize(options: { browser?: boolean; steps?: number } = {}): Promise<OptimizeRow[]> {
  const rows = [await benchNodeInChild(options.steps ?? 30)];
  if (options.browser !== false) {
    const { benchBrowser } = await import('./optimize-browser.js');
    rows.push(...(await benchBrowser(Math.min(options.steps ?? 30, 10))));
  }
  return rows;
}

export function formatOptimizeRows(rows: OptimizeRow[]): string {
  const table = [
    ['host', 'backend', 'bundle', 'compile ms', 'forward ms', 'step ms', 'steps/s', 'note'],
    ...rows.map((r) => [
      r.host,
      r.backend,
      r.bundle,
      r.compileMs.toFixed(0),
      r.forwardMs.toFixed(1),
      r.stepMs.toFixed(1),
      r.stepsPerSecond.toFixed(1),
      r.note ?? '',
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (c >= 3 && c <= 6 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(table[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n');
}

const invokedDirectly =
  process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  const args = process.argv.slice(2);
  const stepsAt = args.indexOf('--steps');
  const steps = stepsAt >= 0 ? Number(args[stepsAt + 1]) : undefined;
  if (args.includes(NODE_ROW_FLAG)) {
    const startRssBytes = process.memoryUsage().rss;
    const row = await benchNode(steps);
    // maxRSS is in kilobytes; it covers this process's whole life, which is this one measurement.
    console.log(JSON.stringify({ ...row, startRssBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
  } else {
    console.log(formatOptimizeRows(await benchOptimize({ browser: !args.includes('--no-browser'), steps })));
  }
}
