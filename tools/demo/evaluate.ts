// Scores a built bundle on fresh faces: what models:eval prints and MODEL_CARD.md reports.
// Faces come from the same sampler as the training corpus, from a stream of their own (`seed`), and
// additionally as plain random faces (no group re-drawn) for the zero-shot column that shows how the
// model does off the class prototypes. When asked, it also edits random faces through the app's own
// loader and optimizer (src/engine/optimize/eval.ts) and scores the edit on their true attributes.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readModel } from '../../src/engine/onnx/model.js';
import { parseManifest, type Manifest } from '../../src/engine/models/manifest.js';
import { loadBundle as loadAppBundle } from '../../src/engine/models/index.js';
import { DEFAULT_EVAL, runEval } from '../../src/engine/optimize/eval.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { createRuntime } from '../../src/engine/tensor/runtime.js';
import { ClipRunner } from './clip/embed.js';
import { loadTokenizer } from './clip/tokenizer.js';
import { clipPixels, fullPixels, renderFaces } from './data/render.js';
import { RANDOM_FACES, sampleFaces, type Face } from './data/faces.js';
import { encodeImages } from './encoder/run.js';
import { attributesOf, buildLatentModel, type LatentModel } from './generator/latent.js';
import {
  reconstruction,
  retrieval,
  zeroShot,
  type GroupAccuracy,
  type Reconstruction,
  type Retrieval,
} from './metrics.js';
import { Progress } from './progress.js';
import { Rng } from '../../src/engine/random.js';

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
  /** The edit goal, measured when evaluateBundle is asked to (opts.edit). */
  edit?: EditEval;
}

/** The demo bundle's edit goal: a text target moves the true expression toward happy on ≥ 90 % of random faces. */
export const EDIT_GOAL = { prompt: 'a happy face', target: 'text', steps: 100, toward: 0.9 } as const;

/** Random faces edited toward EDIT_GOAL.prompt with a text target, scored on their true attributes. */
export interface EditEval {
  prompt: string;
  target: 'text';
  /** Faces are the app's random faces (sampleLatent) of seeds seed, seed + 1, … at truncation `truncation`. */
  faces: number;
  truncation: number;
  steps: number;
  lr: number;
  lambdaL2: number;
  /** Fraction of faces whose true class after the edit is the asked one (happy). */
  success: number;
  /** Fraction of faces whose expression moved toward happy (happy wins by more, or loses by less, than before: classMargin). */
  toward: number;
  /** Fraction of faces that were happy before the edit. */
  already: number;
  /** Mean |Δ| of the other true attributes, as a fraction of each range. */
  drift: number;
}

export interface EditOptions {
  faces: number;
  /** Optimization steps per edit (default EDIT_GOAL.steps). */
  steps?: number;
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
      throw new Error(
        `${dir}: mean_latent.bin does not match the generator of seed ${info.seed} named in ${BUILD_INFO}; rebuild the bundle`,
      );
    }
  }
  return { dir, manifest, info, latentModel, meanLatent };
}

/**
 * Edits `faces` random faces (seeds `seed`, `seed` + 1, …) of the bundle in `dir` toward EDIT_GOAL's
 * prompt with a text target, loading the bundle with the app's loader and editing with the app's
 * optimizer: the settings are DEFAULT_EVAL's but for the faces, the edit, the target and the steps.
 */
export async function evaluateEdit(
  dir: string,
  seed: number,
  opts: EditOptions & { quiet?: boolean },
): Promise<EditEval> {
  const steps = opts.steps ?? EDIT_GOAL.steps;
  const folder = resolve(dir);
  const services = createNodeServices({ baseDir: folder });
  const bundle = await loadAppBundle(folder, { loadBytes: services.loadBytes, runtime: await createRuntime() });
  try {
    const settings = {
      ...DEFAULT_EVAL,
      seed,
      count: opts.faces,
      edits: [EDIT_GOAL.prompt],
      targets: [EDIT_GOAL.target],
      steps,
    };
    const progress = new Progress('edit faces', opts.faces, opts.quiet);
    const report = await runEval(bundle, settings, { onCase: (_, done) => progress.update(done) });
    const row = report.rows[0]!;
    return {
      prompt: EDIT_GOAL.prompt,
      target: EDIT_GOAL.target,
      faces: row.faces,
      truncation: settings.truncation,
      steps,
      lr: settings.lr,
      lambdaL2: settings.lambdaL2,
      success: row.success,
      toward: row.toward,
      already: row.already,
      drift: row.drift,
    };
  } finally {
    await bundle.release();
  }
}

export async function evaluateBundle(
  bundle: LoadedBundle,
  seed: number,
  count: number,
  opts: { encoder?: boolean; quiet?: boolean; edit?: EditOptions } = {},
): Promise<EvalReport> {
  const { dir, manifest: m } = bundle;
  const generator = readModel(readFileSync(join(dir, m.generator.file)), m.generator.file);
  const rng = new Rng(seed);
  const faces = sampleFaces(bundle.latentModel, rng.fork('eval faces'), count);
  const randomFaces = sampleFaces(bundle.latentModel, rng.fork('random faces'), count, RANDOM_FACES);
  const images = await renderFaces(generator, faces, { quiet: opts.quiet, label: 'render faces' });
  const randomImages = await renderFaces(generator, randomFaces, { quiet: opts.quiet, label: 'random faces' });

  const tokenizer = loadTokenizer(readJson(join(dir, m.clip.tokenizer)) as object);
  const clip = await ClipRunner.create(
    readFileSync(join(dir, m.clip.image.file)),
    readFileSync(join(dir, m.clip.text.file)),
    tokenizer,
    m.clip.imageSize,
    m.clip.text.contextLength,
  );
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
    const latents = await encodeImages(
      readFileSync(join(dir, m.encoder.file)),
      inputs,
      count,
      m.encoder.inputSize,
      bundle.meanLatent,
    );
    const rendered = await renderFaces(
      generator,
      latents.map((latent) => ({ latent })),
      { quiet: opts.quiet, label: 're-render' },
    );
    report.reconstruction = reconstruction(
      inputs,
      fullPixels(rendered, all(faces)),
      count,
      faces.map((f) => f.attributes),
      latents.map((l) => attributesOf(bundle.latentModel, l)),
    );
  }
  if (opts.edit && opts.edit.faces > 0)
    report.edit = await evaluateEdit(dir, seed, { ...opts.edit, quiet: opts.quiet });
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
    lines.push(
      `| ${z.group} | ${z.classes} | ${pct(z.accuracy)}${mark} | ${z.faces} | ${pct(rz.accuracy)} | ${rz.faces} |`,
    );
  });
  const mean = r.zeroShot.reduce((s, z) => s + z.accuracy, 0) / r.zeroShot.length;
  const worst = r.zeroShot.reduce((a, b) => (b.accuracy < a.accuracy ? b : a));
  lines.push(`| **mean** | | ${pct(mean)} | | | |`, '');
  lines.push(
    `Worst group: ${worst.group} at ${pct(worst.accuracy).trim()} (goal ≥ ${goals.zeroShot * 100} % for every group: ${r.zeroShot.every((z) => z.accuracy >= goals.zeroShot) ? 'met' : 'not met'}).`,
    '',
  );
  lines.push('| retrieval (one 4-attribute caption per face) | R@1 |', '|---|---|');
  lines.push(
    `| image → caption | ${pct(r.retrieval.imageToText)} |`,
    `| caption → image | ${pct(r.retrieval.textToImage)} |`,
    '',
  );
  if (r.reconstruction) {
    const rec = r.reconstruction;
    lines.push('| encoder reconstruction | value |', '|---|---|');
    lines.push(`| PSNR (re-rendered vs input, 128 px) | ${rec.psnr.toFixed(2)} dB |`);
    lines.push(
      `| mean abs attribute error (fraction of range) | ${rec.attributeError.toFixed(4)}${rec.attributeError <= goals.attributeError ? '' : ' ✗'} |`,
    );
    for (const [g, v] of Object.entries(rec.byGroup)) lines.push(`| — ${g} | ${v.toFixed(4)} |`);
    lines.push(
      '',
      `Encoder goal (mean abs attribute error ≤ ${goals.attributeError}): ${rec.attributeError <= goals.attributeError ? 'met' : 'not met'}.`,
    );
  }
  if (r.edit) lines.push('', ...formatEdit(r.edit));
  return lines.join('\n');
}

/** Whether the edit measurement meets the demo bundle's edit goal (toward happy on ≥ 90 % of faces). */
export function editGoalMet(e: EditEval): boolean {
  return e.toward >= EDIT_GOAL.toward;
}

/** The goal line of the edit measurement, as models:eval prints it and MODEL_CARD.md lists it. */
export function editGoalLine(e: EditEval): string {
  return `Edit goal ("${e.prompt}", ${e.target} target, ${e.steps} steps: true expression moves toward happy on ≥ ${EDIT_GOAL.toward * 100} % of random faces): ${editGoalMet(e) ? 'met' : 'not met'}`;
}

function formatEdit(e: EditEval): string[] {
  return [
    `| edit "${e.prompt}" (${e.target} target, ${e.steps} steps, ${e.faces} random faces at ψ = ${e.truncation}) | value |`,
    '|---|---|',
    `| toward happy (happy wins by more, or loses by less, than before) | ${pct(e.toward)}${editGoalMet(e) ? '' : ' ✗'} |`,
    `| ends happy (true expression class after the edit) | ${pct(e.success)} |`,
    `| already happy before the edit | ${pct(e.already)} |`,
    `| drift of the other true attributes (mean fraction of range) | ${pct(e.drift)} |`,
    '',
    `${editGoalLine(e)}; the true class ends happy on ${pct(e.success).trim()} of them.`,
  ];
}
