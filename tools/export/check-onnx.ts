// Runs each exported ONNX file in onnxruntime-node on the inputs the Python exporter saved and
// compares with the PyTorch module's outputs it saved next to them (check.json). The error is
// max |onnx − torch| / max |torch| per output: relative to the output's scale, so values near zero
// do not make a right export look wrong.
//   npx tsx tools/export/check-onnx.ts <check-dir>
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HostTensor } from '../../src/engine/onnx/model.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';

interface SavedArray {
  dtype: string;
  shape: number[];
  file: string;
}

interface CheckCase {
  model: string;
  /** Models run before `model`, in order: each one's outputs feed the next one's inputs of the same names. */
  via?: string[];
  tolerance: number;
  inputs: Record<string, SavedArray>;
  outputs: Record<string, SavedArray>;
}

export interface CheckResult {
  model: string;
  /** The models that ran before `model` on the saved inputs (a pipeline check). */
  via?: string[];
  output: string;
  maxAbs: number;
  relative: number;
  tolerance: number;
  ok: boolean;
}

function readArray(dir: string, a: SavedArray): HostTensor {
  const bytes = readFileSync(join(dir, a.file));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const dims = a.shape;
  switch (a.dtype) {
    case 'float32':
      return { dtype: 'float32', dims, data: new Float32Array(buffer) };
    case 'int64':
      return { dtype: 'int64', dims, data: new BigInt64Array(buffer) };
    case 'int32':
      return { dtype: 'int32', dims, data: new Int32Array(buffer) };
    default:
      throw new Error(`${a.file}: dtype ${a.dtype} is not one the check reads (float32, int64, int32)`);
  }
}

async function runOnce(
  runtime: Awaited<ReturnType<typeof createNodeRuntime>>,
  model: string,
  feeds: Record<string, HostTensor>,
): Promise<Record<string, HostTensor>> {
  const session = await runtime.createSession(readFileSync(model), { name: basename(model) });
  try {
    return await session.runToHost(feeds);
  } finally {
    await session.release();
  }
}

/** Runs every case of <dir>/check.json; the caller decides what a failure means. */
export async function checkExports(dir: string): Promise<CheckResult[]> {
  const { cases } = JSON.parse(readFileSync(join(dir, 'check.json'), 'utf8')) as { cases: CheckCase[] };
  const runtime = await createNodeRuntime();
  const results: CheckResult[] = [];
  for (const c of cases) {
    let feeds: Record<string, HostTensor> = Object.fromEntries(
      Object.entries(c.inputs).map(([name, a]) => [name, readArray(dir, a)]),
    );
    for (const model of c.via ?? []) feeds = await runOnce(runtime, model, feeds);
    const out = await runOnce(runtime, c.model, feeds);
    for (const [name, a] of Object.entries(c.outputs)) {
      const want = readArray(dir, a).data as Float32Array;
      const got = out[name];
      if (!got) throw new Error(`${c.model}: no output "${name}" (it has ${Object.keys(out).join(', ')})`);
      if (got.dims.join(',') !== a.shape.join(','))
        throw new Error(`${c.model}: output "${name}" is [${got.dims}], PyTorch gave [${a.shape}]`);
      const data = got.data as Float32Array;
      let maxAbs = 0;
      let scale = 0;
      let finite = true;
      for (let i = 0; i < want.length; i++) {
        if (!Number.isFinite(data[i]!)) finite = false;
        maxAbs = Math.max(maxAbs, Math.abs(data[i]! - want[i]!));
        scale = Math.max(scale, Math.abs(want[i]!));
      }
      const relative = finite ? maxAbs / (scale || 1) : Number.POSITIVE_INFINITY;
      results.push({
        model: c.model,
        ...(c.via?.length ? { via: c.via } : {}),
        output: name,
        maxAbs,
        relative,
        tolerance: c.tolerance,
        ok: relative <= c.tolerance,
      });
    }
  }
  return results;
}

/** The file names of the models a case ran, in order (one name unless it is a pipeline check). */
export function caseModels(r: Pick<CheckResult, 'model' | 'via'>, separator = ' → '): string {
  return [...(r.via ?? []), r.model].map((m) => basename(m)).join(separator);
}

export function formatResult(r: CheckResult): string {
  return `${r.ok ? 'ok  ' : 'FAIL'} ${caseModels(r)} "${r.output}": onnxruntime vs PyTorch max |Δ| ${r.maxAbs.toExponential(2)}, relative ${r.relative.toExponential(2)} (limit ${r.tolerance.toExponential(0)})`;
}

// The file name is compared too: bundled into another script (device-kit.ts's check.mjs), this
// module's import.meta.url is that script's, and its own command line must not run there.
const invokedDirectly =
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(resolve(process.argv[1])).href &&
  basename(process.argv[1]).startsWith('check-onnx.');
if (invokedDirectly) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: tsx tools/export/check-onnx.ts <check-dir>\n');
    process.exit(2);
  }
  const results = await checkExports(dir);
  for (const r of results) process.stdout.write(`${formatResult(r)}\n`);
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}
