// One queued job run in-process, without Redis: an image that travels inside the job needs no
// shared folder, a second run of the same job writes nothing, a bad image fails with a reason
// that names it, and paths in the graph are made absolute where the worker could not find them.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readGraphFile } from '../../src/cli/graph-file.js';
import { jobData, pinPaths } from '../../src/cli/queue/enqueue.js';
import { checkJobData, queueServices, runJob } from '../../src/cli/queue/job.js';
import { FolderStore } from '../../src/cli/queue/store.js';
import type { GraphDocument } from '../../src/engine/graph/document.js';
import { readDocumentBytes } from '../../src/engine/graph/open.js';
import { Engine } from '../../src/engine/run/engine.js';
import { createNodeServices, PUBLIC_DIR } from '../../src/engine/run/services-node.js';
import { createImage } from '../../src/engine/tensor/image.js';
import { decodePng, encodePng } from '../../src/engine/tensor/png.js';
import { catalogue } from '../../src/nodes/registry.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rcp-job-'));

async function testPattern(): Promise<GraphDocument> {
  const loaded = await readGraphFile(join(root, 'graphs/test-pattern.json'), root, catalogue);
  if (!loaded.ok) throw new Error('graphs/test-pattern.json does not load');
  const doc = loaded.document;
  const resize = doc.nodes.find((n) => n.id === 'resize')!;
  resize.params = { ...resize.params, width: 4, height: 4 };
  return doc;
}

function solid(value: number): Uint8Array {
  return encodePng(createImage(6, 6, new Float32Array(6 * 6 * 3).fill(value)));
}

function worker() {
  const { services, images } = queueServices(createNodeServices({ baseDir: PUBLIC_DIR }));
  return { engine: new Engine({ registry: catalogue, services }), images };
}

const batch = (index: number, out: string) => ({ batch: 'b1', index, total: 2, out });

describe('a queued job', () => {
  it('runs from the bytes it carries, and a second run of it finds its file and writes nothing', async () => {
    const folder = join(work, 'in');
    mkdirSync(folder);
    writeFileSync(join(folder, 'grey face.png'), solid(0.4));
    const data = await jobData(
      await testPattern(),
      'load',
      folder,
      { name: 'grey face.png', folder: 'grey_face' },
      batch(0, join(work, 'out')),
    );
    expect(checkJobData(JSON.parse(JSON.stringify(data)))).toMatchObject({ ok: true });
    // The worker is elsewhere: the folder the batch came from is gone.
    rmSync(folder, { recursive: true });

    const { engine, images } = worker();
    const store = new FolderStore(join(work, 'out'));
    const first = await runJob(engine, images, store, data, { worker: 'test:1' });
    expect(first).toMatchObject({ status: 'done', result: { files: ['grey_face/test-pattern-224.png'], written: 1 } });
    const path = join(work, 'out/grey_face/test-pattern-224.png');
    const bytes = new Uint8Array(readFileSync(path));
    expect(decodePng(bytes).image.width).toBe(4);
    expect(Math.abs(decodePng(bytes).image.data[5]! - 0.4)).toBeLessThan(1 / 255 + 1e-6);
    // The embedded graph names the image by its path where it was enqueued (and the hash of its bytes).
    const embedded = readDocumentBytes(bytes, catalogue);
    expect(embedded.ok && embedded.document.nodes[0]!.params.source).toBe(
      `${join(folder, 'grey face.png')}#sha256=${data.sha256}`,
    );
    const inode = statSync(path).ino;

    const other = worker();
    const second = await runJob(other.engine, other.images, store, data, { worker: 'test:2' });
    expect(second).toMatchObject({ status: 'done', result: { files: ['grey_face/test-pattern-224.png'], written: 0 } });
    expect(statSync(path).ino).toBe(inode);
    expect(readdirSync(join(work, 'out/grey_face'))).toEqual(['test-pattern-224.png']);
    // Nothing of the job stays in the worker once it is done.
    expect(images.size).toBe(0);
  });

  it('fails with a reason that names the image when its bytes are not a picture', async () => {
    const folder = join(work, 'bad');
    mkdirSync(folder);
    writeFileSync(join(folder, 'broken.png'), 'not a png');
    const data = await jobData(
      await testPattern(),
      'load',
      folder,
      { name: 'broken.png', folder: 'broken' },
      batch(1, join(work, 'bad-out')),
    );
    const { engine, images } = worker();
    const outcome = await runJob(engine, images, new FolderStore(join(work, 'bad-out')), data, { worker: 'test:1' });
    expect(outcome.status).toBe('failed');
    const reason = outcome.status === 'failed' ? outcome.reason : '';
    expect(reason).toContain(`[load] Load Image: '${join(folder, 'broken.png')}'`);
    expect(reason).not.toContain('sha256');
  });

  it('reads a large image from its path and refuses one that changed after it was enqueued', async () => {
    const folder = join(work, 'shared');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.png'), solid(0.2));
    const data = await jobData(
      await testPattern(),
      'load',
      folder,
      { name: 'a.png', folder: 'a' },
      batch(0, join(work, 'shared-out')),
    );
    const byPath = { ...data, bytes: undefined };
    const { engine, images } = worker();
    const store = new FolderStore(join(work, 'shared-out'));
    expect(await runJob(engine, images, store, byPath, { worker: 't' })).toMatchObject({ status: 'done' });
    writeFileSync(join(folder, 'a.png'), solid(0.9));
    // A fresh worker: one that already ran the job has the result of these very bytes cached, which is right.
    const fresh = worker();
    const changed = await runJob(fresh.engine, fresh.images, new FolderStore(join(work, 'other-out')), byPath, {
      worker: 't',
    });
    expect(changed).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining(`'${join(folder, 'a.png')}' has changed since the batch was enqueued`),
    });
  });

  it('refuses data that is not a batch job', () => {
    expect(checkJobData({ batch: 'x' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^not a rete-clip-pae batch job: /),
    });
  });

  it('pins paths that name files beside the graph and leaves app paths and URLs alone', () => {
    const graphDir = join(work, 'graph');
    mkdirSync(join(graphDir, 'photos'), { recursive: true });
    writeFileSync(join(graphDir, 'photos/me.png'), solid(0.5));
    const node = (id: string, type: string, params: Record<string, unknown>) => ({
      id,
      type,
      position: [0, 0] as [number, number],
      params,
    });
    const doc: GraphDocument = {
      format: 'rete-clip-pae/graph',
      version: 2,
      nodes: [
        node('mine', 'image/load', { source: 'photos/me.png' }),
        node('app', 'image/load', { source: 'images/demo-face.png' }),
        node('url', 'image/load', { source: 'data:image/png;base64,AAAA' }),
        node('models', 'models/load', { bundle: 'models/demo/manifest.json', device: 'auto' }),
      ],
      connections: [],
    };
    const pinned = pinPaths(doc, graphDir, catalogue);
    expect(pinned.nodes.map((n) => n.params.source ?? n.params.bundle)).toEqual([
      join(graphDir, 'photos/me.png'),
      'images/demo-face.png',
      'data:image/png;base64,AAAA',
      'models/demo/manifest.json',
    ]);
    expect(doc.nodes[0]!.params.source).toBe('photos/me.png');
  });
});
