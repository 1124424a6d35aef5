// Random demo faces for training and evaluation. A face starts as a random latent (z → mapping →
// truncation); then each attribute group is re-drawn near the prototype of a chosen class (moving only
// that group's W+ layers), so that every class appears often and clearly. Class choices are
// correlated the way photo collections are (blond hair with smiles, beards with short hair, grey hair
// with glasses), which is what makes text-guided edits entangle attributes. A share of faces keep
// their random attributes in some groups, so the models also see in-between faces; a group whose
// class is not clear-cut there is left unnamed (null) and never captioned or scored.
import { ATTRIBUTES, CLASS_GROUPS, attributeIndex, classify, type ClassGroup } from '../attributes.js';
import { attributesOf, latentForAttributes, randomLatent, type LatentModel } from '../generator/latent.js';
import { Rng } from '../../../src/engine/random.js';
import type { FaceClasses } from './captions.js';

export interface Face {
  /** W+ latent, L·D values. */
  latent: Float32Array;
  /** True attribute values (ATTRIBUTES order), as the generator computes them. */
  attributes: Float64Array;
  classes: FaceClasses;
}

export interface FaceSamplerOptions {
  /** Truncation ψ is drawn uniformly from this range. */
  psi?: [number, number];
  /** Share of faces some of whose groups keep their random values. */
  freeShare?: number;
  /** In such a face, the chance that a group keeps its random values. */
  freeGroupChance?: number;
  /** Spread of attribute values around a class prototype, in units of each attribute's range. */
  spread?: number;
  /** A group is named only if its nearest prototype beats the runner-up by this much (range units). */
  minMargin?: number;
  /**
   * Chance that a class is drawn part-way toward another class of its group (up to half-way, still
   * nearest to its own prototype): faces near the class boundaries teach the models where the
   * boundaries are (a smile with a half sneer is still happy; more sneer is not).
   */
  blendChance?: number;
}

export const SAMPLER_DEFAULTS: Required<FaceSamplerOptions> = {
  psi: [0.5, 1],
  freeShare: 0.4,
  freeGroupChance: 0.5,
  spread: 0.1,
  minMargin: 0.12,
  blendChance: 0.3,
};

/** Plain random faces: z → mapping → truncation, no group re-drawn (classes read with the margin rule). */
export const RANDOM_FACES: FaceSamplerOptions = { psi: [0.7, 0.7], freeShare: 1, freeGroupChance: 1 };

type Weights = Record<string, number>;

function pickWeighted(weights: Weights, rng: Rng): string {
  const entries = Object.entries(weights);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let r = rng.uniform() * total;
  for (const [k, w] of entries) {
    r -= w;
    if (r < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

function uniform(group: string): Weights {
  const g = CLASS_GROUPS.find((c) => c.name === group)!;
  return Object.fromEntries(g.classes.map((c) => [c.name, 1]));
}

/** Chosen classes for one face, with the dataset's correlations. */
export function chooseClasses(rng: Rng): Record<string, string> {
  const out: Record<string, string> = {};
  out['hair length'] = pickWeighted({ bald: 0.22, short: 0.39, long: 0.39 }, rng);
  const beardP = { bald: 0.45, short: 0.5, long: 0.1 }[out['hair length']]!;
  out.beard = rng.chance(beardP) ? 'beard' : 'no beard';
  out['hair colour'] = pickWeighted(uniform('hair colour'), rng);
  out['hair texture'] = pickWeighted(uniform('hair texture'), rng);
  const expression = uniform('expression');
  if (out['hair colour'] === 'blond') expression.happy = 6;
  out.expression = pickWeighted(expression, rng);
  out.glasses = rng.chance(out['hair colour'] === 'grey' ? 0.65 : 0.35) ? 'glasses' : 'no glasses';
  for (const g of ['eye size', 'mouth width', 'skin tone', 'background']) out[g] = pickWeighted(uniform(g), rng);
  return out;
}

/** Attribute values near one class prototype that still read as that class with a clear margin. */
function nearPrototype(
  group: ClassGroup,
  className: string,
  base: Float64Array,
  rng: Rng,
  o: Required<FaceSamplerOptions>,
): Record<string, number> {
  const cls = group.classes.find((c) => c.name === className)!;
  const others = group.classes.filter((c) => c !== cls);
  const blend = rng.chance(o.blendChance) ? { toward: rng.pick(others), t: rng.range(0.15, 0.5) } : null;
  for (let attempt = 0; attempt < 30; attempt++) {
    const values = Float64Array.from(base);
    const target: Record<string, number> = {};
    group.attributes.forEach((name, j) => {
      const spec = ATTRIBUTES[attributeIndex(name)]!;
      const span = spec.max - spec.min;
      const centre = blend
        ? (1 - blend.t) * cls.prototype[j]! + blend.t * blend.toward.prototype[j]!
        : cls.prototype[j]!;
      const v = Math.min(spec.max, Math.max(spec.min, centre + rng.normal() * o.spread * span));
      target[name] = v;
      values[attributeIndex(name)] = v;
    });
    const read = classify(group.name, values);
    if (read.name === className && read.margin >= o.minMargin * (blend ? 1 : 1.5)) return target;
  }
  return Object.fromEntries(group.attributes.map((name, j) => [name, cls.prototype[j]!]));
}

/** Reads the classes of a face from its true attributes; unclear or invisible groups are null. */
export function readClasses(attributes: ArrayLike<number>, minMargin = SAMPLER_DEFAULTS.minMargin): FaceClasses {
  const out: FaceClasses = {};
  for (const g of CLASS_GROUPS) {
    const r = classify(g.name, attributes);
    out[g.name] = r.visible && r.margin >= minMargin ? r.name : null;
  }
  return out;
}

export function sampleFace(model: LatentModel, rng: Rng, options: FaceSamplerOptions = {}): Face {
  const o = { ...SAMPLER_DEFAULTS, ...options };
  const base = randomLatent(model, new Rng(rng.nextU32(), 'mulberry32'), rng.range(o.psi[0], o.psi[1]));
  const baseAttributes = attributesOf(model, base);
  const chosen = chooseClasses(rng);
  const free = rng.chance(o.freeShare);
  const target: Record<string, number> = {};
  for (const g of CLASS_GROUPS) {
    if (free && rng.chance(o.freeGroupChance)) continue;
    Object.assign(target, nearPrototype(g, chosen[g.name]!, baseAttributes, rng, o));
  }
  const latent = latentForAttributes(model, target, base);
  const attributes = attributesOf(model, latent);
  return { latent, attributes, classes: readClasses(attributes, o.minMargin) };
}

/** `count` faces from one random stream. */
export function sampleFaces(model: LatentModel, rng: Rng, count: number, options?: FaceSamplerOptions): Face[] {
  return Array.from({ length: count }, () => sampleFace(model, rng, options));
}
