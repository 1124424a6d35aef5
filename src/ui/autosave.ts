// Keeps the open graph in localStorage so a reload loses nothing.
import { serializeDocument, type GraphDocument } from '../engine/graph/document.js';

export const AUTOSAVE_KEY = 'rete-clip-pae/autosave';

export function readAutosave(storage: Storage = localStorage): string | null {
  try {
    return storage.getItem(AUTOSAVE_KEY);
  } catch {
    return null;
  }
}

/** Saves the document; returns a reason when the browser refused (storage full or disabled). */
export function writeAutosave(doc: GraphDocument, storage: Storage = localStorage): string | null {
  try {
    storage.setItem(AUTOSAVE_KEY, serializeDocument(doc));
    return null;
  } catch (e) {
    const name = (e as DOMException).name;
    return name === 'QuotaExceededError'
      ? 'the graph is too large for the browser’s storage (embedded images take the most room); save it as a file instead'
      : `the browser refused to store the graph: ${(e as Error).message}`;
  }
}
