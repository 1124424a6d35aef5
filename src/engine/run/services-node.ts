// What the engine lends to nodes under Node (the CLI, tests): bytes from files, from the app's
// public/ folder, from http(s) and from data: URLs. Further services (model bundles, the ONNX
// runtime) are added by key through `extra`.
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineServices } from '../graph/definition.js';
import { decodeImageNode } from '../tensor/image-decode-node.js';
import { IMAGE_DECODER_KEY } from '../tensor/image-file.js';
import { createRuntime } from '../tensor/runtime.js';
import { decodeDataUrl, isDataUrl } from './data-url.js';
import { createModelService, MODEL_SERVICE_KEY } from './models-service.js';
import { readResponse, type ByteProgress } from './read-response.js';

/** The repository's public/ folder: app URLs like `images/x.png` mean files in it. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../../public/', import.meta.url));

export interface NodeServicesOptions {
  /** Relative paths are looked up here first (the CLI uses the graph file's folder); default: cwd. */
  baseDir?: string;
  /** Then here; default: the repository's public/ folder. */
  publicDir?: string;
  /** Services added under their own keys; a `models` entry replaces the default model service. */
  extra?: Record<string, unknown>;
}

export function createNodeServices(options: NodeServicesOptions = {}): EngineServices {
  const baseDir = resolve(options.baseDir ?? process.cwd());
  const publicDir = resolve(options.publicDir ?? PUBLIC_DIR);
  const loadBytes: EngineServices['loadBytes'] = async (url, signal, onProgress) => {
    const bytes = await loadBytesNode(url, signal, baseDir, publicDir, onProgress);
    signal.throwIfAborted();
    return bytes;
  };
  // onnxruntime-node has one device here (its CPU provider), so 'wasm' and 'auto' get the same runtime.
  const models = createModelService({ loadBytes, createRuntime: () => createRuntime() });
  return { [MODEL_SERVICE_KEY]: models, [IMAGE_DECODER_KEY]: decodeImageNode, ...options.extra, loadBytes };
}

async function loadBytesNode(
  url: string,
  signal: AbortSignal,
  baseDir: string,
  publicDir: string,
  onProgress?: ByteProgress,
): Promise<Uint8Array> {
  signal.throwIfAborted();
  if (isDataUrl(url)) return decodeDataUrl(url);
  if (/^https?:\/\//i.test(url)) {
    let response: Response;
    try {
      response = await fetch(url, { signal });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new Error(`cannot download ${url}: ${(e as Error).message}`);
    }
    if (!response.ok) throw new Error(`cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
    return readResponse(response, onProgress);
  }
  if (/^file:/i.test(url)) return readFileChecked(fileURLToPath(url), url, onProgress);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw new Error(`cannot read '${url}': only file paths, file:, http(s): and data: URLs are supported here`);

  // App URLs may carry a query or a fragment (cache busting); files do not.
  const path = decodeURI(url.replace(/[?#].*$/, ''));
  const candidates = isAbsolute(path)
    ? [path, resolve(publicDir, `.${path}`)]
    : [resolve(baseDir, path), resolve(publicDir, path)];
  for (const candidate of candidates) {
    if (await isFile(candidate)) return readFileChecked(candidate, url, onProgress);
  }
  throw new Error(`cannot read '${url}': no such file (looked in ${[...new Set(candidates)].join(' and ')})`);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readFileChecked(path: string, url: string, onProgress?: ByteProgress): Promise<Uint8Array> {
  try {
    const bytes = new Uint8Array(await readFile(path));
    onProgress?.(bytes.byteLength, bytes.byteLength);
    return bytes;
  } catch (e) {
    throw new Error(
      `cannot read '${url}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
}
