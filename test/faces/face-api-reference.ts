// face-api 1.7.15 itself, on TensorFlow.js's pure-JS CPU backend, as the reference the converted
// networks are checked against. Its Node builds import a native or wasm tfjs backend that is not
// installed; the CPU backend ships inside @tensorflow/tfjs, so the wasm import is answered with an
// empty module while face-api loads (nothing of it is used on the CPU backend).
import Module, { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export interface ReferenceFace {
  box: [number, number, number, number];
  score: number;
  landmarks: [number, number][];
  descriptor: Float32Array;
  expressions: Record<string, number>;
}

export interface FaceApiReference {
  /** All nets at once on one photo: HWC RGB bytes. */
  run(rgb: Uint8Array, width: number, height: number): Promise<ReferenceFace[]>;
}

type Resolve = (request: string, ...rest: unknown[]) => string;

export async function loadFaceApi(): Promise<FaceApiReference> {
  const stub = fileURLToPath(new URL('./tfjs-backend-wasm.absent', import.meta.url));
  const m = Module as unknown as { _resolveFilename: Resolve };
  const original = m._resolveFilename;
  const absent = new Module(stub);
  absent.loaded = true;
  absent.exports = {};
  require.cache[stub] = absent;
  // face-api's CommonJS build has no types reachable from here.
  let faceapi: any;
  m._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === '@tensorflow/tfjs-backend-wasm' ? stub : original.call(this, request, ...rest);
  };
  try {
    faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  } finally {
    m._resolveFilename = original;
    delete require.cache[stub];
  }
  const tf = faceapi.tf;
  await tf.setBackend('cpu');
  await tf.ready();
  const dir = fileURLToPath(new URL('model/', `file://${require.resolve('@vladmandic/face-api/package.json')}`));
  await Promise.all([
    faceapi.nets.ssdMobilenetv1.loadFromDisk(dir),
    faceapi.nets.faceLandmark68Net.loadFromDisk(dir),
    faceapi.nets.faceRecognitionNet.loadFromDisk(dir),
    faceapi.nets.faceExpressionNet.loadFromDisk(dir),
  ]);
  return {
    async run(rgb, width, height) {
      const input = tf.tensor3d(Int32Array.from(rgb), [height, width, 3], 'int32');
      try {
        const results = await faceapi
          .detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }))
          .withFaceLandmarks()
          .withFaceExpressions()
          .withFaceDescriptors();
        return results.map((r: any) => {
          const b = r.detection.box;
          const e = r.expressions;
          return {
            box: [b.x, b.y, b.width, b.height],
            score: r.detection.score,
            landmarks: r.landmarks.positions.map((p: any) => [p.x, p.y]),
            descriptor: Float32Array.from(r.descriptor),
            expressions: Object.fromEntries(
              ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'].map((k) => [k, e[k]]),
            ),
          };
        });
      } finally {
        input.dispose();
      }
    },
  };
}
