// The one way bytes come in from a URL, in every host: fetch with an AbortSignal, the body read
// while reporting how much has arrived (model files of hundreds of megabytes would otherwise look
// like a hang), data: URLs decoded in place, and a fingerprint of what was read, so the engine can
// tell on the next run whether a source changed. Node files are read in read-file.ts.
import { decodeDataUrl, isDataUrl } from './data-url.js';

export { decodeDataUrl, isDataUrl } from './data-url.js';

export type ByteProgress = (loaded: number, total: number | undefined) => void;

export interface ReadOptions {
  signal: AbortSignal;
  onProgress?: ByteProgress;
}

/** Bytes and a short text that changes when they change. */
export interface ReadResult {
  bytes: Uint8Array;
  fingerprint: string;
}

/** SHA-256 of bytes or text, as hex; `bytes` shortens it (keys that only need to tell versions apart). */
export async function sha256Hex(data: Uint8Array | string, bytes = 32): Promise<string> {
  const input = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', input.slice().buffer);
  return Array.from(new Uint8Array(digest).slice(0, bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A data: URL carries its bytes: its hash is their fingerprint. */
export async function dataUrlFingerprint(url: string): Promise<string> {
  return `data:${await sha256Hex(url, 16)}`;
}

/** What the server says identifies this version of the body (ETag, else Last-Modified), if anything. */
function validator(response: Response): string | undefined {
  const etag = response.headers.get('etag');
  if (etag) return `etag:${etag}`;
  const modified = response.headers.get('last-modified');
  return modified ? `modified:${modified}` : undefined;
}

async function request(url: string, signal: AbortSignal, init: RequestInit = {}): Promise<Response> {
  signal.throwIfAborted();
  let response: Response;
  try {
    // 'no-cache' revalidates with the server: a file changed since the last run is never served stale.
    response = await fetch(url, { ...init, signal, cache: 'no-cache' });
  } catch (e) {
    if (signal.aborted) throw e;
    throw new Error(`cannot load ${url}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status} ${response.statusText}`);
  return response;
}

/** Reads a response body, reporting progress when asked (the total only when the length is known). */
export async function readBody(response: Response, onProgress?: ByteProgress): Promise<Uint8Array> {
  const header = response.headers.get('content-length');
  // A compressed body's length is not the length of what the reader hands out.
  const length = header && !response.headers.get('content-encoding') ? Number(header) : Number.NaN;
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  if (!onProgress || !response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.(bytes.byteLength, bytes.byteLength);
    return bytes;
  }
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.byteLength;
    onProgress(loaded, total);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

/** The bytes at an absolute URL (http(s), blob:, data:, …) with their fingerprint. */
export async function readUrl(url: string, { signal, onProgress }: ReadOptions): Promise<ReadResult> {
  signal.throwIfAborted();
  if (isDataUrl(url)) {
    const bytes = decodeDataUrl(url);
    onProgress?.(bytes.byteLength, bytes.byteLength);
    return { bytes, fingerprint: await dataUrlFingerprint(url) };
  }
  const response = await request(url, signal);
  const bytes = await readBody(response, onProgress);
  return { bytes, fingerprint: validator(response) ?? `sha256:${await sha256Hex(bytes, 16)}` };
}

/**
 * The fingerprint of an absolute URL without keeping its bytes: the server's ETag or
 * Last-Modified from a HEAD request, else a hash of the whole body (a server that names no
 * version has to be read to tell).
 */
export async function urlFingerprint(url: string, signal: AbortSignal): Promise<string> {
  if (isDataUrl(url)) return dataUrlFingerprint(url);
  try {
    const head = validator(await request(url, signal, { method: 'HEAD' }));
    if (head) return head;
  } catch (e) {
    // Some servers refuse HEAD; the GET below says what is really wrong, if anything.
    if (signal.aborted) throw e;
  }
  return (await readUrl(url, { signal })).fingerprint;
}
