// Constant values to wire into other nodes' inputs (a prompt, a strength, a seed).
import { defineNode } from '../../engine/graph/definition.js';

export const textValue = defineNode({
  type: 'value/text',
  title: 'Text',
  category: 'Values',
  help: 'A piece of text, such as a prompt, for any Text input.',
  inputs: {},
  outputs: { text: { type: 'Text', label: 'Text' } },
  params: { text: { kind: 'text', default: '', multiline: true, label: 'Text', help: 'The text this node outputs.' } },
  async run(ctx) {
    return { text: ctx.params.text };
  },
});

export const numberValue = defineNode({
  type: 'value/number',
  title: 'Number',
  category: 'Values',
  help: 'A number, such as a strength or a step count, for any Number input.',
  inputs: {},
  outputs: { value: { type: 'Number', label: 'Number' } },
  params: { value: { kind: 'number', default: 0, label: 'Value', help: 'The number this node outputs.' } },
  async run(ctx) {
    return { value: ctx.params.value };
  },
});
