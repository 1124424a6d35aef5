// npm run models:faces [-- --out dir]
// Converts face-api's pretrained tfjs weights (the @vladmandic/face-api package in node_modules) into
// the face bundle: one ONNX file per network, manifest.json and MODEL_CARD.md. No randomness and no
// timestamps, so rebuilding gives the same bytes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPRESSION_NAMES, type FaceManifest } from '../../src/engine/faces/manifest.js';
import { writeModel } from '../../src/engine/onnx/model.js';
import { modelCard } from './model-card.js';
import {
  expressionNet,
  FEATURE_INPUT,
  landmarkNet,
  RECOGNITION_INPUT,
  recognitionNet,
  SSD_INPUT,
  ssdMobilenetV1,
} from './networks.js';
import { readTfWeights } from './weights.js';

export const DEFAULT_OUT = 'public/models/faces';

export const FACE_FILES = {
  detector: 'ssd_mobilenetv1.onnx',
  landmarks: 'face_landmark_68.onnx',
  recognition: 'face_recognition.onnx',
  expression: 'face_expression.onnx',
} as const;

/** The face-api package folder, found the way Node resolves it from this file. */
export function faceApiDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@vladmandic/face-api/package.json'));
}

export interface BuiltFaceBundle {
  manifest: FaceManifest;
  /** File name → bytes, manifest.json and MODEL_CARD.md included. */
  files: Map<string, Uint8Array>;
}

/** Builds every file of the bundle in memory. */
export function buildFaceBundle(sourceDir = faceApiDir()): BuiltFaceBundle {
  const pkg = JSON.parse(readFileSync(join(sourceDir, 'package.json'), 'utf8')) as { name: string; version: string };
  const weights = (model: string) => readTfWeights(join(sourceDir, 'model', `${model}-weights_manifest.json`));
  const models = {
    detector: writeModel(ssdMobilenetV1(weights('ssd_mobilenetv1_model'))),
    landmarks: writeModel(landmarkNet(weights('face_landmark_68_model'))),
    recognition: writeModel(recognitionNet(weights('face_recognition_model'))),
    expression: writeModel(expressionNet(weights('face_expression_model'))),
  };
  const source = `${pkg.name} ${pkg.version}`;
  const manifest: FaceManifest = {
    format: 'rete-clip-pae/faces',
    version: 1,
    name: 'faces',
    description:
      'Pretrained face networks converted to ONNX from face-api (tools/faces, npm run models:faces): SSD-MobileNet-v1 face detector, 68-point landmarks, 128-D face descriptor, 7 expressions. See MODEL_CARD.md.',
    license: 'MIT',
    source,
    detector: {
      file: FACE_FILES.detector,
      input: 'image',
      inputSize: SSD_INPUT,
      boxes: 'boxes',
      scores: 'scores',
      anchors: 5118,
      iouThreshold: 0.5,
      minScore: 0.5,
    },
    landmarks: {
      file: FACE_FILES.landmarks,
      input: 'image',
      inputSize: FEATURE_INPUT,
      output: 'landmarks',
      points: 68,
    },
    recognition: {
      file: FACE_FILES.recognition,
      input: 'image',
      inputSize: RECOGNITION_INPUT,
      output: 'descriptor',
      dim: 128,
    },
    expression: {
      file: FACE_FILES.expression,
      input: 'image',
      inputSize: FEATURE_INPUT,
      output: 'probabilities',
      labels: [...EXPRESSION_NAMES],
    },
  };
  const files = new Map<string, Uint8Array>();
  const sizes: Record<string, number> = {};
  for (const [role, bytes] of Object.entries(models)) {
    files.set(FACE_FILES[role as keyof typeof FACE_FILES], bytes);
    sizes[role] = bytes.byteLength;
  }
  const text = new TextEncoder();
  files.set('manifest.json', text.encode(`${JSON.stringify(manifest, null, 2)}\n`));
  files.set('MODEL_CARD.md', text.encode(modelCard(manifest, sizes)));
  return { manifest, files };
}

export function writeFaceBundle(out: string, built: BuiltFaceBundle): void {
  mkdirSync(out, { recursive: true });
  for (const [name, bytes] of built.files) writeFileSync(join(out, name), bytes);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const out = at >= 0 ? args[at + 1] : DEFAULT_OUT;
  if (!out) throw new Error('--out needs a folder');
  const built = buildFaceBundle();
  writeFaceBundle(out, built);
  let total = 0;
  for (const [name, bytes] of built.files) {
    total += bytes.byteLength;
    process.stderr.write(`${name}: ${(bytes.byteLength / 1e6).toFixed(2)} MB\n`);
  }
  process.stderr.write(`wrote ${built.files.size} files to ${out} (${(total / 1e6).toFixed(2)} MB)\n`);
}
