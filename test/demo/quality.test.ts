// The shipped demo bundle must keep scoring above the goals on faces it never trained on.
import { describe, expect, it } from 'vitest';
import { evaluateBundle, loadBundle } from '../../tools/demo/evaluate.js';

const HELD_OUT_SEED = 777;

describe('shipped demo bundle quality', () => {
  it('zero-shot ≥ 90 % on every attribute group and encoder attribute error ≤ 0.1 on held-out faces', async () => {
    const report = await evaluateBundle(loadBundle('public/models/demo'), HELD_OUT_SEED, 300, { quiet: true });
    for (const z of report.zeroShot) {
      expect(z.faces, z.group).toBeGreaterThan(100);
      expect(z.accuracy, `zero-shot ${z.group}`).toBeGreaterThanOrEqual(0.9);
    }
    expect(report.retrieval.imageToText).toBeGreaterThan(0.5);
    expect(report.reconstruction!.attributeError).toBeLessThanOrEqual(0.1);
  });
});
