// Reading a graph from a file named on the command line (JSON or a PNG saved by Save Image), with
// errors worded for a terminal.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { GraphDocument } from '../engine/graph/document.js';
import { readDocumentBytes } from '../engine/graph/open.js';
import type { DocumentError } from '../engine/graph/validate.js';
import type { NodeRegistry } from '../engine/graph/registry.js';

export type GraphFileResult =
  | { ok: true; document: GraphDocument; path: string; dir: string }
  /** `unreadable`: the file could not be read at all (missing, a folder, no permission). */
  | { ok: false; path: string; unreadable?: string; errors: DocumentError[] };

export async function readGraphFile(file: string, cwd: string, registry: NodeRegistry): Promise<GraphFileResult> {
  const path = resolve(cwd, file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES'
            ? 'permission denied'
            : (e as Error).message;
    return { ok: false, path, unreadable: `cannot read ${file}: ${why}`, errors: [] };
  }
  const result = readDocumentBytes(bytes, registry);
  if (!result.ok) return { ok: false, path, errors: result.errors };
  return { ok: true, document: result.document, path, dir: dirname(path) };
}

/** One line per error: `file: path: message` (the path left out for whole-document problems). */
export function formatErrors(file: string, errors: readonly DocumentError[]): string {
  return errors.map((e) => `${file}: ${e.path ? `${e.path}: ` : ''}${e.message}\n`).join('');
}
