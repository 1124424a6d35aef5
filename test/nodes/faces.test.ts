// The face nodes: Detect Faces on a sample photo, Identity between its faces, Expression bars; each
// node's run() is called as the engine calls it, after the engine's input checks.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NodeDefinition, OutputSummary, ParamDef, RunContext } from '../../src/engine/graph/definition.js';
import { detectFacesNode } from '../../src/nodes/faces/detect-faces.js';
import { expressionNode } from '../../src/nodes/faces/expression.js';
import { identityNode } from '../../src/nodes/faces/identity.js';
import { faceFamily } from '../../src/nodes/faces/index.js';
import { catalogue } from '../../src/nodes/registry.js';
import type { DetectedFace } from '../../src/engine/faces/types.js';
import { decodePhoto, samplePath } from '../faces/photos.js';

const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));
const services = {
  loadBytes: async (path: string) => new Uint8Array(await readFile(join(PUBLIC, path))),
  fingerprint: async (path: string) => path,
};

async function run(
  def: NodeDefinition<any, any, any>,
  inputs: Record<string, unknown>,
  params: Record<string, unknown> = {},
) {
  const shown: Record<string, OutputSummary> = {};
  const defaults = Object.fromEntries(Object.entries(def.params).map(([k, p]) => [k, (p as ParamDef).default]));
  const ctx: RunContext<any, any> = {
    nodeId: 'n',
    params: { ...defaults, ...params },
    inputs,
    signal: new AbortController().signal,
    progress: () => {},
    preview: () => {},
    emitFile: () => {},
    show: (key, summary) => {
      shown[key] = summary;
    },
    document: {},
    services,
  };
  return { outputs: await def.run(ctx), shown };
}

describe('the face nodes', () => {
  it('are in the catalogue with registered socket types, help and valid params', () => {
    for (const def of faceFamily.nodes) {
      expect(catalogue.get(def.type)).toBe(def);
      expect(def.help.length).toBeGreaterThan(40);
      for (const port of [...Object.values(def.inputs), ...Object.values(def.outputs)])
        expect(catalogue.socketType(port.type), port.type).toBeDefined();
      for (const p of Object.values(def.params)) expect(p.help.length).toBeGreaterThan(10);
    }
  });

  it('detect, choose, compare and read the expression of the faces in a photo', async () => {
    const { image } = await decodePhoto(samplePath('sample1.jpg'));
    const detected = await run(detectFacesNode, { image });
    const faces = (detected.outputs.faces as { faces: DetectedFace[] }).faces;
    const chosen = detected.outputs.face as DetectedFace;
    expect(faces).toHaveLength(3);
    const areas = faces.map((f) => f.box[2] * f.box[3]);
    const largest = areas.indexOf(Math.max(...areas));
    expect(chosen).toEqual(faces[largest]);
    expect(detected.shown.face).toEqual({
      kind: 'value',
      text: `3 faces; face ${largest} (score ${chosen.score.toFixed(2)})`,
    });
    const preview = detected.shown.faces as Extract<OutputSummary, { kind: 'image' }>;
    expect([preview.image.width, preview.image.height]).toEqual([image.width, image.height]);
    // Every box is a clickable region, in fractions of the photo, that chooses its face by index.
    expect(preview.regions).toHaveLength(3);
    for (const [i, region] of preview.regions!.entries()) {
      const [bx, by, bw, bh] = faces[i]!.box;
      expect(region.box[0] * image.width).toBeCloseTo(bx, 6);
      expect(region.box[1] * image.height).toBeCloseTo(by, 6);
      expect(region.box[2] * image.width).toBeCloseTo(bw, 6);
      expect(region.box[3] * image.height).toBeCloseTo(bh, 6);
      expect(region.params).toEqual({ pick: 'index', index: i });
      expect(region.label).toContain(`face ${i}`);
    }
    // The chosen box's top edge is drawn in green.
    const [x, y] = chosen.box.map(Math.round) as [number, number];
    const at = (c: number) => preview.image.data[(c * image.height + y) * image.width + x + 5]!;
    expect([at(0), at(1), at(2)].map((v) => v.toFixed(1))).toEqual(['0.2', '0.9', '0.3']);

    const byIndex = await run(detectFacesNode, { image }, { pick: 'index', index: 2 });
    expect(byIndex.outputs.face).toEqual(faces[2]);
    await expect(run(detectFacesNode, { image }, { pick: 'index', index: 3 })).rejects.toThrow(
      'face index 3 does not exist: the photo has 3 faces (0–2)',
    );

    const same = await run(identityNode, { image, face: chosen, other: image, otherFace: chosen });
    expect((same.outputs.descriptor as { descriptor: Float32Array }).descriptor).toHaveLength(128);
    expect(same.shown.descriptor).toEqual({ kind: 'value', text: 'similarity 1.000, distance 0.000 (same person)' });
    const other = faces[(largest + 1) % 3]!;
    const different = await run(identityNode, { image, face: chosen, other: image, otherFace: other });
    expect((different.shown.descriptor as { text: string }).text).toMatch(/\(different people\)$/);
    const alone = await run(identityNode, { image, face: chosen });
    expect(alone.shown.descriptor).toEqual({ kind: 'value', text: '128-D identity descriptor' });

    const mood = await run(expressionNode, { image, face: chosen });
    const bars = mood.shown.expression as { kind: string; labels: string[]; before: number[] };
    expect(bars.labels).toEqual(['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']);
    expect(bars.before.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('names what is wrong: a photo without a face, a missing face input', async () => {
    const { image } = await decodePhoto(join(PUBLIC, 'images/test-pattern.png'));
    await expect(run(detectFacesNode, { image })).rejects.toThrow('no face found in the 320×240 image');
    // The name Load Image puts on its image reaches the message.
    await expect(run(detectFacesNode, { image: { ...image, name: "'pattern.png'" } })).rejects.toThrow(
      "no face found in 'pattern.png' (320×240): choose a photo with a face, or lower Min score",
    );
    expect(catalogue.socketType('Face')!.check(image)).toBe('expected a face with a box [x, y, width, height]');
    expect(catalogue.socketType('Faces')!.check(image)).toBe(
      'expected the faces of a photo (from Detect Faces), got an image',
    );
  });
});
