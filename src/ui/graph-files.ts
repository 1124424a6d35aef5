// Reading a graph from what the user opens or drops (a .json, or a PNG saved by Save Image with
// the graph in a text chunk), and offering one as a download.
import { serializeDocument, type GraphDocument } from '../engine/graph/document.js';
import { readDocumentBytes } from '../engine/graph/open.js';
import type { ValidationResult } from '../engine/graph/validate.js';
import type { NodeRegistry } from '../engine/graph/registry.js';

export async function graphFromFile(file: File, registry: NodeRegistry): Promise<ValidationResult> {
  return readDocumentBytes(new Uint8Array(await file.arrayBuffer()), registry);
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
