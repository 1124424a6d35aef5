// The face bundle as committed: rebuilding it from face-api's weights gives the same bytes, the
// graphs use only standard ops with explicit window attributes, the manifest loads, and the
// recognition net has a gradient through the project's autodiff (for identity losses).
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { loadFaceNets } from '../../src/engine/faces/nets.js';
import { mulberry32 } from '../../src/engine/random.js';
import { gradientModel } from '../../src/engine/onnx/gradient.js';
import { hostTensor, readModel, writeModel } from '../../src/engine/onnx/model.js';
import { createRuntime } from '../../src/engine/tensor/runtime.js';
import { buildFaceBundle, FACE_FILES } from '../../tools/faces/build.js';

ortWeb.env.wasm.numThreads = 1;

const DIR = fileURLToPath(new URL('../../public/models/faces/', import.meta.url));
const loadBytes = async (path: string) => new Uint8Array(await readFile(path));

const STANDARD_OPS = new Set([
  'Conv',
  'Clip',
  'Relu',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Exp',
  'Sigmoid',
  'Softmax',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Pad',
  'MatMul',
  'Transpose',
  'Reshape',
  'Slice',
  'Concat',
  'Cast',
  'Identity',
]);

describe('the face bundle in public/models/faces', () => {
  const built = buildFaceBundle();

  it('is what tools/faces builds, byte for byte', () => {
    expect([...built.files.keys()].sort()).toEqual(
      [...Object.values(FACE_FILES), 'manifest.json', 'MODEL_CARD.md'].sort(),
    );
    const again = buildFaceBundle();
    for (const [name, bytes] of built.files) {
      expect(Buffer.compare(Buffer.from(again.files.get(name)!), Buffer.from(bytes)), `${name} rebuilt`).toBe(0);
      expect(Buffer.compare(readFileSync(join(DIR, name)), Buffer.from(bytes)), `${name} as committed`).toBe(0);
    }
  });

  it('uses standard ai.onnx ops only, with every Conv and pool window written out', () => {
    for (const file of Object.values(FACE_FILES)) {
      const model = readModel(built.files.get(file)!, file);
      expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
      for (const node of model.graph!.node) {
        expect(STANDARD_OPS.has(node.opType), `${file}: ${node.opType}`).toBe(true);
        const attrs = new Set(node.attribute.map((a) => a.name));
        if (node.opType === 'Conv')
          for (const a of ['kernel_shape', 'strides', 'dilations', 'pads'])
            expect(attrs.has(a), `${file} ${node.name} ${a}`).toBe(true);
        if (node.opType === 'MaxPool' || node.opType === 'AveragePool')
          for (const a of ['kernel_shape', 'strides', 'pads'])
            expect(attrs.has(a), `${file} ${node.name} ${a}`).toBe(true);
      }
    }
  });

  it('loads through the manifest and the recognition net is differentiable with respect to the image', async () => {
    const runtime = await createRuntime();
    const nets = await loadFaceNets(runtime, join(DIR, 'manifest.json'), { loadBytes });
    try {
      expect(nets.manifest.expression.labels).toEqual([
        'neutral',
        'happy',
        'sad',
        'angry',
        'fearful',
        'disgusted',
        'surprised',
      ]);
      const model = readModel(nets.recognitionModel(), 'recognition');
      const grad = gradientModel(model, { of: 'descriptor', wrt: ['image'], inputShapes: { image: [1, 3, 150, 150] } });
      const session = await runtime.createSession(writeModel(grad), { name: 'recognition gradient' });
      // d(descriptor · u)/d(image) against a central difference along a random direction.
      const rand = mulberry32(7);
      const image = Float32Array.from({ length: 3 * 150 * 150 }, rand);
      const u = Float32Array.from({ length: 128 }, () => rand() - 0.5);
      const dir = Float32Array.from({ length: image.length }, () => rand() - 0.5);
      const feed = (x: Float32Array) => ({
        image: hostTensor('float32', [1, 3, 150, 150], x),
        descriptor_grad: hostTensor('float32', [1, 128], u),
      });
      const out = await session.runToHost(feed(image));
      const g = out.image_grad!.data as Float32Array;
      const analytic = g.reduce((s, v, i) => s + v * dir[i]!, 0);
      const h = 2e-4;
      const at = async (t: number) => {
        const d = (await session.runToHost(feed(image.map((v, i) => v + t * dir[i]!)))).descriptor!
          .data as Float32Array;
        return d.reduce((s, v, i) => s + v * u[i]!, 0);
      };
      const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
      // The net is piecewise linear: ReLU and max-pool switches inside the step bend the difference
      // quotient by a few per cent at any step size, so 5 % is the bar (a wrong rule is off by far more).
      expect(Math.abs(analytic - numeric)).toBeLessThan(0.05 * Math.abs(numeric));
      await session.release();
    } finally {
      await nets.release();
    }
  });

  it('runs on onnxruntime-web (wasm) as on onnxruntime-node', async () => {
    const rand = mulberry32(3);
    for (const [role, file] of Object.entries(FACE_FILES)) {
      const bytes = built.files.get(file)!;
      const node = await ortNode.InferenceSession.create(bytes);
      const web = await ortWeb.InferenceSession.create(bytes);
      const size = built.manifest[role as keyof typeof FACE_FILES].inputSize;
      const dims = [1, 3, size, size];
      const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, rand);
      const a = await node.run({ image: new ortNode.Tensor('float32', data, dims) });
      const b = await web.run({ image: new ortWeb.Tensor('float32', data, dims) });
      for (const name of node.outputNames) {
        const x = a[name]!.data as Float32Array;
        const y = b[name]!.data as Float32Array;
        const scale = Math.max(...x.map(Math.abs));
        const diff = Math.max(...x.map((v, i) => Math.abs(v - y[i]!)));
        expect(diff, `${file}: ${name}`).toBeLessThan(1e-4 * scale + 1e-6);
      }
      await node.release();
      await web.release();
    }
  });
});
