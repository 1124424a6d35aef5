// Opening a file as a graph: JSON text, or a PNG saved by Save Image (the graph rides in a text
// chunk). Both the editor's Open and the CLI go through here.
import { decodePng, GRAPH_PNG_KEY, isPng } from '../tensor/png.js';
import type { NodeRegistry } from './registry.js';
import { parseDocument, type ValidationResult } from './validate.js';

export function readDocumentBytes(bytes: Uint8Array, registry: NodeRegistry): ValidationResult {
  if (isPng(bytes)) {
    let text: Record<string, string>;
    try {
      text = decodePng(bytes).text;
    } catch (e) {
      return { ok: false, errors: [{ path: '', message: (e as Error).message }] };
    }
    const json = text[GRAPH_PNG_KEY];
    if (json === undefined) {
      return {
        ok: false,
        errors: [{ path: '', message: 'this PNG carries no graph (only PNGs saved by Save Image do)' }],
      };
    }
    return parseDocument(json, registry);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, errors: [{ path: '', message: 'not a graph: the file is neither JSON text nor a PNG' }] };
  }
  // Editors on some systems start UTF-8 files with a byte-order mark, which JSON.parse rejects.
  return parseDocument(text.replace(/^\uFEFF/, ''), registry);
}
