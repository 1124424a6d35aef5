// The identity measurement (measure.ts) for a built demo bundle, with two networks: the bundle's own
// identity net, and face-api's recognition net on the FFHQ-aligned face box (public/models/faces),
// which is why the demo bundle trains its own (see MODEL_CARD.md).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { identityEmbedding, loadFaceNets } from '../../../src/engine/faces/detect.js';
import { cropImage } from '../../../src/engine/faces/preprocess.js';
import type { ImageValue } from '../../../src/engine/graph/definition.js';
import { loadBundle as loadAppBundle } from '../../../src/engine/models/index.js';
import { FFHQ_IDENTITY_CROP } from '../../../src/engine/models/manifest.js';
import { imageToInput } from '../../../src/engine/models/preprocess.js';
import { hostTensor } from '../../../src/engine/onnx/model.js';
import { identityCropPixels } from '../../../src/engine/optimize/identity-prep.js';
import { createRuntime } from '../../../src/engine/tensor/runtime.js';
import { loadBundle } from '../evaluate.js';
import { measureIdentity, type IdentityMeasure } from './measure.js';

const FACES = fileURLToPath(new URL('../../../public/models/faces/manifest.json', import.meta.url));
const loadBytes = async (path: string) => new Uint8Array(await readFile(path));

export interface IdentityReport {
  bundleNet: IdentityMeasure;
  recognitionNet: IdentityMeasure;
}

export async function identityReport(dir: string): Promise<IdentityReport> {
  const runtime = await createRuntime();
  const folder = resolve(dir);
  const demo = loadBundle(folder);
  const bundle = await loadAppBundle(folder, { loadBytes, runtime });
  const nets = await loadFaceNets(runtime, FACES, { loadBytes });
  try {
    const id = bundle.manifest.identity;
    if (!id) throw new Error(`${folder}/manifest.json has no identity network`);
    const session = await bundle.session('identity');
    const box = identityCropPixels(bundle.manifest);
    const size = id.imageSize!;
    const [lo, hi] = id.inputRange ?? [-1, 1];
    const own = async (image: ImageValue) => {
      const crop = cropImage(image, { x: box.left, y: box.top, width: box.side, height: box.side });
      const pixels = imageToInput(crop, size, (v) => lo + (hi - lo) * v);
      const out = await session.runToHost({ [id.input]: hostTensor('float32', [1, 3, size, size], pixels) });
      return Float32Array.from(out[id.output]!.data as Float32Array);
    };
    const f = identityCropPixels({ ...bundle.manifest, identity: { ...id, crop: [...FFHQ_IDENTITY_CROP] } });
    const ffhq = { x: f.left, y: f.top, width: f.side, height: f.side };
    const recognition = (image: ImageValue) => identityEmbedding(nets, cropImage(image, ffhq));
    return {
      bundleNet: await measureIdentity(bundle, demo.latentModel, own),
      recognitionNet: await measureIdentity(bundle, demo.latentModel, recognition),
    };
  } finally {
    await nets.release();
    await bundle.release();
  }
}

export function formatIdentityReport(r: IdentityReport): string {
  const line = (name: string, m: IdentityMeasure) =>
    `${name}: the same face with another expression is nearer than another face in ${m.nearer} of ${m.pairs} pairs (mean cosine ${m.sameFace.toFixed(4)} vs ${m.otherFace.toFixed(4)})`;
  return [line('demo identity net', r.bundleNet), line("face-api's recognition net", r.recognitionNet)].join('\n');
}
