// The paper's table, measured: every host method (StyleCLIP's latent optimization, naive
// optimization, StyleCLIP's global directions, StyleMC) once per target kind (text, PAE, …), on
// random faces of a generator that knows its true attributes. Per host × target × edit: success,
// toward, drift of the other attributes, identity similarity (when the bundle has an identity
// network), image distance, and seconds per edit.
import type { ImageValue } from '../graph/definition.js';
import type { ModelBundle } from '../models/index.js';
import { imageToInput } from '../models/preprocess.js';
import { hostTensor } from '../onnx/model.js';
import { paeTarget, semanticBasis, type Subspace, type TargetVariant, TARGET_VARIANTS } from '../pae/index.js';
import { applyDelta, bundleDirections, learnDirection, styleDelta, styleSpaceOf } from '../stylespace/index.js';
import { attributeDrift, classOf, meanAbsDifference, movedToward, resolveEdit, type AskedClass } from './eval.js';
import { formatTable, percent } from './eval-table.js';
import { identityCropPixels } from './identity-prep.js';
import { optimizeLatent } from './optimize.js';

export const EVAL_HOSTS = ['styleclip', 'naive', 'stylemc', 'global'] as const;
export type EvalHost = (typeof EVAL_HOSTS)[number];

export interface HostEvalSettings {
  hosts: EvalHost[];
  targets: TargetVariant[];
  edits: string[];
  /** Faces are bundle.sampleLatent(seed + i, truncation) for i < count. */
  seed: number;
  count: number;
  truncation: number;
  /** PAE strength. */
  alpha: number;
  /** styleclip and naive: Adam steps, peak learning rate, λ_L2 (styleclip only). */
  steps: number;
  lr: number;
  lambdaL2: number;
  /** global: edit strength α (in channel σ), threshold β, the neutral prompt of a text target. */
  globalAlpha: number;
  globalBeta: number;
  neutral: string;
  /** stylemc: the direction is learned once per edit and target on these faces (seeds stylemcSeed + i). */
  stylemcFaces: number;
  stylemcSeed: number;
  stylemcSteps: number;
  stylemcLr: number;
  stylemcLambdaL2: number;
  /** Weight of StyleMC's identity loss, used when the bundle has an identity network. */
  stylemcLambdaId: number;
  /** Strength the learned direction is applied with. */
  stylemcAlpha: number;
}

export const DEFAULT_HOST_EVAL: HostEvalSettings = {
  hosts: [...EVAL_HOSTS],
  targets: ['text', 'pae'],
  edits: ['a happy face'],
  seed: 1000,
  count: 4,
  truncation: 0.7,
  alpha: 4,
  steps: 60,
  lr: 0.1,
  lambdaL2: 0.008,
  globalAlpha: 3,
  globalBeta: 0.1,
  neutral: 'a face',
  stylemcFaces: 4,
  stylemcSeed: 500_000,
  stylemcSteps: 30,
  stylemcLr: 0.2,
  stylemcLambdaL2: 0.01,
  stylemcLambdaId: 0.1,
  stylemcAlpha: 1,
};

export interface HostEvalCase {
  host: EvalHost;
  target: TargetVariant;
  edit: string;
  seed: number;
  before: string;
  after: string;
  success: boolean;
  toward: boolean;
  drift: number;
  /** cos(ID(before), ID(after)), undefined without an identity network. */
  identity?: number;
  imageDistance: number;
  seconds: number;
}

/** One row of the table (fractions in [0, 1]; identity null without an identity network). */
export interface HostEvalRow {
  host: EvalHost;
  target: TargetVariant;
  edit: string;
  success: number;
  toward: number;
  drift: number;
  identity: number | null;
  image_dist: number;
  seconds_per_edit: number;
}

export interface HostEvalHooks {
  signal?: AbortSignal;
  onCase?(c: HostEvalCase, done: number, total: number): void;
}

function unitDifference(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(a, (v, i) => v - b[i]!);
  const n = Math.hypot(...out);
  if (!(n > 0)) throw new Error('eval: the target equals its reference embedding; no direction to edit along');
  return out.map((v) => v / n);
}

/** The identity network's unit embedding of an image, or undefined when the bundle has none. */
async function identityOf(bundle: ModelBundle, image: ImageValue, signal?: AbortSignal) {
  const id = bundle.manifest.identity;
  if (!id || !bundle.roles.includes('identity')) return undefined;
  const declared = bundle.modelIo('identity').inputs.find((v) => v.name === id.input)?.dims[2];
  const size = id.imageSize ?? (typeof declared === 'number' ? declared : 0);
  if (!(size > 0)) throw new Error('eval: identity.imageSize is needed: the identity network has no fixed input size');
  const [lo, hi] = id.inputRange ?? [-1, 1];
  const s = await bundle.session('identity');
  // The face's box (identity.crop) as the edit objective crops it, then the net's size and range.
  const { left, top, side } = identityCropPixels(bundle.manifest);
  const plane = image.width * image.height;
  const face = new Float32Array(3 * side * side);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++)
        face[c * side * side + y * side + x] = image.data[c * plane + (top + y) * image.width + left + x]!;
  const crop: ImageValue = { kind: 'image', width: side, height: side, data: face };
  const out = await s.runToHost(
    {
      [id.input]: hostTensor(
        'float32',
        [1, 3, size, size],
        imageToInput(crop, size, (v) => lo + v * (hi - lo)),
      ),
    },
    { signal },
  );
  const e = out[id.output]!.data as Float32Array;
  const n = Math.hypot(...e);
  return e.map((v) => v / n);
}

function checkHostSettings(s: HostEvalSettings): void {
  if (s.hosts.length === 0) throw new Error('eval: give at least one host');
  for (const h of s.hosts)
    if (!EVAL_HOSTS.includes(h)) throw new Error(`eval: unknown host "${h}" (choose from ${EVAL_HOSTS.join(', ')})`);
  for (const t of s.targets)
    if (!TARGET_VARIANTS.includes(t))
      throw new Error(`eval: unknown target kind "${t}" (choose from ${TARGET_VARIANTS.join(', ')})`);
  if (!(Number.isInteger(s.count) && s.count >= 1)) throw new Error(`eval: the face count must be ≥ 1, got ${s.count}`);
}

export async function runHostEval(
  bundle: ModelBundle,
  settings: HostEvalSettings,
  hooks: HostEvalHooks = {},
): Promise<{ settings: HostEvalSettings; cases: HostEvalCase[]; rows: HostEvalRow[] }> {
  checkHostSettings(settings);
  const signal = hooks.signal;
  const info = bundle.attributes;
  const edits = settings.edits.map((e) => resolveEdit(info, e));
  const texts = await bundle.encodeText(
    edits.map((e) => e.prompt),
    signal,
  );
  const [neutral] = (await bundle.encodeText([settings.neutral], signal)) as [Float32Array];
  const subspaces = new Map<string, Subspace>();
  for (const e of edits)
    if (!subspaces.has(e.group))
      subspaces.set(e.group, semanticBasis(await bundle.encodeText(e.corpus.prompts, signal), e.corpus.labels));
  const usesStyles = settings.hosts.some((h) => h === 'global' || h === 'stylemc');
  const space = usesStyles ? styleSpaceOf(bundle, 'eval') : undefined;
  const directions = settings.hosts.includes('global') ? bundleDirections(bundle, 'eval') : undefined;
  const targetOf = (edit: number, image: Float32Array, variant: TargetVariant) =>
    paeTarget({
      image,
      text: texts[edit]!,
      subspace: subspaces.get(edits[edit]!.group)!,
      alpha: settings.alpha,
      variant,
    }).target;

  // StyleMC learns one direction per edit and target, on its own faces; its time is shared by the edits it serves.
  const learned = new Map<string, { delta: Float32Array; seconds: number }>();
  if (settings.hosts.includes('stylemc')) {
    for (const [e] of edits.entries()) {
      for (const variant of settings.targets) {
        const t0 = performance.now();
        const { delta } = await learnDirection(bundle, {
          faces: settings.stylemcFaces,
          seed: settings.stylemcSeed,
          truncation: settings.truncation,
          steps: settings.stylemcSteps,
          lr: settings.stylemcLr,
          lambdaL2: settings.stylemcLambdaL2,
          lambdaId: bundle.roles.includes('identity') ? settings.stylemcLambdaId : 0,
          signal,
          targetFor: (image) => targetOf(e, image, variant),
        });
        learned.set(`${e}/${variant}`, { delta, seconds: (performance.now() - t0) / 1000 });
      }
    }
  }

  const cases: HostEvalCase[] = [];
  const total = settings.count * edits.length * settings.targets.length * settings.hosts.length;
  for (let f = 0; f < settings.count; f++) {
    const seed = settings.seed + f;
    const latent0 = await bundle.sampleLatent(seed, settings.truncation, signal);
    const start = await bundle.generate(latent0, signal);
    const embedding = await bundle.encodeImage(start.image, signal);
    const styles = space ? await space.styles(latent0, signal) : undefined;
    const idBefore = await identityOf(bundle, start.image, signal);
    for (const [e, edit] of edits.entries()) {
      for (const variant of settings.targets) {
        const target = targetOf(e, embedding, variant);
        for (const host of settings.hosts) {
          const t0 = performance.now();
          let after: { image: ImageValue; attributes?: Float32Array };
          let shared = 0;
          if (host === 'styleclip' || host === 'naive') {
            const result = await optimizeLatent(bundle, {
              host,
              latent0,
              target,
              steps: settings.steps,
              lr: settings.lr,
              lambdaL2: settings.lambdaL2,
              signal,
            });
            after = await bundle.generate(result.latent, signal);
          } else if (host === 'global') {
            // StyleCLIP's Δt for a text target; the paper's projection (target − e_I) otherwise.
            const dt = variant === 'text' ? unitDifference(target, neutral) : unitDifference(target, embedding);
            const delta = styleDelta(directions!, dt, settings.globalBeta).delta;
            after = await space!.synthesize(applyDelta(styles!, delta, settings.globalAlpha), signal);
          } else {
            const l = learned.get(`${e}/${variant}`)!;
            shared = l.seconds / settings.count;
            after = await space!.synthesize(applyDelta(styles!, l.delta, settings.stylemcAlpha), signal);
          }
          const seconds = (performance.now() - t0) / 1000 + shared;
          const idAfter = idBefore ? await identityOf(bundle, after.image, signal) : undefined;
          const reached = classOf(info!, edit.group, after.attributes!);
          const c: HostEvalCase = {
            host,
            target: variant,
            edit: edit.prompt,
            seed,
            before: classOf(info!, edit.group, start.attributes!),
            after: reached,
            success: reached === edit.className,
            toward: movedToward(info!, edit.group, edit.className, start.attributes!, after.attributes!),
            drift: attributeDrift(info!, start.attributes!, after.attributes!, edit.attributes),
            identity: idBefore && idAfter ? idBefore.reduce((s, v, i) => s + v * idAfter[i]!, 0) : undefined,
            imageDistance: meanAbsDifference(after.image, start.image),
            seconds,
          };
          cases.push(c);
          hooks.onCase?.(c, cases.length, total);
        }
      }
    }
  }
  return { settings, cases, rows: summarizeHostCases(cases, settings, edits) };
}

export function summarizeHostCases(
  cases: readonly HostEvalCase[],
  settings: Pick<HostEvalSettings, 'hosts' | 'targets'>,
  edits: readonly AskedClass[],
): HostEvalRow[] {
  const rows: HostEvalRow[] = [];
  for (const host of settings.hosts)
    for (const target of settings.targets)
      for (const edit of edits) {
        const mine = cases.filter((c) => c.host === host && c.target === target && c.edit === edit.prompt);
        if (mine.length === 0) continue;
        const mean = (f: (c: HostEvalCase) => number) => mine.reduce((s, c) => s + f(c), 0) / mine.length;
        rows.push({
          host,
          target,
          edit: edit.prompt,
          success: mean((c) => (c.success ? 1 : 0)),
          toward: mean((c) => (c.toward ? 1 : 0)),
          drift: mean((c) => c.drift),
          identity: mine.every((c) => c.identity !== undefined) ? mean((c) => c.identity!) : null,
          image_dist: mean((c) => c.imageDistance),
          seconds_per_edit: mean((c) => c.seconds),
        });
      }
  return rows;
}

/** One aligned table: a row per host × target × edit. */
export function formatHostTable(rows: readonly HostEvalRow[], s: HostEvalSettings): string {
  const head = ['host', 'target', 'edit', 'success', 'toward', 'drift', 'identity', 'image dist', 's/edit'];
  const body = rows.map((r) => [
    r.host,
    r.target,
    r.edit,
    percent(r.success),
    percent(r.toward),
    `${(100 * r.drift).toFixed(1)}%`,
    r.identity === null ? '—' : r.identity.toFixed(3),
    r.image_dist.toFixed(4),
    r.seconds_per_edit.toFixed(2),
  ]);
  return `${[
    `eval: ${s.count} faces from seed ${s.seed} (truncation ${s.truncation}), PAE α ${s.alpha}; styleclip/naive ${s.steps} steps, lr ${s.lr}, λ_L2 ${s.lambdaL2} (styleclip only);`,
    `global α ${s.globalAlpha}, β ${s.globalBeta}, neutral "${s.neutral}"; stylemc learned on ${s.stylemcFaces} faces from seed ${s.stylemcSeed}, ${s.stylemcSteps} steps, applied with α ${s.stylemcAlpha} (its learning time is shared by the faces it edits)`,
    'success: true class after = asked; toward: the asked class wins by more than before; drift: mean |Δ| of the other true attributes; identity: cos of the identity embeddings (— without an identity network); image dist: mean |Δpixel|',
    '',
    ...formatTable(head, body, 3),
  ].join('\n')}\n`;
}
