// Writes the models the GPU benchmark times, with real inputs, into a folder: the demo bundle's
// compiled edit objective (generator → CLIP → loss → gradient), the generator alone, and the
// gradient models of the four PyTorch fixtures, and single-op probe models (probes.ts) that bench.mjs
// only checks, WebGPU against CPU. bench.mjs runs them with onnxruntime-node alone, so a machine with
// a GPU but no project checkout (no node_modules) can time them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseManifest } from '../../src/engine/models/index.js';
import { buildEditModel } from '../../src/engine/optimize/edit-model.js';
import { gradientModel, readModel, writeModel } from '../../src/engine/onnx/index.js';
import { FIXTURES, gradientFeeds, loadFixture } from '../../test/onnx/fixtures.js';
import { repoPath } from '../../test/paths.js';
import { groupedProbes, nodeProbes, type Probe } from './probes.js';

// The folder named on the command line is the caller's (relative to where they are); the default
// and the inputs are the repository's own.
const out = process.argv[2] ? resolve(process.argv[2]) : repoPath('.devbench', 'models');
mkdirSync(out, { recursive: true });
const demo = repoPath('public', 'models', 'demo');
const manifest = parseManifest(readFileSync(join(demo, 'manifest.json')), 'demo manifest');
const generator = readFileSync(join(demo, manifest.generator.file));
const clipImage = readFileSync(join(demo, manifest.clip.image.file));

interface Feed {
  name: string;
  dtype: string;
  dims: number[];
  values: number[];
}
const index: { name: string; file: string; feeds: Feed[]; probe?: boolean }[] = [];
const latentSize = manifest.generator.latentShape.reduce((a, b) => a * b, 1);
const meanBytes = readFileSync(join(demo, manifest.generator.meanLatent!));
const meanLatent = Array.from(
  new Float32Array(meanBytes.buffer.slice(meanBytes.byteOffset, meanBytes.byteOffset + meanBytes.byteLength)),
);

const edit = buildEditModel({ manifest, generator, clipImage });
writeFileSync(join(out, 'edit_objective.onnx'), edit.bytes);
const target = Array.from({ length: manifest.clip.embedDim }, (_, i) => (i === 0 ? 1 : 0));
const n = edit.names;
index.push({
  name: 'demo edit objective (loss + gradient)',
  file: 'edit_objective.onnx',
  feeds: [
    {
      name: n.latent,
      dtype: 'float32',
      dims: [...manifest.generator.latentShape],
      values: meanLatent.map((v, i) => v + 0.05 * Math.sin(i)),
    },
    { name: n.latent0, dtype: 'float32', dims: [...manifest.generator.latentShape], values: meanLatent },
    { name: n.target, dtype: 'float32', dims: [1, manifest.clip.embedDim], values: target },
    { name: n.lambdaL2, dtype: 'float32', dims: [], values: [0.008] },
    { name: n.lossSeed, dtype: 'float32', dims: [], values: [1] },
  ],
});
writeFileSync(join(out, 'generator.onnx'), generator);
index.push({
  name: 'demo generator (forward)',
  file: 'generator.onnx',
  feeds: [
    { name: manifest.generator.input, dtype: 'float32', dims: [...manifest.generator.latentShape], values: meanLatent },
  ],
});
if (latentSize !== meanLatent.length) throw new Error('mean latent size does not match the latent shape');

const probes: Probe[] = groupedProbes();
/** Ops of the backward graphs with layout- or index-heavy WebGPU kernels (elementwise ops left out). */
const CANDIDATE_OPS = new Set([
  'Conv',
  'ConvTranspose',
  'MaxPool',
  'AveragePool',
  'Pad',
  'Slice',
  'Concat',
  'Transpose',
  'Gather',
  'GatherElements',
  'ScatterND',
  'ScatterElements',
  'MatMul',
  'Gemm',
  'ReduceSum',
  'ReduceMean',
  'Softmax',
  'LogSoftmax',
]);
for (const name of FIXTURES) {
  const fx = loadFixture(name);
  const feeds = Object.entries(
    gradientFeeds(fx, (dtype, data, dims) => ({
      dtype,
      dims,
      values: Array.from(data as ArrayLike<number | bigint>, Number),
    })),
  ).map(([feed, t]): Feed => ({ name: feed, ...t }));
  const grad = gradientModel(readModel(fx.model, name), { of: fx.of, wrt: fx.wrt });
  writeFileSync(join(out, `${name}.grad.onnx`), writeModel(grad));
  index.push({ name: `${name} (forward + gradient)`, file: `${name}.grad.onnx`, feeds });
  probes.push(...nodeProbes(grad, name, CANDIDATE_OPS));
  // The CPU target's depthwise im2col and pool taps are the grouped convs WebGPU needs rewritten.
  const cpuGrad = gradientModel(readModel(fx.model, name), { of: fx.of, wrt: fx.wrt, target: 'cpu' });
  probes.push(...nodeProbes(cpuGrad, `${name} (cpu target)`, new Set(['Conv', 'ConvTranspose'])));
}
const names = new Set<string>();
probes.forEach((p, i) => {
  // nodeProbes dedupes within one model; the same node in two fixtures is checked once.
  const key = p.name.slice(p.name.indexOf(':') + 1);
  if (names.has(key)) return;
  names.add(key);
  const file = `probe_${String(i).padStart(3, '0')}.onnx`;
  writeFileSync(join(out, file), p.bytes);
  index.push({ name: p.name, file, feeds: p.feeds, probe: true });
});
writeFileSync(join(out, 'index.json'), JSON.stringify(index));
console.log(`wrote ${index.length} models to ${out}`);
