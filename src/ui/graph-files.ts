// Reading a graph from what the user opens or drops (a .json, or a PNG saved by Save Image with
// the graph in a text chunk), and offering one as a download.
import { serializeDocument, type GraphDocument } from '../engine/graph/document.js';
import { parseDocument, type ValidationResult } from '../engine/graph/validate.js';
import { GRAPH_PNG_KEY, decodePng, isPng } from '../engine/tensor/png.js';
import type { NodeRegistry } from '../nodes/registry.js';

/** Reads and validates a graph from file bytes; a PNG must carry the graph in its text chunk. */
export function graphFromBytes(name: string, bytes: Uint8Array, registry: NodeRegistry): ValidationResult {
  if (isPng(bytes)) {
    let text: Record<string, string>;
    try {
      text = decodePng(bytes).text;
    } catch (e) {
      return { ok: false, errors: [{ path: '', message: `${name} is not a readable PNG: ${(e as Error).message}` }] };
    }
    const json = text[GRAPH_PNG_KEY];
    if (json === undefined) {
      return {
        ok: false,
        errors: [{ path: '', message: `${name} has no graph in it (no '${GRAPH_PNG_KEY}' text chunk); only PNGs written by Save Image do` }],
      };
    }
    return parseDocument(json, registry);
  }
  return parseDocument(new TextDecoder().decode(bytes), registry);
}

export async function graphFromFile(file: File, registry: NodeRegistry): Promise<ValidationResult> {
  return graphFromBytes(file.name, new Uint8Array(await file.arrayBuffer()), registry);
}

/** A file name for a document: its title in kebab case, or 'graph'. */
export function documentFileName(doc: GraphDocument): string {
  const title = typeof doc.meta?.title === 'string' ? doc.meta.title : '';
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'graph'}.json`;
}

export function downloadDocument(doc: GraphDocument, name = documentFileName(doc)): void {
  const blob = new Blob([serializeDocument(doc)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
