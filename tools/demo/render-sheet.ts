// Renders a contact sheet of demo faces: random faces from the mapping, then one row per expression
// (random faces whose expression attributes are set to the class prototype), and prints how long a
// forward pass takes on onnxruntime-node.
// Usage: tsx tools/demo/render-sheet.ts [--seed 1] [--faces-seed 7] [--out /tmp/faces.png] [--columns 8] [--random-rows 2] [--psi 1]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encode } from 'fast-png';
import * as ort from 'onnxruntime-node';
import { writeModel } from '../../src/engine/onnx/model.js';
import { attributeIndex, classGroup, classify, prototypeAttributes } from './attributes.js';
import { buildGenerator } from './generator/index.js';
import { attributesOf, latentForAttributes, randomLatent } from './generator/latent.js';
import { Rng } from '../../src/engine/random.js';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    'faces-seed': { type: 'string', default: '7' },
    out: { type: 'string', default: '/tmp/faces.png' },
    columns: { type: 'string', default: '8' },
    'random-rows': { type: 'string', default: '2' },
    psi: { type: 'string', default: '1' },
    size: { type: 'string', default: '128' },
    zoom: { type: 'string', default: '1' },
    groups: { type: 'string', default: 'expression' },
  },
});

function int(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
}

const seed = int('seed', args.seed);
const columns = int('columns', args.columns);
const randomRows = int('random-rows', args['random-rows']);
const size = int('size', args.size);
const psi = Number(args.psi);
const zoom = int('zoom', args.zoom) || 1;

const built = buildGenerator({ seed, size });
const session = await ort.InferenceSession.create(writeModel(built.generator));
const model = built.latentModel;
const rng = new Rng(int('faces-seed', args['faces-seed']), 'mulberry32');

const rows: { label: string; latents: Float32Array[] }[] = [];
for (let r = 0; r < randomRows; r++) {
  rows.push({ label: 'random', latents: Array.from({ length: columns }, () => randomLatent(model, rng, psi)) });
}
const groups = args
  .groups!.split(',')
  .map((g) => g.trim())
  .filter(Boolean);
for (const group of groups) {
  for (const cls of classGroup(group).classes) {
    const target = prototypeAttributes(group, cls.name);
    // Classes that need hair to be seen get some.
    const when = classGroup(group).when;
    rows.push({
      label: `${group}: ${cls.name}`,
      latents: Array.from({ length: columns }, () => {
        let base = randomLatent(model, rng, psi);
        if (when && attributesOf(model, base)[attributeIndex(when.attribute)]! < when.min + 0.2)
          base = latentForAttributes(model, { [when.attribute]: when.min + 0.4 }, base);
        return latentForAttributes(model, target, base);
      }),
    });
  }
}

const cell = size * zoom;
const width = columns * cell;
const height = rows.length * cell;
const pixels = new Uint8Array(width * height * 3);
const times: number[] = [];
for (const [r, row] of rows.entries()) {
  for (const [col, latent] of row.latents.entries()) {
    const t0 = performance.now();
    const out = await session.run({ latent: new ort.Tensor('float32', latent, [1, model.L, model.D]) });
    times.push(performance.now() - t0);
    const img = out.image!.data as Float32Array;
    for (let ch = 0; ch < 3; ch++) {
      for (let i = 0; i < cell; i++) {
        for (let j = 0; j < cell; j++) {
          const v = img[ch * size * size + Math.floor(i / zoom) * size + Math.floor(j / zoom)]!;
          pixels[((r * cell + i) * width + col * cell + j) * 3 + ch] = Math.round(
            Math.min(1, Math.max(0, (v + 1) / 2)) * 255,
          );
        }
      }
    }
  }
  const group = row.label.includes(':') ? row.label.split(':')[0]! : 'expression';
  const labels = row.latents.map((l) => classify(group, attributesOf(model, l)).name);
  console.log(`row ${r} (${row.label}): ${group} read back = ${labels.join(', ')}`);
}
writeFileSync(args.out!, encode({ width, height, data: pixels, channels: 3, depth: 8 }));
times.sort((a, b) => a - b);
console.log(`wrote ${args.out} (${columns}×${rows.length} faces of ${size} px)`);
console.log(
  `forward (batch 1, ${size} px, onnxruntime-node CPU): median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms over ${times.length} runs`,
);
