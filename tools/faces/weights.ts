// Reads a tfjs weights manifest (`*-weights_manifest.json` + its `.bin` shards) into named float
// tensors. tfjs stores each weight as raw float32 or quantized: `uint8`/`uint16` codes that mean
// `code · scale + min`, or float16 halves. Written here rather than loading tfjs because the build
// needs only this one decoding step and the values must be bit-for-bit what tfjs computes
// (the product is taken in double precision and then rounded to float32, as tfjs does).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One decoded weight: TensorFlow layout (HWIO filters, [in, out] matrices), row-major. */
export interface TfWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
  /** The uint8 codes and their affine map (value = code · scale + min), when the weight is stored so. */
  uint8?: { codes: Uint8Array; scale: number; min: number };
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function decodeEntry(entry: ManifestEntry, bytes: Uint8Array, where: string): TfWeight {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const q = entry.quantization;
  const dtype = entry.dtype === 'int32' ? 'int32' : entry.dtype === 'float32' ? 'float32' : undefined;
  if (!dtype)
    throw new Error(`${where}: weight ${entry.name} has dtype ${entry.dtype}; only float32 and int32 are read`);
  const out = dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!q) {
    for (let i = 0; i < count; i++)
      out[i] = dtype === 'float32' ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
  } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
    if (typeof q.scale !== 'number' || typeof q.min !== 'number')
      throw new Error(`${where}: weight ${entry.name} is ${q.dtype}-quantized but has no scale/min`);
    for (let i = 0; i < count; i++) {
      const code = q.dtype === 'uint8' ? bytes[i]! : view.getUint16(i * 2, true);
      const v = code * q.scale + q.min;
      out[i] = dtype === 'int32' ? Math.round(v) : v;
    }
  } else if (q.dtype === 'float16') {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  } else {
    throw new Error(`${where}: weight ${entry.name} has unknown quantization ${q.dtype}`);
  }
  const uint8 =
    q?.dtype === 'uint8' && dtype === 'float32'
      ? { codes: bytes.slice(0, count), scale: q.scale!, min: q.min! }
      : undefined;
  return { name: entry.name, shape: entry.shape, dtype, data: out, uint8 };
}

/** Every weight of a manifest, by name, in manifest order. */
export function readTfWeights(manifestPath: string): Map<string, TfWeight> {
  const groups = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestGroup[];
  if (!Array.isArray(groups)) throw new Error(`${manifestPath}: expected an array of weight groups`);
  const out = new Map<string, TfWeight>();
  for (const group of groups) {
    const shards = group.paths.map((p) => readFileSync(join(dirname(manifestPath), p)));
    const all = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
    let at = 0;
    for (const s of shards) {
      all.set(s, at);
      at += s.byteLength;
    }
    let offset = 0;
    for (const entry of group.weights) {
      const count = entry.shape.reduce((a, b) => a * b, 1);
      const size = count * (BYTES[entry.quantization?.dtype ?? entry.dtype] ?? 0);
      if (!size && count) throw new Error(`${manifestPath}: weight ${entry.name} has an unknown element size`);
      if (offset + size > all.byteLength)
        throw new Error(`${manifestPath}: weight ${entry.name} runs past the end of ${group.paths.join(', ')}`);
      out.set(entry.name, decodeEntry(entry, all.subarray(offset, offset + size), manifestPath));
      offset += size;
    }
    if (offset !== all.byteLength)
      throw new Error(
        `${manifestPath}: ${all.byteLength - offset} bytes of ${group.paths.join(', ')} are not described`,
      );
  }
  return out;
}

/** A weight that must exist with the given shape. */
export function need(weights: Map<string, TfWeight>, name: string, shape?: number[]): TfWeight {
  const w = weights.get(name);
  if (!w) throw new Error(`weight ${name} is missing`);
  if (w.dtype !== 'float32') throw new Error(`weight ${name} is ${w.dtype}, expected float32`);
  if (shape && (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])))
    throw new Error(`weight ${name} has shape [${w.shape}], expected [${shape}]`);
  return w;
}
