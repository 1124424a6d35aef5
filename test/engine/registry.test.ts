// The registry the engine runs with: socket types come from node families, definitions are
// checked once, and connections into inputs and into params follow the registered types.
import { describe, expect, it } from 'vitest';
import { defineNode } from '../../src/engine/graph/definition.js';
import { NodeRegistry, type SocketTypeDef } from '../../src/engine/graph/registry.js';
import { validateDocument } from '../../src/engine/graph/validate.js';
import { catalogue } from '../../src/nodes/registry.js';
import { graph, registry, testSockets } from './fixtures.js';

const number = testSockets[0]!;
const wide: SocketTypeDef = { name: 'Wide', help: 'Takes numbers too', check: () => undefined, accepts: ['Number'] };

describe('NodeRegistry', () => {
  it('lists the socket types its families registered, and nothing else', () => {
    expect(registry.socketTypes().map((s) => s.name)).toEqual(['Number', 'Blob']);
    expect(registry.socketType('Image')).toBeUndefined();
    expect(catalogue.socketTypes().map((s) => s.name)).toEqual([
      'Image',
      'Text',
      'Number',
      'Latent',
      'Embedding',
      'Subspace',
      'Coefficients',
      'Target',
      'Prompts',
      'Models',
      'Faces',
      'Face',
      'Descriptor',
      'FaceTransform',
      'StyleDirection',
    ]);
  });

  it('connects a type to itself and to the types that accept it', () => {
    const r = new NodeRegistry([{ sockets: [number, wide], nodes: [] }]);
    expect(r.canConnect('Number', 'Number')).toBe(true);
    expect(r.canConnect('Number', 'Wide')).toBe(true);
    expect(r.canConnect('Wide', 'Number')).toBe(false);
    expect(r.canConnect('Nope', 'Nope')).toBe(false);
  });

  it('tells which socket type may feed a param', () => {
    expect(catalogue.paramSocket('pae/target', 'alpha')).toBe('Number');
    expect(catalogue.paramSocket('pae/target', 'prompt')).toBe('Text');
    expect(catalogue.paramSocket('pae/corpus', 'prompts')).toBe('Prompts');
    expect(catalogue.paramSocket('pae/target', 'variant')).toBeUndefined(); // a select
    expect(catalogue.paramSocket('pae/target', 'nope')).toBeUndefined();
    expect(catalogue.paramSocket('pae/target', 'toString')).toBeUndefined();
    expect(catalogue.paramSocket('no/such', 'alpha')).toBeUndefined();
  });

  it('refuses a definition whose input and param share a name', () => {
    const clash = defineNode({
      type: 'test/clash',
      title: 'Clash',
      category: 'Test',
      help: 'Uses one name twice.',
      inputs: { value: { type: 'Number' } },
      outputs: {},
      params: { value: { kind: 'number', default: 0, help: 'The value.' } },
      async run() {
        return {};
      },
    });
    expect(() => new NodeRegistry([{ sockets: [number], nodes: [clash] }])).toThrow(
      "node type 'test/clash' is not valid: 'value' is both an input and a param",
    );
  });

  it('refuses unknown socket types, twice-registered ones and accepts of unknown types', () => {
    const odd = defineNode({
      type: 'test/odd',
      title: 'Odd',
      category: 'Test',
      help: 'Has an input of a type no family registered.',
      inputs: { value: { type: 'Colour' } },
      outputs: {},
      params: {},
      async run() {
        return {};
      },
    });
    expect(() => new NodeRegistry([{ sockets: [number], nodes: [odd] }])).toThrow(
      "input 'value' has unknown socket type 'Colour' (known: Number)",
    );
    expect(
      () =>
        new NodeRegistry([
          { sockets: [number], nodes: [] },
          { sockets: [number], nodes: [] },
        ]),
    ).toThrow("socket type 'Number' is registered twice");
    expect(() => new NodeRegistry([{ sockets: [wide], nodes: [] }])).toThrow(
      "socket type 'Wide' accepts unknown socket type 'Number'",
    );
  });
});

describe('connections into params', () => {
  it('validate when the output type feeds the param kind', () => {
    const doc = graph(
      [
        ['a', 'test/number', { value: 1 }],
        ['b', 'test/number', { value: 2 }],
      ],
      ['a.value>b.value'],
    );
    const result = validateDocument(doc, registry);
    expect(result.ok).toBe(true);
  });

  it('name the connection when no input may feed the param, or the types differ', () => {
    const doc = graph(
      [
        ['a', 'test/number'],
        ['f', 'test/fail'],
        ['blob', 'test/blob'],
        ['b', 'test/number'],
      ],
      ['a.value>f.message', 'blob.value>b.value', 'a.value>f.nope'],
    );
    const result = validateDocument(doc, registry);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      {
        path: 'connections[0].to.input',
        message: "param 'message' of Fail 'f' is a text param, which no input can feed",
      },
      {
        path: 'connections[1]',
        message: "cannot connect Blob output 'value' of 'blob' to Number param 'value' of 'b'",
      },
      {
        path: 'connections[2].to.input',
        message: "Fail 'f' has no input 'nope' (its inputs: value)",
      },
    ]);
  });

  it('lists the params an input may feed when an input name is unknown', () => {
    const doc = graph(
      [
        ['a', 'test/number'],
        ['b', 'test/blob'],
      ],
      ['a.value>b.size'],
    );
    const result = validateDocument(doc, registry);
    expect(!result.ok && result.errors[0]!.message).toBe(
      "Blob 'b' has no input 'size' (it has no inputs); params an input may feed: n, seed",
    );
  });
});
