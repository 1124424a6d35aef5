// Seeded randomness, one module for the whole tree: the same seed gives the same numbers in the
// browser, in Node, in the demo model build and in the tests, on every JS engine (32-bit integer
// arithmetic only). Two word generators, each kept because streams already depend on it:
// - mulberry32: Random Face's latents (`gaussian`) and the demo generator's fixed weights;
// - xoshiro128** seeded by splitmix32: the demo build (data, training, evaluation), with fork().

/** A stream of uniformly distributed unsigned 32-bit words. */
export type WordStream = () => number;

/** mulberry32 from a raw 32-bit state. */
export function mulberry32Words(state: number): WordStream {
  let s = state >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** xoshiro128** with its four words of state filled by splitmix32 from the seed. */
export function xoshiro128Words(seed: number): WordStream {
  const s = new Uint32Array(4);
  let x = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    s[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const WORD = 4294967296;

/** Uniform numbers in [0, 1) from mulberry32 with `seed` as its state. */
export function mulberry32(seed: number): () => number {
  const words = mulberry32Words(seed);
  return () => words() / WORD;
}

/** `n` standard normal samples for `seed` (Random Face: the same seed, the same face everywhere). */
export function gaussian(seed: number, n: number): Float32Array {
  if (!Number.isInteger(seed)) throw new Error(`seed must be a whole number, got ${seed}`);
  const uniform = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // 1 − u keeps the logarithm away from log(0).
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}

/** Which word generator an Rng draws from, and how it turns a seed into its state. */
export type RngKind = 'xoshiro128**' | 'mulberry32';

const KINDS: Record<RngKind, (seed: number) => WordStream> = {
  'xoshiro128**': xoshiro128Words,
  // The seed is mixed first, so small seeds do not start from nearby states.
  mulberry32: (seed) => mulberry32Words((Math.floor(seed) ^ 0x6d2b79f5) >>> 0),
};

/** A seeded source of uniform, integer, normal and shuffled draws. */
export class Rng {
  private readonly words: WordStream;
  private spare: number | null = null;

  constructor(
    seed: number,
    readonly kind: RngKind = 'xoshiro128**',
  ) {
    if (!Number.isFinite(seed)) throw new Error(`random seed must be a finite number, got ${seed}`);
    this.words = KINDS[kind](seed);
  }

  /** A child stream of the same kind, independent of this one's later draws (one task of a build, e.g. "data"). */
  fork(label: string): Rng {
    let h = 2166136261;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619) >>> 0;
    return new Rng((this.nextU32() ^ h) >>> 0, this.kind);
  }

  nextU32(): number {
    return this.words();
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.words() / WORD;
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u <= 1e-12) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  normals(n: number, scale = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * scale;
    return out;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}
