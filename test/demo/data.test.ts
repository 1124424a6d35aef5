import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, CLASS_GROUPS, attributeIndex, classify } from '../../tools/demo/attributes.js';
import { captionFace, captionHolds, MAX_CAPTION_TOKENS } from '../../tools/demo/data/captions.js';
import { RANDOM_FACES, readClasses, sampleFaces } from '../../tools/demo/data/faces.js';
import { captionTruth, contrastiveTargets } from '../../tools/demo/clip/targets.js';
import { splitWords } from '../../tools/demo/clip/tokenizer.js';
import { attributesOf, buildLatentModel } from '../../tools/demo/generator/latent.js';
import { Rng } from '../../src/engine/random.js';

const model = buildLatentModel(1, 6, 32);
const faces = sampleFaces(model, new Rng(11), 1200);

describe('demo training faces', () => {
  it('are the faces their latents draw, with every class of every group present', () => {
    for (const f of faces.slice(0, 50))
      expect(Array.from(attributesOf(model, f.latent))).toEqual(Array.from(f.attributes));
    for (const g of CLASS_GROUPS) {
      const seen = new Set(faces.map((f) => f.classes[g.name]).filter((c) => c != null));
      expect([...seen].sort(), g.name).toEqual(g.classes.map((c) => c.name).sort());
    }
    // A named class is the nearest prototype of the true attributes.
    for (const f of faces.slice(0, 200)) {
      for (const g of CLASS_GROUPS)
        if (f.classes[g.name]) expect(classify(g.name, f.attributes).name).toBe(f.classes[g.name]);
    }
  });

  it('carry the dataset correlations: blond with smiles, beards with short hair or none', () => {
    const share = (
      pick: (c: Record<string, string | null>) => boolean,
      of: (c: Record<string, string | null>) => boolean,
    ) => {
      const pool = faces.filter((f) => pick(f.classes));
      return pool.filter((f) => of(f.classes)).length / pool.length;
    };
    const happyIfBlond = share(
      (c) => c['hair colour'] === 'blond',
      (c) => c.expression === 'happy',
    );
    const happyOtherwise = share(
      (c) => c['hair colour'] !== 'blond' && c['hair colour'] != null,
      (c) => c.expression === 'happy',
    );
    expect(happyIfBlond).toBeGreaterThan(2 * happyOtherwise);
    const beardIfShort = share(
      (c) => c['hair length'] === 'short',
      (c) => c.beard === 'beard',
    );
    const beardIfLong = share(
      (c) => c['hair length'] === 'long',
      (c) => c.beard === 'beard',
    );
    expect(beardIfShort).toBeGreaterThan(2 * beardIfLong);
  });

  it('include plain random faces on request, some of whose groups are too unclear to name', () => {
    const random = sampleFaces(model, new Rng(12), 200, RANDOM_FACES);
    const unnamed = random.filter((f) => Object.values(f.classes).some((c) => c === null)).length;
    expect(unnamed).toBeGreaterThan(20);
  });
});

describe('demo captions', () => {
  it('claim only what is true of the face, fit the context length and vary', () => {
    const rng = new Rng(5);
    const texts = new Set<string>();
    for (const f of faces.slice(0, 300)) {
      for (let k = 1; k <= 4; k++) {
        const c = captionFace(f.classes, rng, k);
        expect(captionHolds(c, f.classes), c.text).toBe(true);
        expect(Object.keys(c.claims).length).toBeGreaterThanOrEqual(1);
        expect(splitWords(c.text).length, c.text).toBeLessThanOrEqual(MAX_CAPTION_TOKENS);
        texts.add(c.text);
      }
    }
    expect(texts.size).toBeGreaterThan(900);
  });

  it('make contrastive targets that count every true caption as a positive', () => {
    const rng = new Rng(6);
    const batch = faces.slice(0, 8);
    const classes = batch.map((f) => f.classes);
    const captions = Array.from({ length: 16 }, (_, j) => captionFace(classes[j % 8]!, rng));
    const { targets, targetsT } = contrastiveTargets(captions, batch);
    for (let i = 0; i < 8; i++) {
      const row = Array.from(targets.subarray(i * 16, (i + 1) * 16));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(row[i]).toBeGreaterThan(0);
      for (const [j, v] of row.entries()) expect(v > 0).toBe(j % 8 === i || captionHolds(captions[j]!, classes[i]!));
    }
    for (let j = 0; j < 16; j++)
      expect(Array.from(targetsT.subarray(j * 8, (j + 1) * 8)).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('count a caption a little for a face near the class it claims, less the farther the face is, never for a hidden group', () => {
    const face = (set: Record<string, number>) => {
      const v = ATTRIBUTES.map((a) => (a.min + a.max) / 2);
      for (const [name, value] of Object.entries(set)) v[attributeIndex(name)] = value;
      return { attributes: v, classes: readClasses(v) };
    };
    const happy = { text: 'a happy face', claims: { expression: 'happy' } };
    const mouth = (curve: number) =>
      face({ mouth_curve: curve, mouth_open: 0.1, brow_tilt: 0, brow_height: 0, eye_open: 0.6, sneer: 0 });
    const truths = [-0.8, -0.4, 0, 0.3, 0.6].map((c) => captionTruth(happy, mouth(c), 0.15));
    for (let k = 1; k < truths.length; k++) expect(truths[k]!, `mouth curve step ${k}`).toBeGreaterThan(truths[k - 1]!);
    expect(truths[0]).toBeLessThan(0.05);
    expect(captionTruth(happy, mouth(0.85), 0.15)).toBe(1);
    expect(captionTruth(happy, mouth(0), 0)).toBe(0);
    const grey = { text: 'grey hair', claims: { 'hair colour': 'grey' } };
    expect(captionTruth(grey, face({ hair_length: 0.05, hair_greyness: 0.9 }), 0.15)).toBe(0);
    expect(captionTruth(grey, face({ hair_length: 0.6, hair_greyness: 0.6 }), 0.15)).toBeGreaterThan(0.1);
    const batch = [mouth(0), mouth(0.85)];
    // Caption j is written for face j mod 2: "neutral" for the neutral face, "happy" for the happy one.
    const { targets } = contrastiveTargets(
      [{ text: 'a neutral face', claims: { expression: 'neutral' } }, happy],
      batch,
      0.15,
    );
    expect(targets[0]! + targets[1]!).toBeCloseTo(1, 6);
    expect(targets[1]).toBeGreaterThan(0);
    expect(targets[1]).toBeLessThan(targets[0]!);
    expect(
      contrastiveTargets([{ text: 'a neutral face', claims: { expression: 'neutral' } }, happy], batch, 0).targets[1],
    ).toBe(0);
  });
});
