// `rete-clip-pae eval-photos --hosts`: `eval --hosts`' table with the faces of one of face-api's
// sample photos (linked from the installed package into a temporary folder), inverted with the demo
// bundle's encoder; an optimization host and global directions, both targets, very few steps. An
// unknown host is a usage error, and a bundle without a StyleSpace is named with the missing section.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePath } from '../faces/photos.js';
import { REPO_ROOT } from '../paths.js';
import { runCli } from './run-cli.js';

const cli = (args: string[]) => runCli(['eval-photos', ...args], REPO_ROOT);
const DEMO = join(REPO_ROOT, 'public/models/demo');
const SHORT = ['--edits', 'a happy face', '--steps', '3'];
const KEYS = ['host', 'target', 'edit', 'success', 'toward', 'drift', 'identity', 'image_dist', 'seconds_per_edit'];

describe('eval-photos --hosts', () => {
  let root: string;
  let photos: string;
  let noStyles: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'eval-photos-hosts-'));
    photos = join(root, 'photos');
    mkdirSync(photos);
    symlinkSync(samplePath('sample2.jpg'), join(photos, 'sample2.jpg'));
    // The demo bundle without its StyleSpace: the same model files, a manifest without the section.
    noStyles = join(root, 'demo-without-stylespace');
    mkdirSync(noStyles);
    for (const f of readdirSync(DEMO)) if (f !== 'manifest.json') symlinkSync(join(DEMO, f), join(noStyles, f));
    const manifest = JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8'));
    manifest.name = 'demo-without-stylespace';
    delete manifest.styleSpace;
    writeFileSync(join(noStyles, 'manifest.json'), JSON.stringify(manifest));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prints one JSON row per host × target × edit, measured on the inverted faces', async () => {
    const r = await cli([photos, '--hosts', 'styleclip,global', '--targets', 'text,pae', '--json', ...SHORT]);
    expect(r.stderr).not.toMatch(/rete-clip-pae eval-photos:/);
    expect(r.code).toBe(0);
    // Progress names every face of the photo: 2 hosts × 2 targets × 1 edit per face.
    const total = Number(/\[1\/(\d+)\] sample2\.jpg face 1 "a happy face" styleclip\/text:/.exec(r.stderr)?.[1]);
    expect(total % 4).toBe(0);
    const faces = total / 4;
    expect(faces).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toContain(`[${total}/${total}] sample2.jpg face ${faces} "a happy face" global/pae:`);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((row) => `${row.host}/${row.target}/${row.edit}`)).toEqual([
      'styleclip/text/a happy face',
      'styleclip/pae/a happy face',
      'global/text/a happy face',
      'global/pae/a happy face',
    ]);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(KEYS);
      for (const k of ['success', 'toward', 'drift', 'image_dist']) {
        expect(row[k]).toBeGreaterThanOrEqual(0);
        expect(row[k]).toBeLessThanOrEqual(1);
      }
      // Success and toward are fractions of the photo's faces.
      for (const k of ['success', 'toward']) expect(row[k] * faces).toBeCloseTo(Math.round(row[k] * faces), 6);
      // The demo bundle has an identity network: the cosine of its embeddings of inversion and edit.
      expect(row.identity).toBeGreaterThan(-1);
      expect(row.identity).toBeLessThanOrEqual(1 + 1e-6);
      expect(row.seconds_per_edit).toBeGreaterThan(0);
      // Every host changed the inverted face.
      expect(row.image_dist).toBeGreaterThan(1e-4);
      expect(row.identity).toBeLessThan(1 - 1e-6);
    }
  }, 600_000);

  it('prints the table with the note on what the measures of a photo mean', async () => {
    const r = await cli([photos, '--hosts', 'global', '--targets', 'text', ...SHORT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^eval-photos: \d+ faces? of 1 photo, inverted with the bundle's encoder/);
    expect(r.stdout).toMatch(/^note: .*true attributes are those the generator gives its inversion/m);
    expect(r.stdout).toMatch(/host\s+target\s+edit\s+success\s+toward\s+drift\s+identity\s+image dist\s+s\/edit\n-+/);
    expect(r.stdout).toMatch(/global\s+text\s+a happy face\s+\d+%\s+\d+%\s+[\d.]+%\s+-?[01]\.\d{3}\s+[\d.]+\s+[\d.]+/);
  }, 600_000);

  it('names an unknown host, an edit the generator has no class for, and a bundle without a StyleSpace', async () => {
    const unknown = await cli([photos, '--hosts', 'styleclip,tedigan', ...SHORT]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--hosts: unknown host 'tedigan' \(choose from styleclip, naive, stylemc, global\)/);
    const classless = await cli([photos, '--hosts', 'styleclip', '--edits', 'a person in a hat', '--steps', '1']);
    expect(classless.code).toBe(1);
    expect(classless.stderr).toMatch(/the edit "a person in a hat" matches no class of the generator/);
    for (const host of ['global', 'stylemc']) {
      const r = await cli([photos, '--hosts', host, '--bundle', noStyles, ...SHORT]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /eval-photos: bundle "demo-without-stylespace" has no StyleSpace \(no "styleSpace" section in its manifest/,
      );
    }
  }, 600_000);
});
