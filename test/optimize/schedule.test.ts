import { describe, expect, it } from 'vitest';
import { learningRateAt, styleClipLr } from '../../src/engine/optimize/schedule.js';

describe("StyleCLIP's learning-rate schedule (rampup 0.05, rampdown 0.25)", () => {
  it('matches hand-computed values', () => {
    expect(styleClipLr(0, 0.1)).toBe(0); // warm-up starts at zero
    expect(styleClipLr(0.025, 0.1)).toBeCloseTo(0.05, 12); // half-way through the warm-up
    expect(styleClipLr(0.5, 0.1)).toBeCloseTo(0.1, 12); // plateau
    // (1 − 0.9)/0.25 = 0.4 → 0.5 − 0.5·cos(0.4π) = 0.5 − 0.5·0.30901699 = 0.34549150
    expect(styleClipLr(0.9, 0.1)).toBeCloseTo(0.03454915, 9);
    expect(styleClipLr(1, 0.1)).toBeCloseTo(0, 12);
  });

  it('takes step/steps and custom ramps', () => {
    expect(learningRateAt(150, 300, 0.1)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(3, 300, 0.1)).toBeCloseTo(0.02, 12);
    expect(styleClipLr(0.1, 1, { rampup: 0.2, rampdown: 0.5 })).toBeCloseTo(0.5, 12);
  });

  it('names bad input', () => {
    expect(() => styleClipLr(1.5, 0.1)).toThrow('progress must be in [0, 1], got 1.5');
    expect(() => learningRateAt(4, 3, 0.1)).toThrow('step must be a whole number in [0, 3], got 4');
    expect(() => learningRateAt(0, 0, 0.1)).toThrow('steps must be a whole number ≥ 1, got 0');
  });
});
