// Scores a built bundle on fresh faces: what models:eval prints and MODEL_CARD.md reports.
// Faces come from the same sampler as the training corpus, from a stream of their own (`seed`), and
// additionally as plain random faces (no group re-drawn) for the zero-shot column that shows how the
// model does off the class prototypes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModel } from '../../src/engine/onnx/model.js';
import { parseManifest, type Manifest } from '../../src/engine/models/manifest.js';
import { ClipRunner } from './clip/embed.js';
import { loadTokenizer } from './clip/tokenizer.js';
import { clipPixels, fullPixels, renderFaces } from './data/render.js';
import { RANDOM_FACES, sampleFaces, type Face } from './data/faces.js';
import { encodeImages } from './encoder/run.js';
import { attributesOf, buildLatentModel, type LatentModel } from './generator/latent.js';
import { reconstruction, retrieval, zeroShot, type GroupAccuracy, type Reconstruction, type Retrieval } from './metrics.js';
import { Rng } from './rng.js';

export const BUILD_INFO = 'build.json';

/** What the build records next to the bundle so that evaluation can rebuild the face sampler. */
export interface BuildInfo {
  seed: number;
  quick: boolean;
  corpusFaces: number;
  /** Wall-clock seconds of the build (in the model card; left out of build.json, which must not vary). */
  seconds?: { total: number; data: number; clip: number; encoder: number };
  parameters: { clipImage: number; clipText: number; encoder: number };
  clipSteps: number;
  encoderSteps: number;
}

export interface EvalReport {
  seed: number;
  count: number;
  zeroShot: GroupAccuracy[];
  zeroShotRandom: GroupAccuracy[];
  retrieval: Retrieval;
  reconstruction: Reconstruction | null;
}

export interface LoadedBundle {
  dir: string;
  manifest: Manifest;
  info: BuildInfo;
  latentModel: LatentModel;
  meanLatent: Float32Array;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
}

export function loadBundle(dir: string): LoadedBundle {
  const manifest = parseManifest(readFileSync(join(dir, 'manifest.json')), join(dir, 'manifest.json'));
  const info = readJson(join(dir, BUILD_INFO)) as BuildInfo;
  if (typeof info.seed !== 'number') throw new Error(`${join(dir, BUILD_INFO)} has no seed`);
  const [, L, D] = manifest.generator.latentShape;
  const latentModel = buildLatentModel(info.seed, L, D);
  const bytes = readFileSync(join(dir, manifest.generator.meanLatent));
  const meanLatent = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  // The sampler is rebuilt from the seed: make sure it is the generator that was shipped.
  const expected = latentModel.meanW;
  for (let i = 0; i < meanLatent.length; i++) {
    if (Math.abs(meanLatent[i]! - expected[i % D]!) > 1e-6) {
      throw new Error(`${dir}: mean_latent.bin does not match the generator of seed ${info.seed} named in ${BUILD_INFO}; rebuild the bundle`);
    }
  }
  return { dir, manifest, info, latentModel, meanLatent };
}

export async function evaluateBundle(bundle: LoadedBundle, seed: number, count: number, opts: { encoder?: boolean; quiet?: boolean } = {}): Promise<EvalReport> {
  const { dir, manifest: m } = bundle;
  const generator = readModel(readFileSync(join(dir, m.generator.file)), m.generator.file);
  const rng = new Rng(seed);
  const faces = sampleFaces(bundle.latentModel, rng.fork('eval faces'), count);
  const randomFaces = sampleFaces(bundle.latentModel, rng.fork('random faces'), count, RANDOM_FACES);
  const images = await renderFaces(generator, faces, { quiet: opts.quiet, label: 'render faces' });
  const randomImages = await renderFaces(generator, randomFaces, { quiet: opts.quiet, label: 'random faces' });

  const tokenizer = loadTokenizer(readJson(join(dir, m.clip.tokenizer)) as object);
  const clip = await ClipRunner.create(readFileSync(join(dir, m.clip.image.file)), readFileSync(join(dir, m.clip.text.file)), tokenizer, m.clip.imageSize, m.clip.text.contextLength);
  const all = (f: readonly Face[]) => f.map((_, i) => i);
  const embeds = await clip.embedImages(clipPixels(images, all(faces)), count);
  const randomEmbeds = await clip.embedImages(clipPixels(randomImages, all(randomFaces)), count);
  const report: EvalReport = {
    seed,
    count,
    zeroShot: await zeroShot(clip, faces, embeds),
    zeroShotRandom: await zeroShot(clip, randomFaces, randomEmbeds),
    retrieval: await retrieval(clip, faces, embeds, rng.fork('eval captions')),
    reconstruction: null,
  };
  await clip.release();

  if (opts.encoder !== false && m.encoder) {
    const inputs = fullPixels(images, all(faces));
    const latents = await encodeImages(readFileSync(join(dir, m.encoder.file)), inputs, count, m.encoder.inputSize, bundle.meanLatent);
    const rendered = await renderFaces(generator, latents.map((latent) => ({ latent })), { quiet: opts.quiet, label: 're-render' });
    report.reconstruction = reconstruction(inputs, fullPixels(rendered, all(faces)), count,
      faces.map((f) => f.attributes), latents.map((l) => attributesOf(bundle.latentModel, l)));
  }
  return report;
}

const pct = (v: number) => (Number.isNaN(v) ? '  n/a' : `${(v * 100).toFixed(1).padStart(5)} %`);

/** The report as a Markdown table (printed by models:eval, pasted into MODEL_CARD.md). */
export function formatReport(r: EvalReport, goals = { zeroShot: 0.9, attributeError: 0.1 }): string {
  const lines: string[] = [];
  lines.push(`Fresh faces: ${r.count} from eval seed ${r.seed} (plus ${r.count} plain random faces at ψ = 0.7).`, '');
  lines.push('| zero-shot attribute group | classes | accuracy | faces | random faces | faces |');
  lines.push('|---|---|---|---|---|---|');
  r.zeroShot.forEach((z, i) => {
    const rz = r.zeroShotRandom[i]!;
    const mark = z.accuracy >= goals.zeroShot ? '' : ' ✗';
    lines.push(`| ${z.group} | ${z.classes} | ${pct(z.accuracy)}${mark} | ${z.faces} | ${pct(rz.accuracy)} | ${rz.faces} |`);
  });
  const mean = r.zeroShot.reduce((s, z) => s + z.accuracy, 0) / r.zeroShot.length;
  const worst = r.zeroShot.reduce((a, b) => (b.accuracy < a.accuracy ? b : a));
  lines.push(`| **mean** | | ${pct(mean)} | | | |`, '');
  lines.push(`Worst group: ${worst.group} at ${pct(worst.accuracy).trim()} (goal ≥ ${goals.zeroShot * 100} % for every group: ${r.zeroShot.every((z) => z.accuracy >= goals.zeroShot) ? 'met' : 'not met'}).`, '');
  lines.push('| retrieval (one 4-attribute caption per face) | R@1 |', '|---|---|');
  lines.push(`| image → caption | ${pct(r.retrieval.imageToText)} |`, `| caption → image | ${pct(r.retrieval.textToImage)} |`, '');
  if (r.reconstruction) {
    const rec = r.reconstruction;
    lines.push('| encoder reconstruction | value |', '|---|---|');
    lines.push(`| PSNR (re-rendered vs input, 128 px) | ${rec.psnr.toFixed(2)} dB |`);
    lines.push(`| mean abs attribute error (fraction of range) | ${rec.attributeError.toFixed(4)}${rec.attributeError <= goals.attributeError ? '' : ' ✗'} |`);
    for (const [g, v] of Object.entries(rec.byGroup)) lines.push(`| — ${g} | ${v.toFixed(4)} |`);
    lines.push('', `Encoder goal (mean abs attribute error ≤ ${goals.attributeError}): ${rec.attributeError <= goals.attributeError ? 'met' : 'not met'}.`);
  }
  return lines.join('\n');
}
