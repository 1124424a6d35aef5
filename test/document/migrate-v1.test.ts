// Version 1 → 2 on every graph the project has shipped: the version-1 files kept in
// test/fixtures/v1-graphs (graphs/ as it was before version 2) open as they are and inside a
// PNG saved by Save Image, upgrade, validate, and save as the version-2 file now in graphs/.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_VERSION, serializeDocument } from '../../src/engine/graph/document.js';
import { readDocumentBytes } from '../../src/engine/graph/open.js';
import { parseDocument, validateDocument } from '../../src/engine/graph/validate.js';
import { createImage } from '../../src/engine/tensor/image.js';
import { encodePng, GRAPH_PNG_KEY } from '../../src/engine/tensor/png.js';
import { catalogue } from '../../src/nodes/registry.js';

const v1Dir = new URL('../fixtures/v1-graphs/', import.meta.url);
const v2Dir = new URL('../../graphs/', import.meta.url);
const v1Files = readdirSync(v1Dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const v2Files = readdirSync(v2Dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('version 1 → 2', () => {
  it('covers every graph shipped at version 1, and every graph in graphs/ is saved as version 2', () => {
    expect(DOCUMENT_VERSION).toBe(2);
    // Every graph shipped at version 1 is here; graphs added later are written at version 2.
    for (const file of v1Files) expect(v2Files).toContain(file);
    expect(v1Files.length).toBeGreaterThanOrEqual(8);
    for (const file of v2Files) expect(JSON.parse(readFileSync(new URL(file, v2Dir), 'utf8')).version).toBe(2);
    for (const file of v1Files) expect(JSON.parse(readFileSync(new URL(file, v1Dir), 'utf8')).version).toBe(1);
  });

  it.each(v1Files)('%s opens, upgrades, validates and saves as the version-2 graph in graphs/', (file) => {
    const text = readFileSync(new URL(file, v1Dir), 'utf8');
    const result = parseDocument(text, catalogue);
    if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
    expect(result.document.version).toBe(2);
    const old = JSON.parse(text);
    expect(result.document.nodes.map((n) => n.id)).toEqual(old.nodes.map((n: { id: string }) => n.id));
    expect(result.document.connections).toHaveLength(old.connections.length);
    expect(result.document.comments).toBeUndefined();
    // Saved again, it is the version-2 file in graphs/ (which differs only in its version).
    const saved = parseDocument(serializeDocument(result.document), catalogue);
    const shipped = parseDocument(readFileSync(new URL(file, v2Dir), 'utf8'), catalogue);
    expect(saved.ok && saved.document).toEqual(shipped.ok && shipped.document);
    // Params added to a node type since version 1 come in with their defaults; nothing else changes.
    const withDefaults = {
      ...old,
      version: 2,
      nodes: old.nodes.map((n: { type: string; params: Record<string, unknown> }) => ({
        ...n,
        params: {
          ...Object.fromEntries(Object.entries(catalogue.get(n.type)!.params).map(([k, d]) => [k, d.default])),
          ...n.params,
        },
      })),
    };
    expect(JSON.parse(serializeDocument(result.document))).toEqual(withDefaults);
  });

  it.each(v1Files)('%s embedded in a PNG by Save Image opens and upgrades', (file) => {
    const text = readFileSync(new URL(file, v1Dir), 'utf8');
    const png = encodePng(createImage(2, 2), { text: { [GRAPH_PNG_KEY]: text } });
    const fromPng = readDocumentBytes(png, catalogue);
    const fromJson = parseDocument(text, catalogue);
    expect(fromPng.ok && fromPng.document.version).toBe(2);
    expect(fromPng.ok && fromPng.document).toEqual(fromJson.ok && fromJson.document);
  });

  it('refuses a version-1 file that carries a version-2 field, naming it', () => {
    const doc = JSON.parse(readFileSync(new URL('default.json', v1Dir), 'utf8'));
    doc.frames = [];
    const result = validateDocument(doc, catalogue);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toEqual({
      path: 'version',
      message:
        "upgrading from version 1 to 2 failed: 'frames' is a version 2 field; a version 1 document cannot have it",
    });
  });
});

describe('the view fields of version 2', () => {
  const base = () => JSON.parse(readFileSync(new URL('chain-three-edits.json', v2Dir), 'utf8'));

  it('keep comments, frames and reroute points through save and open', () => {
    const doc = base();
    const [a, b] = doc.nodes;
    const wire = doc.connections[0];
    doc.comments = [{ id: 'note-1', text: 'Try a lower alpha', position: [10, -80] }];
    doc.frames = [{ id: 'frame-1', text: 'First edit', nodes: [a.id, b.id] }];
    doc.reroutes = [
      {
        to: wire.to,
        points: [
          [100, 200],
          [140, 260],
        ],
      },
    ];
    const result = validateDocument(doc, catalogue);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.document.comments).toEqual(doc.comments);
    expect(result.document.frames).toEqual(doc.frames);
    expect(result.document.reroutes).toEqual(doc.reroutes);
    const again = parseDocument(serializeDocument(result.document), catalogue);
    expect(again.ok && again.document).toEqual(result.document);
  });

  it('report bad references with JSON paths', () => {
    const doc = base();
    doc.comments = [
      { id: 'n', text: 'x', position: [0, 0] },
      { id: 'n', text: 'y', position: ['a', 0] },
    ];
    doc.frames = [
      { id: 'f', text: 'one', nodes: [doc.nodes[0].id, 'ghost'] },
      { id: 'g', text: 'two', nodes: [doc.nodes[0].id], colour: 'red' },
    ];
    doc.reroutes = [{ to: { node: doc.nodes[0].id, input: 'nothing' }, points: [[0, 0]] }];
    const shape = validateDocument(doc, catalogue);
    expect(!shape.ok && shape.errors).toEqual([
      { path: 'comments[1].position[0]', message: "expected a number, got text 'a'" },
      {
        path: 'frames[1].colour',
        message: "unknown field 'colour' (expected fields: id, text, nodes)",
      },
    ]);
    doc.comments[1].position = [0, 0];
    delete doc.frames[1].colour;
    const graph = validateDocument(doc, catalogue);
    expect(!graph.ok && graph.errors).toEqual([
      { path: 'comments[1].id', message: "id 'n' is already used by comments[0]" },
      { path: 'frames[0].nodes[1]', message: "no node has id 'ghost'" },
      { path: 'frames[1].nodes[0]', message: `node '${doc.nodes[0].id}' is already in frames[0]` },
      { path: 'reroutes[0].to', message: `no connection feeds input 'nothing' of '${doc.nodes[0].id}'` },
    ]);
  });
});
