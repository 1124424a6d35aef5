// The committed PyTorch fixtures are what their scripts make: each script runs again into a temp
// folder and must write the same files. Weights, inputs and seeds come from torch's seeded CPU
// generator and must match byte for byte, and so must model.onnx and fixture.json; the outputs and
// gradients PyTorch computes may differ in the last bits where its kernels pick another vector width
// on another CPU, so they are compared to 1e-5 (the autodiff tests allow 1e-3).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTorchPython } from '../../tools/setup/test-env.js';
import { repoPath } from '../paths.js';
import { FIXTURE_ROOT, relErr, UNSEEN_ROOT } from './fixtures.js';

const COMPUTED = /^(output|grad|grad_param)\./;

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

function regenerate(script: string, committed: string) {
  const python = findTorchPython();
  if (!python)
    throw new Error(
      'no python3 with torch and onnx: run `npm test` (its pretest installs python3-torch python3-onnx) or set PYTHON',
    );
  const out = mkdtempSync(join(tmpdir(), 'fixtures-'));
  execFileSync(python, [repoPath('tools', 'fixtures', script), out], { stdio: ['ignore', 'ignore', 'pipe'] });
  const names = files(committed);
  expect(files(out), `${script}: the files it writes`).toEqual(names);
  let identical = 0;
  for (const name of names) {
    const want = readFileSync(join(committed, name));
    const got = readFileSync(join(out, name));
    if (want.equals(got)) {
      identical++;
      continue;
    }
    const base = name.slice(name.lastIndexOf('/') + 1);
    expect(COMPUTED.test(base), `${script}: ${name} differs from the committed file`).toBe(true);
    const f32 = (b: Buffer) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    expect(relErr(f32(got), f32(want)), `${script}: ${name}`).toBeLessThan(1e-5);
  }
  console.log(`${script}: ${identical} of ${names.length} files byte-identical`);
}

describe('fixture scripts reproduce the committed fixtures', () => {
  it('make_grad_fixtures.py → test/fixtures/grad', () => regenerate('make_grad_fixtures.py', FIXTURE_ROOT));
  it('make_unseen_fixtures.py → test/fixtures/unseen', () => regenerate('make_unseen_fixtures.py', UNSEEN_ROOT));
});
