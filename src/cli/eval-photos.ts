// `rete-clip-pae eval-photos <folder>`: the paper's measures on real photos. Every face of every photo
// in the folder is detected, aligned, inverted with the bundle's encoder, edited per prompt and target
// kind, and pasted back; face-api's networks then score the pasted-back photo
// (engine/optimize/eval-photos.ts). With --hosts, every host method edits the inverted faces and the
// table is `eval --hosts`' (engine/optimize/host-eval-photos.ts). Tables are laid out as `eval`'s.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFaceNets } from '../engine/faces/detect.js';
import { DEFAULT_PHOTO_EVAL, formatPhotoEvalReport, runPhotoEval } from '../engine/optimize/eval-photos.js';
import { DEFAULT_HOSTS, type HostSettings } from '../engine/optimize/host-eval.js';
import { formatPhotoHostTable, runPhotoHostEval } from '../engine/optimize/host-eval-photos.js';
import type { PhotoInput } from '../engine/optimize/photo-faces.js';
import { TARGET_VARIANTS } from '../engine/pae/index.js';
import { decodeImageNode } from '../engine/tensor/image-decode-node.js';
import { runWithBundle } from './bundle-run.js';
import { HOST_OPTIONS, HOST_OPTIONS_USAGE, hostCaseLine, hostOptionSettings } from './hosts.js';
import { UsageError, type CliIo } from './io.js';
import { listOption, numberOption, parseCommandLine, targetsOption } from './options.js';

const DEFAULT_FACES = fileURLToPath(new URL('../../public/models/faces/manifest.json', import.meta.url));
const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

export const EVAL_PHOTOS_USAGE = `usage: rete-clip-pae eval-photos <folder> [--edits "a happy face,a sad face"] [--targets text,pae]
                                [--steps n] [--alpha a] [--lr x] [--lambda-l2 x] [--lambda-id x]
                                [--bundle <url|dir>] [--faces manifest.json] [--json]
       rete-clip-pae eval-photos <folder> --hosts styleclip,naive,stylemc,global [--targets text,pae] [--json] …

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

With --hosts, each host method edits every inverted face once per edit and target kind, and one table
has a row per host × target × edit, as \`eval --hosts\` prints it: success, toward, drift, identity
similarity (the bundle's identity network; — without one), image distance and seconds per edit;
--json prints one JSON object per row (keys host, target, edit, success, toward, drift, identity,
image_dist, seconds_per_edit; fractions). These measures read the generator's true attributes, so
they need a bundle whose manifest declares generator.attributes.classes (each edit names one of its
classes): the true attributes of a photo's face are those of its inversion, read from the latent
the encoder gave it, not the photo's own; success, toward, drift, identity and image distance compare
the edited face with the inversion, not with the photo, and nothing is pasted back. --lambda-id
weighs styleclip's identity loss; StyleMC learns its directions on random faces.
${HOST_OPTIONS_USAGE}`;

function parse(argv: string[]) {
  return parseCommandLine({
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
      ...HOST_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
  });
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
    edits: listOption(values.edits, 'edits', DEFAULT_PHOTO_EVAL.edits),
    targets: targetsOption(values.targets, DEFAULT_PHOTO_EVAL.targets),
    steps: numberOption(values.steps, 'steps', DEFAULT_PHOTO_EVAL.steps, true),
    alpha: numberOption(values.alpha, 'alpha', DEFAULT_PHOTO_EVAL.alpha),
    lr: numberOption(values.lr, 'lr', DEFAULT_PHOTO_EVAL.lr),
    lambdaL2: numberOption(values['lambda-l2'], 'lambda-l2', DEFAULT_PHOTO_EVAL.lambdaL2),
    lambdaId: numberOption(values['lambda-id'], 'lambda-id', DEFAULT_PHOTO_EVAL.lambdaId),
  };
  const hostSettings: HostSettings | undefined =
    values.hosts !== undefined ? { ...DEFAULT_HOSTS, ...settings, ...hostOptionSettings(values) } : undefined;
  const photos = await readPhotos(resolve(io.cwd, positionals[0]!));
  return runWithBundle(io, 'eval-photos', values.bundle, async (bundle, runtime) => {
    const nets = await loadFaceNets(
      runtime,
      values.faces ? resolve(io.cwd, values.faces) : DEFAULT_FACES,
      { loadBytes: async (path) => new Uint8Array(await readFile(path)) },
      { signal: io.signal },
    );
    try {
      if (hostSettings) {
        const report = await runPhotoHostEval(bundle, nets, photos, hostSettings, {
          signal: io.signal,
          onCase: (c, done, total) => io.stderr.write(hostCaseLine(c, done, total)),
        });
        io.stdout.write(
          values.json ? report.rows.map((r) => `${JSON.stringify(r)}\n`).join('') : formatPhotoHostTable(report),
        );
        return 0;
      }
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
  });
}
