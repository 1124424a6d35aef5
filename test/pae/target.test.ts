import { describe, expect, it } from 'vitest';
import { augment, paeTarget, semanticBasis, TARGET_VARIANTS } from '../../src/engine/pae/index.js';
import { dot, expectClose, randomVector } from './helpers.js';

// Subspace spanned by "happy" = x and "sad" = y in a 3-D toy space; z is everything else.
const emotions = semanticBasis([Float32Array.of(1, 0, 0), Float32Array.of(0, 1, 0)], ['a happy face', 'a sad face']);
const image = Float32Array.of(0.6, 0, 0.8); // c = (0.6, 0)
const text = Float32Array.of(0, 0.6, 0.8); // d = (0, 0.6), P_W(e_T) = (0, 0.6, 0)

describe('PAE targets, hand-computed', () => {
  it('pae, α = 1: e_I − 0.6·b_happy + (0.6/0.6)·(0, 0.6, 0) = (0, 0.6, 0.8)', () => {
    const r = paeTarget({ image, text, subspace: emotions, alpha: 1, variant: 'pae' });
    expectClose(r.target, [0, 0.6, 0.8]);
    expectClose(r.before, [0.6, 0]);
    expectClose(r.targetCoefficients, [0, 0.6]);
  });

  it('pae, α = 2: (−0.6, 1.2, 0.8)/√2.44', () => {
    const r = paeTarget({ image, text, subspace: emotions, alpha: 2, variant: 'pae' });
    const n = Math.sqrt(2.44);
    expectClose(r.target, [-0.6 / n, 1.2 / n, 0.8 / n]);
  });

  it('pae subtracts |c_k| b_k, not c_k b_k: a negative coefficient grows', () => {
    const r = paeTarget({ image: Float32Array.of(-0.6, 0, 0.8), text, subspace: emotions, alpha: 1, variant: 'pae' });
    const n = Math.sqrt(2.44); // (−1.2, 0.6, 0.8)
    expectClose(r.target, [-1.2 / n, 0.6 / n, 0.8 / n]);
    expectClose(r.before, [-0.6, 0]);
  });

  it('pae-reference adds the full e_T: (0, 0.6, 1.6)/√2.92', () => {
    const r = paeTarget({ image, text, subspace: emotions, alpha: 1, variant: 'pae-reference' });
    const n = Math.sqrt(2.92);
    expectClose(r.target, [0, 0.6 / n, 1.6 / n]);
  });

  it('naive: (e_I + α e_T) normalized; text: e_T', () => {
    const naive = paeTarget({ image, text, subspace: emotions, alpha: 1, variant: 'naive' });
    const n = Math.sqrt(3.28);
    expectClose(naive.target, [0.6 / n, 0.6 / n, 1.6 / n]);
    const t = paeTarget({ image, text, subspace: emotions, alpha: 3, variant: 'text' });
    expectClose(t.target, [0, 0.6, 0.8]);
    expectClose(t.before, [0.6, 0]);
  });

  it('L2-normalizes the inputs first', () => {
    const scaled = paeTarget({
      image: image.map((v) => v * 5),
      text: text.map((v) => v * 0.3),
      subspace: emotions,
      alpha: 2,
      variant: 'pae',
    });
    const plain = paeTarget({ image, text, subspace: emotions, alpha: 2, variant: 'pae' });
    expectClose(scaled.target, plain.target);
    expectClose(scaled.before, plain.before);
  });
});

describe('PAE target properties', () => {
  const dim = 24;
  const corpus = Array.from({ length: 5 }, (_, i) => randomVector(300 + i, dim));
  const subspace = semanticBasis(corpus, ['p0', 'p1', 'p2', 'p3', 'p4']);
  const eI = randomVector(400, dim);
  // A target prompt near the corpus, so Σ d_k is far from zero.
  const eT = Float32Array.from(corpus[2]!, (v, i) => v + 0.2 * eI[i]!);

  it('α = 0 gives back e_I (normalized) for pae, pae-reference and naive', () => {
    const unitI = Float32Array.from(eI, (v) => v / Math.sqrt(dot(eI, eI)));
    for (const variant of ['pae', 'pae-reference', 'naive'] as const) {
      expectClose(paeTarget({ image: eI, text: eT, subspace, alpha: 0, variant }).target, unitI, 1e-6);
    }
  });

  for (const variant of ['pae', 'pae-reference'] as const) {
    it(`${variant} is homogeneous of degree 1 in e_I and of degree 0 in e_T`, () => {
      const base = augment(eI, eT, subspace, 1.5, variant).vector;
      const scaledImage = augment(
        eI.map((v) => v * 3),
        eT,
        subspace,
        1.5,
        variant,
      ).vector;
      const scaledText = augment(
        eI,
        eT.map((v) => v * 7),
        subspace,
        1.5,
        variant,
      ).vector;
      expectClose(
        scaledImage,
        base.map((v) => v * 3),
        1e-5,
      );
      expectClose(scaledText, base, 1e-5);
    });
  }

  it('pae leaves the part of e_I outside the subspace untouched', () => {
    const { vector } = augment(eI, eT, subspace, 4, 'pae');
    const delta = vector.map((v, i) => v - eI[i]!);
    // The change lies inside the subspace: removing its projection leaves nothing.
    const inside = new Float64Array(dim);
    for (let k = 0; k < subspace.n; k++) {
      const b = subspace.basis.subarray(k * dim, (k + 1) * dim);
      const c = dot(delta, b);
      for (let i = 0; i < dim; i++) inside[i]! += c * b[i]!;
    }
    expectClose(delta, inside, 1e-5);
  });

  it('the target always has unit length', () => {
    for (const variant of TARGET_VARIANTS) {
      const { target } = paeTarget({ image: eI, text: eT, subspace, alpha: 2.5, variant });
      expect(Math.sqrt(dot(target, target))).toBeCloseTo(1, 6);
    }
  });
});

describe('PAE target errors', () => {
  it('refuses a target prompt whose coefficients sum to zero', () => {
    const outside = Float32Array.of(0, 0, 1);
    expect(() => paeTarget({ image, text: outside, subspace: emotions, alpha: 1, variant: 'pae' })).toThrow(
      /^PAE: the target prompt's coefficients in this subspace sum to 0\.00e\+0/,
    );
    const opposite = Float32Array.of(0.6, -0.6, 0.5); // d = (0.6, −0.6): Σ d_k = 0
    expect(() => paeTarget({ image, text: opposite, subspace: emotions, alpha: 1, variant: 'pae-reference' })).toThrow(
      /sum to/,
    );
    // Nothing is moved at α = 0, so there is nothing to rescale and no error.
    expectClose(paeTarget({ image, text: outside, subspace: emotions, alpha: 0, variant: 'pae' }).target, image);
  });

  it('names other bad input', () => {
    expect(() => paeTarget({ image, text, subspace: emotions, alpha: -1, variant: 'pae' })).toThrow(
      'the strength α must be a finite number ≥ 0, got -1',
    );
    expect(() => paeTarget({ image, text, subspace: emotions, alpha: 1, variant: 'bogus' as 'pae' })).toThrow(
      'unknown target variant "bogus"',
    );
    expect(() =>
      paeTarget({ image: Float32Array.of(1, 0), text, subspace: emotions, alpha: 1, variant: 'pae' }),
    ).toThrow('the image embedding has 2 values, but the subspace lives in 3 dimensions');
    expect(() =>
      paeTarget({ image: Float32Array.of(0, 0, 0), text, subspace: emotions, alpha: 1, variant: 'pae' }),
    ).toThrow('the image embedding is the zero vector');
    expect(() =>
      paeTarget({ image, text: image.map((v) => -v), subspace: emotions, alpha: 1, variant: 'naive' }),
    ).toThrow('the naive target is the zero vector for α = 1');
  });
});
