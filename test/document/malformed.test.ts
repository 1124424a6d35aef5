// Each malformed document must be refused with an error at the expected JSON path.
import { describe, expect, it } from 'vitest';
import { parseDocument, validateDocument, type DocumentError } from '../../src/engine/graph/validate.js';
import { catalogue } from '../../src/nodes/registry.js';

/** A valid graph: load → resize → preview + save. */
function base(): any {
  return {
    format: 'rete-clip-pae/graph',
    version: 1,
    nodes: [
      { id: 'load', type: 'image/load', position: [0, 0], params: { source: 'images/test-pattern.png' } },
      {
        id: 'resize',
        type: 'image/resize',
        position: [300, 0],
        params: { width: 224, height: 224, mode: 'center-crop' },
      },
      { id: 'preview', type: 'image/preview', position: [600, 0], params: {} },
      { id: 'save', type: 'image/save', position: [600, 200], params: { filename: 'out.png' } },
    ],
    connections: [
      { from: { node: 'load', output: 'image' }, to: { node: 'resize', input: 'image' } },
      { from: { node: 'resize', output: 'image' }, to: { node: 'preview', input: 'image' } },
      { from: { node: 'resize', output: 'image' }, to: { node: 'save', input: 'image' } },
    ],
  };
}

function edit(change: (doc: any) => void): any {
  const doc = base();
  change(doc);
  return doc;
}

const numberNode = { id: 'n', type: 'value/number', position: [0, 300], params: { value: 3 } };

/** [what is wrong, the document (or JSON text), expected path, a word the message must contain] */
const cases: [string, unknown, string, string][] = [
  ['not JSON', '{ "format": "rete-clip-pae/graph", nodes: [', '', 'not JSON'],
  ['a JSON array', '[1, 2]', '', 'a list'],
  ['a JSON string', '"hello"', '', 'text'],
  ['no format', edit((d) => delete d.format), 'format', 'missing'],
  ['another format', edit((d) => (d.format = 'comfyui/workflow')), 'format', 'not a rete-clip-pae graph'],
  ['a newer version', edit((d) => (d.version = 3)), 'version', 'newer'],
  ['version 0', edit((d) => (d.version = 0)), 'version', 'version number'],
  ['version as text', edit((d) => (d.version = '1')), 'version', 'version number'],
  ['no version', edit((d) => delete d.version), 'version', 'version number'],
  ['no nodes', edit((d) => delete d.nodes), 'nodes', 'missing'],
  ['nodes not a list', edit((d) => (d.nodes = {})), 'nodes', 'a list'],
  ['a node that is not an object', edit((d) => (d.nodes[1] = 'resize')), 'nodes[1]', 'an object'],
  ['a node without id', edit((d) => delete d.nodes[0].id), 'nodes[0].id', 'missing'],
  ['an empty id', edit((d) => (d.nodes[0].id = '')), 'nodes[0].id', 'empty'],
  ['a type that is a number', edit((d) => (d.nodes[1].type = 7)), 'nodes[1].type', 'number'],
  [
    'an unknown node type',
    edit((d) => (d.nodes[2].type = 'image/previw')),
    'nodes[2].type',
    "did you mean 'image/preview'",
  ],
  ['a position with one number', edit((d) => (d.nodes[0].position = [1])), 'nodes[0].position', '2 items'],
  ['a position with text', edit((d) => (d.nodes[0].position = [1, 'top'])), 'nodes[0].position[1]', 'number'],
  ['an unknown node field', edit((d) => (d.nodes[3].colour = 'red')), 'nodes[3].colour', 'unknown field'],
  ['an unknown top-level field', edit((d) => (d.nodez = [])), 'nodez', 'unknown field'],
  ['params that are a list', edit((d) => (d.nodes[1].params = [224, 224])), 'nodes[1].params', 'an object'],
  ['a label that is a number', edit((d) => (d.nodes[1].label = 5)), 'nodes[1].label', 'string'],
  ['a duplicate id', edit((d) => (d.nodes[3].id = 'preview')), 'nodes[3].id', 'already used by nodes[2]'],
  [
    'a number param given as text',
    edit((d) => (d.nodes[1].params.width = '224')),
    'nodes[1].params.width',
    'expected a number',
  ],
  [
    'a number param below its minimum',
    edit((d) => (d.nodes[1].params.width = 0)),
    'nodes[1].params.width',
    'below the minimum 1',
  ],
  [
    'a number param above its maximum',
    edit((d) => (d.nodes[1].params.height = 5000)),
    'nodes[1].params.height',
    'above the maximum 4096',
  ],
  [
    'a fraction for a whole-number param',
    edit((d) => (d.nodes[1].params.width = 22.5)),
    'nodes[1].params.width',
    'whole number',
  ],
  [
    'a boolean for a number param',
    edit((d) => (d.nodes[1].params.height = true)),
    'nodes[1].params.height',
    'expected a number',
  ],
  [
    'a select value that is not an option',
    edit((d) => (d.nodes[1].params.mode = 'fit')),
    'nodes[1].params.mode',
    "'stretch', 'center-crop'",
  ],
  [
    'an unknown param',
    edit((d) => (d.nodes[1].params.colour = 'red')),
    'nodes[1].params.colour',
    'its params are width, height, mode',
  ],
  [
    'a param on a node that has none',
    edit((d) => (d.nodes[2].params.zoom = 2)),
    'nodes[2].params.zoom',
    'has no params',
  ],
  [
    'an image param that is a number',
    edit((d) => (d.nodes[0].params.source = 42)),
    'nodes[0].params.source',
    'expected text',
  ],
  [
    'a text param that is null',
    edit((d) => (d.nodes[3].params.filename = null)),
    'nodes[3].params.filename',
    'expected text',
  ],
  [
    'a value/number given text',
    edit((d) => d.nodes.push({ ...numberNode, params: { value: 'three' } })),
    'nodes[4].params.value',
    'expected a number',
  ],
  ['connections not a list', edit((d) => (d.connections = 'load->resize')), 'connections', 'a list'],
  ['a connection without its target', edit((d) => delete d.connections[0].to), 'connections[0].to', 'missing'],
  [
    'a connection with an extra field',
    edit((d) => (d.connections[0].via = 'x')),
    'connections[0].via',
    'unknown field',
  ],
  [
    'an output name that is a number',
    edit((d) => (d.connections[0].from.output = 0)),
    'connections[0].from.output',
    'string',
  ],
  [
    'a connection from a missing node',
    edit((d) => (d.connections[0].from.node = 'loader')),
    'connections[0].from.node',
    "no node has id 'loader'",
  ],
  [
    'a connection to a missing node',
    edit((d) => (d.connections[2].to.node = 'saver')),
    'connections[2].to.node',
    "no node has id 'saver'",
  ],
  [
    'an unknown output',
    edit((d) => (d.connections[0].from.output = 'picture')),
    'connections[0].from.output',
    "no output 'picture'",
  ],
  ['an unknown input', edit((d) => (d.connections[1].to.input = 'img')), 'connections[1].to.input', "no input 'img'"],
  [
    'a Number output into an Image input',
    edit((d) => {
      d.nodes.push(numberNode);
      d.connections[0].from = { node: 'n', output: 'value' };
    }),
    'connections[0]',
    'cannot connect Number output',
  ],
  [
    'two connections into one input',
    edit((d) => d.connections.push({ from: { node: 'load', output: 'image' }, to: { node: 'save', input: 'image' } })),
    'connections[3].to.input',
    'already fed by connections[2]',
  ],
  [
    'a cycle',
    edit((d) => {
      d.nodes.push({ id: 'again', type: 'image/resize', position: [0, 0], params: {} });
      d.connections[0] = { from: { node: 'again', output: 'image' }, to: { node: 'resize', input: 'image' } };
      d.connections.push({ from: { node: 'resize', output: 'image' }, to: { node: 'again', input: 'image' } });
    }),
    'connections[3]',
    'cycle',
  ],
  ['a meta title that is a number', edit((d) => (d.meta = { title: 3 })), 'meta.title', 'string'],
];

describe('malformed documents', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('accepts the base document', () => {
    expect(validateDocument(base(), catalogue).ok).toBe(true);
  });

  it.each(cases)('refuses %s', (_what, input, path, words) => {
    const result = typeof input === 'string' ? parseDocument(input, catalogue) : validateDocument(input, catalogue);
    expect(result.ok).toBe(false);
    const errors = (result as { errors: DocumentError[] }).errors;
    const at = errors.filter((e) => e.path === path);
    expect(at, `errors were ${JSON.stringify(errors)}`).toHaveLength(1);
    expect(at[0]!.message).toContain(words);
  });

  it('reports every problem of a document at once', () => {
    const doc = edit((d) => {
      d.nodes[1].params.width = -1;
      d.nodes[3].params.filename = 3;
      d.connections[1].to.input = 'img';
    });
    const result = validateDocument(doc, catalogue);
    expect(result.ok).toBe(false);
    expect((result as { errors: DocumentError[] }).errors.map((e) => e.path).sort()).toEqual([
      'connections[1].to.input',
      'nodes[1].params.width',
      'nodes[3].params.filename',
    ]);
  });

  it('reports the nodes along a cycle in its message', () => {
    const doc = edit((d) => {
      d.nodes.push({ id: 'again', type: 'image/resize', position: [0, 0], params: {} });
      d.connections[0] = { from: { node: 'again', output: 'image' }, to: { node: 'resize', input: 'image' } };
      d.connections.push({ from: { node: 'resize', output: 'image' }, to: { node: 'again', input: 'image' } });
    });
    const result = validateDocument(doc, catalogue) as { errors: DocumentError[] };
    expect(result.errors[0]!.message).toBe('closes a cycle: resize → again → resize');
  });

  it('leaves the input untouched when it refuses it', () => {
    const doc = edit((d) => (d.nodes[1].params.width = 0));
    const before = JSON.stringify(doc);
    validateDocument(doc, catalogue);
    expect(JSON.stringify(doc)).toBe(before);
  });
});
