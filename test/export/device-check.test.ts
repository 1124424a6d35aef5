// The device kit and tools/export/device-check.sh, run here end to end on this machine's PyTorch:
// the kit fits the 64 MiB upload, the script finds no node, npm, tsx or xz on PATH (it uses only
// the carried node and Python), and its table has a passing row for every exporter (NVIDIA's through the stand-in checkout). The bundled
// check turns a failed export into a failing row and a non-zero exit.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KIT_LIMIT, writeDeviceKit } from '../../tools/export/device-kit.js';
import { pythonCommand } from '../../tools/export/python.js';
import { root, tempDir } from './helpers.js';

const work = tempDir('device-check');
const kit = join(work, 'kit');
let kitBytes = 0;

/** A PATH folder with only the commands device-check.sh itself calls. */
function barePath(): string {
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['bash', 'cat', 'chmod', 'dirname', 'mkdir', 'mktemp', 'mv']) {
    const at = execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    symlinkSync(at, join(bin, tool));
  }
  return bin;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, env, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout + stderr });
    });
  });
}

describe('export device kit', () => {
  beforeAll(async () => {
    kitBytes = await writeDeviceKit(kit, 0); // xz preset 0: fast here; the default 9 packs smaller
  });

  it('writes the carried node, onnxruntime-node and the bundled check within 64 MiB', () => {
    expect(kitBytes).toBeLessThanOrEqual(KIT_LIMIT);
    for (const f of ['check.mjs', 'node.xz', 'node_modules/onnxruntime-node/libonnxruntime.so.1.xz'])
      expect(existsSync(join(kit, f)), f).toBe(true);
    expect(existsSync(join(kit, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1'))).toBe(
      false,
    );
    expect(readFileSync(join(kit, 'check.mjs'), 'utf8')).not.toMatch(/from ['"]\.\.?\//);
  });

  it('device-check.sh passes every exporter on this PyTorch with only the kit and Python', async () => {
    const out = join(work, 'out');
    mkdirSync(out);
    const python = pythonCommand();
    const torch = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();
    const bin = barePath();
    const r = await run(join(bin, 'bash'), ['tools/export/device-check.sh', kit], {
      PATH: bin,
      PYTHON: python,
      OUT: out,
      WORK: join(work, 'scratch'),
      HOME: work,
    });
    expect(r.out).toContain(`torch ${torch} `);
    expect(r.out).toContain('all 21 rows pass');
    expect(r.code).toBe(0);
    const rows = readFileSync(join(out, 'export-check.txt'), 'utf8')
      .trim()
      .split('\n')
      .slice(2)
      .map((l) => l.split('|').map((c) => c.trim()));
    const files = rows.map(([, exporter, file, version, , result]) => {
      expect(version).toBe(torch);
      expect(result).toBe('pass');
      return `${exporter} ${file}`;
    });
    const generator = ['generator.onnx', 'mapping.onnx', 'styles.onnx', 'synthesis_styles.onnx'];
    const stylespace = 'styles.onnx→synthesis_styles.onnx'; // the two StyleSpace halves chained
    expect(files).toEqual([
      ...[...generator, stylespace].map((f) => `stylegan2 ${f}`),
      ...[...generator, stylespace, 'encoder.onnx'].map((f) => `e4e ${f}`),
      'arcface identity.onnx',
      'clip-openai clip_image.onnx',
      'clip-openai clip_text.onnx',
      'clip-hf clip_image.onnx',
      'clip-hf clip_text.onnx',
      ...[...generator, stylespace].map((f) => `nvidia ${f}`),
    ]);
    for (const [, , , , err] of rows) {
      expect(Number(err)).toBeGreaterThan(0);
      expect(Number(err)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('the bundled check fails a row for an export that failed, and names bad arguments', async () => {
    const failed = join(work, 'failed');
    mkdirSync(failed);
    writeFileSync(join(failed, 'export-error.txt'), 'Traceback …\nexport: expected a rosinality checkpoint\n');
    const r = await run(process.execPath, [join(kit, 'check.mjs'), '--torch', '9.9', `broken=${failed}`], {});
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\| broken +\| - +\| 9\.9 +\| - +\| FAIL +\| export\.py failed: .*expected a rosinality/);
    expect(r.out).toContain('1 of 1 rows FAIL');
    const empty = await run(
      process.execPath,
      [join(kit, 'check.mjs'), '--torch', '9.9', `none=${join(work, 'nowhere')}`],
      {},
    );
    expect(empty.code).toBe(1);
    expect(empty.out).toContain('no check.json');
    const bad = await run(process.execPath, [join(kit, 'check.mjs'), 'stray'], {});
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('argument "stray" is neither an option nor <exporter>=<check-dir>');
  });
});
