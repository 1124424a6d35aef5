// `rete-clip-pae directions build <manifest>`: StyleCLIP's global directions for a bundle with a
// StyleSpace, saved next to it (directions.bin + the manifest's styleSpace.directions). A build
// saves its partial sums after every face and picks them up when run again with the same settings.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBundle, parseManifest } from '../engine/models/index.js';
import { createNodeServices } from '../engine/run/services-node.js';
import {
  buildDirections,
  DEFAULT_SEED,
  DEFAULT_STEP,
  directionsBytes,
  resumeMismatch,
  type DirectionsState,
} from '../engine/stylespace/index.js';
import { createRuntime } from '../engine/tensor/runtime.js';
import { UsageError, type CliIo, type TextSink } from './io.js';

export const DIRECTIONS_FILE = 'directions.bin';
export const PARTIAL_FILE = 'directions.partial.json';
export const DEFAULT_FACES = 16;

export const DIRECTIONS_USAGE = `usage: rete-clip-pae directions build <manifest.json | bundle folder> [--faces n] [--step k] [--seed n]

Measures, for every style channel of the bundle's StyleSpace, how the CLIP image embedding changes when
the channel moves by ±k σ (σ over random faces), averaged over n random faces (seeds n, n+1, …), and
writes ${DIRECTIONS_FILE} next to the manifest with a styleSpace.directions entry in it. Progress is saved
after every face (${PARTIAL_FILE}); running the same command again continues from there.
  --faces n   faces to average over (default ${DEFAULT_FACES})
  --step k    how far each channel moves, in its σ (default ${DEFAULT_STEP})
  --seed n    first face seed (default ${DEFAULT_SEED})
`;

function whole(value: string | undefined, option: string, fallback: number, positive = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || (positive && n < 1))
    throw new UsageError(`--${option} needs a whole number${positive ? ' ≥ 1' : ''}, got '${value}'`);
  return n;
}

/** A bar that redraws only when it moves by a step, so logs stay short. */
function progressBar(sink: TextSink): (done: number, total: number) => void {
  let last = -1;
  return (done, total) => {
    const pct = Math.floor((100 * done) / Math.max(1, total));
    if (pct === last || (pct < 100 && pct - last < 5 && last >= 0)) return;
    last = pct;
    const filled = Math.round(pct / 5);
    sink.write(
      `directions [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${pct}% (${done}/${total} channel moves)\n`,
    );
  };
}

export async function buildDirectionsFor(
  manifestPath: string,
  o: { faces: number; step: number; seed: number; signal?: AbortSignal; stderr: TextSink },
): Promise<{ file: string; resumedAt: number }> {
  const dir = dirname(manifestPath);
  const services = createNodeServices({ baseDir: dir });
  const bundle = await loadBundle(manifestPath, { loadBytes: services.loadBytes, runtime: await createRuntime() });
  const partialPath = join(dir, PARTIAL_FILE);
  let resume: DirectionsState | undefined;
  if (existsSync(partialPath)) {
    const saved = JSON.parse(readFileSync(partialPath, 'utf8')) as DirectionsState;
    const size = bundle.manifest.styleSpace?.layers.reduce((n, l) => n + l.size, 0) ?? 0;
    const why = resumeMismatch(saved, {
      faces: o.faces,
      step: o.step,
      seed: o.seed,
      truncation: 0.7,
      size,
      embedDim: bundle.manifest.clip.embedDim,
    });
    if (why) o.stderr.write(`${partialPath} is from other settings (${why}); starting over\n`);
    else {
      resume = saved;
      o.stderr.write(`continuing from ${partialPath}: ${saved.done} of ${saved.faces} faces done\n`);
    }
  }
  try {
    const built = await buildDirections(bundle, {
      faces: o.faces,
      step: o.step,
      seed: o.seed,
      truncation: 0.7,
      resume,
      signal: o.signal,
      onProgress: progressBar(o.stderr),
      onFace: (state) => {
        // Written aside and renamed, so an interruption never leaves half a file.
        writeFileSync(`${partialPath}.tmp`, JSON.stringify(state));
        renameSync(`${partialPath}.tmp`, partialPath);
      },
    });
    const file = join(dir, DIRECTIONS_FILE);
    writeFileSync(file, directionsBytes(built));
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { styleSpace: Record<string, unknown> };
    manifest.styleSpace.directions = { file: DIRECTIONS_FILE, faces: o.faces, step: o.step, seed: o.seed };
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    parseManifest(text, manifestPath);
    writeFileSync(manifestPath, text);
    rmSync(partialPath, { force: true });
    return { file, resumedAt: resume?.done ?? 0 };
  } finally {
    await bundle.release();
  }
}

export async function directionsCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        faces: { type: 'string' },
        step: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(DIRECTIONS_USAGE);
    return 0;
  }
  const [action, where, ...extra] = positionals;
  if (action !== 'build') throw new UsageError(`directions: the action must be 'build', got '${action ?? ''}'`);
  if (!where || extra.length) throw new UsageError('directions build takes one manifest.json or bundle folder');
  let manifestPath = resolve(io.cwd, where);
  if (existsSync(manifestPath) && statSync(manifestPath).isDirectory())
    manifestPath = join(manifestPath, 'manifest.json');
  if (!existsSync(manifestPath)) throw new UsageError(`directions build: ${manifestPath} does not exist`);
  const step = values.step === undefined ? DEFAULT_STEP : Number(values.step);
  if (!(step > 0 && Number.isFinite(step))) throw new UsageError(`--step needs a number > 0, got '${values.step}'`);
  const started = performance.now();
  const { file } = await buildDirectionsFor(manifestPath, {
    faces: whole(values.faces, 'faces', DEFAULT_FACES, true),
    step,
    seed: whole(values.seed, 'seed', DEFAULT_SEED),
    signal: io.signal,
    stderr: io.stderr,
  });
  io.stdout.write(`wrote ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}
