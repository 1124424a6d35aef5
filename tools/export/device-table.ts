// The exporter round-trip table: for each exporter's check folder (export.py --check-dir), runs
// every written ONNX file in onnxruntime-node against PyTorch's saved outputs (check-onnx.ts) and
// prints one row per model output: exporter, file, torch version, max relative error, pass/fail.
// A folder holding export-error.txt (what device-check.sh writes when export.py fails) is one
// failing row with that message. Bundled into the device kit (device-kit.ts) as check.mjs.
//   node check.mjs --torch <version> [--table <file>] <exporter>=<check-dir> ...
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { caseModels, checkExports } from './check-onnx.js';

export interface TableRow {
  exporter: string;
  file: string;
  torch: string;
  relative: number | undefined;
  ok: boolean;
  note: string;
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join(' / ');
}

/** The rows of one exporter's check folder; problems become failing rows, never exceptions. */
export async function exporterRows(exporter: string, dir: string, torch: string): Promise<TableRow[]> {
  const failed = (file: string, note: string): TableRow[] => [
    { exporter, file, torch, relative: undefined, ok: false, note },
  ];
  const error = join(dir, 'export-error.txt');
  if (existsSync(error)) return failed('-', `export.py failed: ${lastLines(readFileSync(error, 'utf8'), 2)}`);
  if (!existsSync(join(dir, 'check.json'))) return failed('-', `${dir}: no check.json (export.py wrote no check data)`);
  try {
    const results = await checkExports(dir);
    if (results.length === 0) return failed('-', `${dir}/check.json lists no models`);
    return results.map((r) => ({
      exporter,
      file: caseModels(r, '→'), // a chained case: its models in order
      torch,
      relative: r.relative,
      ok: r.ok,
      note: `"${r.output}" max abs err ${r.maxAbs.toExponential(2)}, limit ${r.tolerance.toExponential(0)}`,
    }));
  } catch (e) {
    return failed('-', `check failed: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function formatTable(rows: readonly TableRow[]): string {
  const head = ['exporter', 'file', 'torch', 'max rel err', 'result', 'detail'];
  const cells = rows.map((r) => [
    r.exporter,
    r.file,
    r.torch,
    r.relative === undefined ? '-' : r.relative.toExponential(2),
    r.ok ? 'pass' : 'FAIL',
    r.note,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

/** Parses the command line; throws with the usage on anything it does not read. */
export function parseArgs(argv: readonly string[]): { torch: string; table?: string; folders: [string, string][] } {
  const usage = 'usage: check.mjs --torch <version> [--table <file>] <exporter>=<check-dir> ...';
  let torch: string | undefined;
  let table: string | undefined;
  const folders: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--torch' || a === '--table') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${usage}`);
      if (a === '--torch') torch = v;
      else table = v;
    } else if (/^[^=]+=.+/.test(a)) {
      const at = a.indexOf('=');
      folders.push([a.slice(0, at), a.slice(at + 1)]);
    } else {
      throw new Error(`argument "${a}" is neither an option nor <exporter>=<check-dir>\n${usage}`);
    }
  }
  if (!torch) throw new Error(`--torch <version> is missing\n${usage}`);
  if (folders.length === 0) throw new Error(`no <exporter>=<check-dir> given\n${usage}`);
  return { torch, table, folders };
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const rows: TableRow[] = [];
  for (const [exporter, dir] of args.folders) rows.push(...(await exporterRows(exporter, dir, args.torch)));
  const table = formatTable(rows);
  process.stdout.write(`${table}\n`);
  if (args.table) writeFileSync(args.table, `${table}\n`);
  const failures = rows.filter((r) => !r.ok).length;
  process.stdout.write(failures === 0 ? `all ${rows.length} rows pass\n` : `${failures} of ${rows.length} rows FAIL\n`);
  process.exitCode = failures === 0 ? 0 : 1;
}
