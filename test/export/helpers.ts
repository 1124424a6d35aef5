// Running the Python exporters from tests: synthetic checkpoints (tools/export/synth.py) and the
// exporter itself (tools/export/export.py) with a check folder, then the onnxruntime check.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CheckResult, checkExports } from '../../tools/export/check-onnx.js';
import { pythonCommand } from '../../tools/export/python.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const tools = join(root, 'tools/export');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rcp-${prefix}-`));
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export function runPython(script: 'synth.py' | 'export.py', args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(pythonCommand(), [join(tools, script), ...args], { maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      const missing = /No module named '(torch|onnx|numpy)'/.exec(stderr);
      const hint = missing
        ? `\n${pythonCommand()} has no ${missing[1]}: the export tests need Python 3 with torch and onnx (Debian: python3-torch, python3-onnx); set PYTHON to one that has them`
        : '';
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr: stderr + hint });
    });
  });
}

export async function synth(args: string[]): Promise<void> {
  const r = await runPython('synth.py', args);
  if (r.code !== 0) throw new Error(`synth.py ${args.join(' ')} failed:\n${r.stderr}`);
}

/** Exports with a fresh check folder and runs every written model in onnxruntime-node. */
export async function exportChecked(args: string[]): Promise<{ ran: Ran; results: CheckResult[] }> {
  const check = tempDir('check');
  const ran = await runPython('export.py', [...args, '--check-dir', check]);
  if (ran.code !== 0) throw new Error(`export.py ${args.join(' ')} failed:\n${ran.stderr}`);
  return { ran, results: await checkExports(check) };
}
