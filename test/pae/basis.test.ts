import { describe, expect, it } from 'vitest';
import {
  coefficients,
  direction,
  pcaBasis,
  project,
  semanticBasis,
  symmetricEigen,
  type Subspace,
} from '../../src/engine/pae/index.js';
import { dot, expectClose, randomVector } from './helpers.js';

function expectOrthonormal(s: Subspace, tolerance = 1e-6) {
  for (let i = 0; i < s.n; i++) {
    for (let j = 0; j < s.n; j++) {
      const g = dot(direction(s, i), direction(s, j));
      expect(Math.abs(g - (i === j ? 1 : 0))).toBeLessThan(tolerance);
    }
  }
}

describe('semantic basis (Gram–Schmidt in corpus order)', () => {
  it('normalizes, orthogonalizes in order and keeps each prompt as the name of its direction', () => {
    const s = semanticBasis(
      [Float32Array.of(2, 0, 0), Float32Array.of(1, 1, 0), Float32Array.of(1, 1, 1)],
      ['happy', 'sad', 'angry'],
    );
    expect(s.method).toBe('semantic');
    expect([s.n, s.dim]).toEqual([3, 3]);
    expect(s.labels).toEqual(['happy', 'sad', 'angry']);
    expectClose(s.basis, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(s.notes).toEqual([]);
  });

  it('is orthonormal for a realistic corpus', () => {
    const corpus = Array.from({ length: 6 }, (_, i) => randomVector(10 + i, 64));
    const s = semanticBasis(corpus, ['a', 'b', 'c', 'd', 'e', 'f']);
    expect(s.n).toBe(6);
    expectOrthonormal(s);
    // Direction k lies in the span of prompts 0..k: prompt 0 is direction 0 exactly.
    const first = Float32Array.from(corpus[0]!, (v) => v / Math.sqrt(dot(corpus[0]!, corpus[0]!)));
    expectClose(direction(s, 0), first);
  });

  it('drops a prompt that adds no direction and says so', () => {
    const s = semanticBasis(
      [Float32Array.of(1, 0, 0), Float32Array.of(0, 1, 0), Float32Array.of(3, -2, 0), Float32Array.of(0, 0, 5)],
      ['a', 'b', 'c', 'd'],
    );
    expect(s.labels).toEqual(['a', 'b', 'd']);
    expect(s.n).toBe(3);
    expect(s.notes).toHaveLength(1);
    expect(s.notes[0]).toMatch(/^dropped "c": it lies in the span of the prompts before it/);
    expectOrthonormal(s);
  });

  it('names bad input', () => {
    expect(() => semanticBasis([Float32Array.of(1, 0)], ['a', 'b'])).toThrow(
      'semantic basis: 1 embeddings but 2 labels',
    );
    expect(() => semanticBasis([Float32Array.of(1, 0), Float32Array.of(1, 0, 0)], ['a', 'b'])).toThrow(
      'embedding of "b" has 3 values, but embedding of "a" has 2',
    );
    expect(() => semanticBasis([Float32Array.of(0, 0)], ['silent'])).toThrow(
      'embedding of "silent" is the zero vector',
    );
    expect(() => semanticBasis([Float32Array.of(NaN, 0)], ['broken'])).toThrow(
      'embedding of "broken" has a non-finite value (NaN) at index 0',
    );
    expect(() => semanticBasis([], [])).toThrow('the list is empty');
  });
});

describe('projection', () => {
  it('computes uncentred coefficients and P_W(v) = Σ (v·b_k) b_k', () => {
    const s = semanticBasis([Float32Array.of(1, 0, 0), Float32Array.of(0, 1, 0)], ['x', 'y']);
    const v = Float32Array.of(0.3, -0.4, 2);
    expectClose(coefficients(v, s), [0.3, -0.4]);
    expectClose(project(v, s), [0.3, -0.4, 0]);
    expect(() => coefficients(Float32Array.of(1, 2), s, 'the image embedding')).toThrow(
      'the image embedding has 2 values, but the subspace lives in 3 dimensions',
    );
  });

  it('is idempotent and leaves an orthogonal residual', () => {
    const s = semanticBasis([randomVector(1, 32), randomVector(2, 32), randomVector(3, 32)], ['a', 'b', 'c']);
    const v = randomVector(4, 32);
    const p = project(v, s);
    expectClose(project(p, s), p, 1e-6);
    const residual = v.map((x, i) => x - p[i]!);
    for (let k = 0; k < s.n; k++) expect(Math.abs(dot(residual, direction(s, k)))).toBeLessThan(1e-6);
  });
});

describe('symmetric eigen-decomposition', () => {
  it('solves a 2×2 case by hand: [[2,1],[1,2]] has 3 along (1,1)/√2 and 1 along (1,−1)/√2', () => {
    const e = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
    expectClose(e.values, [3, 1], 1e-12);
    const r = Math.SQRT1_2;
    expectClose(e.vectors.slice(0, 2).map(Math.abs), [r, r], 1e-12);
    expect(e.vectors[2]! * e.vectors[3]!).toBeCloseTo(-0.5, 12);
  });

  it('reconstructs a random symmetric matrix', () => {
    const n = 12;
    const r = randomVector(99, n * n);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = r[i * n + j]! + r[j * n + i]!;
    const { values, vectors } = symmetricEigen(a, n);
    for (let k = 1; k < n; k++) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += values[k]! * vectors[k * n + i]! * vectors[k * n + j]!;
        expect(Math.abs(s - a[i * n + j]!)).toBeLessThan(1e-10);
      }
    }
  });
});

/** Covariance of the standardized rows (population statistics), computed directly. */
function standardizedCovariance(rows: Float32Array[]): { cov: Float64Array; d: number } {
  const m = rows.length;
  const d = rows[0]!.length;
  const z = rows.map((r) => Float64Array.from(r));
  for (let j = 0; j < d; j++) {
    const mean = z.reduce((s, r) => s + r[j]!, 0) / m;
    const std = Math.sqrt(z.reduce((s, r) => s + (r[j]! - mean) ** 2, 0) / m);
    for (const r of z) r[j] = (r[j]! - mean) / std;
  }
  const cov = new Float64Array(d * d);
  for (const r of z) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b]! += (r[a]! * r[b]!) / m;
  return { cov, d };
}

describe('PCA basis', () => {
  it('standardizes each dimension first: a 4×2 corpus with correlation 0.6 gives (1,1)/√2 whatever the scales', () => {
    // x = 1,2,3,4 and y = 20,10,40,30: var(x) = 1.25, var(y) = 125, corr = 0.6. Without
    // standardization the first component would point almost along y.
    const corpus = [Float32Array.of(1, 20), Float32Array.of(2, 10), Float32Array.of(3, 40), Float32Array.of(4, 30)];
    const s = pcaBasis(corpus, 1, undefined, { normalize: false });
    expect(s.method).toBe('pca');
    expectClose(s.basis, [Math.SQRT1_2, Math.SQRT1_2], 1e-6);
    expect(s.labels).toEqual(['PC1']);
    expect(s.notes).toEqual(['1 components explain 80.0% of the standardized corpus variance']);
    // Projection stays uncentred: the coefficient is the plain dot product with the raw vector.
    expectClose(coefficients(Float32Array.of(1, 20), s), [21 * Math.SQRT1_2], 1e-5);
  });

  for (const [m, d] of [
    [5, 8],
    [10, 3],
  ] as const) {
    it(`returns orthonormal eigenvectors of the standardized covariance, largest first (${m} prompts, ${d} dims)`, () => {
      const corpus = Array.from({ length: m }, (_, i) => randomVector(200 + i, d));
      const n = Math.min(m - 1, d);
      const s = pcaBasis(corpus, n, undefined, { normalize: false });
      expectOrthonormal(s, 1e-6);
      const { cov } = standardizedCovariance(corpus);
      let previous = Infinity;
      for (let k = 0; k < n; k++) {
        const b = direction(s, k);
        const cb = Array.from({ length: d }, (_, a) => dot(cov.subarray(a * d, (a + 1) * d), b));
        const lambda = dot(cb, b);
        expectClose(
          cb,
          Array.from(b, (x) => lambda * x),
          1e-5,
        );
        expect(lambda).toBeLessThanOrEqual(previous + 1e-9);
        previous = lambda;
        // Sign convention: the entry of largest magnitude is positive.
        const big = Array.from(b).reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
        expect(big).toBeGreaterThan(0);
      }
    });
  }

  it('normalizes embeddings by default and names components after the prompt that points along them', () => {
    const corpus = [
      Float32Array.of(10, 0, 1),
      Float32Array.of(0, 1, 0.1),
      Float32Array.of(-1, 0.2, 0),
      Float32Array.of(0.3, -0.2, 0.9),
    ];
    const raw = corpus.map((v) => Float32Array.from(v, (x) => x / Math.sqrt(dot(v, v))));
    const a = pcaBasis(corpus, 2, ['w', 'x', 'y', 'z']);
    const b = pcaBasis(raw, 2, ['w', 'x', 'y', 'z'], { normalize: false });
    expectClose(a.basis, b.basis, 1e-6);
    expect(a.labels).toHaveLength(2);
    for (const [k, label] of a.labels.entries()) {
      expect(label).toMatch(new RegExp(`^PC${k + 1} · [wxyz]$`));
      const named = raw[['w', 'x', 'y', 'z'].indexOf(label.slice(-1))]!;
      for (const other of raw)
        expect(dot(direction(a, k), named)).toBeGreaterThanOrEqual(dot(direction(a, k), other) - 1e-9);
    }
  });

  it('refuses more components than the corpus has directions of variance', () => {
    expect(() => pcaBasis([Float32Array.of(1, 0, 0), Float32Array.of(0, 1, 0), Float32Array.of(0, 0, 1)], 3)).toThrow(
      'PCA basis: asked for 3 components, but a corpus of 3 prompts in 3 dimensions has at most 2 directions of variance',
    );
    expect(() => pcaBasis([Float32Array.of(1, 0)], 0)).toThrow('whole number ≥ 1, got 0');
    expect(() => pcaBasis([Float32Array.of(1, 0, 0), Float32Array.of(1, 0, 0), Float32Array.of(1, 0, 0)], 1)).toThrow(
      'PCA basis: component 1 carries no variance',
    );
  });
});
