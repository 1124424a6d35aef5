// `rete-clip-pae faces <image> [--json] [--align dir]`: finds the faces in a photo with the face
// bundle (public/models/faces) and prints each one's box and score, or as JSON with its 68
// landmarks; with --align it also writes each face cropped exactly as the Align Face node crops it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alignFace } from '../engine/faces/align.js';
import { detectFaces, loadFaceNets } from '../engine/faces/detect.js';
import type { DetectedFace } from '../engine/faces/types.js';
import type { ImageValue } from '../engine/graph/definition.js';
import { decodeImageNode } from '../engine/tensor/image-decode-node.js';
import { decodeImageFile } from '../engine/tensor/image-file.js';
import { encodePng } from '../engine/tensor/png.js';
import { createRuntime } from '../engine/tensor/runtime.js';
import { UsageError, type CliIo } from './io.js';
import { parseCommandLine } from './options.js';

const DEFAULT_MODELS = fileURLToPath(new URL('../../public/models/faces/manifest.json', import.meta.url));

export const FACES_USAGE = `usage: rete-clip-pae faces <image> [--json] [--align dir [--size n]] [--min-score s] [--max-faces n] [--models manifest.json]

Finds the faces in an image (JPEG, PNG, WebP, …) and prints one line per face: its box
(x, y, width, height in pixels, origin top-left) and detection score, best first.
  --json         print [{ "box": [x, y, w, h], "score": s, "landmarks": [[x, y], …68] }, …] instead
                 (landmarks in the iBUG 68 order: jaw, brows, nose, eyes, mouth)
  --min-score s  drop faces scoring at or below s (default 0.5)
  --max-faces n  report at most n faces (default 100)
  --models file  the face bundle's manifest (default: the bundled public/models/faces)
  --align dir    also write each face aligned the FFHQ way, as the Align Face node crops it, to
                 dir/face-<i>.png (i from 0, best first: the face Detect Faces' Index i picks)
  --size n       the aligned faces' side in pixels, 8 to 4096 (default 256)
Exits 1 when the image has no face or cannot be read.
`;

/** The photo, upright, through the same decoders as Load Image in the CLI (PNG by png.ts, the rest by sharp). */
async function readPhoto(path: string, name: string): Promise<ImageValue> {
  const bytes = await readFile(path).catch((e: Error) => {
    throw new Error(`cannot read the image ${path}: ${e.message}`);
  });
  return decodeImageFile(new Uint8Array(bytes), name, decodeImageNode);
}

/** Writes each face aligned to `dir`, returning the paths written. */
async function writeAligned(photo: ImageValue, faces: DetectedFace[], dir: string, size: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [i, face] of faces.entries()) {
    const path = join(dir, `face-${i}.png`);
    await writeFile(path, encodePng(alignFace(photo, face, size).image));
    paths.push(path);
  }
  return paths;
}

function numberOption(value: string | undefined, name: string, check: (v: number) => boolean, what: string) {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!check(v)) throw new UsageError(`--${name} must be ${what}, got '${value}'`);
  return v;
}

function parse(argv: string[]) {
  return parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      'min-score': { type: 'string' },
      'max-faces': { type: 'string' },
      models: { type: 'string' },
      align: { type: 'string' },
      size: { type: 'string' },
    },
  });
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
  const size =
    numberOption(o.size, 'size', (v) => Number.isInteger(v) && v >= 8 && v <= 4096, 'a whole number from 8 to 4096') ??
    256;
  if (o.size !== undefined && o.align === undefined)
    throw new UsageError('--size is the size of --align; give --align <dir>');
  const file = parsed.positionals[0]!;
  const image = await readPhoto(resolve(io.cwd, file), file);
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
    if (o.align !== undefined) {
      const written = await writeAligned(image, faces, resolve(io.cwd, o.align), size);
      // The JSON on stdout stays one parsable document; the paths go to stderr then.
      const out = o.json ? io.stderr : io.stdout;
      for (const path of written) out.write(`${relative(io.cwd, path) || path}\n`);
    }
    return 0;
  } finally {
    await nets.release();
  }
}
