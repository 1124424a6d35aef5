// The organising helpers without a browser: where a new reroute point goes,
// what is copied, which node types a dropped wire offers, and what the models panel reads.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../src/engine/graph/validate.js';
import { catalogue } from '../../src/nodes/registry.js';
import { subDocument } from '../../src/plugin/clipboard.js';
import { insertionIndex } from '../../src/plugin/reroute.js';
import { matchingPort } from '../../src/plugin/socket-search.js';
import { bundlesInDocument, manifestFiles, manifestPath } from '../../src/ui/bundles.js';

const graph = (name: string) => {
  const result = parseDocument(readFileSync(new URL(`../../graphs/${name}.json`, import.meta.url), 'utf8'), catalogue);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.document;
};

describe('reroute points', () => {
  it('put a new point on the segment it lengthens least', () => {
    const start = { x: 0, y: 0 };
    const end = { x: 300, y: 0 };
    const pins = [{ x: 100, y: 0 }];
    expect(insertionIndex(start, pins, end, { x: 50, y: 5 })).toBe(0);
    expect(insertionIndex(start, pins, end, { x: 250, y: 5 })).toBe(1);
    expect(insertionIndex(start, [], end, { x: 150, y: 80 })).toBe(0);
  });
});

describe('copying nodes', () => {
  it('keeps the chosen nodes and only the wires between them', () => {
    const doc = graph('test-pattern');
    const wire = doc.connections[0]!;
    const part = subDocument(doc, new Set([wire.from.node, wire.to.node]));
    expect(part.nodes.map((n) => n.id).sort()).toEqual([wire.from.node, wire.to.node].sort());
    expect(part.connections).toEqual(
      doc.connections.filter(
        (c) =>
          [wire.from.node, wire.to.node].includes(c.from.node) && [wire.from.node, wire.to.node].includes(c.to.node),
      ),
    );
    // A copied part is a document of its own: it validates.
    expect(parseDocument(JSON.stringify(part), catalogue).ok).toBe(true);
    expect(part.frames).toBeUndefined();
    expect(part.comments).toBeUndefined();
  });

  it("takes a frame whose nodes are all chosen, the nodes of a chosen frame, chosen notes and the copied wires' points", () => {
    const doc = graph('test-pattern');
    const wire = doc.connections[0]!;
    const pair = [wire.from.node, wire.to.node];
    const other = doc.nodes.find((n) => !pair.includes(n.id))!.id;
    const framed: typeof doc = {
      ...doc,
      frames: [
        { id: 'frame-1', text: 'pair', nodes: pair },
        { id: 'frame-2', text: 'other', nodes: [other] },
      ],
      comments: [
        { id: 'note-1', text: 'kept', position: [10, 20] },
        { id: 'note-2', text: 'left', position: [30, 40] },
      ],
      reroutes: [{ to: wire.to, points: [[5, 6]] }],
    };
    const part = subDocument(framed, new Set(pair), new Set(['note-1']));
    expect(part.frames).toEqual([{ id: 'frame-1', text: 'pair', nodes: pair }]);
    expect(part.comments).toEqual([{ id: 'note-1', text: 'kept', position: [10, 20] }]);
    expect(part.reroutes).toEqual([{ to: wire.to, points: [[5, 6]] }]);
    expect(parseDocument(JSON.stringify(part), catalogue).ok).toBe(true);

    // One node of the pair is not a frame's worth; the wire's points go with the wire.
    const half = subDocument(framed, new Set([pair[0]!]));
    expect(half.frames).toBeUndefined();
    expect(half.reroutes).toBeUndefined();

    // A chosen frame brings its nodes.
    const byFrame = subDocument(framed, new Set(), new Set(['frame-2']));
    expect(byFrame.nodes.map((n) => n.id)).toEqual([other]);
    expect(byFrame.frames?.map((f) => f.id)).toEqual(['frame-2']);
    expect(parseDocument(JSON.stringify(byFrame), catalogue).ok).toBe(true);
  });
});

describe('socket search', () => {
  it('offers an input of the dragged type, a param an input of that type may feed, or nothing', () => {
    const preview = catalogue.get('image/preview')!;
    expect(matchingPort(catalogue, preview, 'Image', 'output')?.key).toBe('image');
    expect(matchingPort(catalogue, preview, 'Latent', 'output')).toBeUndefined();
    // Text feeds CLIP Text's prompt param through its param socket.
    const clipText = catalogue.get('clip/text')!;
    expect(catalogue.paramSocket('clip/text', 'prompt')).toBeDefined();
    expect(matchingPort(catalogue, clipText, catalogue.paramSocket('clip/text', 'prompt')!, 'output')?.key).toBe(
      'prompt',
    );
    // A dragged input looks for outputs.
    const load = catalogue.get('image/load')!;
    expect(matchingPort(catalogue, load, 'Image', 'input')?.key).toBe('image');
    expect(matchingPort(catalogue, load, 'Image', 'output')).toBeUndefined();
  });
});

describe('model bundles', () => {
  it('lists every file the demo and face manifests name', () => {
    const demo = JSON.parse(readFileSync(new URL('../../public/models/demo/manifest.json', import.meta.url), 'utf8'));
    expect(manifestFiles(demo)).toEqual(
      expect.arrayContaining([
        'clip_image.onnx',
        'clip_text.onnx',
        'encoder.onnx',
        'generator.onnx',
        'mapping.onnx',
        'mean_latent.bin',
        'tokenizer.json',
      ]),
    );
    const faces = JSON.parse(readFileSync(new URL('../../public/models/faces/manifest.json', import.meta.url), 'utf8'));
    expect(manifestFiles(faces).sort()).toEqual(
      ['face_expression.onnx', 'face_landmark_68.onnx', 'face_recognition.onnx', 'ssd_mobilenetv1.onnx'].sort(),
    );
  });

  it('finds the bundles a graph names, a folder meaning its manifest', () => {
    expect(bundlesInDocument(graph('default'))).toContain('models/demo/manifest.json');
    expect(manifestPath('https://example.org/models/big/')).toBe('https://example.org/models/big/manifest.json');
  });
});
