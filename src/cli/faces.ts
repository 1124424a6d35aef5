// `rete-clip-pae faces <image> [--json]`: finds the faces in a photo with the face bundle
// (public/models/faces) and prints each one's box and score, or as JSON with its 68 landmarks.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { detectFaces, loadFaceNets } from '../engine/faces/detect.js';
import type { ImageValue } from '../engine/graph/definition.js';
import { createRuntime } from '../engine/tensor/runtime.js';
import { UsageError, type CliIo } from './io.js';

const DEFAULT_MODELS = fileURLToPath(new URL('../../public/models/faces/manifest.json', import.meta.url));

export const FACES_USAGE = `usage: rete-clip-pae faces <image> [--json] [--min-score s] [--max-faces n] [--models manifest.json]

Finds the faces in an image (JPEG, PNG, WebP, …) and prints one line per face: its box
(x, y, width, height in pixels, origin top-left) and detection score, best first.
  --json         print [{ "box": [x, y, w, h], "score": s, "landmarks": [[x, y], …68] }, …] instead
                 (landmarks in the iBUG 68 order: jaw, brows, nose, eyes, mouth)
  --min-score s  drop faces scoring at or below s (default 0.5)
  --max-faces n  report at most n faces (default 100)
  --models file  the face bundle's manifest (default: the bundled public/models/faces)
Exits 1 when the image has no face or cannot be read.
`;

/**
 * Decodes an image file with sharp, EXIF orientation applied, to planar RGB in [0, 1]. Kept to this
 * command: the graph runner has its own image loading.
 */
async function decodeImageFile(path: string): Promise<ImageValue> {
  const { data, info } = await sharp(path)
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((e: Error) => {
      throw new Error(`cannot read the image ${path}: ${e.message}`);
    });
  const n = info.width * info.height;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[c * n + i] = data[i * 3 + c]! / 255;
  return { kind: 'image', width: info.width, height: info.height, data: out };
}

function numberOption(value: string | undefined, name: string, check: (v: number) => boolean, what: string) {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!check(v)) throw new UsageError(`--${name} must be ${what}, got '${value}'`);
  return v;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        'min-score': { type: 'string' },
        'max-faces': { type: 'string' },
        models: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export async function facesCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parse(argv);
  const o = parsed.values;
  if (o.help) {
    io.stdout.write(FACES_USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UsageError('faces needs exactly one image');
  const minScore = numberOption(o['min-score'], 'min-score', (v) => v >= 0 && v < 1, 'a number in [0, 1)');
  const maxFaces = numberOption(
    o['max-faces'],
    'max-faces',
    (v) => Number.isInteger(v) && v > 0,
    'a positive whole number',
  );
  const file = parsed.positionals[0]!;
  const image = await decodeImageFile(resolve(io.cwd, file));
  const nets = await loadFaceNets(
    await createRuntime(),
    o.models ? resolve(io.cwd, o.models) : DEFAULT_MODELS,
    { loadBytes: async (path) => new Uint8Array(await readFile(path)) },
    { signal: io.signal },
  );
  try {
    const faces = await detectFaces(nets, image, { minScore, maxFaces, signal: io.signal });
    if (faces.length === 0) {
      io.stderr.write(`no face found in ${file} (${image.width}×${image.height})\n`);
      return 1;
    }
    if (o.json) {
      io.stdout.write(
        `${JSON.stringify(faces.map((f) => ({ box: f.box, score: f.score, landmarks: f.landmarks })))}\n`,
      );
    } else {
      io.stdout.write(
        `${file}: ${faces.length} face${faces.length === 1 ? '' : 's'} (${image.width}×${image.height})\n`,
      );
      faces.forEach((f, i) => {
        const [x, y, w, h] = f.box.map((v) => v.toFixed(1));
        io.stdout.write(`  face ${i + 1}: box x ${x}, y ${y}, ${w} × ${h}  score ${f.score.toFixed(3)}\n`);
      });
    }
    return 0;
  } finally {
    await nets.release();
  }
}
