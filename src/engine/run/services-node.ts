// What the engine lends to nodes under Node (the CLI, tests): bytes from files, from the app's
// public/ folder, from http(s) and from data: URLs. Further services (model bundles, the ONNX
// runtime) are added by key through `extra`.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineServices } from '../graph/definition.js';
import { isFile, localFileFingerprint, readLocalFile } from '../io/read-file.js';
import { readUrl, urlFingerprint } from '../io/read.js';
import { folderOutsideBrowserMessage, isFolderSource } from '../models/folders.js';
import { decodeImageNode } from '../tensor/image-decode-node.js';
import { IMAGE_DECODER_KEY } from '../tensor/image-file.js';
import { createRuntime } from '../tensor/runtime.js';
import { createModelService, MODEL_SERVICE_KEY } from './models-service.js';

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
    signal.throwIfAborted();
    const where = await locate(url, baseDir, publicDir);
    const { bytes } =
      where.kind === 'url'
        ? await readUrl(url, { signal, onProgress })
        : await readLocalFile(where.path, url, onProgress);
    signal.throwIfAborted();
    return bytes;
  };
  const fingerprint: EngineServices['fingerprint'] = async (url, signal) => {
    signal.throwIfAborted();
    const where = await locate(url, baseDir, publicDir);
    return where.kind === 'url' ? urlFingerprint(url, signal) : localFileFingerprint(where.path, url);
  };
  // onnxruntime-node has one device here (its CPU provider), so 'wasm' and 'auto' get the same runtime.
  const models = createModelService({ loadBytes, fingerprint, createRuntime: () => createRuntime() });
  return {
    [MODEL_SERVICE_KEY]: models,
    [IMAGE_DECODER_KEY]: decodeImageNode,
    ...options.extra,
    loadBytes,
    fingerprint,
  };
}

/** What a URL or path names here: something fetch reads (http(s), data:), or a local file. */
async function locate(
  url: string,
  baseDir: string,
  publicDir: string,
): Promise<{ kind: 'url' } | { kind: 'file'; path: string }> {
  if (isFolderSource(url)) throw new Error(folderOutsideBrowserMessage(url));
  if (/^(https?:\/\/|data:)/i.test(url)) return { kind: 'url' };
  if (/^file:/i.test(url)) return { kind: 'file', path: fileURLToPath(url) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw new Error(`cannot read '${url}': only file paths, file:, http(s): and data: URLs are supported here`);

  // App URLs may carry a query or a fragment (cache busting); files do not.
  const path = decodeURI(url.replace(/[?#].*$/, ''));
  const candidates = isAbsolute(path)
    ? [path, resolve(publicDir, `.${path}`)]
    : [resolve(baseDir, path), resolve(publicDir, path)];
  for (const candidate of candidates) {
    if (await isFile(candidate)) return { kind: 'file', path: candidate };
  }
  throw new Error(`cannot read '${url}': no such file (looked in ${[...new Set(candidates)].join(' and ')})`);
}
