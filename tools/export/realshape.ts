// `npm run models:realshape -- --res 256|1024 [--width 0.25] [--clip-layers 12] [--no-stylespace] [--out <dir>]`:
// a bundle with the real architectures and random weights. Synthetic checkpoints in the upstream
// layouts (tools/export/synth.py, seeded) go through the same exporters a user runs on real
// checkpoints (each ONNX checked against PyTorch), then bundle init and bundle check.
// --width scales every channel count (1 = the published sizes); the layer counts stay. The
// generator's StyleSpace pair (styles.onnx, synthesis_styles.onnx) is part of it unless
// --no-stylespace (it doubles the generator's export and check time).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { checkBundle, formatCheck } from '../../src/cli/bundle-check.js';
import { initBundle } from '../../src/cli/bundle-init.js';
import { pythonCommand } from './python.js';
import { exportAndCheck } from './run.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface RealshapeOptions {
  res: number;
  width: number;
  /** Transformer layers of each CLIP tower (ViT-B/32 has 12). */
  clipLayers: number;
  /** Full CLIP vocabulary (49,408 tokens) rather than a few hundred. */
  fullVocab: boolean;
  /** Export the StyleSpace pair with the generator (default true). */
  styleSpace?: boolean;
  out: string;
  log?: (line: string) => void;
}

function synth(args: string[]): void {
  const r = spawnSync(pythonCommand(), [join(here, 'synth.py'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth.py ${args[0]} failed:\n${r.stderr || r.error?.message}`);
}

/** Builds the bundle in opts.out; returns bundle check's exit status (0 when every model passes). */
export async function buildRealshape(opts: RealshapeOptions): Promise<number> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const ckpt = mkdtempSync(join(tmpdir(), 'rcp-realshape-'));
  const w = String(opts.width);
  try {
    const bpe = join(ckpt, 'bpe_simple_vocab_synthetic.txt.gz');
    synth(['bpe', bpe, '--merges', opts.fullVocab ? '48894' : '400', ...(opts.fullVocab ? ['--fill'] : [])]);
    synth(['e4e', join(ckpt, 'e4e.pt'), '--size', String(opts.res), '--width', w]);
    synth(['arcface', join(ckpt, 'model_ir_se50.pth'), '--width', w]);
    synth(['clip', join(ckpt, 'ViT-B-32.pt'), '--bpe', bpe, '--width', w, '--layers', String(opts.clipLayers)]);
    log(`synthetic checkpoints (random weights, upstream layouts) in ${ckpt}`);
    for (const args of [
      ['e4e', join(ckpt, 'e4e.pt'), opts.out, ...(opts.styleSpace === false ? ['--no-stylespace'] : [])],
      ['arcface', join(ckpt, 'model_ir_se50.pth'), opts.out],
      ['clip', join(ckpt, 'ViT-B-32.pt'), opts.out, '--bpe', bpe],
    ]) {
      const code = await exportAndCheck(args, log);
      if (code !== 0) throw new Error(`export ${args[0]} failed (exit ${code})`);
    }
  } finally {
    rmSync(ckpt, { recursive: true, force: true });
  }
  const result = initBundle(opts.out, process.cwd(), {
    files: {},
    name: `realshape-${opts.res}-w${opts.width}`,
    description: `Real architectures with random weights (StyleGAN2 ${opts.res} px${opts.styleSpace === false ? '' : ' with its StyleSpace'} and e4e, CLIP ViT-B/32 layout, ArcFace IR-SE50) at width ${opts.width}, made by npm run models:realshape: for testing the pipeline, not for editing faces.`,
    license: 'MIT (random weights made by the project)',
  });
  for (const n of result.notes) log(n);
  if (!result.manifest) throw new Error(`bundle init failed:\n${result.problems.join('\n')}`);
  writeFileSync(join(opts.out, 'manifest.json'), `${JSON.stringify(result.manifest, null, 2)}\n`);
  writeFileSync(
    join(opts.out, 'MODEL_CARD.md'),
    `# ${result.manifest.name}\n\nRandom weights in the exact layouts of the published checkpoints (rosinality StyleGAN2 + e4e, OpenAI CLIP ViT, InsightFace IR-SE50), channel widths × ${opts.width}, made by \`npm run models:realshape\` with fixed seeds. Source: this project; licence: MIT. The faces are noise: the bundle tests the pipeline (shapes, operators, memory, speed), not editing quality.\n`,
  );
  const rows = await checkBundle(join(opts.out, 'manifest.json'));
  log(formatCheck(rows).trimEnd());
  return rows.some((r) => r.problem) ? 1 : 0;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const { values } = parseArgs({
    options: {
      res: { type: 'string', default: '256' },
      width: { type: 'string', default: '0.25' },
      'clip-layers': { type: 'string', default: '12' },
      'small-vocab': { type: 'boolean' },
      'no-stylespace': { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const res = Number(values.res);
  const width = Number(values.width);
  if (!(res >= 8 && Number.isInteger(Math.log2(res))))
    throw new Error(`--res must be a power of two ≥ 8, got ${values.res}`);
  if (!(width > 0 && width <= 1)) throw new Error(`--width must be in (0, 1], got ${values.width}`);
  const out = resolve(values.out ?? `realshape-${res}-w${width}`);
  process.exitCode = await buildRealshape({
    res,
    width,
    clipLayers: Number(values['clip-layers']),
    fullVocab: !values['small-vocab'],
    styleSpace: !values['no-stylespace'],
    out,
  });
}
