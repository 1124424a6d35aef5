// Landmarks from face-api's own networks (its tfjs build on tfjs's CPU backend), as an outside
// reference for the alignment tests. Slow (tens of seconds per photo on one core): tests call it
// once per photo. face-api's Node builds require either tfjs-node or the wasm backend, neither of
// which is installed; the wasm build is loaded with that backend's module resolved to an empty
// one, and tfjs's CPU backend chosen instead.
import { dirname, join } from 'node:path';
import Module, { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { DetectedFace } from '../../src/engine/faces/types.js';
import type { ImageValue } from '../../src/engine/graph/definition.js';
import { imageToRgb } from '../../src/engine/tensor/image.js';

const require = createRequire(fileURLToPath(import.meta.url));
export const FACE_API_DIR = dirname(require.resolve('@vladmandic/face-api/package.json'));
export const SAMPLE_PHOTOS = join(FACE_API_DIR, 'demo');

type FaceApi = typeof import('@vladmandic/face-api');
let loading: Promise<FaceApi> | undefined;

function loadFaceApi(): Promise<FaceApi> {
  loading ??= (async () => {
    const absent = join(FACE_API_DIR, '__tfjs-backend-wasm-absent__.js');
    const mod = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
    const resolve = mod._resolveFilename;
    mod._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === '@tensorflow/tfjs-backend-wasm' ? absent : resolve.call(this, request, ...rest);
    };
    const stub = new Module(absent);
    stub.loaded = true;
    stub.exports = {};
    require.cache[absent] = stub;
    let faceapi: FaceApi;
    try {
      faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
    } finally {
      mod._resolveFilename = resolve;
    }
    // face-api's bundled tfjs types leave out the engine functions its runtime object has.
    const tf = faceapi.tf as unknown as { setBackend(name: string): Promise<boolean>; ready(): Promise<void> };
    await tf.setBackend('cpu');
    await tf.ready();
    const models = join(FACE_API_DIR, 'model');
    await faceapi.nets.ssdMobilenetv1.loadFromDisk(models);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(models);
    return faceapi;
  })();
  return loading;
}

/** The faces face-api finds in an image file (EXIF orientation applied), best score first. */
export async function faceApiFaces(path: string, minScore = 0.5): Promise<DetectedFace[]> {
  const { data, info } = await sharp(path).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return detect(new Int32Array(data), info.width, info.height, minScore);
}

/** The faces face-api finds in an ImageValue (its 8-bit rounding), best score first. */
export function faceApiFacesInImage(image: ImageValue, minScore = 0.5): Promise<DetectedFace[]> {
  const rgb = imageToRgb(image);
  return detect(Int32Array.from(rgb), image.width, image.height, minScore);
}

async function detect(rgb: Int32Array, width: number, height: number, minScore: number): Promise<DetectedFace[]> {
  const faceapi = await loadFaceApi();
  const tensor = faceapi.tf.tensor3d(rgb, [height, width, 3], 'int32');
  try {
    const found = await faceapi
      .detectAllFaces(tensor as never, new faceapi.SsdMobilenetv1Options({ minConfidence: minScore }))
      .withFaceLandmarks();
    return found
      .map((f) => ({
        box: [
          f.detection.box.x,
          f.detection.box.y,
          f.detection.box.width,
          f.detection.box.height,
        ] as DetectedFace['box'],
        score: f.detection.score,
        landmarks: f.landmarks.positions.map((p) => [p.x, p.y] as [number, number]),
      }))
      .sort((a, b) => b.score - a.score);
  } finally {
    tensor.dispose();
  }
}
