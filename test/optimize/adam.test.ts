import { describe, expect, it } from 'vitest';
import { Adam } from '../../src/engine/optimize/adam.js';

describe('Adam', () => {
  it('first step moves each parameter by lr against the sign of its gradient (bias correction)', () => {
    const p = Float32Array.of(1, -2, 0.5);
    const adam = new Adam(3);
    adam.step(p, [0.5, -3, 1e-3], 0.1);
    expect(p[0]).toBeCloseTo(0.9, 6);
    expect(p[1]).toBeCloseTo(-1.9, 6);
    expect(p[2]).toBeCloseTo(0.4, 4);
    expect(adam.steps).toBe(1);
  });

  it('second step matches the formula by hand', () => {
    const p = Float64Array.of(0);
    const adam = new Adam(1);
    adam.step(p, [1], 0.1);
    adam.step(p, [3], 0.1);
    // first step: −lr·g/(|g| + ε); second: m = 0.9·0.1 + 0.1·3 = 0.39 → m̂ = 0.39/0.19; v = 0.999·0.001 + 0.001·9 = 0.009999 → v̂ = 0.009999/0.001999
    const mHat = 0.39 / 0.19;
    const vHat = 0.009999 / (1 - 0.999 ** 2);
    expect(p[0]).toBeCloseTo(-0.1 / (1 + 1e-8) - (0.1 * mHat) / (Math.sqrt(vHat) + 1e-8), 10);
  });

  it('minimizes an ill-conditioned quadratic', () => {
    const scales = [1, 10, 100, 0.5];
    const centre = [3, -1, 0.25, 2];
    const p = new Float32Array(4);
    const adam = new Adam(4);
    const loss = () => p.reduce((s, x, i) => s + 0.5 * scales[i]! * (x - centre[i]!) ** 2, 0);
    const start = loss();
    for (let i = 0; i < 2000; i++)
      adam.step(
        p,
        Array.from(p, (x, j) => scales[j]! * (x - centre[j]!)),
        0.05 * (1 - i / 2000),
      );
    expect(loss()).toBeLessThan(1e-6 * start);
    for (const [i, x] of Array.from(p).entries()) expect(x).toBeCloseTo(centre[i]!, 3);
  });

  it('refuses a non-finite gradient and mismatched sizes, naming where', () => {
    const adam = new Adam(2);
    expect(() => adam.step(new Float32Array(2), [0, NaN], 0.1)).toThrow(
      'Adam: the gradient is not finite (NaN) at index 1 on step 1',
    );
    expect(() => adam.step(new Float32Array(3), [0, 0, 0], 0.1)).toThrow(
      'Adam: expected 2 parameters and gradients, got 3 and 3',
    );
    expect(() => new Adam(2, { beta1: 1 })).toThrow('Adam: beta1 must be in [0, 1), got 1');
  });
});
