// The paper's comparison, measured exactly on a generator that knows its true attributes: edit
// random faces with each target kind (text, PAE, …) and read off, from the attributes before and
// after, whether the asked class was reached, whether the face moved toward it, how much the other
// attributes drifted, and how far the latent and the image moved.
import type { ImageValue } from '../graph/definition.js';
import type { AttributeInfo, ModelBundle } from '../models/index.js';
import { paeTarget, semanticBasis, type Subspace, type TargetVariant, TARGET_VARIANTS } from '../pae/index.js';
import { editObjective } from './objective.js';
import { formatTargetTables, percent } from './eval-table.js';
import { optimizeLatent } from './optimize.js';

/** What one edit prompt asks for, in the generator's true attributes. */
export interface AskedClass {
  prompt: string;
  /** The class group (e.g. "expression") and the class in it (e.g. "happy"). */
  group: string;
  className: string;
  /** The attributes that decide the group's class: the edit may change these. */
  attributes: string[];
  /** The group's class prompts: the PAE corpus, one basis direction per class. */
  corpus: { labels: string[]; prompts: string[] };
}

type ClassGroups = NonNullable<AttributeInfo['classes']>;

const FILLER = new Set(['a', 'an', 'the', 'with', 'of', 'on', 'in', 'person', 'face', 'someone']);

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9-]+/)
    .filter((w) => w && !FILLER.has(w));
}

function asked(groups: ClassGroups, prompt: string, group: string, className: string): AskedClass {
  const spec = groups[group]!;
  const labels = Object.keys(spec.prompts ?? {});
  return {
    prompt,
    group,
    className,
    attributes: spec.attributes.slice(),
    corpus: { labels, prompts: labels.map((l) => spec.prompts![l]!) },
  };
}

/**
 * The class an edit prompt asks for: the class whose manifest prompt it is, or else the one class
 * whose prompt contains every word of it ("grey hair" → hair colour / grey).
 */
export function resolveEdit(info: AttributeInfo | undefined, prompt: string): AskedClass {
  const groups = info?.classes;
  if (!groups || Object.keys(groups).length === 0) {
    throw new Error(
      'eval needs a generator that declares its true attributes and their classes (generator.attributes.classes in the manifest)',
    );
  }
  const wanted = prompt.trim().toLowerCase();
  const all: { group: string; className: string; prompt: string }[] = [];
  for (const [group, spec] of Object.entries(groups))
    for (const [className, p] of Object.entries(spec.prompts ?? {})) all.push({ group, className, prompt: p });
  const exact = all.find((c) => c.prompt.trim().toLowerCase() === wanted);
  if (exact) return asked(groups, prompt, exact.group, exact.className);
  const need = words(prompt);
  const matches = need.length ? all.filter((c) => need.every((w) => words(c.prompt).includes(w))) : [];
  if (matches.length === 1) return asked(groups, prompt, matches[0]!.group, matches[0]!.className);
  const list = (cs: typeof all) => cs.map((c) => `"${c.prompt}" (${c.group}: ${c.className})`).join(', ');
  if (matches.length > 1)
    throw new Error(`the edit "${prompt}" could mean ${list(matches)}; write one of these prompts`);
  throw new Error(
    `the edit "${prompt}" matches no class of the generator; the classes are asked for with ${list(all)}`,
  );
}

function classGroup(info: AttributeInfo, group: string): ClassGroups[string] {
  const spec = info.classes?.[group];
  if (!spec) throw new Error(`no class group "${group}" (groups: ${Object.keys(info.classes ?? {}).join(', ')})`);
  return spec;
}

function checkValues(info: AttributeInfo, values: ArrayLike<number>): void {
  if (values.length !== info.names.length)
    throw new Error(`expected ${info.names.length} attribute values, got ${values.length}`);
}

function distance(
  info: AttributeInfo,
  spec: ClassGroups[string],
  prototype: readonly number[],
  values: ArrayLike<number>,
): number {
  let d = 0;
  spec.attributes.forEach((name, j) => {
    const k = info.names.findIndex((a) => a.name === name);
    if (k < 0) throw new Error(`the class group's attribute "${name}" is not one of the generator's attributes`);
    const a = info.names[k]!;
    d += ((values[k]! - prototype[j]!) / (a.max - a.min)) ** 2;
  });
  return Math.sqrt(d);
}

/**
 * How far a face is from a class: the Euclidean distance of its attributes of the class's group to
 * the class prototype, each attribute measured in units of its range (the metric of `classOf`).
 */
export function prototypeDistance(
  info: AttributeInfo,
  group: string,
  className: string,
  values: ArrayLike<number>,
): number {
  const spec = classGroup(info, group);
  const prototype = spec.prototypes[className];
  if (!prototype)
    throw new Error(
      `no class "${className}" in group "${group}" (classes: ${Object.keys(spec.prototypes).join(', ')})`,
    );
  checkValues(info, values);
  return distance(info, spec, prototype, values);
}

/** The class of a group for a face: the nearest prototype by `prototypeDistance`. */
export function classOf(info: AttributeInfo, group: string, values: ArrayLike<number>): string {
  const spec = classGroup(info, group);
  checkValues(info, values);
  let best = '';
  let bestDistance = Infinity;
  for (const [name, prototype] of Object.entries(spec.prototypes)) {
    const d = distance(info, spec, prototype, values);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/**
 * How clearly a face is of a class: the distance to the nearest other class's prototype minus the
 * distance to this class's prototype (`prototypeDistance`). Positive inside the class, negative
 * outside; 0 on the boundary.
 */
export function classMargin(info: AttributeInfo, group: string, className: string, values: ArrayLike<number>): number {
  const spec = classGroup(info, group);
  if (!spec.prototypes[className])
    throw new Error(
      `no class "${className}" in group "${group}" (classes: ${Object.keys(spec.prototypes).join(', ')})`,
    );
  checkValues(info, values);
  let other = Infinity;
  for (const [name, prototype] of Object.entries(spec.prototypes))
    if (name !== className) other = Math.min(other, distance(info, spec, prototype, values));
  return other - distance(info, spec, spec.prototypes[className]!, values);
}

/**
 * Whether an edit moved a face toward a class: the class wins by more (or loses by less) after than
 * before (`classMargin`). The distance to the class prototype alone would not do: a face that
 * crosses from neutral into happy with its mouth opened wider than the happy prototype's can end
 * farther from that prototype, and a smile bigger than the prototype's is not less happy.
 */
export function movedToward(
  info: AttributeInfo,
  group: string,
  className: string,
  before: ArrayLike<number>,
  after: ArrayLike<number>,
): boolean {
  return classMargin(info, group, className, after) > classMargin(info, group, className, before);
}

/** Mean |Δpixel| between two images of the same size (0–1): the reports' image distance. */
export function meanAbsDifference(a: ImageValue, b: ImageValue): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** Mean |Δ| of the attributes outside `excluded`, each as a fraction of its range. */
export function attributeDrift(
  info: AttributeInfo,
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  excluded: readonly string[],
): number {
  const others = info.names.map((a, k) => [a, k] as const).filter(([a]) => !excluded.includes(a.name));
  if (others.length === 0) return 0;
  return others.reduce((s, [a, k]) => s + Math.abs(after[k]! - before[k]!) / (a.max - a.min), 0) / others.length;
}

export interface EvalSettings {
  /** Faces are bundle.sampleLatent(seed + i, truncation) for i < count. */
  seed: number;
  count: number;
  edits: string[];
  targets: TargetVariant[];
  steps: number;
  lr: number;
  lambdaL2: number;
  /** PAE strength. */
  alpha: number;
  truncation: number;
}

export const DEFAULT_EVAL: EvalSettings = {
  seed: 1000,
  count: 8,
  edits: ['a happy face'],
  targets: ['text', 'pae'],
  steps: 60,
  lr: 0.1,
  lambdaL2: 0.008,
  alpha: 4,
  truncation: 0.7,
};

/** One face, one edit, one target kind. */
export interface EvalCase {
  seed: number;
  edit: string;
  target: TargetVariant;
  before: string;
  after: string;
  success: boolean;
  /** The true attributes of the asked group ended nearer the asked class's prototype than they started. */
  toward: boolean;
  drift: number;
  latentDistance: number;
  imageDistance: number;
  /** The true attributes before and after (manifest order). */
  attributesBefore: number[];
  attributesAfter: number[];
}

/** The cases of one target kind and one edit, summarized. */
export interface EvalRow {
  target: TargetVariant;
  edit: string;
  /** "expression: happy" */
  asked: string;
  faces: number;
  /** Fraction of faces whose class after the edit is the asked one. */
  success: number;
  /** Fraction of faces whose true attributes of the asked group moved toward the asked class's prototype. */
  toward: number;
  /** Fraction of faces that were already in the asked class before the edit. */
  already: number;
  drift: number;
  latentDistance: number;
  imageDistance: number;
}

export interface EvalReport {
  settings: EvalSettings;
  cases: EvalCase[];
  rows: EvalRow[];
}

export interface EvalHooks {
  signal?: AbortSignal;
  /** After each edit; `done` of `total` edits. */
  onCase?(c: EvalCase, done: number, total: number): void;
}

function checkSettings(s: EvalSettings): void {
  const whole = (v: number, what: string, min: number) => {
    if (!(Number.isInteger(v) && v >= min)) throw new Error(`eval: ${what} must be a whole number ≥ ${min}, got ${v}`);
  };
  whole(s.seed, 'the seed', 0);
  whole(s.count, 'the face count', 1);
  whole(s.steps, 'steps', 1);
  if (s.edits.length === 0) throw new Error('eval: give at least one edit prompt');
  if (s.targets.length === 0) throw new Error('eval: give at least one target kind');
  for (const t of s.targets)
    if (!TARGET_VARIANTS.includes(t))
      throw new Error(`eval: unknown target kind "${t}" (choose from ${TARGET_VARIANTS.join(', ')})`);
  for (const [v, what] of [
    [s.lr, 'the learning rate'],
    [s.lambdaL2, 'λ_L2'],
    [s.alpha, 'α'],
    [s.truncation, 'the truncation'],
  ] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`eval: ${what} must be a finite number ≥ 0, got ${v}`);
  }
}

export async function runEval(bundle: ModelBundle, settings: EvalSettings, hooks: EvalHooks = {}): Promise<EvalReport> {
  checkSettings(settings);
  const info = bundle.attributes;
  const edits = settings.edits.map((e) => resolveEdit(info, e));
  const signal = hooks.signal;

  // Text embeddings and subspaces depend only on the edit: computed once.
  const texts = await bundle.encodeText(
    edits.map((e) => e.prompt),
    signal,
  );
  const subspaces = new Map<string, Subspace>();
  for (const e of edits) {
    if (subspaces.has(e.group)) continue;
    subspaces.set(e.group, semanticBasis(await bundle.encodeText(e.corpus.prompts, signal), e.corpus.labels));
  }

  const objective = await editObjective(bundle);
  const cases: EvalCase[] = [];
  const total = settings.count * edits.length * settings.targets.length;
  for (let f = 0; f < settings.count; f++) {
    const seed = settings.seed + f;
    const latent0 = await bundle.sampleLatent(seed, settings.truncation, signal);
    const start = await bundle.generate(latent0, signal);
    // The start embedding as the loss graph sees it, so α = 0 means "no edit" exactly.
    const anyTarget = texts[0]!;
    const { embedding } = await objective.evaluate(latent0, latent0, anyTarget, 0, 0, { image: false, signal });
    for (const [e, edit] of edits.entries()) {
      for (const variant of settings.targets) {
        const { target } = paeTarget({
          image: embedding,
          text: texts[e]!,
          subspace: subspaces.get(edit.group)!,
          alpha: settings.alpha,
          variant,
        });
        const result = await optimizeLatent(bundle, {
          latent0,
          target,
          steps: settings.steps,
          lr: settings.lr,
          lambdaL2: settings.lambdaL2,
          signal,
        });
        const after = await bundle.generate(result.latent, signal);
        const before = classOf(info!, edit.group, start.attributes!);
        const reached = classOf(info!, edit.group, after.attributes!);
        let latentDistance = 0;
        for (let i = 0; i < latent0.length; i++) latentDistance += (result.latent[i]! - latent0[i]!) ** 2;
        const c: EvalCase = {
          seed,
          edit: edit.prompt,
          target: variant,
          before,
          after: reached,
          success: reached === edit.className,
          toward: movedToward(info!, edit.group, edit.className, start.attributes!, after.attributes!),
          drift: attributeDrift(info!, start.attributes!, after.attributes!, edit.attributes),
          latentDistance: Math.sqrt(latentDistance),
          imageDistance: meanAbsDifference(after.image, start.image),
          attributesBefore: [...start.attributes!],
          attributesAfter: [...after.attributes!],
        };
        cases.push(c);
        hooks.onCase?.(c, cases.length, total);
      }
    }
  }
  return { settings, cases, rows: summarizeCases(cases, edits) };
}

export function summarizeCases(cases: readonly EvalCase[], edits: readonly AskedClass[]): EvalRow[] {
  const rows: EvalRow[] = [];
  const targets = [...new Set(cases.map((c) => c.target))];
  for (const target of targets) {
    for (const edit of edits) {
      const mine = cases.filter((c) => c.target === target && c.edit === edit.prompt);
      if (mine.length === 0) continue;
      const mean = (f: (c: EvalCase) => number) => mine.reduce((s, c) => s + f(c), 0) / mine.length;
      rows.push({
        target,
        edit: edit.prompt,
        asked: `${edit.group}: ${edit.className}`,
        faces: mine.length,
        success: mean((c) => (c.success ? 1 : 0)),
        toward: mean((c) => (c.toward ? 1 : 0)),
        already: mean((c) => (c.before === edit.className ? 1 : 0)),
        drift: mean((c) => c.drift),
        latentDistance: mean((c) => c.latentDistance),
        imageDistance: mean((c) => c.imageDistance),
      });
    }
  }
  return rows;
}

export const EVAL_COLUMNS = [
  'edit',
  'asked class',
  'faces',
  'success',
  'toward',
  'already',
  'drift',
  'latent dist',
  'image dist',
] as const;

function cells(row: EvalRow): string[] {
  return [
    row.edit,
    row.asked,
    String(row.faces),
    percent(row.success),
    percent(row.toward),
    percent(row.already),
    `${(100 * row.drift).toFixed(1)}%`,
    row.latentDistance.toFixed(3),
    row.imageDistance.toFixed(4),
  ];
}

/** One plain-text table per target kind, columns aligned. */
export function formatEvalReport(report: EvalReport): string {
  const s = report.settings;
  const lines = [
    `eval: ${s.count} faces from seed ${s.seed} (truncation ${s.truncation}), ${s.steps} steps, lr ${s.lr}, λ_L2 ${s.lambdaL2}, α ${s.alpha}`,
    'success: the true class after the edit is the asked one; toward: the asked class wins by more (or loses by less) than before',
    "(distance to the nearest other class's prototype minus to the asked one's, each attribute in units of its range);",
    'already: the class was the asked one before;',
    'drift: mean |Δ| of the other true attributes (fraction of range); latent dist: ‖w − w0‖; image dist: mean |Δpixel| (0–1)',
  ];
  lines.push(...formatTargetTables(s.targets, report.rows, EVAL_COLUMNS, cells));
  return `${lines.join('\n')}\n`;
}
