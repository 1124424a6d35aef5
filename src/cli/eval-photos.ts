// `rete-clip-pae eval-photos <folder>`: the paper's measures on real photos. Every face of every photo
// in the folder is detected, aligned, inverted with the bundle's encoder, edited per prompt and target
// kind, and pasted back; face-api's networks then score the pasted-back photo
// (engine/optimize/eval-photos.ts). Tables are laid out as `eval`'s.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadFaceNets } from '../engine/faces/detect.js';
import { defaultCache, loadBundle } from '../engine/models/index.js';
import {
  DEFAULT_PHOTO_EVAL,
  formatPhotoEvalReport,
  type PhotoInput,
  runPhotoEval,
} from '../engine/optimize/eval-photos.js';
import { TARGET_VARIANTS, type TargetVariant } from '../engine/pae/index.js';
import { createNodeServices } from '../engine/run/services-node.js';
import { decodeImageNode } from '../engine/tensor/image-decode-node.js';
import { createRuntime } from '../engine/tensor/runtime.js';
import { UsageError, type CliIo } from './io.js';

const DEFAULT_FACES = fileURLToPath(new URL('../../public/models/faces/manifest.json', import.meta.url));
const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

export const EVAL_PHOTOS_USAGE = `usage: rete-clip-pae eval-photos <folder> [--edits "a happy face,a sad face"] [--targets text,pae]
                                [--steps n] [--alpha a] [--lr x] [--lambda-l2 x] [--lambda-id x]
                                [--bundle <url|dir>] [--faces manifest.json] [--json]

For every photo in the folder (jpg, png, webp) and every face in it: detect, FFHQ-align, invert with
the bundle's encoder, edit once per prompt and target kind, paste back. Prints a table per target kind:
accuracy (face-api's expression net names the asked emotion on the pasted-back photo; each prompt must
name one of neutral, happy, sad, angry, fearful, disgusted, surprised), identity (cosine of face-api's
recognition descriptors, original vs pasted-back face) and outside (mean |Δpixel| outside the paste
mask; 0 when paste-back leaves the rest of the photo alone).
  --edits list      comma-separated edit prompts (default "${DEFAULT_PHOTO_EVAL.edits.join(',')}")
  --targets list    comma-separated target kinds: ${TARGET_VARIANTS.join(', ')} (default ${DEFAULT_PHOTO_EVAL.targets.join(',')})
  --steps n         optimization steps per edit (default ${DEFAULT_PHOTO_EVAL.steps})
  --alpha a         PAE strength α (default ${DEFAULT_PHOTO_EVAL.alpha})
  --lr x            peak learning rate (default ${DEFAULT_PHOTO_EVAL.lr})
  --lambda-l2 x     weight of ‖w − w0‖² (default ${DEFAULT_PHOTO_EVAL.lambdaL2})
  --lambda-id x     weight of the identity loss (default ${DEFAULT_PHOTO_EVAL.lambdaId}; needs a bundle with an identity network)
  --bundle where    bundle folder, manifest path or URL (default models/demo, the app's demo bundle)
  --faces file      the face bundle's manifest (default: the bundled public/models/faces)
  --json            print the report (every face) as JSON instead of tables
`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        edits: { type: 'string' },
        targets: { type: 'string' },
        steps: { type: 'string' },
        alpha: { type: 'string' },
        lr: { type: 'string' },
        'lambda-l2': { type: 'string' },
        'lambda-id': { type: 'string' },
        bundle: { type: 'string' },
        faces: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function number(value: string | undefined, option: string, fallback: number, whole = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (whole && !Number.isInteger(n)))
    throw new UsageError(`--${option} needs ${whole ? 'a whole number' : 'a number'}, got '${value}'`);
  return n;
}

function list(value: string | undefined, option: string, fallback: readonly string[]): string[] {
  if (value === undefined) return fallback.slice();
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${option} needs at least one item`);
  return items;
}

/** The photos of a folder, by name; an error names the folder when there are none. */
async function readPhotos(folder: string): Promise<PhotoInput[]> {
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => PHOTO_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  } catch (e) {
    throw new Error(`cannot read the photo folder ${folder}: ${(e as Error).message}`);
  }
  if (names.length === 0) throw new Error(`the folder ${folder} has no photos (.jpg, .jpeg, .png, .webp)`);
  const photos: PhotoInput[] = [];
  for (const name of names)
    photos.push({ name, image: await decodeImageNode(new Uint8Array(await readFile(join(folder, name))), name) });
  return photos;
}

export async function evalPhotosCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    io.stdout.write(EVAL_PHOTOS_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('eval-photos needs exactly one folder of photos');
  const settings = {
    edits: list(values.edits, 'edits', DEFAULT_PHOTO_EVAL.edits),
    targets: list(values.targets, 'targets', DEFAULT_PHOTO_EVAL.targets).map((t) => {
      if (!(TARGET_VARIANTS as readonly string[]).includes(t))
        throw new UsageError(`--targets: unknown target kind '${t}' (choose from ${TARGET_VARIANTS.join(', ')})`);
      return t as TargetVariant;
    }),
    steps: number(values.steps, 'steps', DEFAULT_PHOTO_EVAL.steps, true),
    alpha: number(values.alpha, 'alpha', DEFAULT_PHOTO_EVAL.alpha),
    lr: number(values.lr, 'lr', DEFAULT_PHOTO_EVAL.lr),
    lambdaL2: number(values['lambda-l2'], 'lambda-l2', DEFAULT_PHOTO_EVAL.lambdaL2),
    lambdaId: number(values['lambda-id'], 'lambda-id', DEFAULT_PHOTO_EVAL.lambdaId),
  };
  const photos = await readPhotos(resolve(io.cwd, positionals[0]!));
  const services = createNodeServices({ baseDir: io.cwd });
  const runtime = await createRuntime();
  const bundle = await loadBundle(values.bundle ?? 'models/demo', {
    loadBytes: services.loadBytes,
    runtime,
    cache: await defaultCache(),
    signal: io.signal,
  });
  try {
    const nets = await loadFaceNets(
      runtime,
      values.faces ? resolve(io.cwd, values.faces) : DEFAULT_FACES,
      { loadBytes: async (path) => new Uint8Array(await readFile(path)) },
      { signal: io.signal },
    );
    try {
      const report = await runPhotoEval(bundle, nets, photos, settings, {
        signal: io.signal,
        onCase: (c, done) =>
          io.stderr.write(
            `[${done}] ${c.photo} face ${c.face + 1} "${c.edit}" ${c.target}: ${c.before} → ${c.after}${c.correct ? ' ✓' : ''}, identity ${c.identity.toFixed(3)}\n`,
          ),
      });
      io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatPhotoEvalReport(report));
      return 0;
    } finally {
      await nets.release();
    }
  } catch (e) {
    if (io.signal?.aborted) {
      io.stderr.write('eval-photos cancelled\n');
      return 130;
    }
    throw e;
  } finally {
    await bundle.release();
  }
}
