// The shipped demo bundle must keep scoring above its model card's goals on faces it never trained on.
import { describe, expect, it } from 'vitest';
import { EDIT_GOAL, evaluateBundle, evaluateEdit, loadBundle } from '../../tools/demo/evaluate.js';
import { repoPath } from '../paths.js';

const HELD_OUT_SEED = 777;
const BUNDLE = repoPath('public', 'models', 'demo');

describe('shipped demo bundle quality', () => {
  it('zero-shot ≥ 90 % on every attribute group and encoder attribute error ≤ 0.1 on held-out faces', async () => {
    const report = await evaluateBundle(loadBundle(BUNDLE), HELD_OUT_SEED, 300, { quiet: true });
    for (const z of report.zeroShot) {
      expect(z.faces, z.group).toBeGreaterThan(100);
      expect(z.accuracy, `zero-shot ${z.group}`).toBeGreaterThanOrEqual(0.9);
    }
    expect(report.retrieval.imageToText).toBeGreaterThan(0.5);
    expect(report.reconstruction!.attributeError).toBeLessThanOrEqual(0.1);
  });

  it('a text target "a happy face" moves held-out random faces toward happy on ≥ 90 % of them in 100 steps', async () => {
    // 100 faces: on this bundle 92 % move toward happy and 93 % end happy (78 of the 80 that were not
    // happy before move toward it; the rest were happy already and stay happy).
    const edit = await evaluateEdit(BUNDLE, HELD_OUT_SEED, { faces: 100, quiet: true });
    expect([edit.prompt, edit.target, edit.steps]).toEqual([EDIT_GOAL.prompt, EDIT_GOAL.target, 100]);
    expect(edit.toward, 'moved toward happy').toBeGreaterThanOrEqual(EDIT_GOAL.toward);
    expect(edit.success, 'ended happy').toBeGreaterThanOrEqual(0.9);
    // Faces that were not happy before must be most of the set, or the measure says little.
    expect(edit.already).toBeLessThan(0.5);
  });
});
