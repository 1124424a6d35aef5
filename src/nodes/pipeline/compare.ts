// Compare: the start and the edit side by side, with the subspace coefficients before and after.
import { defineNode } from '../../engine/graph/definition.js';
import { sideBySide } from './strip.js';

export const compareNode = defineNode({
  type: 'output/compare',
  title: 'Compare',
  category: 'Output',
  help:
    'Shows the image before and after an edit side by side (scaled to one height) and, when both coefficient inputs are connected, ' +
    'the coefficients of each along the subspace directions as paired bars: which corpus directions the edit moved. ' +
    "Connect the PAE node's coefficients as before and the Optimize node's as after. The side-by-side image is also an output, e.g. for Save Image.",
  inputs: {
    before: { type: 'Image', label: 'Before' },
    after: { type: 'Image', label: 'After' },
    coefficientsBefore: { type: 'Coefficients', label: 'Coefficients before', optional: true },
    coefficientsAfter: { type: 'Coefficients', label: 'Coefficients after', optional: true },
  },
  outputs: { image: { type: 'Image', label: 'Side by side' } },
  params: {},
  sink: true,
  async run(ctx) {
    const before = ctx.inputs.before;
    const after = ctx.inputs.after;
    const image = sideBySide([before, after]);
    ctx.show('comparison', { kind: 'image', image });
    // The picture is already shown large; the output socket only says what it carries.
    ctx.show('image', { kind: 'value', text: `${image.width} × ${image.height}` });
    const cb = ctx.inputs.coefficientsBefore;
    const ca = ctx.inputs.coefficientsAfter;
    if (cb !== undefined || ca !== undefined) {
      if (cb === undefined || ca === undefined)
        throw new Error(
          `connect both coefficient inputs (only '${cb === undefined ? 'coefficientsAfter' : 'coefficientsBefore'}' is connected)`,
        );
      const b = cb;
      const a = ca;
      if (b.labels.length !== a.labels.length || b.labels.some((l, i) => l !== a.labels[i])) {
        throw new Error(
          `the coefficients before (${b.labels.join(', ')}) and after (${a.labels.join(', ')}) are not along the same directions; connect ones from the same subspace`,
        );
      }
      ctx.show('coefficients', { kind: 'bars', labels: b.labels, before: b.values, after: a.values });
    }
    return { image };
  },
});
