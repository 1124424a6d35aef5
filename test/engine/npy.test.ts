// .npy latents: our writer and reader against each other and against NumPy itself (Debian's
// python3-numpy), so a W+ latent travels between this project and Python tooling.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../src/engine/tensor/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'npy-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A W+ latent [1, 14, 512] with values that are exact in float32 and easy to recompute in Python. */
function latent(): Float32Array {
  const data = new Float32Array(14 * 512);
  for (let i = 0; i < data.length; i++) data[i] = (i % 97) / 8 - 6 + (i % 2 ? 0.5 : -0.25);
  return data;
}

function python(script: string): string {
  return execFileSync('python3', ['-c', script], { encoding: 'utf8' });
}

describe('npy', () => {
  it('round-trips a W+ latent and pads the header to 64 bytes', () => {
    const data = latent();
    const bytes = encodeNpy(data, [1, 14, 512]);
    const headerLength = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes[10 + headerLength - 1]).toBe(0x0a);
    const back = decodeNpy(bytes);
    expect(back.shape).toEqual([1, 14, 512]);
    expect(back.data).toEqual(data);
  });

  it('writes files NumPy reads with the same shape, dtype and values', () => {
    const path = join(dir, 'ours.npy');
    writeFileSync(path, encodeNpy(latent(), [1, 14, 512]));
    const out = python(
      [
        'import numpy as np',
        `a = np.load(${JSON.stringify(path)})`,
        'i = np.arange(14 * 512)',
        'ref = (i % 97) / 8 - 6 + np.where(i % 2 == 1, 0.5, -0.25)',
        "print(a.dtype, a.shape, a.flags['C_CONTIGUOUS'], bool((a.ravel() == ref.astype(np.float32)).all()))",
      ].join('\n'),
    ).trim();
    expect(out).toBe('float32 (1, 14, 512) True True');
  });

  it('reads files NumPy writes (random values, a 1-D shape, an empty array)', () => {
    const path = join(dir, 'numpy.npy');
    const vector = join(dir, 'vector.npy');
    const empty = join(dir, 'empty.npy');
    const raw = join(dir, 'raw.bin');
    python(
      [
        'import numpy as np',
        'rng = np.random.default_rng(3)',
        'a = rng.standard_normal((1, 18, 512)).astype(np.float32)',
        `np.save(${JSON.stringify(path)}, a)`,
        `a.tofile(${JSON.stringify(raw)})`,
        `np.save(${JSON.stringify(vector)}, np.arange(5, dtype=np.float32))`,
        `np.save(${JSON.stringify(empty)}, np.zeros((0, 512), dtype=np.float32))`,
      ].join('\n'),
    );
    const read = decodeNpy(new Uint8Array(readFileSync(path)));
    expect(read.shape).toEqual([1, 18, 512]);
    const rawBytes = readFileSync(raw);
    expect(read.data).toEqual(new Float32Array(rawBytes.buffer, rawBytes.byteOffset, 18 * 512));
    expect(decodeNpy(new Uint8Array(readFileSync(vector)))).toEqual({
      shape: [5],
      data: Float32Array.from([0, 1, 2, 3, 4]),
    });
    expect(decodeNpy(new Uint8Array(readFileSync(empty))).shape).toEqual([0, 512]);
  });

  it('names what is wrong with files it cannot read', () => {
    const f64 = join(dir, 'f64.npy');
    const fortran = join(dir, 'fortran.npy');
    python(
      [
        'import numpy as np',
        `np.save(${JSON.stringify(f64)}, np.zeros((1, 2, 3)))`,
        `np.save(${JSON.stringify(fortran)}, np.asfortranarray(np.zeros((2, 3), dtype=np.float32)))`,
      ].join('\n'),
    );
    expect(() => decodeNpy(new Uint8Array(readFileSync(f64)), "'w.npy'")).toThrow(
      "'w.npy' holds '<f8' values; only little-endian float32 ('<f4') arrays are read here",
    );
    expect(() => decodeNpy(new Uint8Array(readFileSync(fortran)))).toThrow('Fortran order');
    expect(() => decodeNpy(new TextEncoder().encode('hello world'), "'a.txt'")).toThrow("'a.txt' is not an .npy file");
    const cut = encodeNpy(latent(), [1, 14, 512]).subarray(0, 1000);
    expect(() => decodeNpy(cut)).toThrow('should hold 7168 float32 values for shape (1, 14, 512)');
    expect(() => encodeNpy(new Float32Array(3), [1, 2])).toThrow('shape [1, 2] holds 2 values, the array has 3');
  });
});
