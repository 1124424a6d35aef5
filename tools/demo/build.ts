// npm run models:demo [-- --seed n] [-- --quick] [-- --out dir]
// Rebuilds the whole demo bundle from one seed: generator, training corpus, tokenizer, small CLIP,
// encoder, identity net, manifest and model card (with the evaluation numbers). Same seed, same bytes.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeModel } from '../../src/engine/onnx/model.js';
import { bundleManifest, BUNDLE_FILES } from './bundle.js';
import { clipImageModel, clipTextModel } from './clip/export.js';
import { loadTokenizer, tokenizerJson, vocabularyOf } from './clip/tokenizer.js';
import type { ClipShape } from './clip/towers.js';
import { trainClip } from './clip/train.js';
import { CARD_EVAL_SEED, FULL, QUICK, type BuildConfig } from './config.js';
import { captionVocabularyTexts } from './data/captions.js';
import { buildCorpus } from './data/dataset.js';
import { encoderModel, type EncoderShape } from './encoder/network.js';
import { trainEncoder } from './encoder/train.js';
import { BUILD_INFO, evaluateBundle, formatReport, loadBundle, type BuildInfo, type EvalReport } from './evaluate.js';
import { buildGenerator, writeGenerator } from './generator/index.js';
import { buildIdentity } from './identity/build.js';
import { identityReport } from './identity/report.js';
import { modelCard } from './model-card.js';
import { subgraphFor } from './onnx-subgraph.js';
import { clock } from './progress.js';
import { STYLE_FILES, writeStyleSpace } from './style-space.js';
import { buildDirectionsFor, DIRECTIONS_FILE, PARTIAL_FILE } from '../../src/cli/directions.js';
import { DEFAULT_SEED as DIRECTIONS_SEED, DEFAULT_STEP as DIRECTIONS_STEP } from '../../src/engine/stylespace/index.js';
import { Rng } from '../../src/engine/random.js';

/** The app's demo bundle folder, from this file's place in the repository (not the working directory). */
export const DEFAULT_OUT = fileURLToPath(new URL('../../public/models/demo', import.meta.url));
export const DEFAULT_SEED = 1;
/** Faces the global directions average over (the committed bundle's; the quick build's). */
export const DIRECTIONS_FACES = { full: 16, quick: 2 } as const;

export interface BuildOptions {
  seed: number;
  out: string;
  config: BuildConfig;
  quick: boolean;
  quiet?: boolean;
  /** Score the bundle and write the numbers into MODEL_CARD.md (default true). */
  evaluate?: boolean;
}

function log(quiet: boolean | undefined, text: string): void {
  if (!quiet) process.stderr.write(`${text}\n`);
}

export async function buildBundle(o: BuildOptions): Promise<{ info: BuildInfo; report: EvalReport | null }> {
  const start = Date.now();
  const c = o.config;
  const rng = new Rng(o.seed);
  mkdirSync(o.out, { recursive: true });
  for (const f of [
    ...Object.values(BUNDLE_FILES),
    ...Object.values(STYLE_FILES),
    BUILD_INFO,
    DIRECTIONS_FILE,
    PARTIAL_FILE,
  ])
    rmSync(join(o.out, f), { force: true });

  log(o.quiet, `[1/6] generator (seed ${o.seed})`);
  const single = buildGenerator({ seed: o.seed });
  writeGenerator(o.out, single);
  const batched = buildGenerator({ seed: o.seed, batch: c.renderBatch });
  const [, L, D] = single.manifestSection.latentShape;

  log(o.quiet, `[2/6] corpus: ${c.corpusFaces} faces`);
  let t = Date.now();
  const corpus = await buildCorpus(batched.generator, single.latentModel, rng.fork('corpus'), c.corpusFaces, {
    quiet: o.quiet,
  });
  const dataSeconds = (Date.now() - t) / 1000;

  log(o.quiet, '[3/6] tokenizer');
  const vocabulary = vocabularyOf(captionVocabularyTexts());
  const tokJson = tokenizerJson(vocabulary);
  writeFileSync(join(o.out, BUNDLE_FILES.tokenizer), `${JSON.stringify(tokJson, null, 1)}\n`);
  const tokenizer = loadTokenizer(tokJson);

  log(
    o.quiet,
    `[4/6] small CLIP: ${c.clip.training.steps} steps × ${c.clip.training.batch} faces × ${c.clip.training.captionsPerImage} captions`,
  );
  t = Date.now();
  const clipShape: ClipShape = { ...c.clip.shape, vocabSize: vocabulary.length };
  const clip = await trainClip(corpus, tokenizer, clipShape, c.clip.training, rng.fork('clip'), { quiet: o.quiet });
  const clipSeconds = (Date.now() - t) / 1000;
  const clipImage = clipImageModel(clip.params, clipShape);
  const clipText = clipTextModel(clip.params, clipShape);
  writeFileSync(join(o.out, BUNDLE_FILES.clipImage), writeModel(clipImage));
  writeFileSync(join(o.out, BUNDLE_FILES.clipText), writeModel(clipText));

  log(o.quiet, `[5/6] encoder: ${c.encoder.training.steps} steps × ${c.encoder.training.batch} faces`);
  t = Date.now();
  const encShape: EncoderShape = { ...c.encoder.shape, layers: L, dim: D };
  const headGen = buildGenerator({ seed: o.seed, batch: c.encoder.training.batch });
  const encoder = await trainEncoder(
    corpus,
    encShape,
    c.encoder.training,
    subgraphFor(headGen.generator, 'attributes'),
    single.meanLatent,
    rng.fork('encoder'),
    { quiet: o.quiet },
  );
  const encoderSeconds = (Date.now() - t) / 1000;
  writeFileSync(join(o.out, BUNDLE_FILES.encoder), writeModel(encoderModel(encoder.params, encShape)));

  log(o.quiet, `[5b/6] identity net: ${c.identity.training.steps} steps × ${c.identity.training.batch} faces`);
  const identity = await buildIdentity(o.out, o.seed, c, { quiet: o.quiet });

  const manifest = bundleManifest(single.manifestSection, clipShape, encShape, c.identity.shape);
  writeFileSync(join(o.out, BUNDLE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  // StyleSpace and its global directions are later steps on the written bundle, so they can also be
  // added to a bundle already built (npm run models:demo:styles, then directions build).
  writeStyleSpace(o.out, o.seed);
  log(o.quiet, '[5c/6] StyleSpace and its global directions');
  await buildDirectionsFor(join(o.out, BUNDLE_FILES.manifest), {
    faces: o.quick ? DIRECTIONS_FACES.quick : DIRECTIONS_FACES.full,
    step: DIRECTIONS_STEP,
    seed: DIRECTIONS_SEED,
    stderr: o.quiet ? { write: () => true } : process.stderr,
  });
  const count = (prefix: string) =>
    clip.params
      .names()
      .filter((n) => n.startsWith(prefix))
      .reduce((s, n) => s + clip.params.values.get(n)!.length, 0);
  const info: BuildInfo = {
    seed: o.seed,
    quick: o.quick,
    corpusFaces: c.corpusFaces,
    seconds: { total: 0, data: round(dataSeconds), clip: round(clipSeconds), encoder: round(encoderSeconds) },
    parameters: { clipImage: count('image.'), clipText: count('text.'), encoder: encoder.params.count() },
    clipSteps: c.clip.training.steps,
    encoderSteps: c.encoder.training.steps,
  };
  info.seconds!.total = round((Date.now() - start) / 1000);
  // Timings differ between runs; keep them out of the bytes that the determinism test compares.
  writeFileSync(join(o.out, BUILD_INFO), `${JSON.stringify({ ...info, seconds: undefined }, null, 2)}\n`);

  let report: EvalReport | null = null;
  if (o.evaluate !== false) {
    log(o.quiet, `[6/6] evaluation on ${c.evalFaces} fresh faces (seed ${CARD_EVAL_SEED})`);
    report = await evaluateBundle(loadBundle(o.out), CARD_EVAL_SEED, c.evalFaces, {
      quiet: o.quiet,
      edit: { faces: c.editEvalFaces },
    });
    const identityCard = { parameters: identity.parameters, report: await identityReport(o.out) };
    info.seconds!.total = round((Date.now() - start) / 1000);
    writeFileSync(join(o.out, BUNDLE_FILES.card), modelCard(info, clipShape, encShape, c, report, identityCard));
    log(o.quiet, formatReport(report));
  }
  log(
    o.quiet,
    `built ${o.out} in ${clock(info.seconds!.total)} (data ${clock(dataSeconds)}, CLIP ${clock(clipSeconds)}, encoder ${clock(encoderSeconds)})`,
  );
  return { info, report };
}

function round(s: number): number {
  return Math.round(s * 10) / 10;
}

function parseArgs(argv: string[]): BuildOptions {
  let seed = DEFAULT_SEED;
  let out = DEFAULT_OUT;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--seed' || a === '--out') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      if (a === '--seed') {
        seed = Number(v);
        if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got '${v}'`);
      } else out = v;
    } else throw new Error(`unknown option '${a}' (options: --seed n, --quick, --out dir)`);
  }
  return { seed, out: resolve(out), quick, config: quick ? QUICK : FULL };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await buildBundle(parseArgs(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`models:demo failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
