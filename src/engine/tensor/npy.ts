// NumPy's .npy format (version 1.0) for float32 arrays, so a latent found here can be read by
// Python tooling (StyleGAN projectors and e4e write W+ as .npy) and theirs read here. Only what
// latents need is supported: little-endian float32, C order; anything else is refused by name.
// Written here rather than taken from a package: the format is a short header plus raw bytes,
// and the npm readers either pull in whole array libraries or do not write.

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

/** An NPY v1.0 file of little-endian float32 values in C order. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new Error(`an .npy shape needs whole non-negative sizes, got [${shape.join(', ')}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new Error(`shape [${shape.join(', ')}] holds ${count} values, the array has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces and ended by a
  // newline so the data starts on a 64-byte boundary (what numpy writes and memory-maps).
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64);
  header += '\n';
  if (header.length > 0xffff) throw new Error('the .npy header is too long for format version 1.0');
  const out = new Uint8Array(10 + header.length + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}

/** Reads a float32 .npy file (versions 1.0–3.0 headers, little-endian, C order); `name` is for messages. */
export function decodeNpy(bytes: Uint8Array, name = 'the .npy file'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new Error(`${name} is not an .npy file (the \\x93NUMPY signature is missing)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let start: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${name} is cut short inside its header`);
    headerLength = view.getUint32(8, true);
    start = 12;
  } else {
    throw new Error(`${name} has .npy format version ${major}.${bytes[7]}, which is not supported (1.0–3.0 are)`);
  }
  if (start + headerLength > bytes.length) throw new Error(`${name} is cut short inside its header`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new Error(`${name} has a malformed .npy header: ${header.trim()}`);
  if (descr !== '<f4')
    throw new Error(`${name} holds '${descr}' values; only little-endian float32 ('<f4') arrays are read here`);
  if (fortran === 'True') throw new Error(`${name} is stored in Fortran order; save it in C order`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw new Error(`${name} has an invalid shape (${shapeText})`);
      return n;
    });
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  if (bytes.length - offset !== count * 4)
    throw new Error(
      `${name} should hold ${count} float32 values for shape (${shape.join(', ')}), it has ${bytes.length - offset} bytes of data`,
    );
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + i * 4, true);
  return { shape, data };
}
