// The basic nodes run for real: the test pattern is loaded, resized, previewed and saved.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/run/events.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { readDocumentBytes } from '../../src/engine/graph/open.js';
import { parseDocument } from '../../src/engine/graph/validate.js';
import { Engine } from '../../src/engine/run/engine.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import { decodePng, encodePng } from '../../src/engine/tensor/png.js';
import { createImage } from '../../src/engine/tensor/image.js';
import { safeFileName } from '../../src/nodes/basic/save-image.js';
import { catalogue } from '../../src/nodes/registry.js';

function example(): GraphDocument {
  const result = parseDocument(
    readFileSync(new URL('../../graphs/test-pattern.json', import.meta.url), 'utf8'),
    catalogue,
  );
  if (!result.ok) throw new Error('example invalid');
  return result.document;
}

function run(engine: Engine, doc: GraphDocument) {
  const events: EngineEvent[] = [];
  return engine.run(doc, { onEvent: (e) => events.push(e) }).then((summary) => ({ summary, events }));
}

describe('catalogue', () => {
  it('lists the basic family under Image, Output and Values', () => {
    expect(catalogue.list().map((d) => d.type)).toEqual(
      expect.arrayContaining([
        'image/load',
        'image/resize',
        'image/preview',
        'image/save',
        'value/text',
        'value/number',
      ]),
    );
    expect(catalogue.categories()).toEqual(expect.arrayContaining(['Image', 'Output', 'Values']));
    for (const def of catalogue.list()) expect(def.help.length).toBeGreaterThan(20);
  });
});

describe('basic nodes', () => {
  it('load → resize → preview + save gives a 224² preview and a PNG that carries the graph', async () => {
    const engine = new Engine({ registry: catalogue, services: createNodeServices() });
    const doc = example();
    const { summary, events } = await run(engine, doc);
    expect(summary.status).toBe('ok');
    const preview = events.find((e) => e.type === 'done' && e.node === 'preview');
    expect(preview).toMatchObject({
      outputs: { image: { kind: 'image', image: { width: 224, height: 224 } }, size: { text: '224 × 224' } },
    });
    const load = events.find((e) => e.type === 'done' && e.node === 'load');
    expect(load).toMatchObject({
      outputs: { image: { image: { width: 256, height: 192 } }, size: { text: '320 × 240' } },
    });

    expect(summary.files).toHaveLength(1);
    const file = summary.files[0]!.file;
    expect([file.name, file.mime]).toEqual(['test-pattern-224.png', 'image/png']);
    const { image } = decodePng(file.bytes);
    expect([image.width, image.height]).toEqual([224, 224]);
    // The test pattern's centre cross is white; the crop kept it in the middle.
    expect(image.data[112 * 224 + 112]).toBeGreaterThan(0.9);
    const reopened = readDocumentBytes(file.bytes, catalogue);
    expect(reopened.ok && reopened.document).toEqual(doc);
  });

  it('saves again when only the document around it changed, so the embedded graph is never stale', async () => {
    const engine = new Engine({ registry: catalogue, services: createNodeServices() });
    const doc = example();
    await run(engine, doc);
    doc.nodes[0]!.position = [10, 10];
    const { summary } = await run(engine, doc);
    expect(summary.nodes).toMatchObject({
      load: { cached: true },
      resize: { cached: true },
      preview: { cached: true },
      save: { cached: false },
    });
    const reopened = readDocumentBytes(summary.files[0]!.file.bytes, catalogue);
    expect(reopened.ok && reopened.document.nodes[0]!.position).toEqual([10, 10]);
  });

  it('stretches when asked and loads data: URLs', async () => {
    const engine = new Engine({ registry: catalogue, services: createNodeServices() });
    const tiny = createImage(4, 2, new Float32Array(24).fill(1));
    const dataUrl = `data:image/png;base64,${Buffer.from(encodePng(tiny)).toString('base64')}`;
    const doc = example();
    doc.nodes[0]!.params.source = dataUrl;
    doc.nodes[1]!.params = { width: 8, height: 8, mode: 'stretch' };
    const { summary } = await run(engine, doc);
    const { image } = decodePng(summary.files[0]!.file.bytes);
    expect([image.width, image.height]).toEqual([8, 8]);
    expect(image.data.every((v) => v === 1)).toBe(true);
  });

  it('fails clearly without an image and for a missing file', async () => {
    const engine = new Engine({ registry: catalogue, services: createNodeServices() });
    const doc = example();
    doc.nodes[0]!.params.source = '';
    const empty = await run(engine, doc);
    expect(empty.events.find((e) => e.type === 'error')).toMatchObject({
      node: 'load',
      message: expect.stringContaining('no image chosen'),
    });
    doc.nodes[0]!.params.source = 'images/no-such.png';
    const missing = await run(engine, doc);
    expect(missing.events.find((e) => e.type === 'error')).toMatchObject({
      message: expect.stringContaining("cannot read 'images/no-such.png': no such file"),
    });
    expect(missing.summary.nodes).toMatchObject({ resize: { status: 'skipped' }, save: { status: 'skipped' } });
  });

  it('passes text and numbers through', async () => {
    const engine = new Engine({ registry: catalogue, services: createNodeServices() });
    const doc: GraphDocument = {
      format: 'rete-clip-pae/graph',
      version: 2,
      nodes: [
        { id: 't', type: 'value/text', position: [0, 0], params: { text: 'a happy face' } },
        { id: 'n', type: 'value/number', position: [0, 0], params: { value: 0.125 } },
      ],
      connections: [],
    };
    // Neither is a sink: without targets there is nothing to run.
    expect((await run(engine, doc)).summary.nodes).toEqual({});
    const seen: EngineEvent[] = [];
    await engine.run(doc, { targets: ['t', 'n'], onEvent: (e) => seen.push(e) });
    expect(seen.filter((e) => e.type === 'done').map((e) => e.type === 'done' && e.outputs)).toEqual([
      { text: { kind: 'value', text: 'a happy face' } },
      { value: { kind: 'value', text: '0.125' } },
    ]);
  });

  it('keeps saved file names inside the output folder', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd.png');
    expect(safeFileName('C:\\x\\face.PNG')).toBe('face.PNG');
    expect(safeFileName('')).toBe('image.png');
    expect(safeFileName('..')).toBe('image.png');
    expect(safeFileName('a:b?.png')).toBe('a_b_.png');
  });
});
