// The numbers models:eval prints and MODEL_CARD.md reports: zero-shot attribute classification and
// image↔caption retrieval for the demo CLIP, reconstruction quality for the encoder.
import { ATTRIBUTES, CLASS_GROUPS } from './attributes.js';
import { captionFace, captionHolds } from './data/captions.js';
import type { Face } from './data/faces.js';
import { dot, type ClipRunner } from './clip/embed.js';
import type { Rng } from '../../src/engine/random.js';

export interface GroupAccuracy {
  group: string;
  classes: number;
  faces: number;
  correct: number;
  accuracy: number;
}

/** Per group: the share of faces whose class prompt is the nearest (cosine) among the group's prompts. */
export async function zeroShot(
  clip: ClipRunner,
  faces: readonly Face[],
  images: readonly Float32Array[],
): Promise<GroupAccuracy[]> {
  const out: GroupAccuracy[] = [];
  for (const g of CLASS_GROUPS) {
    const prompts = await clip.embedTexts(g.classes.map((c) => c.prompt));
    let n = 0;
    let correct = 0;
    faces.forEach((f, i) => {
      const truth = f.classes[g.name];
      if (truth == null) return;
      n++;
      let best = -1;
      let bestScore = -Infinity;
      prompts.forEach((p, k) => {
        const s = dot(images[i]!, p);
        if (s > bestScore) [best, bestScore] = [k, s];
      });
      if (g.classes[best]!.name === truth) correct++;
    });
    out.push({ group: g.name, classes: g.classes.length, faces: n, correct, accuracy: n ? correct / n : NaN });
  }
  return out;
}

export interface Retrieval {
  imageToText: number;
  textToImage: number;
  faces: number;
}

/**
 * Recall@1 between faces and one caption each (four groups mentioned). A retrieved caption counts
 * when it is true of the face (another face's caption can be), likewise a retrieved face.
 */
export async function retrieval(
  clip: ClipRunner,
  faces: readonly Face[],
  images: readonly Float32Array[],
  rng: Rng,
): Promise<Retrieval> {
  const captions = faces.map((f) => captionFace(f.classes, rng, 4));
  const texts = await clip.embedTexts(captions.map((c) => c.text));
  let i2t = 0;
  let t2i = 0;
  const n = faces.length;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let j = 0; j < n; j++) {
      const s = dot(images[i]!, texts[j]!);
      if (s > bestScore) [best, bestScore] = [j, s];
    }
    if (best === i || captionHolds(captions[best]!, faces[i]!.classes)) i2t++;
    best = 0;
    bestScore = -Infinity;
    for (let j = 0; j < n; j++) {
      const s = dot(images[j]!, texts[i]!);
      if (s > bestScore) [best, bestScore] = [j, s];
    }
    if (best === i || captionHolds(captions[i]!, faces[best]!.classes)) t2i++;
  }
  return { imageToText: i2t / n, textToImage: t2i / n, faces: n };
}

export interface Reconstruction {
  faces: number;
  /** Mean PSNR (dB) of the re-rendered face against the input, pixels in [0,1]. */
  psnr: number;
  /** Mean |attribute error| / range over all attributes and faces. */
  attributeError: number;
  /** The same per attribute group (face, hair, expression, …). */
  byGroup: Record<string, number>;
}

/**
 * Encoder quality: `inputs` are the true faces' renders [n,3,S,S] in [-1,1], `renders` the renders of
 * the encoded latents, `attributes` the true and the encoded latents' attributes.
 */
export function reconstruction(
  inputs: Float32Array,
  renders: Float32Array,
  n: number,
  trueAttributes: readonly ArrayLike<number>[],
  encodedAttributes: readonly ArrayLike<number>[],
): Reconstruction {
  const per = inputs.length / n;
  let psnr = 0;
  for (let i = 0; i < n; i++) {
    let se = 0;
    for (let k = i * per; k < (i + 1) * per; k++) {
      const d = (Math.max(-1, Math.min(1, inputs[k]!)) - Math.max(-1, Math.min(1, renders[k]!))) / 2;
      se += d * d;
    }
    psnr += 10 * Math.log10(1 / Math.max(se / per, 1e-10));
  }
  const sums: Record<string, [number, number]> = {};
  let total = 0;
  for (let i = 0; i < n; i++) {
    ATTRIBUTES.forEach((a, k) => {
      const e = Math.abs(trueAttributes[i]![k]! - encodedAttributes[i]![k]!) / (a.max - a.min);
      total += e;
      sums[a.group] ??= [0, 0];
      const s = sums[a.group]!;
      s[0] += e;
      s[1] += 1;
    });
  }
  return {
    faces: n,
    psnr: psnr / n,
    attributeError: total / (n * ATTRIBUTES.length),
    byGroup: Object.fromEntries(Object.entries(sums).map(([g, [s, c]]) => [g, s / c])),
  };
}
