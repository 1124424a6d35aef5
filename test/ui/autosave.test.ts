import { describe, expect, it } from 'vitest';
import { AUTOSAVE_KEY, readAutosave, writeAutosave } from '../../src/ui/autosave.js';
import { documentFileName } from '../../src/ui/graph-files.js';
import { emptyDocument } from '../../src/engine/graph/document.js';

class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  constructor(private readonly quota = Infinity) {}
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    if (value.length > this.quota) throw new DOMException('full', 'QuotaExceededError');
    this.items.set(key, value);
  }
}

describe('autosave', () => {
  it('stores the document as its saved JSON and reads it back', () => {
    const storage = new MemoryStorage();
    expect(readAutosave(storage)).toBeNull();
    expect(writeAutosave(emptyDocument(), storage)).toBeNull();
    expect(JSON.parse(storage.getItem(AUTOSAVE_KEY)!)).toEqual(emptyDocument());
    expect(readAutosave(storage)).toBe(storage.getItem(AUTOSAVE_KEY));
  });

  it('explains a full storage instead of throwing', () => {
    expect(writeAutosave(emptyDocument(), new MemoryStorage(10))).toContain('too large');
  });

  it('names a saved file after the graph title', () => {
    expect(documentFileName({ ...emptyDocument(), meta: { title: 'Invert, then edit!' } })).toBe(
      'invert-then-edit.json',
    );
    expect(documentFileName(emptyDocument())).toBe('graph.json');
  });
});
