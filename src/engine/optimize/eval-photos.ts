// The `eval-photos` command's measurements: every face of every photo is detected, FFHQ-aligned,
// inverted with the bundle's encoder, edited once per prompt and target kind, and pasted back; the
// pasted-back photo is then read by face-api's networks: the expression net's top class (is it the
// asked emotion?), the recognition net's descriptor (cosine to the original face's), and the change
// outside the paste mask (mean |Δpixel| over the pixels the mask leaves alone; paste-back keeps them,
// so it should be 0).
import {
  cosineSimilarity,
  EXPRESSION_NAMES,
  expression,
  type ExpressionName,
  type FaceNets,
  identityCrop,
  identityEmbedding,
} from '../faces/detect.js';
import { type FaceMask, faceMask, pasteBack } from '../faces/paste.js';
import type { ImageValue } from '../graph/definition.js';
import type { ModelBundle } from '../models/index.js';
import { paeTarget, semanticBasis, type Subspace, TARGET_VARIANTS, type TargetVariant } from '../pae/index.js';
import { resolveEdit } from './eval.js';
import { formatTargetTables, percent } from './eval-table.js';
import { editObjective } from './objective.js';
import { optimizeLatent } from './optimize.js';
import { checkEncoder, invertPhotoFaces, type PhotoInput, type PhotoSummary } from './photo-faces.js';

export interface PhotoEvalSettings {
  edits: string[];
  targets: TargetVariant[];
  steps: number;
  lr: number;
  lambdaL2: number;
  lambdaId: number;
  alpha: number;
}

export const DEFAULT_PHOTO_EVAL: PhotoEvalSettings = {
  edits: ['a happy face', 'a sad face'],
  targets: ['text', 'pae'],
  steps: 60,
  lr: 0.1,
  lambdaL2: 0.008,
  lambdaId: 0,
  alpha: 4,
};

/** One face of one photo, one edit, one target kind. */
export interface PhotoCase {
  photo: string;
  /** Index of the face in its photo (best detection first). */
  face: number;
  edit: string;
  target: TargetVariant;
  /** The expression the prompt asks for. */
  asked: ExpressionName;
  /** The expression net's top class on the original and on the pasted-back photo. */
  before: ExpressionName;
  after: ExpressionName;
  correct: boolean;
  /** Cosine of the recognition net's descriptors of the original and the pasted-back face. */
  identity: number;
  /** Mean |Δpixel| (0–1) over the photo's pixels outside the paste mask. */
  outside: number;
}

export interface PhotoEvalRow {
  target: TargetVariant;
  edit: string;
  asked: ExpressionName;
  faces: number;
  /** Fraction of faces whose top expression after the edit is the asked one. */
  accuracy: number;
  /** Fraction of faces whose top expression already was the asked one. */
  already: number;
  identity: number;
  outside: number;
}

export interface PhotoEvalReport {
  settings: PhotoEvalSettings;
  photos: PhotoSummary[];
  cases: PhotoCase[];
  rows: PhotoEvalRow[];
  /** Said above the tables, e.g. that the bundle's generator draws caricatures, not photos. */
  notes: string[];
}

export interface PhotoEvalHooks {
  signal?: AbortSignal;
  onCase?(c: PhotoCase, done: number): void;
}

/** The expression an edit prompt names ("a happy face" → happy), or an error listing the names. */
export function askedExpression(prompt: string): ExpressionName {
  const words = prompt.toLowerCase().split(/[^a-z]+/);
  const named = EXPRESSION_NAMES.filter((n) => words.includes(n));
  if (named.length !== 1)
    throw new Error(
      `eval-photos: the edit "${prompt}" must name one expression the expression net knows (${EXPRESSION_NAMES.join(', ')}); it names ${named.length === 0 ? 'none' : named.join(' and ')}`,
    );
  return named[0]!;
}

function topExpression(p: Record<ExpressionName, number>): ExpressionName {
  return EXPRESSION_NAMES.reduce((best, n) => (p[n] > p[best] ? n : best), EXPRESSION_NAMES[0]);
}

/** Mean |Δ| over the pixels the paste mask gives weight 0 (all three channels). */
export function changeOutsideMask(before: ImageValue, after: ImageValue, mask: FaceMask): number {
  const plane = before.width * before.height;
  let sum = 0;
  let count = 0;
  for (let y = 0; y < before.height; y++) {
    for (let x = 0; x < before.width; x++) {
      const mx = x - mask.x;
      const my = y - mask.y;
      const inWindow = mx >= 0 && my >= 0 && mx < mask.width && my < mask.height;
      if (inWindow && mask.alpha[my * mask.width + mx]! > 0) continue;
      const i = y * before.width + x;
      for (let c = 0; c < 3; c++) sum += Math.abs(after.data[c * plane + i]! - before.data[c * plane + i]!);
      count += 3;
    }
  }
  return count === 0 ? 0 : sum / count;
}

function checkSettings(s: PhotoEvalSettings, bundle: ModelBundle): void {
  checkEncoder(bundle, 'eval-photos');
  if (!(Number.isInteger(s.steps) && s.steps >= 1))
    throw new Error(`eval-photos: steps must be a whole number ≥ 1, got ${s.steps}`);
  if (s.edits.length === 0) throw new Error('eval-photos: give at least one edit prompt');
  if (s.targets.length === 0) throw new Error('eval-photos: give at least one target kind');
  for (const t of s.targets)
    if (!TARGET_VARIANTS.includes(t))
      throw new Error(`eval-photos: unknown target kind "${t}" (choose from ${TARGET_VARIANTS.join(', ')})`);
  for (const [v, what] of [
    [s.lr, 'the learning rate'],
    [s.lambdaL2, 'λ_L2'],
    [s.lambdaId, 'λ_id'],
    [s.alpha, 'α'],
  ] as const)
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`eval-photos: ${what} must be a finite number ≥ 0, got ${v}`);
}

export async function runPhotoEval(
  bundle: ModelBundle,
  nets: FaceNets,
  photos: readonly PhotoInput[],
  settings: PhotoEvalSettings,
  hooks: PhotoEvalHooks = {},
): Promise<PhotoEvalReport> {
  checkSettings(settings, bundle);
  const signal = hooks.signal;
  const asked = settings.edits.map(askedExpression);
  const texts = await bundle.encodeText(settings.edits, signal);
  // PAE's subspace is the prompts of the edit's class group, as in `eval`; a text target needs none.
  const needsSubspace = settings.targets.some((t) => t !== 'text');
  const subspaces: (Subspace | undefined)[] = [];
  for (const e of settings.edits) {
    if (!needsSubspace) {
      subspaces.push(undefined);
      continue;
    }
    const edit = resolveEdit(bundle.attributes, e);
    subspaces.push(semanticBasis(await bundle.encodeText(edit.corpus.prompts, signal), edit.corpus.labels));
  }
  const objective = await editObjective(bundle);
  const inverted = await invertPhotoFaces(bundle, nets, photos, 'eval-photos', signal);
  const cases: PhotoCase[] = [];
  for (const { photo, index, face, aligned, latent0 } of inverted.faces) {
    const { embedding } = await objective.evaluate(latent0, latent0, texts[0]!, 0, 0, { image: false, signal });
    const mask = faceMask(face, aligned.transform, photo.image.width, photo.image.height);
    const original = await identityEmbedding(nets, identityCrop(photo.image, face), signal);
    const before = topExpression(await expression(nets, photo.image, face, signal));
    for (const [e, prompt] of settings.edits.entries()) {
      for (const variant of settings.targets) {
        const target =
          variant === 'text'
            ? texts[e]!
            : paeTarget({
                image: embedding,
                text: texts[e]!,
                subspace: subspaces[e]!,
                alpha: settings.alpha,
                variant,
              }).target;
        const result = await optimizeLatent(bundle, {
          latent0,
          target,
          steps: settings.steps,
          lr: settings.lr,
          lambdaL2: settings.lambdaL2,
          lambdaId: settings.lambdaId > 0 ? settings.lambdaId : undefined,
          signal,
        });
        const pasted = pasteBack(photo.image, result.image, aligned.transform, face);
        // The face is where it was: read it at the original detection's landmarks.
        const after = topExpression(await expression(nets, pasted, face, signal));
        const edited = await identityEmbedding(nets, identityCrop(pasted, face), signal);
        const c: PhotoCase = {
          photo: photo.name,
          face: index,
          edit: prompt,
          target: variant,
          asked: asked[e]!,
          before,
          after,
          correct: after === asked[e],
          identity: cosineSimilarity(original, edited),
          outside: changeOutsideMask(photo.image, pasted, mask),
        };
        cases.push(c);
        hooks.onCase?.(c, cases.length);
      }
    }
  }
  const notes: string[] = [];
  if (bundle.attributes)
    notes.push(
      `bundle "${bundle.name}" draws synthetic faces (its generator knows their true attributes): the inverted face is a caricature of the photo's, so expression and identity are measured on a caricature pasted into the photo`,
    );
  return { settings, photos: inverted.photos, cases, rows: summarizePhotoCases(cases, settings), notes };
}

export function summarizePhotoCases(cases: readonly PhotoCase[], s: PhotoEvalSettings): PhotoEvalRow[] {
  const rows: PhotoEvalRow[] = [];
  for (const target of s.targets) {
    for (const edit of s.edits) {
      const mine = cases.filter((c) => c.target === target && c.edit === edit);
      if (mine.length === 0) continue;
      const mean = (f: (c: PhotoCase) => number) => mine.reduce((sum, c) => sum + f(c), 0) / mine.length;
      rows.push({
        target,
        edit,
        asked: mine[0]!.asked,
        faces: mine.length,
        accuracy: mean((c) => (c.correct ? 1 : 0)),
        already: mean((c) => (c.before === c.asked ? 1 : 0)),
        identity: mean((c) => c.identity),
        outside: mean((c) => c.outside),
      });
    }
  }
  return rows;
}

export const PHOTO_EVAL_COLUMNS = ['edit', 'asked', 'faces', 'accuracy', 'already', 'identity', 'outside'] as const;

function cells(r: PhotoEvalRow): string[] {
  return [
    r.edit,
    r.asked,
    String(r.faces),
    percent(r.accuracy),
    percent(r.already),
    r.identity.toFixed(4),
    r.outside.toFixed(6),
  ];
}

/** One table per target kind, laid out as `eval`'s. */
export function formatPhotoEvalReport(report: PhotoEvalReport): string {
  const s = report.settings;
  const faces = report.photos.reduce((n, p) => n + p.faces, 0);
  const lines = [
    `eval-photos: ${report.photos.length} photos, ${faces} faces, ${s.steps} steps, lr ${s.lr}, λ_L2 ${s.lambdaL2}, λ_id ${s.lambdaId}, α ${s.alpha}`,
    "accuracy: face-api's expression net names the asked emotion on the pasted-back photo; already: it did before the edit;",
    "identity: cosine of face-api's recognition descriptors, original vs pasted-back face; outside: mean |Δpixel| (0–1) outside the paste mask",
    ...report.notes.map((n) => `note: ${n}`),
  ];
  lines.push(...formatTargetTables(s.targets, report.rows, PHOTO_EVAL_COLUMNS, cells));
  return `${lines.join('\n')}\n`;
}
