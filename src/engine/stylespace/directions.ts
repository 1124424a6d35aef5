// StyleCLIP's global directions: how much each style channel moves the CLIP image embedding (its
// relevance), measured once per bundle over random faces, and the Δs a CLIP-space direction asks for.
import type { ModelBundle } from '../models/index.js';
import { styleSpaceOf } from './space.js';

/** Where a directions build stands: enough to pick it up again after an interruption. */
export interface DirectionsState {
  faces: number;
  /** Each channel moves by ±step σ. */
  step: number;
  /** Face i is the random face of seed `seed + i`. */
  seed: number;
  truncation: number;
  size: number;
  embedDim: number;
  /** σ of every channel over random faces. */
  sigma: number[];
  /** Faces done so far. */
  done: number;
  /** Per channel, the sum over the faces done of the unit change of the embedding (size × embedDim). */
  sums: number[];
}

export interface DirectionsOptions {
  faces: number;
  step?: number;
  seed?: number;
  truncation?: number;
  /** A partial build to continue (its settings must match). */
  resume?: DirectionsState;
  /** After each face, with the state to save. */
  onFace?(state: DirectionsState): void | Promise<void>;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
}

export interface GlobalDirections {
  sigma: Float32Array;
  /** size × embedDim, row c: the mean unit change of the CLIP image embedding when channel c moves up. */
  relevance: Float32Array;
  size: number;
  embedDim: number;
}

/** Faces whose styles give each channel's σ (styles alone are cheap: no synthesis, no CLIP). */
export const SIGMA_FACES = 200;
export const DEFAULT_STEP = 1;
export const DEFAULT_SEED = 1_000_000;

function settingsOf(bundle: ModelBundle, o: DirectionsOptions) {
  const space = styleSpaceOf(bundle, 'directions');
  if (!(Number.isInteger(o.faces) && o.faces >= 1))
    throw new Error(`directions: faces must be a whole number ≥ 1, got ${o.faces}`);
  const step = o.step ?? DEFAULT_STEP;
  if (!(step > 0 && Number.isFinite(step))) throw new Error(`directions: step must be a number > 0, got ${step}`);
  return {
    space,
    faces: o.faces,
    step,
    seed: o.seed ?? DEFAULT_SEED,
    truncation: o.truncation ?? 0.7,
    size: space.size,
    embedDim: bundle.manifest.clip.embedDim,
  };
}

/** Why a saved state cannot be continued with these settings, or undefined when it can. */
export function resumeMismatch(state: DirectionsState, want: Omit<DirectionsState, 'sigma' | 'done' | 'sums'>) {
  for (const k of ['faces', 'step', 'seed', 'truncation', 'size', 'embedDim'] as const)
    if (state[k] !== want[k]) return `${k} is ${state[k]} there, ${want[k]} now`;
  if (state.sums.length !== want.size * want.embedDim || state.sigma.length !== want.size)
    return 'its arrays have other sizes';
  return undefined;
}

export async function buildDirections(bundle: ModelBundle, o: DirectionsOptions): Promise<GlobalDirections> {
  const { space, ...want } = settingsOf(bundle, o);
  const { size, embedDim, step } = want;
  let state: DirectionsState;
  if (o.resume) {
    const why = resumeMismatch(o.resume, want);
    if (why) throw new Error(`directions: the partial build cannot be continued: ${why}`);
    state = o.resume;
  } else {
    const sigma = await channelSigma(bundle, space, want.seed, want.truncation, o.signal);
    state = { ...want, sigma, done: 0, sums: new Array(size * embedDim).fill(0) };
  }
  const total = want.faces * size;
  o.onProgress?.(state.done * size, total);
  for (let f = state.done; f < want.faces; f++) {
    const latent = await bundle.sampleLatent(want.seed + f, want.truncation, o.signal);
    const s = await space.styles(latent, o.signal);
    const moved = s.slice();
    const sums = state.sums.slice();
    for (let c = 0; c < size; c++) {
      const delta = step * state.sigma[c]!;
      moved[c] = s[c]! + delta;
      const up = await bundle.encodeImage((await space.synthesize(moved, o.signal)).image, o.signal);
      moved[c] = s[c]! - delta;
      const down = await bundle.encodeImage((await space.synthesize(moved, o.signal)).image, o.signal);
      moved[c] = s[c]!;
      let n = 0;
      for (let e = 0; e < embedDim; e++) n += (up[e]! - down[e]!) ** 2;
      n = Math.sqrt(n);
      // A channel that changes nothing on this face adds nothing (no direction to normalize).
      if (n > 0) for (let e = 0; e < embedDim; e++) sums[c * embedDim + e]! += (up[e]! - down[e]!) / n;
      o.onProgress?.(f * size + c + 1, total);
    }
    state = { ...state, sums, done: f + 1 };
    await o.onFace?.(state);
  }
  return directionsFromState(state);
}

export function directionsFromState(state: DirectionsState): GlobalDirections {
  const relevance = new Float32Array(state.sums.length);
  for (let i = 0; i < relevance.length; i++) relevance[i] = state.sums[i]! / Math.max(1, state.done);
  return { sigma: Float32Array.from(state.sigma), relevance, size: state.size, embedDim: state.embedDim };
}

async function channelSigma(
  bundle: ModelBundle,
  space: ReturnType<typeof styleSpaceOf>,
  seed: number,
  truncation: number,
  signal?: AbortSignal,
): Promise<number[]> {
  const sum = new Float64Array(space.size);
  const sq = new Float64Array(space.size);
  for (let i = 0; i < SIGMA_FACES; i++) {
    // Other seeds than the relevance faces' (seed + i), so σ is not fitted to them.
    const s = await space.styles(await bundle.sampleLatent(seed - 1 - i, truncation, signal), signal);
    for (let c = 0; c < space.size; c++) {
      sum[c]! += s[c]!;
      sq[c]! += s[c]! ** 2;
    }
  }
  return Array.from(sum, (v, c) => {
    const mean = v / SIGMA_FACES;
    return Math.sqrt(Math.max(0, sq[c]! / SIGMA_FACES - mean * mean)) || 1;
  });
}

/** The directions file: S σ values, then S × embedDim relevance values, float32 little-endian. */
export function directionsBytes(d: GlobalDirections): Uint8Array {
  const out = new Float32Array(d.size * (1 + d.embedDim));
  out.set(d.sigma, 0);
  out.set(d.relevance, d.size);
  const bytes = new Uint8Array(out.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < out.length; i++) view.setFloat32(i * 4, out[i]!, true);
  return bytes;
}

/** The bundle's built directions, or an error saying how to build them. */
export function bundleDirections(bundle: ModelBundle, what: string): GlobalDirections {
  const space = styleSpaceOf(bundle, what);
  const raw = bundle.directions;
  if (!raw)
    throw new Error(
      `${what}: bundle "${bundle.name}" has no global directions (styleSpace.directions); build them with \`rete-clip-pae directions build <manifest>\``,
    );
  const embedDim = bundle.manifest.clip.embedDim;
  return { sigma: raw.subarray(0, space.size), relevance: raw.subarray(space.size), size: space.size, embedDim };
}

export interface StyleDelta {
  /** Δs for α = 1, in the style vector's own units (channel σ times a weight in [−1, 1]). */
  delta: Float32Array;
  /** Channels that pass the threshold. */
  kept: number;
  /** The largest |relevance · direction| over the channels, so an empty selection can say what β would keep one. */
  largest: number;
}

/**
 * StyleCLIP's Δs for a unit CLIP-space direction Δt: each channel's relevance row (normalized)
 * dotted with Δt, channels under the disentanglement threshold β zeroed, the rest scaled so the
 * largest weight is 1, times the channel's σ.
 */
export function styleDelta(d: GlobalDirections, direction: ArrayLike<number>, beta: number): StyleDelta {
  if (direction.length !== d.embedDim)
    throw new Error(`Global Direction: the direction has ${direction.length} values, CLIP's embedding ${d.embedDim}`);
  if (!(beta >= 0 && Number.isFinite(beta))) throw new Error(`Global Direction: β must be a number ≥ 0, got ${beta}`);
  const weights = new Float64Array(d.size);
  let largest = 0;
  for (let c = 0; c < d.size; c++) {
    let dotp = 0;
    let n = 0;
    for (let e = 0; e < d.embedDim; e++) {
      const r = d.relevance[c * d.embedDim + e]!;
      dotp += r * direction[e]!;
      n += r * r;
    }
    weights[c] = n > 0 ? dotp / Math.sqrt(n) : 0;
    largest = Math.max(largest, Math.abs(weights[c]!));
  }
  let kept = 0;
  let top = 0;
  for (let c = 0; c < d.size; c++) {
    if (Math.abs(weights[c]!) < beta) weights[c] = 0;
    else {
      kept++;
      top = Math.max(top, Math.abs(weights[c]!));
    }
  }
  const delta = new Float32Array(d.size);
  if (top > 0) for (let c = 0; c < d.size; c++) delta[c] = (weights[c]! / top) * d.sigma[c]!;
  return { delta, kept, largest };
}

/** s + α Δs. */
export function applyDelta(styles: Float32Array, delta: Float32Array, alpha: number): Float32Array {
  if (styles.length !== delta.length)
    throw new Error(`the direction has ${delta.length} style channels, the face ${styles.length}`);
  const out = new Float32Array(styles.length);
  for (let i = 0; i < out.length; i++) out[i] = styles[i]! + alpha * delta[i]!;
  return out;
}
