// `rete-clip-pae eval` and the measurements behind it, on the tiny test bundle whose true
// attributes are a linear function of the latent: the class rule, the drift, the table, the CLI.
import { describe, expect, it } from 'vitest';
import { loadBundle, type AttributeInfo } from '../../src/engine/models/index.js';
import {
  attributeDrift,
  classMargin,
  classOf,
  formatEvalReport,
  movedToward,
  prototypeDistance,
  resolveEdit,
  runEval,
  EVAL_COLUMNS,
} from '../../src/engine/optimize/eval.js';
import { createNodeRuntime } from '../../src/engine/tensor/runtime-node.js';
import { tinyManifest, writeTinyBundle } from '../models/tiny-bundle.js';
import { REPO_ROOT } from '../paths.js';
import { readFile } from 'node:fs/promises';
import { runCli } from './run-cli.js';

const info = tinyManifest().generator.attributes as AttributeInfo;

const cli = (args: string[]) => runCli(['eval', ...args], REPO_ROOT);

describe('eval measurements', () => {
  it('maps an edit prompt to its class by the manifest prompts', () => {
    const happy = resolveEdit(info, 'a happy face');
    expect(happy).toMatchObject({ group: 'expression', className: 'happy', attributes: ['smile'] });
    expect(happy.corpus).toEqual({ labels: ['happy', 'sad'], prompts: ['a happy face', 'a sad face'] });
    expect(resolveEdit(info, 'A Sad Face ').className).toBe('sad');
    expect(resolveEdit(info, 'sad').className).toBe('sad');
    expect(() => resolveEdit(info, 'grey hair')).toThrow(
      /the edit "grey hair" matches no class of the generator; the classes are asked for with "a happy face" \(expression: happy\)/,
    );
    expect(() => resolveEdit(undefined, 'a happy face')).toThrow(/generator.attributes.classes/);
  });

  it('reads the class as the nearest prototype in units of each range, and the drift of the others', () => {
    expect(classOf(info, 'expression', [0.3, 0])).toBe('happy');
    expect(classOf(info, 'expression', [-0.1, 0.9])).toBe('sad');
    expect(() => classOf(info, 'hair', [0, 0])).toThrow(/no class group "hair"/);
    // grey moves by 0.4 of a range of 2; smile is the edited attribute and does not count.
    expect(attributeDrift(info, [0, 0.2], [0.5, -0.2], ['smile'])).toBeCloseTo(0.2, 12);
    expect(attributeDrift(info, [0, 0.2], [0.5, -0.2], [])).toBeCloseTo((0.25 + 0.2) / 2, 12);
  });

  it('measures the distance to a prototype in units of each range, the class margin, and whether an edit moved toward a class', () => {
    // A hand-made group of two attributes with different ranges: grey over [0, 1], length over [0, 4].
    const hair: AttributeInfo = {
      output: 'attributes',
      names: [
        { name: 'smile', min: -1, max: 1, group: 'expression' },
        { name: 'grey', min: 0, max: 1, group: 'hair' },
        { name: 'length', min: 0, max: 4, group: 'hair' },
      ],
      classes: {
        hair: {
          attributes: ['grey', 'length'],
          prototypes: { 'grey short': [1, 0], 'dark long': [0, 4] },
          prompts: {},
        },
      },
    } as AttributeInfo;
    // Off by 0.3 of grey's range and by 2 (half of length's range): √(0.3² + 0.5²); smile does not count.
    expect(prototypeDistance(hair, 'hair', 'grey short', [0.9, 0.7, 2])).toBeCloseTo(Math.hypot(0.3, 0.5), 12);
    expect(prototypeDistance(hair, 'hair', 'dark long', [-0.9, 0, 4])).toBe(0);
    // The same metric decides the class: length 2 is half its range from both prototypes, so grey decides.
    expect(classOf(hair, 'hair', [0, 0.6, 2])).toBe('grey short');
    expect(classOf(hair, 'hair', [0, 0.4, 2])).toBe('dark long');

    // The margin of a class: nearest other prototype's distance minus its own; 0 on the boundary.
    expect(classMargin(hair, 'hair', 'grey short', [0, 0.6, 2])).toBeCloseTo(
      Math.hypot(0.6, 0.5) - Math.hypot(0.4, 0.5),
      12,
    );
    expect(classMargin(hair, 'hair', 'dark long', [0, 0.5, 2])).toBeCloseTo(0, 12);

    // Toward "grey short": greyer and shorter is toward, even while still nearer "dark long"…
    const start = [0, 0.1, 3.6];
    expect(movedToward(hair, 'hair', 'grey short', start, [0.5, 0.3, 3])).toBe(true);
    expect(classOf(hair, 'hair', [0.5, 0.3, 3])).toBe('dark long');
    // …darker and longer is away, and so is a move that only trades one attribute against the other
    // (grey +0.2 of its range, length +2.0 = +0.5 of its range).
    expect(movedToward(hair, 'hair', 'grey short', start, [0, 0, 4])).toBe(false);
    expect(movedToward(hair, 'hair', 'grey short', [0, 0.5, 0], [0, 0.7, 2])).toBe(false);
    // Standing still is not toward; a face already in the class that moves further in is.
    expect(movedToward(hair, 'hair', 'grey short', start, start)).toBe(false);
    expect(movedToward(hair, 'hair', 'grey short', [0, 0.8, 0.4], [0, 0.9, 0.2])).toBe(true);
    // Crossing into the class counts even when the face ends farther from the class prototype.
    expect(prototypeDistance(hair, 'hair', 'grey short', [0, 1, 3.6])).toBeGreaterThan(
      prototypeDistance(hair, 'hair', 'grey short', [0, 0.5, 2]),
    );
    expect(classOf(hair, 'hair', [0, 1, 3.6])).toBe('grey short');
    expect(movedToward(hair, 'hair', 'grey short', [0, 0.5, 2], [0, 1, 3.6])).toBe(true);

    expect(() => prototypeDistance(hair, 'hair', 'bald', start)).toThrow(
      /no class "bald" in group "hair" \(classes: grey short, dark long\)/,
    );
    expect(() => prototypeDistance(hair, 'beard', 'grey short', start)).toThrow(
      /no class group "beard" \(groups: hair\)/,
    );
    expect(() => movedToward(hair, 'hair', 'grey short', [0, 1], start)).toThrow(/expected 3 attribute values, got 2/);
  });

  it('edits faces with each target and computes success from the true attributes', async () => {
    const dir = await writeTinyBundle();
    const bundle = await loadBundle(dir, {
      runtime: await createNodeRuntime(),
      loadBytes: async (p) => new Uint8Array(await readFile(p)),
    });
    const settings = {
      seed: 5,
      count: 4,
      edits: ['a happy face'],
      targets: ['text', 'pae'] as const,
      steps: 8,
      lr: 0.1,
      lambdaL2: 0,
      alpha: 4,
      truncation: 0.7,
    };
    const report = await runEval(bundle, { ...settings, targets: [...settings.targets] });
    expect(report.cases).toHaveLength(8);
    for (const c of report.cases) {
      // The tiny classes: happy is smile = 1, sad is smile = −1, so the class is the sign of smile.
      expect(c.before).toBe(c.attributesBefore[0]! > 0 ? 'happy' : 'sad');
      expect(c.after).toBe(c.attributesAfter[0]! > 0 ? 'happy' : 'sad');
      expect(c.success).toBe(c.attributesAfter[0]! > 0);
      // Toward happy: with two classes at smile ±1, happy's margin is the smile itself, so the smile grew.
      expect(c.toward).toBe(c.attributesAfter[0]! > c.attributesBefore[0]!);
      expect(c.drift).toBeCloseTo(Math.abs(c.attributesAfter[1]! - c.attributesBefore[1]!) / 2, 6);
      expect(c.latentDistance).toBeGreaterThan(0);
    }
    expect(report.cases.map((c) => c.seed)).toEqual([5, 5, 6, 6, 7, 7, 8, 8]);
    expect(report.rows.map((r) => [r.target, r.edit, r.asked, r.faces])).toEqual([
      ['text', 'a happy face', 'expression: happy', 4],
      ['pae', 'a happy face', 'expression: happy', 4],
    ]);
    for (const row of report.rows) {
      const mine = report.cases.filter((c) => c.target === row.target);
      expect(row.success).toBeCloseTo(mine.filter((c) => c.success).length / 4, 12);
      expect(row.toward).toBeCloseTo(mine.filter((c) => c.toward).length / 4, 12);
      expect(row.already).toBeCloseTo(mine.filter((c) => c.before === 'happy').length / 4, 12);
    }
    const table = formatEvalReport(report);
    const lines = table.split('\n');
    expect(table).toContain('toward: the asked class wins by more (or loses by less) than before');
    for (const target of ['text', 'pae']) {
      const at = lines.indexOf(`target: ${target}`);
      expect(at).toBeGreaterThan(0);
      expect(lines[at + 1]!.split(/\s{2,}/)).toEqual([...EVAL_COLUMNS]);
      expect(lines[at + 1]).toMatch(/ success +toward +already /);
      expect(lines[at + 2]).toMatch(/^-+( +-+){8}$/);
      const row = report.rows.find((r) => r.target === target)!;
      expect(lines[at + 3]!.split(/\s{2,}/).map((s) => s.trim())).toEqual([
        'a happy face',
        'expression: happy',
        '4',
        `${Math.round(100 * row.success)}%`,
        `${Math.round(100 * row.toward)}%`,
        `${Math.round(100 * row.already)}%`,
        `${(100 * row.drift).toFixed(1)}%`,
        row.latentDistance.toFixed(3),
        row.imageDistance.toFixed(4),
      ]);
    }
    await bundle.release();
  });
});

describe('rete-clip-pae eval', () => {
  it('prints one table per target kind, or the report as JSON', async () => {
    const dir = await writeTinyBundle();
    const r = await cli(['--bundle', dir, '--count', '2', '--steps', '3', '--targets', 'text,naive', '--seed', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^eval: 2 faces from seed 3 \(truncation 0.7\), 3 steps, lr 0.1, λ_L2 0.008, α 4$/m);
    expect(r.stdout).toContain('target: text\nedit ');
    expect(r.stdout).toContain('target: naive\nedit ');
    expect(r.stdout).not.toContain('target: pae');
    expect(r.stderr).toMatch(/\[4\/4\] face 4 "a happy face" naive: (happy|sad) → (happy|sad)/);

    const json = await cli(['--bundle', dir, '--count', '1', '--steps', '2', '--json', '--alpha', '2']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.settings).toMatchObject({ seed: 1000, count: 1, alpha: 2, targets: ['text', 'pae'] });
    expect(report.cases).toHaveLength(2);
  });

  it('explains bad options and edits', async () => {
    const count = await cli(['--count', 'many']);
    expect(count.code).toBe(2);
    expect(count.stderr).toContain("--count needs a whole number, got 'many'");
    const target = await cli(['--targets', 'text,clip']);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain(
      "--targets: unknown target kind 'clip' (choose from pae, pae-reference, naive, text)",
    );
    const dir = await writeTinyBundle();
    const edit = await cli(['--bundle', dir, '--edits', 'grey hair']);
    expect(edit.code).toBe(1);
    expect(edit.stderr).toContain('the edit "grey hair" matches no class of the generator');
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--alpha a');
  });
});
