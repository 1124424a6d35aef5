// Faces that the app's own edit optimizer makes with the small CLIP as trained so far. Each starts
// from a fresh random face, is moved toward a random class prompt ("a happy face", "grey hair", …) by
// Optimize (src/engine/optimize, the same loss, gradients and schedule the app runs), and is then
// captioned with the classes it truly has. A CLIP trained only on sampled faces can be fooled along
// the latent: the optimizer raises "happy" by adding a sneer or a frown that show teeth, and ends on
// a disgusted face. Training on these edited faces (captioned "disgusted", a hard negative for
// "happy") and on the edits that worked (faces along edit trajectories) closes those shortcuts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { writeModel } from '../../../src/engine/onnx/model.js';
import { loadBundle, type ModelBundle } from '../../../src/engine/models/index.js';
import { optimizeLatent } from '../../../src/engine/optimize/optimize.js';
import { createNodeServices } from '../../../src/engine/run/services-node.js';
import { createRuntime } from '../../../src/engine/tensor/runtime.js';
import { CLASS_GROUPS } from '../attributes.js';
import { BUNDLE_FILES, bundleManifest } from '../bundle.js';
import { captionFace } from '../data/captions.js';
import type { Corpus } from '../data/dataset.js';
import { readClasses, sampleFace, type Face, type FaceSamplerOptions } from '../data/faces.js';
import { renderFaces } from '../data/render.js';
import { attributesOf } from '../generator/latent.js';
import { writeGenerator, type BuiltGenerator } from '../generator/index.js';
import type { ParamStore } from '../params.js';
import { Progress } from '../progress.js';
import type { Rng } from '../rng.js';
import { clipImageModel, clipTextModel } from './export.js';
import type { ClipShape } from './towers.js';

export interface EditedFacesRound {
  /** Faces edited in this round. */
  faces: number;
  /** Optimize steps per face, drawn uniformly from this range (short runs give in-between faces). */
  steps: [number, number];
  /** Share of the edits asked of the expression group (the hardest group to read; the rest: any group). */
  expressionShare: number;
}

/** What editing needs besides the CLIP weights: the generator and the tokenizer of the bundle being built. */
export interface EditSetup {
  /** The generator at batch 1 (files of the temporary bundle). */
  generator: BuiltGenerator;
  /** The same generator at a larger static batch, for rendering. */
  renderer: ModelProto;
  tokenizerJson: object;
  shape: ClipShape;
}

/** StyleCLIP's settings, as the app's Optimize node and `rete-clip-pae eval` use them. */
const EDIT = { lr: 0.1, lambdaL2: 0.008 } as const;

/** Start faces: plain random faces for the most part, as the app's Random Face node draws them. */
const START_FACES: FaceSamplerOptions = { psi: [0.5, 1], freeShare: 0.7, freeGroupChance: 0.8 };

/** The current CLIP and the generator as a bundle the app's loader reads (no encoder). */
function writeBundle(dir: string, params: ParamStore, setup: EditSetup): void {
  writeGenerator(dir, setup.generator);
  writeFileSync(join(dir, BUNDLE_FILES.clipImage), writeModel(clipImageModel(params, setup.shape)));
  writeFileSync(join(dir, BUNDLE_FILES.clipText), writeModel(clipTextModel(params, setup.shape)));
  writeFileSync(join(dir, BUNDLE_FILES.tokenizer), JSON.stringify(setup.tokenizerJson));
  writeFileSync(join(dir, BUNDLE_FILES.manifest), JSON.stringify(bundleManifest(setup.generator.manifestSection, setup.shape, null)));
}

/** An edit prompt: a class of one group, said with its zero-shot prompt or a caption naming only it. */
function editPrompt(rng: Rng, expressionShare: number): string {
  const group = rng.chance(expressionShare) ? CLASS_GROUPS[0]! : rng.pick(CLASS_GROUPS.slice(1));
  const cls = rng.pick(group.classes);
  return rng.chance(0.5) ? cls.prompt : captionFace({ [group.name]: cls.name }, rng, 1).text;
}

async function embedPrompt(bundle: ModelBundle, cache: Map<string, Float32Array>, prompt: string): Promise<Float32Array> {
  let e = cache.get(prompt);
  if (!e) {
    [e] = await bundle.encodeText([prompt]);
    cache.set(prompt, e!);
  }
  return e!;
}

/** One round: `round.faces` edited faces with their true attributes, classes and renders. */
export async function editedFaces(params: ParamStore, setup: EditSetup, rng: Rng, round: EditedFacesRound, opts: { quiet?: boolean; label?: string } = {}): Promise<Corpus> {
  const dir = mkdtempSync(join(tmpdir(), 'demo-edit-'));
  const model = setup.generator.latentModel;
  const faces: Face[] = [];
  let bundle: ModelBundle | undefined;
  try {
    writeBundle(dir, params, setup);
    const services = createNodeServices({ baseDir: dir });
    bundle = await loadBundle(join(dir, BUNDLE_FILES.manifest), { loadBytes: services.loadBytes, runtime: await createRuntime() });
    const texts = new Map<string, Float32Array>();
    const progress = new Progress(opts.label ?? 'edit faces', round.faces, opts.quiet);
    for (let i = 0; i < round.faces; i++) {
      const start = sampleFace(model, rng, START_FACES);
      const target = await embedPrompt(bundle, texts, editPrompt(rng, round.expressionShare));
      const steps = round.steps[0] + rng.int(round.steps[1] - round.steps[0] + 1);
      const { latent } = await optimizeLatent(bundle, { latent0: start.latent, target, steps, ...EDIT });
      const attributes = attributesOf(model, latent);
      const classes = readClasses(attributes);
      // A face with no clear-cut class in any group cannot be captioned; it is left out.
      if (Object.values(classes).some((c) => c !== null)) faces.push({ latent, attributes, classes });
      progress.update(i + 1);
    }
  } finally {
    await bundle?.release();
    rmSync(dir, { recursive: true, force: true });
  }
  const images = await renderFaces(setup.renderer, faces, { quiet: opts.quiet, label: 'render edited faces' });
  return { faces, images };
}
