// What a node shows as the engine reports on it.
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../src/nodes/registry.js';
import { createNode } from '../../src/plugin/document-bridge.js';
import { applyEngineEvent, markCancelled, markQueued, resetRunView } from '../../src/plugin/run-view.js';
import type { ImageValue } from '../../src/engine/graph/definition.js';

const image: ImageValue = { kind: 'image', width: 1, height: 1, data: new Float32Array([1, 0, 0]) };

describe('run view', () => {
  it('follows a node from queued to done with its outputs', () => {
    const node = createNode(catalogue, 'image/resize', { id: 'r' });
    const get = (id: string) => (id === 'r' ? node : undefined);
    markQueued(node);
    expect(node.run.state).toBe('queued');
    expect(applyEngineEvent({ type: 'started', node: 'r' }, get)).toBe('r');
    expect(node.run.state).toBe('running');
    applyEngineEvent({ type: 'progress', node: 'r', fraction: 1.7, message: 'resizing' }, get);
    expect(node.run).toMatchObject({ state: 'running', fraction: 1, message: 'resizing' });
    applyEngineEvent({ type: 'preview', node: 'r', image }, get);
    expect(node.run.preview).toBe(image);
    applyEngineEvent(
      { type: 'done', node: 'r', ms: 12, cached: false, outputs: { image: { kind: 'image', image } } },
      get,
    );
    expect(node.run).toMatchObject({ state: 'done', ms: 12, fraction: undefined, preview: undefined });
    expect(node.run.outputs.image).toEqual({ kind: 'image', image });
  });

  it('marks errors and skips, clearing stale outputs', () => {
    const node = createNode(catalogue, 'image/load', { id: 'l' });
    const get = () => node;
    applyEngineEvent(
      { type: 'done', node: 'l', ms: 1, cached: true, outputs: { image: { kind: 'image', image } } },
      get,
    );
    expect(node.run.state).toBe('cached');
    applyEngineEvent({ type: 'error', node: 'l', message: 'no image chosen' }, get);
    expect(node.run).toMatchObject({ state: 'error', error: 'no image chosen', outputs: {} });
    applyEngineEvent({ type: 'skipped', node: 'l', because: "'x' failed" }, get);
    expect(node.run).toMatchObject({ state: 'skipped', because: "'x' failed" });
  });

  it('offers a file as a download link, freed when the view resets', () => {
    const node = createNode(catalogue, 'image/save', { id: 's' });
    applyEngineEvent(
      { type: 'file', node: 's', file: { name: 'edit.png', mime: 'image/png', bytes: new Uint8Array([1, 2, 3]) } },
      () => node,
    );
    expect(node.run.files).toHaveLength(1);
    expect(node.run.files[0]).toMatchObject({ name: 'edit.png', mime: 'image/png', size: 3 });
    expect(node.run.files[0]!.url).toMatch(/^blob:/);
    resetRunView(node);
    expect(node.run.files).toEqual([]);
  });

  it('ignores events for nodes it does not have, and cancels only unfinished nodes', () => {
    const node = createNode(catalogue, 'value/number', { id: 'n' });
    expect(applyEngineEvent({ type: 'started', node: 'other' }, () => undefined)).toBeUndefined();
    expect(applyEngineEvent({ type: 'cancelled' }, () => node)).toBeUndefined();
    markQueued(node);
    expect(markCancelled(node)).toBe(true);
    expect(node.run.state).toBe('cancelled');
    applyEngineEvent({ type: 'done', node: 'n', ms: 1, cached: false, outputs: {} }, () => node);
    expect(markCancelled(node)).toBe(false);
  });
});
