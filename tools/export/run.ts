// `npm run export -- <kind> <checkpoint> <out-dir> [options]`: runs the Python exporter with a
// temporary check folder, then runs every written ONNX file in onnxruntime-node against the
// PyTorch module's outputs; exits non-zero unless every check passes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkExports, formatResult } from './check-onnx.js';
import { pythonCommand } from './python.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Exports and checks; returns the exit code. Output goes to this process's stdout/stderr. */
export async function exportAndCheck(
  args: readonly string[],
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const check = mkdtempSync(join(tmpdir(), 'rcp-export-check-'));
  try {
    const py = spawnSync(pythonCommand(), [join(here, 'export.py'), ...args, '--check-dir', check], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (py.error) {
      process.stderr.write(`cannot run ${pythonCommand()}: ${py.error.message} (set PYTHON to a python3 with torch)\n`);
      return 1;
    }
    for (const line of py.stdout.split('\n')) if (line) log(line);
    if (py.status !== 0) return py.status ?? 1;
    if (args[0] === 'tokenizer') return 0;
    const results = await checkExports(check);
    for (const r of results) log(formatResult(r));
    if (!results.every((r) => r.ok)) {
      process.stderr.write('the ONNX export does not compute what the PyTorch module computes\n');
      return 1;
    }
    return 0;
  } finally {
    rmSync(check, { recursive: true, force: true });
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) process.exitCode = await exportAndCheck(process.argv.slice(2));
