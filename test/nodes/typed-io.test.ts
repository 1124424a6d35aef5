// Inside run(), inputs and params have the types their definitions imply: a family's socket types
// name their values (SocketValues), params follow their kinds. `npm test` type-checks this file, so
// a regression in the inference fails there; the run below shows the values arrive as typed.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineNode, type ImageValue } from '../../src/engine/graph/definition.js';
import { NodeRegistry } from '../../src/engine/graph/registry.js';
import { Engine } from '../../src/engine/run/engine.js';
import { createNodeServices } from '../../src/engine/run/services-node.js';
import type { LatentValue, TargetValue } from '../../src/nodes/pipeline/values.js';
import { nodeFamilies } from '../../src/nodes/registry.js';
import { encodePng } from '../../src/engine/tensor/png.js';
import { graph } from './pipeline-helpers.js';

const seen: unknown[] = [];

const probe = defineNode({
  type: 'test/typed',
  title: 'Typed',
  category: 'Test',
  help: 'Looks at the types of what it gets.',
  inputs: { latent: { type: 'Latent', optional: true }, image: { type: 'Image' } },
  outputs: { target: { type: 'Target' }, text: { type: 'Text' } },
  params: {
    mode: { kind: 'select', options: ['a', 'b'], default: 'a', help: 'A choice.' },
    strength: { kind: 'number', default: 1, help: 'A number.' },
    prompts: { kind: 'prompts', default: ['x'], help: 'A list.' },
    on: { kind: 'boolean', default: false, help: 'A switch.' },
  },
  async run(ctx) {
    expectTypeOf(ctx.inputs.latent).toEqualTypeOf<LatentValue | undefined>();
    expectTypeOf(ctx.inputs.image).toEqualTypeOf<ImageValue>();
    expectTypeOf(ctx.params.mode).toEqualTypeOf<'a' | 'b'>();
    expectTypeOf(ctx.params.strength).toEqualTypeOf<number>();
    expectTypeOf(ctx.params.prompts).toEqualTypeOf<string[]>();
    expectTypeOf(ctx.params.on).toEqualTypeOf<boolean>();
    seen.push([ctx.inputs.image.width, ctx.params.strength, ctx.params.mode]);
    return { target: undefined as unknown as TargetValue, text: ctx.params.mode };
  },
});

describe('typed node I/O', () => {
  it('hands run() the input and the fed param as typed', async () => {
    const registry = new NodeRegistry([...nodeFamilies, { sockets: [], nodes: [probe] }]);
    const engine = new Engine({ registry, services: createNodeServices() });
    const png = encodePng({ kind: 'image', width: 3, height: 2, data: new Float32Array(18).fill(0.5) });
    const summary = await engine.run(
      graph(
        [
          ['load', 'image/load', { source: `data:image/png;base64,${Buffer.from(png).toString('base64')}` }],
          ['n', 'value/number', { value: 3 }],
          ['p', 'test/typed', { strength: 1, mode: 'b' }],
        ],
        ['load.image > p.image', 'n.value > p.strength'],
      ),
      { targets: ['p'] },
    );
    expect(summary.nodes.p).toMatchObject({ status: 'done' });
    expect(seen).toEqual([[3, 3, 'b']]);
  });
});
