// `rete-clip-pae run <graph.json|png> [--set <node>.<param>=<value>]… [--out <dir>] [--batch <folder>]`:
// runs a graph headless and writes every Save Image file (a PNG with the graph embedded) to the
// output folder. Split into reading, running and writing so the batch mode (batch.ts) loops over
// the middle part with one engine (and one cache).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { OutputFile } from '../engine/graph/definition.js';
import type { GraphDocument } from '../engine/graph/document.js';
import type { Engine } from '../engine/run/engine.js';
import type { RunSummary } from '../engine/run/events.js';
import { createNodeEngine } from '../host/node.js';
import { catalogue } from '../nodes/registry.js';
import { formatErrors, readGraphFile } from './graph-file.js';
import { UsageError, type CliIo } from './io.js';
import { applyOverrides, parseOverride } from './overrides.js';
import { progressReporter } from './progress.js';

export const RUN_USAGE = `usage: rete-clip-pae run <graph.json|graph.png> [--set <node>.<param>=<value>]… [--out <dir>]
                         [--batch <folder> [--batch-node <id>]
                          [--queue redis://host:port [--no-wait] [--skip-existing] [--attempts n]]]

Runs the graph without a browser and writes every Save Image output to <dir> (default ./out) as a PNG
with the graph embedded. Progress goes to stderr; the paths of written files go to stdout.
  --set node.param=value   change a param before running (repeatable); prompt lists as a|b|c or JSON
  --out dir                where to write files (created if missing)
  --batch folder           run the graph once per PNG image in the folder, each fed into the graph's
                           Load Image node; each image's files go to <dir>/<image name>/
  --batch-node id          the Load Image node that takes the images, when the graph has several
                           (default: the only one, or the one that feeds an Invert node)
  --queue url              with --batch: add one job per image to the Redis queue at url instead of
                           running them here; 'rete-clip-pae worker' processes run them, and this
                           command shows progress and a summary; --out may be s3://bucket/prefix
  --no-wait                only add the jobs and print the batch id
  --skip-existing          leave out images whose folder under --out already holds files (queued
                           jobs never overwrite; without it such a batch is refused)
  --attempts n             tries per job when writing its files fails (default 3; a graph that
                           fails on its image is not retried)
`;

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) {
    io.stdout.write(RUN_USAGE);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? 'run needs a graph file' : `run takes one graph file, got ${positionals.length}`,
    );
  if (values['batch-node'] !== undefined && values.batch === undefined)
    throw new UsageError('--batch-node only goes with --batch <folder>');
  const queueOnly = (['no-wait', 'skip-existing', 'attempts'] as const).find((o) => values[o] !== undefined);
  if (queueOnly && values.queue === undefined) throw new UsageError(`--${queueOnly} only goes with --queue <url>`);
  if (values.queue !== undefined && values.batch === undefined)
    throw new UsageError('--queue only goes with --batch <folder>: the queue runs one job per image');
  const file = positionals[0]!;
  const overrides = (values.set ?? []).map(parseOverride);

  const loaded = await readGraphFile(file, io.cwd, catalogue);
  if (!loaded.ok) {
    io.stderr.write(loaded.unreadable ? `${loaded.unreadable}\n` : formatErrors(file, loaded.errors));
    return 1;
  }
  const changed = applyOverrides(loaded.document, overrides, catalogue, io.cwd);
  if (!changed.ok) {
    io.stderr.write(formatErrors(file, changed.errors));
    return 1;
  }
  const doc = changed.document;
  if (!doc.nodes.some((n) => catalogue.get(n.type)!.sink)) {
    io.stderr.write(`${file}: nothing to run: the graph has no Preview or Save Image node\n`);
    return 0;
  }

  if (values.queue !== undefined) {
    const { enqueueBatch } = await import('./queue/enqueue.js');
    return enqueueBatch({
      doc,
      registry: catalogue,
      file,
      graphDir: loaded.dir,
      folder: values.batch!,
      node: values['batch-node'],
      out: values.out ?? 'out',
      queue: values.queue,
      wait: !values['no-wait'],
      skipExisting: values['skip-existing'] ?? false,
      attempts: values.attempts,
      io,
    });
  }
  const engine = createNodeEngine({ baseDir: loaded.dir });
  const outDir = resolve(io.cwd, values.out ?? 'out');
  if (values.batch !== undefined) {
    const { runBatch } = await import('./batch.js');
    return (
      await runBatch({ engine, doc, registry: catalogue, folder: values.batch, node: values['batch-node'], outDir, io })
    ).code;
  }
  const summary = await runGraph(engine, doc, io);
  const written = await writeOutputs(outDir, summary.files);
  for (const path of written) io.stdout.write(`${relativeOrAbsolute(io.cwd, path)}\n`);
  if (summary.status === 'ok' && written.length === 0)
    io.stderr.write('the graph has no Save Image node: no files written\n');

  if (summary.status === 'cancelled') return 130;
  if (summary.status === 'failed') {
    const failures = Object.values(summary.nodes).filter((n) => n.status === 'error').length;
    io.stderr.write(`${failures} ${failures === 1 ? 'node' : 'nodes'} failed\n`);
    return 1;
  }
  return 0;
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        set: { type: 'string', multiple: true },
        out: { type: 'string' },
        batch: { type: 'string' },
        'batch-node': { type: 'string' },
        queue: { type: 'string' },
        'no-wait': { type: 'boolean' },
        'skip-existing': { type: 'boolean' },
        attempts: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Runs one document on `engine`, reporting progress on stderr. */
export function runGraph(engine: Engine, doc: GraphDocument, io: CliIo): Promise<RunSummary> {
  return engine.run(doc, { signal: io.signal, onEvent: progressReporter(doc, catalogue, io.stderr) });
}

/**
 * Writes files into `dir`; a name used twice (two Save Image nodes, or a batch) gets -2, -3, …
 * before its extension rather than overwriting. `taken` carries names across calls.
 */
export async function writeOutputs(
  dir: string,
  files: readonly { file: OutputFile }[],
  taken = new Set<string>(),
): Promise<string[]> {
  if (files.length === 0) return [];
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const { file } of files) {
    const name = uniqueName(file.name, taken);
    const path = join(dir, name);
    await writeFile(path, file.bytes);
    written.push(path);
  }
  return written;
}

export function uniqueName(name: string, taken: Set<string>): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  let candidate = name;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${stem}-${i}${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

export function relativeOrAbsolute(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}
