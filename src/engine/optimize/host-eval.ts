// The paper's table, measured: every host method (StyleCLIP's latent optimization, naive
// optimization, StyleCLIP's global directions, StyleMC) once per target kind (text, PAE, …), on
// faces of a generator that knows its true attributes: random ones (`eval --hosts`) or the
// inversions of photos (`eval-photos --hosts`, host-eval-photos.ts). Per host × target × edit:
// success, toward, drift of the other attributes, identity similarity (when the bundle has an
// identity network), image distance, and seconds per edit.
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

/** How every host edits, whatever faces it edits. */
export interface HostSettings {
  hosts: EvalHost[];
  targets: TargetVariant[];
  edits: string[];
  /** Truncation ψ of random faces: StyleMC's learning faces, and eval's faces. */
  truncation: number;
  /** PAE strength. */
  alpha: number;
  /** styleclip and naive: Adam steps, peak learning rate, λ_L2 and λ_id (styleclip only). */
  steps: number;
  lr: number;
  lambdaL2: number;
  lambdaId: number;
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

/** The host table on random faces: bundle.sampleLatent(seed + i, truncation) for i < count. */
export interface HostEvalSettings extends HostSettings {
  seed: number;
  count: number;
}

export const DEFAULT_HOSTS: HostSettings = {
  hosts: [...EVAL_HOSTS],
  targets: ['text', 'pae'],
  edits: ['a happy face'],
  truncation: 0.7,
  alpha: 4,
  steps: 60,
  lr: 0.1,
  lambdaL2: 0.008,
  lambdaId: 0,
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

export const DEFAULT_HOST_EVAL: HostEvalSettings = { ...DEFAULT_HOSTS, seed: 1000, count: 4 };

/** A face the hosts edit: where it starts in latent space, and how the progress names it. */
export interface HostFace {
  /** "seed 1000", "sample1.jpg face 1". */
  label: string;
  latent0: Float32Array;
}

export interface HostEvalCase {
  host: EvalHost;
  target: TargetVariant;
  edit: string;
  /** The face's label. */
  face: string;
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

function unitDifference(what: string, a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(a, (v, i) => v - b[i]!);
  const n = Math.hypot(...out);
  if (!(n > 0)) throw new Error(`${what}: the target equals its reference embedding; no direction to edit along`);
  return out.map((v) => v / n);
}

/** The identity network's unit embedding of an image, or undefined when the bundle has none. */
async function identityOf(what: string, bundle: ModelBundle, image: ImageValue, signal?: AbortSignal) {
  const id = bundle.manifest.identity;
  if (!id || !bundle.roles.includes('identity')) return undefined;
  const declared = bundle.modelIo('identity').inputs.find((v) => v.name === id.input)?.dims[2];
  const size = id.imageSize ?? (typeof declared === 'number' ? declared : 0);
  if (!(size > 0))
    throw new Error(`${what}: identity.imageSize is needed: the identity network has no fixed input size`);
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

/**
 * Everything about the settings and the bundle that can be checked before a face is made: the
 * hosts and target kinds, true attributes to measure on, every edit naming one of their classes,
 * and the StyleSpace (and global directions) the StyleSpace hosts need. `what` starts each message.
 */
export function checkHostSettings(bundle: ModelBundle, s: HostSettings, what: string): AskedClass[] {
  if (s.hosts.length === 0) throw new Error(`${what}: give at least one host`);
  for (const h of s.hosts)
    if (!EVAL_HOSTS.includes(h)) throw new Error(`${what}: unknown host "${h}" (choose from ${EVAL_HOSTS.join(', ')})`);
  if (s.targets.length === 0) throw new Error(`${what}: give at least one target kind`);
  for (const t of s.targets)
    if (!TARGET_VARIANTS.includes(t))
      throw new Error(`${what}: unknown target kind "${t}" (choose from ${TARGET_VARIANTS.join(', ')})`);
  if (!bundle.attributes?.classes)
    throw new Error(
      `${what}: the host table measures on the generator's true attributes, and bundle "${bundle.name}" declares none (generator.attributes.classes in its manifest)`,
    );
  const edits = s.edits.map((e) => resolveEdit(bundle.attributes, e));
  if (edits.length === 0) throw new Error(`${what}: give at least one edit prompt`);
  if (s.hosts.some((h) => h === 'global' || h === 'stylemc')) styleSpaceOf(bundle, what);
  if (s.hosts.includes('global')) bundleDirections(bundle, what);
  return edits;
}

/** The faces of the host table on random faces: seeds seed, seed + 1, … at the settings' truncation. */
export async function randomFaces(
  bundle: ModelBundle,
  s: Pick<HostEvalSettings, 'seed' | 'count' | 'truncation'>,
  signal?: AbortSignal,
): Promise<HostFace[]> {
  if (!(Number.isInteger(s.count) && s.count >= 1)) throw new Error(`eval: the face count must be ≥ 1, got ${s.count}`);
  const faces: HostFace[] = [];
  for (let f = 0; f < s.count; f++)
    faces.push({ label: `seed ${s.seed + f}`, latent0: await bundle.sampleLatent(s.seed + f, s.truncation, signal) });
  return faces;
}

export interface HostReport<S extends HostSettings = HostSettings> {
  settings: S;
  cases: HostEvalCase[];
  rows: HostEvalRow[];
}

/** `eval --hosts`: the host table on random faces of the bundle's generator. */
export async function runHostEval(
  bundle: ModelBundle,
  settings: HostEvalSettings,
  hooks: HostEvalHooks = {},
): Promise<HostReport<HostEvalSettings>> {
  checkHostSettings(bundle, settings, 'eval');
  const faces = await randomFaces(bundle, settings, hooks.signal);
  return { settings, ...(await editWithHosts(bundle, settings, faces, 'eval', hooks)) };
}

/**
 * Every host edits every face once per edit and target kind; the true attributes before an edit are
 * the generator's at the face's start latent, after it those at the edited latent (or styles).
 */
export async function editWithHosts(
  bundle: ModelBundle,
  settings: HostSettings,
  faces: readonly HostFace[],
  what: string,
  hooks: HostEvalHooks = {},
): Promise<{ cases: HostEvalCase[]; rows: HostEvalRow[] }> {
  const edits = checkHostSettings(bundle, settings, what);
  if (faces.length === 0) throw new Error(`${what}: no faces to edit`);
  const signal = hooks.signal;
  const info = bundle.attributes!;
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
  const space = usesStyles ? styleSpaceOf(bundle, what) : undefined;
  const directions = settings.hosts.includes('global') ? bundleDirections(bundle, what) : undefined;
  const targetOf = (edit: number, image: Float32Array, variant: TargetVariant) =>
    paeTarget({
      image,
      text: texts[edit]!,
      subspace: subspaces.get(edits[edit]!.group)!,
      alpha: settings.alpha,
      variant,
    }).target;

  // StyleMC learns one direction per edit and target, on its own random faces; its time is shared by the faces it edits.
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
  const total = faces.length * edits.length * settings.targets.length * settings.hosts.length;
  for (const { label, latent0 } of faces) {
    const start = await bundle.generate(latent0, signal);
    const embedding = await bundle.encodeImage(start.image, signal);
    const styles = space ? await space.styles(latent0, signal) : undefined;
    const idBefore = await identityOf(what, bundle, start.image, signal);
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
              lambdaId: settings.lambdaId > 0 ? settings.lambdaId : undefined,
              signal,
            });
            after = await bundle.generate(result.latent, signal);
          } else if (host === 'global') {
            // StyleCLIP's Δt for a text target; the paper's projection (target − e_I) otherwise.
            const dt =
              variant === 'text' ? unitDifference(what, target, neutral) : unitDifference(what, target, embedding);
            const delta = styleDelta(directions!, dt, settings.globalBeta).delta;
            after = await space!.synthesize(applyDelta(styles!, delta, settings.globalAlpha), signal);
          } else {
            const l = learned.get(`${e}/${variant}`)!;
            shared = l.seconds / faces.length;
            after = await space!.synthesize(applyDelta(styles!, l.delta, settings.stylemcAlpha), signal);
          }
          const seconds = (performance.now() - t0) / 1000 + shared;
          const idAfter = idBefore ? await identityOf(what, bundle, after.image, signal) : undefined;
          const reached = classOf(info, edit.group, after.attributes!);
          const c: HostEvalCase = {
            host,
            target: variant,
            edit: edit.prompt,
            face: label,
            before: classOf(info, edit.group, start.attributes!),
            after: reached,
            success: reached === edit.className,
            toward: movedToward(info, edit.group, edit.className, start.attributes!, after.attributes!),
            drift: attributeDrift(info, start.attributes!, after.attributes!, edit.attributes),
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
  return { cases, rows: summarizeHostCases(cases, settings, edits) };
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

/** Where a host table's faces came from, said above it. */
export interface HostTableSource {
  /** The command, first word of the heading. */
  command: string;
  /** "4 faces from seed 1000", "3 faces of 2 photos, inverted with the bundle's encoder". */
  faces: string;
  /** Lines said after the column legend. */
  notes?: string[];
}

/** One aligned table: a row per host × target × edit. */
export function formatHostTable(rows: readonly HostEvalRow[], s: HostSettings, source: HostTableSource): string {
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
  const lambdas = s.lambdaId > 0 ? `λ_L2 ${s.lambdaL2}, λ_id ${s.lambdaId}` : `λ_L2 ${s.lambdaL2}`;
  return `${[
    `${source.command}: ${source.faces}, PAE α ${s.alpha}; styleclip/naive ${s.steps} steps, lr ${s.lr}, ${lambdas} (styleclip only);`,
    `global α ${s.globalAlpha}, β ${s.globalBeta}, neutral "${s.neutral}"; stylemc learned on ${s.stylemcFaces} random faces from seed ${s.stylemcSeed} (truncation ${s.truncation}), ${s.stylemcSteps} steps, applied with α ${s.stylemcAlpha} (its learning time is shared by the faces it edits)`,
    'success: true class after = asked; toward: the asked class wins by more than before; drift: mean |Δ| of the other true attributes; identity: cos of the identity embeddings (— without an identity network); image dist: mean |Δpixel|',
    ...(source.notes ?? []).map((n) => `note: ${n}`),
    '',
    ...formatTable(head, body, 3),
  ].join('\n')}\n`;
}
