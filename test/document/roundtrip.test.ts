// Every example graph loads, and saving then loading gives the same document and the same text.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serializeDocument, emptyDocument, type GraphDocument } from '../../src/engine/graph/document.js';
import { readDocumentBytes } from '../../src/engine/graph/open.js';
import { parseDocument } from '../../src/engine/graph/validate.js';
import { createImage } from '../../src/engine/tensor/image.js';
import { encodePng, GRAPH_PNG_KEY } from '../../src/engine/tensor/png.js';
import { catalogue } from '../../src/nodes/registry.js';

const dir = new URL('../../graphs/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

function load(text: string): GraphDocument {
  const result = parseDocument(text, catalogue);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return result.document;
}

describe('graphs/*.json', () => {
  it('has examples', () => {
    expect(files).toContain('test-pattern.json');
  });

  it.each(files)('%s round-trips through serializeDocument', (file) => {
    const doc = load(readFileSync(new URL(file, dir), 'utf8'));
    const text = serializeDocument(doc);
    const again = load(text);
    expect(again).toEqual(doc);
    expect(serializeDocument(again)).toBe(text);
  });

  it.each(files)('%s round-trips through a PNG text chunk', (file) => {
    const doc = load(readFileSync(new URL(file, dir), 'utf8'));
    const png = encodePng(createImage(2, 2), { text: { [GRAPH_PNG_KEY]: serializeDocument(doc) } });
    const result = readDocumentBytes(png, catalogue);
    expect(result.ok && result.document).toEqual(doc);
  });

  it('keeps test-pattern.json in the form the editor saves', () => {
    const text = readFileSync(new URL('test-pattern.json', dir), 'utf8');
    expect(serializeDocument(load(text))).toBe(text);
  });
});

describe('document defaults and form', () => {
  it('fills in missing params, positions and connections', () => {
    const doc = load(
      JSON.stringify({
        format: 'rete-clip-pae/graph',
        version: 1,
        nodes: [{ id: 'r', type: 'image/resize', params: { width: 64 } }],
      }),
    );
    expect(doc.nodes[0]).toEqual({
      id: 'r',
      type: 'image/resize',
      position: [0, 0],
      params: { width: 64, height: 256, mode: 'center-crop' },
    });
    expect(doc.connections).toEqual([]);
  });

  it('writes params in definition order whatever order they came in', () => {
    const doc = load(
      JSON.stringify({
        format: 'rete-clip-pae/graph',
        version: 1,
        nodes: [{ id: 'r', type: 'image/resize', params: { mode: 'stretch', height: 9, width: 8 } }],
      }),
    );
    expect(Object.keys(doc.nodes[0]!.params)).toEqual(['width', 'height', 'mode']);
  });

  it('keeps labels, meta and text outside Latin-1', () => {
    const doc = load(
      JSON.stringify({
        format: 'rete-clip-pae/graph',
        version: 1,
        meta: { title: 'Lächeln 😊', description: '微笑', view: { zoom: 2 } },
        nodes: [
          { id: 't', type: 'value/text', label: 'Prompt', position: [1.5, -2], params: { text: 'a smiling face 😊' } },
        ],
      }),
    );
    const png = encodePng(createImage(1, 1), { text: { [GRAPH_PNG_KEY]: serializeDocument(doc) } });
    const back = readDocumentBytes(png, catalogue);
    expect(back.ok && back.document).toEqual(doc);
    expect(doc.meta).toEqual({ title: 'Lächeln 😊', description: '微笑', view: { zoom: 2 } });
  });

  it('serializes the empty document to a valid one', () => {
    const text = serializeDocument(emptyDocument());
    expect(load(text)).toEqual(emptyDocument());
  });

  it('refuses a PNG without a graph and bytes that are not text', () => {
    const plain = readDocumentBytes(encodePng(createImage(1, 1)), catalogue);
    expect(plain.ok === false && plain.errors[0]!.message).toContain('carries no graph');
    const binary = readDocumentBytes(new Uint8Array([0xff, 0xfe, 0x00, 0x81]), catalogue);
    expect(binary.ok === false && binary.errors[0]!.message).toContain('neither JSON text nor a PNG');
  });
});
