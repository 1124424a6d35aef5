// `npm run bench -- edit`: one JSON line per run, with every measurement on success and the same
// keys plus "error" on failure; bad arguments are named.
import { describe, expect, it } from 'vitest';
import { benchEdit, editJson, parseEditArgs } from '../../bench/edit.js';
import { writeOptimizeBundle } from './fixture.js';

describe('bench edit', () => {
  it('compiles and times a bundle on onnxruntime-node', async () => {
    const dir = await writeOptimizeBundle({ name: 'bench-edit' });
    const row = await benchEdit(parseEditArgs(['--bundle', dir, '--runtime', 'node', '--steps', '1']));
    expect(row.error).toBeUndefined();
    const line = JSON.parse(editJson(row));
    expect(Object.keys(line).slice(0, 8)).toEqual([
      'runtime',
      'compile_s',
      'session_s',
      'step_ms',
      'forward_ms',
      'peak_mb',
      'objective_mb',
      'models_mb',
    ]);
    expect(line.runtime).toBe('node');
    for (const k of ['compile_s', 'step_ms', 'forward_ms', 'peak_mb', 'objective_mb', 'models_mb'])
      expect(line[k]).toBeGreaterThan(0);
  });

  it('reports a missing bundle in the same line, with the error', async () => {
    const row = await benchEdit(parseEditArgs(['--bundle', '/nonexistent/bundle', '--runtime', 'node']));
    const line = JSON.parse(editJson(row));
    expect(line.runtime).toBe('node');
    expect(line.error).toBe('no bundle manifest at /nonexistent/bundle/manifest.json');
  });

  it('names bad arguments', () => {
    expect(() => parseEditArgs([])).toThrow('--bundle <manifest.json or bundle folder> is required');
    expect(() => parseEditArgs(['--bundle', 'b', '--runtime', 'gpu'])).toThrow(
      '--runtime must be one of node, chromium-wasm, chromium-webgpu (got "gpu")',
    );
    expect(() => parseEditArgs(['--bundle', 'b', '--steps', '0'])).toThrow('--steps must be a positive integer');
    expect(() => parseEditArgs(['--bundle', 'b', '--ort-build', 'jsep'])).toThrow(
      '--ort-build must be wasm or webgpu (got "jsep")',
    );
  });

  it('passes the onnxruntime-web build to compare on', () => {
    expect(parseEditArgs(['--bundle', 'b', '--runtime', 'chromium-wasm', '--ort-build', 'webgpu']).ortBuild).toBe(
      'webgpu',
    );
    expect(parseEditArgs(['--bundle', 'b', '--runtime', 'chromium-wasm']).ortBuild).toBeUndefined();
  });
});
