// Renders a before/after sheet of text-guided edits on the demo bundle: random faces of the app
// (the Random Face node's seeds) in the top row, the same faces after the app's optimizer moved them
// toward a prompt in the bottom row, with the true expression class of each written to stdout.
// Usage: tsx tools/demo/render-edits.ts [--bundle public/models/demo] [--seed 2024] [--count 8]
//        [--prompt "a happy face"] [--steps 100] [--out /tmp/edits.png]
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encode } from 'fast-png';
import { loadBundle } from '../../src/engine/models/index.js';
import { classOf, DEFAULT_EVAL, resolveEdit } from '../../src/engine/optimize/eval.js';
import { optimizeLatent } from '../../src/engine/optimize/optimize.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { imageToRgb } from '../../src/engine/tensor/image.js';
import { createRuntime } from '../../src/engine/tensor/runtime.js';

const { values: args } = parseArgs({
  options: {
    bundle: { type: 'string', default: fileURLToPath(new URL('../../public/models/demo', import.meta.url)) },
    seed: { type: 'string', default: '2024' },
    count: { type: 'string', default: '8' },
    prompt: { type: 'string', default: 'a happy face' },
    steps: { type: 'string', default: '100' },
    out: { type: 'string', default: '/tmp/edits.png' },
  },
});

function whole(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} needs a whole number ≥ ${min}, got '${v}'`);
  return n;
}

const seed = whole('seed', args.seed, 0);
const count = whole('count', args.count, 1);
const steps = whole('steps', args.steps, 1);
const folder = resolve(args.bundle!);
const bundle = await loadBundle(folder, {
  loadBytes: createNodeServices({ baseDir: folder }).loadBytes,
  runtime: await createRuntime(),
});
try {
  const asked = resolveEdit(bundle.attributes, args.prompt!);
  const [target] = await bundle.encodeText([args.prompt!]);
  const S = bundle.manifest.generator.imageSize[0];
  const gap = 4;
  const width = count * S + (count - 1) * gap;
  const height = 2 * S + gap;
  const pixels = new Uint8Array(width * height * 3).fill(255);
  const paste = (rgb: Uint8Array, column: number, row: number) => {
    for (let y = 0; y < S; y++)
      pixels.set(rgb.subarray(y * S * 3, (y + 1) * S * 3), ((row * (S + gap) + y) * width + column * (S + gap)) * 3);
  };
  for (let i = 0; i < count; i++) {
    const latent0 = await bundle.sampleLatent(seed + i, DEFAULT_EVAL.truncation);
    const before = await bundle.generate(latent0);
    const edited = await optimizeLatent(bundle, {
      latent0,
      target: target!,
      steps,
      lr: DEFAULT_EVAL.lr,
      lambdaL2: DEFAULT_EVAL.lambdaL2,
    });
    const after = await bundle.generate(edited.latent);
    paste(imageToRgb(before.image), i, 0);
    paste(imageToRgb(after.image), i, 1);
    const read = (a: Float32Array | undefined) => (a ? classOf(bundle.attributes!, asked.group, a) : '?');
    process.stdout.write(`face ${seed + i}: ${asked.group} ${read(before.attributes)} → ${read(after.attributes)}\n`);
  }
  writeFileSync(args.out!, encode({ width, height, data: pixels, channels: 3, depth: 8 }));
  process.stdout.write(
    `wrote ${args.out} (${count} faces before and after "${args.prompt}", ${steps} steps, text target)\n`,
  );
} finally {
  await bundle.release();
}
