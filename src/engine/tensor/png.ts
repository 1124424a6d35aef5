// PNG files with text chunks, on top of fast-png. A saved edit carries its graph document in a
// text chunk, so opening the PNG gives back the graph that made it. fast-png writes and reads
// only Latin-1 tEXt chunks; text outside Latin-1 (prompts can hold any script) goes into an
// uncompressed UTF-8 iTXt chunk written and read here.
import { convertIndexedToRgb, decode, encode, hasPngSignature } from 'fast-png';
import type { ImageValue } from '../graph/definition.js';
import { imageFromPixels, imageToRgb } from './image.js';

/** The text-chunk keyword under which a saved PNG carries its graph document. */
export const GRAPH_PNG_KEY = 'rete-clip-pae/graph';

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && hasPngSignature(bytes);
}

/** An 8-bit RGB PNG; each `text` entry becomes a tEXt chunk (Latin-1) or an iTXt chunk (UTF-8). */
export function encodePng(image: ImageValue, options: { text?: Record<string, string> } = {}): Uint8Array {
  const latin1: Record<string, string> = {};
  const utf8: [string, string][] = [];
  for (const [keyword, value] of Object.entries(options.text ?? {})) {
    if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword) || keyword !== keyword.trim() || keyword.includes('  ')) {
      throw new Error(
        `PNG text keyword '${keyword}' must be 1–79 Latin-1 characters without leading, trailing or double spaces`,
      );
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: Latin-1 is exactly the code points 0–255
    if (/^[\x00-\xff]*$/.test(value)) latin1[keyword] = value;
    else utf8.push([keyword, value]);
  }
  const png = encode({
    width: image.width,
    height: image.height,
    data: imageToRgb(image),
    channels: 3,
    depth: 8,
    text: latin1,
  });
  if (utf8.length === 0) return png;
  return insertAfterHeader(
    png,
    utf8.map(([k, v]) => itxtChunk(k, v)),
  );
}

/** Decodes any PNG (gray, palette, 16-bit, alpha, interlaced) to an RGB image plus its text chunks. */
export function decodePng(bytes: Uint8Array): { image: ImageValue; text: Record<string, string> } {
  if (!isPng(bytes)) throw new Error('not a PNG file (the PNG signature is missing)');
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (e) {
    throw new Error(`the PNG file is damaged: ${(e as Error).message}`);
  }
  let pixels: ArrayLike<number> = png.data;
  let channels = png.channels;
  let maxValue = png.depth === 16 ? 65535 : 255;
  if (png.palette) {
    pixels = convertIndexedToRgb(png);
    channels = png.palette[0]?.length ?? 3;
    maxValue = 255;
  } else if (png.depth < 8) {
    pixels = unpackBits(png.data, png.width, png.height, channels, png.depth);
    maxValue = (1 << png.depth) - 1;
  }
  if (channels < 1 || channels > 4) throw new Error(`PNG with ${channels} channels is not supported`);
  const image = imageFromPixels(pixels, png.width, png.height, channels as 1 | 2 | 3 | 4, { maxValue });
  return { image, text: { ...png.text, ...readItxt(bytes) } };
}

/** Sub-byte samples (1, 2 or 4 bits) packed per row, most significant bits first. */
function unpackBits(
  data: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  depth: number,
): Uint8Array {
  const perRow = width * channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const out = new Uint8Array(perRow * height);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = data[y * rowBytes + (bit >> 3)]!;
      out[y * perRow + i] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

function itxtChunk(keyword: string, text: string): Uint8Array {
  const encoder = new TextEncoder();
  const key = Uint8Array.from(keyword, (c) => c.charCodeAt(0));
  const body = encoder.encode(text);
  // keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0
  const data = new Uint8Array(key.length + 5 + body.length);
  data.set(key, 0);
  data.set(body, key.length + 5);
  return chunk('iTXt', data);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function insertAfterHeader(png: Uint8Array, chunks: Uint8Array[]): Uint8Array {
  // Signature (8) + IHDR (4 length + 4 type + 13 data + 4 CRC).
  const at = 8 + 25;
  const extra = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(png.length + extra);
  out.set(png.subarray(0, at), 0);
  let offset = at;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  out.set(png.subarray(at), offset);
  return out;
}

/** Uncompressed iTXt chunks by keyword (compressed ones are left out: nothing here writes them). */
function readItxt(bytes: Uint8Array): Record<string, string> {
  const text: Record<string, string> = {};
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8');
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const start = offset + 8;
    if (start + length > bytes.length) break;
    if (type === 'iTXt') {
      const data = bytes.subarray(start, start + length);
      const keyEnd = data.indexOf(0);
      const compressed = data[keyEnd + 1] === 1;
      const langEnd = data.indexOf(0, keyEnd + 3);
      const transEnd = langEnd < 0 ? -1 : data.indexOf(0, langEnd + 1);
      if (keyEnd > 0 && !compressed && transEnd >= 0) {
        const keyword = String.fromCharCode(...data.subarray(0, keyEnd));
        text[keyword] = decoder.decode(data.subarray(transEnd + 1));
      }
    }
    if (type === 'IEND') break;
    offset = start + length + 4;
  }
  return text;
}

let crcTable: Uint32Array | undefined;

function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
