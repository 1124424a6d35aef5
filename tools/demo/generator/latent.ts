// The latent side of the generator, as plain numbers: the mapping network z → w, the fixed mixing of
// each W+ layer group into the face parameters, the mean latent, and a sampler that finds a latent
// with chosen attributes. The ONNX graphs (mapping.onnx, the attribute head of generator.onnx) are
// built from exactly these weights, so both sides agree to float32 rounding.
import type { LayerGroup } from '../attributes.js';
import { ATTRIBUTES } from '../attributes.js';
import { FACE_PARAMS, LAYER_GROUPS, layersOf } from './params.js';
import { Rng } from '../../../src/engine/random.js';

/** Row-major [rows × cols] matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface MappingWeights {
  zDim: number;
  layers: { weight: Matrix; bias: Float64Array; tanh: boolean }[];
}

/** One W+ layer group driving its face parameters: pre = concat(latent[layers]) · mix + bias. */
export interface GroupMixing {
  group: LayerGroup;
  layers: number[];
  /** Indices into FACE_PARAMS. */
  params: number[];
  mix: Matrix;
  bias: Float64Array;
}

export interface LatentModel {
  seed: number;
  L: number;
  D: number;
  zDim: number;
  mapping: MappingWeights;
  groups: GroupMixing[];
  /** Mean of w over random z (length D); the mean W+ latent repeats it on every layer. */
  meanW: Float64Array;
}

const MAPPING_HIDDEN = 64;
const STATS_SAMPLES = 8000;

function randomMatrix(rng: Rng, rows: number, cols: number, scale: number): Matrix {
  return { rows, cols, data: rng.normals(rows * cols, scale) };
}

/** Weights are stored as float32 in the ONNX files: round them here too so both sides compute alike. */
function roundToFloat32(a: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] = Math.fround(a[i]!);
  return a;
}

function affine(x: ArrayLike<number>, m: Matrix, bias: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(bias);
  for (let i = 0; i < m.rows; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const row = i * m.cols;
    for (let j = 0; j < m.cols; j++) out[j]! += xi * m.data[row + j]!;
  }
  return out;
}

export function mapZ(mapping: MappingWeights, z: ArrayLike<number>): Float64Array {
  if (z.length !== mapping.zDim) throw new Error(`mapping: z must have ${mapping.zDim} values, got ${z.length}`);
  let h: Float64Array = Float64Array.from(z);
  for (const layer of mapping.layers) {
    h = affine(h, layer.weight, layer.bias);
    if (layer.tanh) for (let i = 0; i < h.length; i++) h[i] = Math.tanh(h[i]!);
  }
  return h;
}

export function buildLatentModel(seed: number, L: number, D: number, zDim = D): LatentModel {
  for (const [what, v] of [
    ['layers', L],
    ['dim', D],
    ['zDim', zDim],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`generator ${what} must be a positive integer, got ${v}`);
  }
  const rng = new Rng(seed, 'mulberry32');
  const H = MAPPING_HIDDEN;
  const layers = [
    { weight: randomMatrix(rng, zDim, H, 1.5 / Math.sqrt(zDim)), bias: rng.normals(H, 0.3), tanh: true },
    { weight: randomMatrix(rng, H, H, 1.5 / Math.sqrt(H)), bias: rng.normals(H, 0.3), tanh: true },
    { weight: randomMatrix(rng, H, D, 1 / Math.sqrt(H)), bias: new Float64Array(D), tanh: false },
  ];
  const mapping: MappingWeights = { zDim, layers };

  // Standardise w (unit spread per coordinate) around a non-zero mean, so that truncation and
  // "add the mean latent" both matter, as they do for a trained StyleGAN.
  const raw = resample(mapping, seed, zDim);
  const mu = new Float64Array(D);
  const sd = new Float64Array(D);
  for (const w of raw) for (let d = 0; d < D; d++) mu[d]! += w[d]! / raw.length;
  for (const w of raw) for (let d = 0; d < D; d++) sd[d]! += (w[d]! - mu[d]!) ** 2 / raw.length;
  for (let d = 0; d < D; d++) sd[d] = Math.sqrt(sd[d]!) || 1;
  const offset = rng.normals(D, 0.6);
  const last = layers[2]!;
  for (let i = 0; i < H; i++) for (let d = 0; d < D; d++) last.weight.data[i * D + d]! /= sd[d]!;
  for (let d = 0; d < D; d++) last.bias[d] = (last.bias[d]! - mu[d]!) / sd[d]! + offset[d]!;
  for (const layer of layers) {
    roundToFloat32(layer.weight.data);
    roundToFloat32(layer.bias);
  }

  const ws = resample(mapping, seed, zDim);
  const meanW = new Float64Array(D);
  for (const w of ws) for (let d = 0; d < D; d++) meanW[d]! += w[d]! / ws.length;
  const cov = new Float64Array(D * D);
  for (const w of ws) {
    for (let a = 0; a < D; a++) {
      const da = w[a]! - meanW[a]!;
      for (let b = 0; b < D; b++) cov[a * D + b]! += (da * (w[b]! - meanW[b]!)) / ws.length;
    }
  }
  roundToFloat32(meanW);

  const groups = LAYER_GROUPS.map((group) => {
    const ls = layersOf(group, L);
    const params = FACE_PARAMS.flatMap((p, i) => (p.layers === group ? [i] : []));
    const mix = randomMatrix(rng, ls.length * D, params.length, 1);
    const bias = new Float64Array(params.length);
    params.forEach((pi, k) => {
      const p = FACE_PARAMS[pi]!;
      // The direction a plain w (the same on every layer) moves this parameter along.
      const eff = new Float64Array(D);
      for (let l = 0; l < ls.length; l++)
        for (let d = 0; d < D; d++) eff[d]! += mix.data[(l * D + d) * params.length + k]!;
      let variance = 0;
      for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) variance += eff[a]! * cov[a * D + b]! * eff[b]!;
      const scale = p.spread / Math.sqrt(variance);
      for (let r = 0; r < ls.length * D; r++) mix.data[r * params.length + k]! *= scale;
      let atMean = 0;
      for (let d = 0; d < D; d++) atMean += meanW[d]! * eff[d]! * scale;
      bias[k] = p.centre - atMean;
    });
    return { group, layers: ls, params, mix: { ...mix, data: roundToFloat32(mix.data) }, bias: roundToFloat32(bias) };
  });
  return { seed, L, D, zDim, mapping, groups, meanW };
}

function resample(mapping: MappingWeights, seed: number, zDim: number): Float64Array[] {
  const r = new Rng(seed ^ 0x5eed, 'mulberry32');
  return Array.from({ length: STATS_SAMPLES }, () => mapZ(mapping, r.normals(zDim)));
}

/** The W+ latent that repeats w on every layer. */
export function broadcastW(model: LatentModel, w: ArrayLike<number>): Float32Array {
  if (w.length !== model.D) throw new Error(`w must have ${model.D} values, got ${w.length}`);
  const out = new Float32Array(model.L * model.D);
  for (let l = 0; l < model.L; l++) for (let d = 0; d < model.D; d++) out[l * model.D + d] = w[d]!;
  return out;
}

export function meanLatent(model: LatentModel): Float32Array {
  return broadcastW(model, model.meanW);
}

/** Truncation: mean + ψ (latent − mean), on every layer. */
export function truncate(model: LatentModel, latent: ArrayLike<number>, psi: number): Float32Array {
  checkLatent(model, latent, 'truncate');
  const out = new Float32Array(latent.length);
  for (let i = 0; i < latent.length; i++) {
    const m = model.meanW[i % model.D]!;
    out[i] = m + psi * (latent[i]! - m);
  }
  return out;
}

/** Any seeded source of standard normal numbers (a mulberry32 Rng, or the build's own). */
export interface NormalSource {
  normal(): number;
}

/** A random z ~ N(0, I) for the mapping. */
export function randomZ(model: LatentModel, rng: NormalSource): Float64Array {
  return Float64Array.from({ length: model.zDim }, () => rng.normal());
}

/** A random face's W+ latent: z ~ N(0, I) → mapping → broadcast → truncation ψ. */
export function randomLatent(model: LatentModel, rng: NormalSource, psi = 1): Float32Array {
  return truncate(model, broadcastW(model, mapZ(model.mapping, randomZ(model, rng))), psi);
}

function checkLatent(model: LatentModel, latent: ArrayLike<number>, where: string): void {
  if (latent.length !== model.L * model.D) {
    throw new Error(
      `${where}: a latent must have ${model.L}×${model.D} = ${model.L * model.D} values, got ${latent.length}`,
    );
  }
}

function groupInput(model: LatentModel, g: GroupMixing, latent: ArrayLike<number>): Float64Array {
  const x = new Float64Array(g.layers.length * model.D);
  g.layers.forEach((l, i) => {
    for (let d = 0; d < model.D; d++) x[i * model.D + d] = latent[l * model.D + d]!;
  });
  return x;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Pre-activations of every face parameter (FACE_PARAMS order). */
export function preActivations(model: LatentModel, latent: ArrayLike<number>): Float64Array {
  checkLatent(model, latent, 'face parameters');
  const out = new Float64Array(FACE_PARAMS.length);
  for (const g of model.groups) {
    const pre = affine(groupInput(model, g, latent), g.mix, g.bias);
    for (const [k, pi] of g.params.entries()) out[pi] = pre[k]!;
  }
  return out;
}

/** Every face parameter (FACE_PARAMS order), hidden ones included. */
export function faceParams(model: LatentModel, latent: ArrayLike<number>): Float64Array {
  const pre = preActivations(model, latent);
  return pre.map((v, i) => FACE_PARAMS[i]!.min + (FACE_PARAMS[i]!.max - FACE_PARAMS[i]!.min) * sigmoid(v));
}

/** The true attributes of the face a latent draws (ATTRIBUTES order) — what 'attributes' outputs. */
export function attributesOf(model: LatentModel, latent: ArrayLike<number>): Float64Array {
  const all = faceParams(model, latent);
  return Float64Array.from(ATTRIBUTES, (a) => all[FACE_PARAMS.findIndex((p) => p.name === a.name)]!);
}

/** Targets at the very ends of a range need infinite pre-activations; they are reached to within this share of the range. */
export const TARGET_EDGE = 0.005;

/**
 * A latent whose face has the given attribute values and, for everything not named, the values of
 * `base`'s face. Each group's layers move by the smallest change that does it (least norm), so the
 * result stays near `base`; it is a W+ latent (its layers differ).
 */
export function latentForAttributes(
  model: LatentModel,
  target: Record<string, number>,
  base: ArrayLike<number>,
): Float32Array {
  checkLatent(model, base, 'latentForAttributes');
  const pre = preActivations(model, base);
  const wanted = new Map<number, number>();
  for (const [name, value] of Object.entries(target)) {
    const pi = FACE_PARAMS.findIndex((p) => p.name === name);
    if (pi < 0 || !FACE_PARAMS[pi]!.visible)
      throw new Error(
        `latentForAttributes: unknown attribute '${name}' (known: ${ATTRIBUTES.map((a) => a.name).join(', ')})`,
      );
    const p = FACE_PARAMS[pi]!;
    if (!Number.isFinite(value) || value < p.min || value > p.max) {
      throw new Error(`latentForAttributes: ${name} = ${value} is outside its range [${p.min}, ${p.max}]`);
    }
    const t = Math.min(1 - TARGET_EDGE, Math.max(TARGET_EDGE, (value - p.min) / (p.max - p.min)));
    wanted.set(pi, Math.log(t / (1 - t)));
  }
  const out = Float32Array.from(base);
  for (const g of model.groups) {
    if (!g.params.some((pi) => wanted.has(pi))) continue;
    const x = groupInput(model, g, base);
    const current = affine(x, g.mix, g.bias);
    const residual = g.params.map((pi, k) => (wanted.get(pi) ?? pre[pi]!) - current[k]!);
    // Δ = M (MᵀM)⁻¹ r: the least-norm step that sets every parameter of the group at once.
    const P = g.params.length;
    const gram = new Float64Array(P * P);
    for (let r = 0; r < g.mix.rows; r++) {
      for (let a = 0; a < P; a++) {
        const ma = g.mix.data[r * P + a]!;
        for (let b = 0; b < P; b++) gram[a * P + b]! += ma * g.mix.data[r * P + b]!;
      }
    }
    const coef = solve(gram, Float64Array.from(residual), P);
    g.layers.forEach((l, i) => {
      for (let d = 0; d < model.D; d++) {
        const r = i * model.D + d;
        let delta = 0;
        for (let k = 0; k < P; k++) delta += g.mix.data[r * P + k]! * coef[k]!;
        out[l * model.D + d]! += delta;
      }
    });
  }
  return out;
}

/** Solves A x = b for a small symmetric positive definite A (Gaussian elimination with pivoting). */
function solve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]!) > Math.abs(a[p * n + c]!)) p = r;
    if (Math.abs(a[p * n + c]!) < 1e-12)
      throw new Error(
        'latentForAttributes: the mixing of a layer group is singular (too few latent dimensions for its parameters)',
      );
    if (p !== c) {
      for (let k = 0; k < n; k++) [a[c * n + k], a[p * n + k]] = [a[p * n + k]!, a[c * n + k]!];
      [x[c], x[p]] = [x[p]!, x[c]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c]! / a[c * n + c]!;
      for (let k = c; k < n; k++) a[r * n + k]! -= f * a[c * n + k]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r * n + k]! * x[k]!;
    x[r] = s / a[r * n + r]!;
  }
  return x;
}
