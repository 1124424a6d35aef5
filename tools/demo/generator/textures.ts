// Constant textures, computed once in JS and stored as [1,1,S,S] grids: hair strands, curls and
// stubble. They only modulate brightness, so they need no gradients of their own.

/** A deterministic hash of two integers to [0, 1). */
function hash(i: number, j: number, salt: number): number {
  let h = Math.imul(i, 0x27d4eb2d) ^ Math.imul(j, 0x165667b1) ^ Math.imul(salt, 0x9e3779b9);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Smooth value noise in [0, 1] with cells of the given size. */
function valueNoise(x: number, y: number, cell: number, salt: number): number {
  const u = x / cell;
  const v = y / cell;
  const i = Math.floor(u);
  const j = Math.floor(v);
  const fu = u - i;
  const fv = v - j;
  const su = fu * fu * (3 - 2 * fu);
  const sv = fv * fv * (3 - 2 * fv);
  const a = hash(i, j, salt) + (hash(i + 1, j, salt) - hash(i, j, salt)) * su;
  const b = hash(i, j + 1, salt) + (hash(i + 1, j + 1, salt) - hash(i, j + 1, salt)) * su;
  return a + (b - a) * sv;
}

/** Straight hair: strands radiating from the crown, 0 (light) … 1 (dark groove). */
export function strands(x: number, y: number): number {
  const angle = Math.atan2(x, y + 0.75);
  const phase = angle * 70 + 3 * valueNoise(x, y, 0.15, 1);
  return 0.55 * (0.5 + 0.5 * Math.sin(phase)) + 0.45 * valueNoise(angle * 4, y, 0.08, 2);
}

/** Curly hair: packed ringlets (jittered cells), dark between them, a lighter arc in each. */
export function ringlets(x: number, y: number): number {
  const cell = 0.075;
  const ci = Math.floor(x / cell);
  const cj = Math.floor(y / cell);
  let best = Infinity;
  let bx = 0;
  let by = 0;
  for (let di = -1; di <= 1; di++) {
    for (let dj = -1; dj <= 1; dj++) {
      const i = ci + di;
      const j = cj + dj;
      const px = (i + 0.2 + 0.6 * hash(i, j, 3)) * cell;
      const py = (j + 0.2 + 0.6 * hash(i, j, 4)) * cell;
      const d = Math.hypot(x - px, y - py);
      if (d < best) {
        best = d;
        bx = x - px;
        by = y - py;
      }
    }
  }
  const r = Math.min(1, best / (0.62 * cell));
  // A curl reads as a ring: light on its upper-left rim, dark in the gaps.
  const rim = Math.max(0, (-bx - by) / (best + 1e-6)) * Math.exp(-((r - 0.55) ** 2) / 0.05);
  return Math.min(1, Math.max(0, r ** 1.6 - 0.5 * rim));
}

/** Beard stubble: fine noise. */
export function stubble(x: number, y: number): number {
  return 0.6 * valueNoise(x, y, 0.02, 5) + 0.4 * valueNoise(x, y, 0.045, 6);
}
