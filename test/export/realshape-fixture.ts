// The reduced-width real-architecture bundle the tests share (models:realshape at 64 px, width
// 0.125, two CLIP layers, a few hundred tokens), built once: into a temp folder named after the
// options and a digest of the code that builds it, so a changed exporter builds a fresh bundle and
// an unchanged one is reused by every test file and every later run. vitest runs test files in
// parallel processes, so the build holds a lock; it writes into a side folder and renames it into
// place when bundle check passes, so no process ever sees half a bundle. The build runs as
// `npm run models:realshape` does, in a process of its own: the exporters run synchronously, and a
// test process must keep answering its runner meanwhile.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RealshapeOptions } from '../../tools/export/realshape.js';
import { REPO_ROOT } from '../paths.js';
import { withFolderLock } from './folder-lock.js';

export type RealshapeFixtureOptions = Omit<RealshapeOptions, 'out' | 'log'>;

/** What the tests run on: small enough to build in seconds, every layer of the real architectures. */
export const TEST_REALSHAPE: RealshapeFixtureOptions = { res: 64, width: 0.125, clipLayers: 2, fullVocab: false };

/**
 * The code whose output the bundle is: the exporters and synthetic checkpoints, and bundle init with
 * the manifest format and model contracts it writes the manifest by.
 */
const BUILDERS = [
  'tools/export',
  'src/cli/bundle-init.ts',
  'src/engine/models/manifest.ts',
  'src/engine/models/io.ts',
  'src/engine/models/contracts.ts',
];

/** Longer than any build on a busy machine; a waiter gives up with a message after it. */
const WAIT_MS = 900_000;

function files(path: string): string[] {
  const full = join(REPO_ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full)
    .filter((name) => !name.startsWith('.') && name !== '__pycache__')
    .sort()
    .flatMap((name) => files(join(path, name)));
}

function buildKey(options: RealshapeFixtureOptions): string {
  const hash = createHash('sha256').update(JSON.stringify(options));
  for (const file of BUILDERS.flatMap(files)) hash.update(file).update(readFileSync(join(REPO_ROOT, file)));
  return hash.digest('hex').slice(0, 16);
}

/** tools/export/realshape.ts through tsx, as `npm run models:realshape` runs it; its output goes to `lines`. */
function runModelsRealshape(options: RealshapeFixtureOptions, out: string, lines: string[]): Promise<number> {
  const args = [
    '--import',
    'tsx',
    join(REPO_ROOT, 'tools/export/realshape.ts'),
    ...['--res', String(options.res), '--width', String(options.width), '--clip-layers', String(options.clipLayers)],
    ...(options.fullVocab ? [] : ['--small-vocab']),
    '--out',
    out,
  ];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: REPO_ROOT, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      lines.push(...`${stdout}${stderr}`.trimEnd().split('\n'));
      resolve(error ? (typeof error.code === 'number' ? error.code : 1) : 0);
    });
  });
}

/**
 * The bundle folder (its manifest.json inside, the folder named `realshape`), built on first use.
 * Throws with the build's log when the build or its bundle check fails. Tests may add a file of their own
 * to it (a manifest that refers to its models) but never change or remove one.
 */
export async function realshapeBundle(options: RealshapeFixtureOptions = TEST_REALSHAPE): Promise<string> {
  const base = join(tmpdir(), `rcp-realshape-fixture-${buildKey(options)}`);
  const bundle = join(base, 'realshape');
  const ready = () => existsSync(join(bundle, 'manifest.json'));
  if (ready()) return bundle;
  mkdirSync(base, { recursive: true });
  await withFolderLock(join(base, 'lock'), WAIT_MS, async () => {
    if (ready()) return;
    // Only the lock's holder builds: any side folder here was left by a build that was killed.
    for (const name of readdirSync(base))
      if (name.startsWith('building-')) rmSync(join(base, name), { recursive: true, force: true });
    const side = join(base, `building-${process.pid}`);
    const lines: string[] = [];
    try {
      const code = await runModelsRealshape(options, side, lines);
      if (code !== 0) throw new Error(`models:realshape exited with ${code}`);
      rmSync(bundle, { recursive: true, force: true });
      renameSync(side, bundle);
    } catch (e) {
      rmSync(side, { recursive: true, force: true });
      throw new Error(
        `realshape fixture: building ${JSON.stringify(options)} failed: ${(e as Error).message}\n${lines.join('\n')}`,
      );
    }
  });
  return bundle;
}
