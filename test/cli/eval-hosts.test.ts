// `rete-clip-pae eval --hosts`: the paper's table on the demo bundle, every host once per target
// kind, printed as a table or as one JSON object per row; unknown hosts are named.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { REPO_ROOT } from '../paths.js';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['eval', ...args], {
    stdout: { write: (t) => (stdout += t) },
    stderr: { write: (t) => (stderr += t) },
    cwd: REPO_ROOT,
  });
  return { code, stdout, stderr };
}

const SHORT = ['--count', '1', '--seed', '9100', '--steps', '4', '--stylemc-faces', '1', '--stylemc-steps', '2'];

describe('eval --hosts', () => {
  it('prints one JSON row per host × target × edit with the fractions and timings', async () => {
    const r = await cli([
      '--hosts',
      'styleclip,naive,stylemc,global',
      '--targets',
      'text,pae',
      '--bundle',
      'public/models/demo',
      '--json',
      ...SHORT,
    ]);
    expect(r.stderr).not.toMatch(/rete-clip-pae eval:/);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((row) => `${row.host}/${row.target}`)).toEqual([
      'styleclip/text',
      'styleclip/pae',
      'naive/text',
      'naive/pae',
      'stylemc/text',
      'stylemc/pae',
      'global/text',
      'global/pae',
    ]);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([
        'host',
        'target',
        'edit',
        'success',
        'toward',
        'drift',
        'identity',
        'image_dist',
        'seconds_per_edit',
      ]);
      expect(row.edit).toBe('a happy face');
      for (const k of ['success', 'toward', 'drift', 'image_dist']) {
        expect(row[k]).toBeGreaterThanOrEqual(0);
        expect(row[k]).toBeLessThanOrEqual(1);
      }
      // The demo bundle has an identity network: the cosine of its embeddings before and after.
      expect(row.identity).toBeGreaterThan(0);
      expect(row.identity).toBeLessThanOrEqual(1 + 1e-6);
      expect(row.seconds_per_edit).toBeGreaterThan(0);
      // Every host changed the face.
      expect(row.image_dist).toBeGreaterThan(0.001);
    }
  });

  it('prints the table, and names an unknown host', async () => {
    const r = await cli(['--hosts', 'global', '--targets', 'text', '--bundle', 'public/models/demo', ...SHORT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/host\s+target\s+edit\s+success\s+toward\s+drift\s+identity\s+image dist\s+s\/edit/);
    expect(r.stdout).toMatch(/global\s+text\s+a happy face\s+\d+%\s+\d+%\s+[\d.]+%\s+[01]\.\d{3}\s+[\d.]+/);
    const bad = await cli(['--hosts', 'tedigan', '--bundle', 'public/models/demo']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--hosts: unknown host 'tedigan' \(choose from styleclip, naive, stylemc, global\)/);
  });
});
