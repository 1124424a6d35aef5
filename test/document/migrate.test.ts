// The migration hook: older documents are upgraded step by step before validation.
import { describe, expect, it } from 'vitest';
import { migrateDocument, migrations } from '../../src/engine/graph/migrate.js';
import { validateDocument } from '../../src/engine/graph/validate.js';
import { catalogue } from '../../src/nodes/registry.js';

describe('migrateDocument', () => {
  it('has one step, from version 1 to 2, which keeps what a version-1 document holds', () => {
    expect(Object.keys(migrations)).toEqual(['1']);
    expect(migrateDocument({ version: 1, nodes: [] })).toEqual({ ok: true, document: { version: 2, nodes: [] } });
    expect(migrateDocument({ version: 2, nodes: [] })).toEqual({ ok: true, document: { version: 2, nodes: [] } });
  });

  it('applies each step from the document version up to the current one, on a copy', () => {
    const steps = {
      1: (d: Record<string, unknown>) => ({ ...d, nodes: (d.nodes as string[]).map((n) => n.toUpperCase()) }),
      2: (d: Record<string, unknown>) => ({ ...d, renamed: true }),
    };
    const original = { version: 1, nodes: ['a'] };
    const result = migrateDocument(original, { migrations: steps, current: 3 });
    expect(result).toEqual({ ok: true, document: { version: 3, nodes: ['A'], renamed: true } });
    expect(original).toEqual({ version: 1, nodes: ['a'] });
    expect(migrateDocument({ version: 2, nodes: ['a'] }, { migrations: steps, current: 3 })).toEqual({
      ok: true,
      document: { version: 3, nodes: ['a'], renamed: true },
    });
  });

  it('names a missing step, a failing step and a version from the future', () => {
    expect(migrateDocument({ version: 1 }, { migrations: {}, current: 2 })).toEqual({
      ok: false,
      message: 'there is no upgrade from version 1 to 2',
    });
    const failing = migrateDocument(
      { version: 1 },
      {
        migrations: {
          1: () => {
            throw new Error('no nodes');
          },
        },
        current: 2,
      },
    );
    expect(failing).toEqual({ ok: false, message: 'upgrading from version 1 to 2 failed: no nodes' });
    const future = migrateDocument({ version: 5 });
    expect(future.ok === false && future.message).toContain('newer');
  });
});

describe('renamed inputs', () => {
  it("rewrite the old optional Prompt input 'text' of CLIP Text and PAE to the 'prompt' param it now feeds", () => {
    const old = {
      format: 'rete-clip-pae/graph',
      version: 1,
      nodes: [
        { id: 'word', type: 'value/text', params: { text: 'a sad face' } },
        { id: 'clip', type: 'clip/text' },
        { id: 'pae', type: 'pae/target' },
      ],
      connections: [
        { from: { node: 'word', output: 'text' }, to: { node: 'clip', input: 'text' } },
        { from: { node: 'word', output: 'text' }, to: { node: 'pae', input: 'text' } },
      ],
    };
    const result = validateDocument(old, catalogue);
    expect(result.ok).toBe(true);
    expect(result.ok && result.document.connections.map((c) => `${c.to.node}.${c.to.input}`)).toEqual([
      'clip.prompt',
      'pae.prompt',
    ]);
    // The caller's object is left as it was.
    expect(old.connections[0]!.to.input).toBe('text');
  });
});
