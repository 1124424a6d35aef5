// Does an identity network tell the demo's faces apart? For each of `pairs` random faces A (the app's
// random faces at truncation 0.7), the same face with another expression A′ (its latent moved by the
// least-norm change that sets the expression group to another class's prototype, nothing else) and
// another random face B: A′ should be nearer to A than B is, by the cosine of their embeddings.
import type { ImageValue } from '../../../src/engine/graph/definition.js';
import type { ModelBundle } from '../../../src/engine/models/bundle.js';
import { Rng } from '../../../src/engine/random.js';
import { classGroup, classify, prototypeAttributes } from '../attributes.js';
import { attributesOf, latentForAttributes, type LatentModel } from '../generator/latent.js';

export interface IdentityMeasure {
  pairs: number;
  /** Pairs where the same face with another expression is nearer (higher cosine) than another face. */
  nearer: number;
  /** Mean cosine of A and A′, and of A and B. */
  sameFace: number;
  otherFace: number;
}

export const IDENTITY_MEASURE = { pairs: 100, seed: 5000, truncation: 0.7 } as const;

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

export async function measureIdentity(
  bundle: ModelBundle,
  latentModel: LatentModel,
  embed: (image: ImageValue) => Promise<Float32Array>,
  pairs: number = IDENTITY_MEASURE.pairs,
  seed: number = IDENTITY_MEASURE.seed,
): Promise<IdentityMeasure> {
  const classes = classGroup('expression').classes.map((c) => c.name);
  const rng = new Rng(seed, 'mulberry32');
  const of = async (latent: Float32Array) => embed((await bundle.generate(latent)).image);
  let nearer = 0;
  let same = 0;
  let other = 0;
  for (let i = 0; i < pairs; i++) {
    const a = await bundle.sampleLatent(seed + 2 * i, IDENTITY_MEASURE.truncation);
    const b = await bundle.sampleLatent(seed + 2 * i + 1, IDENTITY_MEASURE.truncation);
    const now = classify('expression', attributesOf(latentModel, a)).name;
    const to = rng.pick(classes.filter((c) => c !== now));
    const a2 = latentForAttributes(latentModel, prototypeAttributes('expression', to), a);
    const [ea, ea2, eb] = [await of(a), await of(a2), await of(b)];
    const cs = cosine(ea, ea2);
    const co = cosine(ea, eb);
    if (cs > co) nearer++;
    same += cs / pairs;
    other += co / pairs;
  }
  return { pairs, nearer, sameFace: same, otherFace: other };
}
