// `rete-clip-pae eval-photos` on two of face-api's sample photos (linked from the installed package
// into a temporary folder, never copied into the repository) with the demo bundle and very few steps:
// every face is detected, inverted, edited and pasted back, the expression and recognition nets
// score the result, nothing outside the paste mask changes, and the table says the faces are
// caricatures.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askedExpression, type PhotoEvalReport } from '../../src/engine/optimize/eval-photos.js';
import { samplePath } from '../faces/photos.js';
import { REPO_ROOT } from '../paths.js';
import { runCli } from './run-cli.js';

const cli = (args: string[]) => runCli(['eval-photos', ...args], REPO_ROOT);

describe('eval-photos', () => {
  let root: string;
  let photos: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'eval-photos-'));
    photos = join(root, 'photos');
    mkdirSync(photos);
    for (const name of ['sample1.jpg', 'sample2.jpg']) symlinkSync(samplePath(name), join(photos, name));
    writeFileSync(join(photos, 'notes.txt'), 'not a photo');
    mkdirSync(join(root, 'empty'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('maps prompts to the expression they name', () => {
    expect(askedExpression('a happy face')).toBe('happy');
    expect(askedExpression('A Surprised face')).toBe('surprised');
    expect(() => askedExpression('a bald person')).toThrow(/must name one expression .*neutral, happy, sad/);
    expect(() => askedExpression('happy or sad')).toThrow(/names happy and sad/);
  });

  it('edits every face of the photos and measures expression, identity and the change outside the face', async () => {
    const { code, stdout, stderr } = await cli([photos, '--edits', 'a happy face', '--steps', '2', '--json']);
    expect(stderr).not.toMatch(/rete-clip-pae eval-photos:/);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as PhotoEvalReport;
    expect(report.photos.map((p) => p.name)).toEqual(['sample1.jpg', 'sample2.jpg']);
    const faces = report.photos.reduce((n, p) => n + p.faces, 0);
    expect(faces).toBeGreaterThanOrEqual(2);
    expect(report.cases).toHaveLength(faces * 2);
    for (const c of report.cases) {
      expect(c.asked).toBe('happy');
      expect(c.correct).toBe(c.after === 'happy');
      expect(c.identity).toBeGreaterThan(-1);
      expect(c.identity).toBeLessThanOrEqual(1 + 1e-6);
      // Paste-back leaves every pixel outside the mask as it was.
      expect(c.outside).toBe(0);
    }
    // The face did change: the pasted-back face is not the original one.
    expect(report.cases.some((c) => c.identity < 0.999)).toBe(true);
    expect(report.rows.map((r) => [r.target, r.faces])).toEqual([
      ['text', faces],
      ['pae', faces],
    ]);
    expect(report.notes.join(' ')).toMatch(/caricature/);
  }, 600_000);

  it('prints a table per target kind with the caricature note', async () => {
    const { code, stdout } = await cli([photos, '--edits', 'a sad face', '--targets', 'text', '--steps', '1']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^note: .*caricature/m);
    expect(stdout).toMatch(/target: text\nedit +asked +faces +accuracy +already +identity +outside\n-+/);
    expect(stdout).toMatch(/a sad face +sad +\d+ +\d+% +\d+% +-?\d\.\d{4} +0\.000000/);
  }, 600_000);

  it('says what is wrong with the command line or the folder', async () => {
    const bad = await cli([photos, '--edits', 'a bald person', '--steps', '1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/the edit "a bald person" must name one expression/);
    const empty = await cli([join(root, 'empty')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/has no photos \(\.jpg, \.jpeg, \.png, \.webp\)/);
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs exactly one folder/);
  });
});
