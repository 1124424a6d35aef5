// The edit goal of models:eval and MODEL_CARD.md: random faces edited toward "a happy face" with a
// text target through the app's loader and optimizer, the table and goal line it prints, and the
// card's goal list.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/engine/models/index.js';
import { DEFAULT_EVAL, runEval } from '../../src/engine/optimize/eval.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import { QUICK } from '../../tools/demo/config.js';
import {
  EDIT_GOAL,
  editGoalLine,
  evaluateEdit,
  formatReport,
  type EditEval,
  type EvalReport,
} from '../../tools/demo/evaluate.js';
import { modelCard } from '../../tools/demo/model-card.js';
import { writeTinyBundle } from '../models/tiny-bundle.js';

function report(edit?: EditEval): EvalReport {
  return {
    seed: 2024,
    count: 10,
    zeroShot: [{ group: 'expression', classes: 7, faces: 10, correct: 9, accuracy: 0.9 }],
    zeroShotRandom: [{ group: 'expression', classes: 7, faces: 8, correct: 7, accuracy: 0.875 }],
    retrieval: { imageToText: 0.6, textToImage: 0.5, faces: 10 },
    reconstruction: null,
    edit,
  };
}

const edit = (toward: number, success: number): EditEval => ({
  prompt: 'a happy face',
  target: 'text',
  faces: 50,
  truncation: 0.7,
  steps: 100,
  lr: 0.1,
  lambdaL2: 0.008,
  success,
  toward,
  already: 0.12,
  drift: 0.034,
});

describe('edit goal of the demo bundle evaluation', () => {
  it('edits the faces of the eval seed with a text target, as rete-clip-pae eval does with the same settings', async () => {
    const dir = await writeTinyBundle();
    const e = await evaluateEdit(dir, 40, { faces: 3, steps: 4, quiet: true });
    expect(e).toMatchObject({
      prompt: 'a happy face',
      target: 'text',
      faces: 3,
      steps: 4,
      truncation: DEFAULT_EVAL.truncation,
      lr: DEFAULT_EVAL.lr,
      lambdaL2: DEFAULT_EVAL.lambdaL2,
    });

    const bundle = await loadBundle(dir, {
      runtime: await createNodeRuntime(),
      loadBytes: async (p) => new Uint8Array(await readFile(p)),
    });
    const direct = await runEval(bundle, {
      ...DEFAULT_EVAL,
      seed: 40,
      count: 3,
      edits: ['a happy face'],
      targets: ['text'],
      steps: 4,
    });
    await bundle.release();
    const row = direct.rows[0]!;
    expect([e.success, e.toward, e.already]).toEqual([row.success, row.toward, row.already]);
    expect(e.drift).toBeCloseTo(row.drift, 6);
    // Some face must have moved: a measure stuck at 0 would pass the comparison above too.
    expect(direct.cases.some((c) => c.latentDistance > 0)).toBe(true);
    expect(editGoalLine({ ...e, steps: 100 })).toMatch(
      /^Edit goal \("a happy face", text target, 100 steps: true expression moves toward happy on ≥ 90 % of random faces\): (met|not met)$/,
    );
  });

  it('prints a table and the goal line (met at ≥ 90 % toward happy), with the ends-happy share', () => {
    const notMet = formatReport(report(edit(0.76, 0.62)));
    expect(notMet).toContain('| edit "a happy face" (text target, 100 steps, 50 random faces at ψ = 0.7) | value |');
    expect(notMet).toContain('|  76.0 % ✗ |');
    expect(notMet).toContain('| ends happy (true expression class after the edit) |  62.0 % |');
    expect(notMet).toContain('| already happy before the edit |  12.0 % |');
    expect(notMet).toContain('|   3.4 % |');
    expect(notMet).toContain(
      'Edit goal ("a happy face", text target, 100 steps: true expression moves toward happy on ≥ 90 % of random faces): not met; the true class ends happy on 62.0 % of them.',
    );
    const met = formatReport(report(edit(EDIT_GOAL.toward, 0.8)));
    expect(met).toContain('|  90.0 % |');
    expect(met).toContain('of random faces): met; the true class ends happy on 80.0 % of them.');
    expect(formatReport(report())).not.toContain('Edit goal');
  });

  it('lists the edit goal in the model card: met, not met, or not measured', () => {
    const info = {
      seed: 1,
      quick: true,
      corpusFaces: 48,
      parameters: { clipImage: 1, clipText: 1, encoder: 1 },
      clipSteps: 3,
      encoderSteps: 3,
    };
    const clip = { ...QUICK.clip.shape, vocabSize: 20 };
    const enc = { ...QUICK.encoder.shape, layers: 6, dim: 32 };
    const goal =
      '- With a text target ("a happy face"), 100 optimization steps move the true expression toward happy on ≥ 90 % of random faces:';
    const met = modelCard(info, clip, enc, QUICK, report(edit(0.94, 0.9)));
    expect(met).toContain(`${goal} **met** (94.0 % of 50 faces; 90.0 % end happy).`);
    expect(met).toContain('--seed 2024 --count 10 --edit-faces 50`');
    expect(met).toContain('Edit: 50 random faces of the app (seeds 2024, 2025, …, truncation ψ = 0.7');
    expect(modelCard(info, clip, enc, QUICK, report(edit(0.5, 0.3)))).toContain(
      `${goal} **not met** (50.0 % of 50 faces; 30.0 % end happy).`,
    );
    const none = modelCard(info, clip, enc, QUICK, report());
    expect(none).toContain(`${goal} **not measured**.`);
    expect(none).toContain('--edit-faces 0`');
  });
});
