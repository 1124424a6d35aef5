// Renders one face of a bundle's generator to a PNG: the picture the invert-then-edit example graph
// starts from (public/images/demo-face.png), made with the same sampling as the Random Face node.
// Usage: tsx tools/render-demo-face.ts [--bundle public/models/demo] [--seed 1234] [--truncation 0.7] [--out public/images/demo-face.png]
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadBundle } from '../src/engine/models/bundle.js';
import { encodePng } from '../src/engine/tensor/png.js';
import { createRuntime } from '../src/engine/tensor/runtime.js';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string', default: fileURLToPath(new URL('../public/models/demo', import.meta.url)) },
    seed: { type: 'string', default: '1234' },
    truncation: { type: 'string', default: '0.7' },
    out: { type: 'string', default: fileURLToPath(new URL('../public/images/demo-face.png', import.meta.url)) },
  },
});

const seed = Number(values.seed);
const truncation = Number(values.truncation);
if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a whole number ≥ 0, got '${values.seed}'`);
if (!Number.isFinite(truncation)) throw new Error(`--truncation must be a number, got '${values.truncation}'`);

const bundle = await loadBundle(resolve(values.bundle!), {
  loadBytes: async (path) => new Uint8Array(await readFile(path)),
  runtime: await createRuntime(),
});
const { image } = await bundle.generate(await bundle.sampleLatent(seed, truncation));
await writeFile(values.out!, encodePng(image));
await bundle.release();
console.log(`${values.out}: ${image.width} × ${image.height}, ${bundle.name} seed ${seed}, truncation ${truncation}`);
