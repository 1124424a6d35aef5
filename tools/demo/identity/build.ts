// npm run models:demo:identity [-- --bundle dir]
// The demo bundle's identity network as its own build step: renders faces of the bundle's generator
// (rebuilt from the seed in build.json), trains the net, writes identity.onnx and the manifest's
// identity section, and prints how well it tells faces apart (measure.ts). The builder runs the same
// step (build.ts); run alone, it leaves every other file of the bundle as it is.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModel } from '../../../src/engine/onnx/model.js';
import { Rng } from '../../../src/engine/random.js';
import { BUNDLE_FILES, identityManifest } from '../bundle.js';
import { FULL, type BuildConfig } from '../config.js';
import { sampleFaces } from '../data/faces.js';
import { renderFaces } from '../data/render.js';
import { BUILD_INFO } from '../evaluate.js';
import { buildGenerator } from '../generator/index.js';
import { formatIdentityReport, identityReport } from './report.js';
import { identityModel, type IdentityShape } from './network.js';
import type { IdentityTraining } from './train.js';
import { trainIdentity } from './train.js';

export interface IdentityConfig {
  /** Rendered faces the net trains on (drawn by the corpus sampler from a stream of their own). */
  faces: number;
  shape: IdentityShape;
  training: IdentityTraining;
}

export interface BuiltIdentity {
  section: object;
  seconds: number;
  parameters: number;
  finalLoss: number;
}

/** Trains the identity net for the generator of `seed` and writes identity.onnx into `out`. */
export async function buildIdentity(
  out: string,
  seed: number,
  config: Pick<BuildConfig, 'renderBatch' | 'identity'>,
  opts: { quiet?: boolean } = {},
): Promise<BuiltIdentity> {
  const start = Date.now();
  const c = config.identity;
  // A stream of its own, so that this step neither depends on nor moves the rest of the build.
  const rng = new Rng(seed).fork('identity');
  const batched = buildGenerator({ seed, batch: config.renderBatch });
  const faces = sampleFaces(batched.latentModel, rng.fork('identity faces'), c.faces);
  const renders = await renderFaces(batched.generator, faces, { quiet: opts.quiet, label: 'render identity faces' });
  const { params, result } = await trainIdentity(
    renders,
    faces.map((f) => f.attributes),
    c.shape,
    c.training,
    rng.fork('identity training'),
    { quiet: opts.quiet },
  );
  writeFileSync(join(out, BUNDLE_FILES.identity), writeModel(identityModel(params, c.shape)));
  const tail = result.losses.slice(-20);
  return {
    section: identityManifest(c.shape),
    seconds: Math.round((Date.now() - start) / 100) / 10,
    parameters: params.count(),
    finalLoss: tail.reduce((s, v) => s + v, 0) / tail.length,
  };
}

/** Sets the identity section of a bundle's manifest.json, keeping the rest of the file as it is. */
export function writeIdentitySection(dir: string, section: object): void {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  manifest.identity = section;
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

const DEFAULT_BUNDLE = fileURLToPath(new URL('../../../public/models/demo', import.meta.url));

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const argv = process.argv.slice(2);
    let dir = DEFAULT_BUNDLE;
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '--bundle' && argv[i + 1] !== undefined) dir = resolve(argv[++i]!);
      else throw new Error(`unknown option '${argv[i]}' (options: --bundle dir)`);
    }
    const info = JSON.parse(readFileSync(join(dir, BUILD_INFO), 'utf8')) as { seed?: unknown };
    if (typeof info.seed !== 'number') throw new Error(`${join(dir, BUILD_INFO)} has no seed`);
    const built = await buildIdentity(dir, info.seed, FULL);
    writeIdentitySection(dir, built.section);
    process.stderr.write(
      `identity net: ${built.parameters} weights, final loss ${built.finalLoss.toFixed(5)}, ${built.seconds} s\n`,
    );
    process.stdout.write(`${formatIdentityReport(await identityReport(dir))}\n`);
  } catch (e) {
    process.stderr.write(`models:demo:identity failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
