// Subspace: a corpus becomes an orthonormal basis in CLIP space, one named direction per row.
import { defineNode } from '../../engine/graph/definition.js';
import { pcaBasis } from '../../engine/pae/pca.js';
import { semanticBasis } from '../../engine/pae/semantic.js';
import type { SubspaceValue } from './values.js';

const METHODS = ['semantic', 'pca'] as const;

export const subspace = defineNode({
  type: 'pae/subspace',
  title: 'Subspace',
  category: 'PAE',
  help:
    'Embeds every corpus prompt with the CLIP text tower and builds an orthonormal basis of the subspace they span. ' +
    "'semantic': Gram–Schmidt in corpus order, so direction k keeps the name of prompt k (readable coefficients). " +
    "'pca': the top N principal components of the standardized prompt embeddings (for a large corpus), named after the prompt that points furthest along each.",
  inputs: { models: { type: 'Models', label: 'Models' }, prompts: { type: 'Prompts', label: 'Corpus' } },
  outputs: { subspace: { type: 'Subspace', label: 'Subspace' } },
  params: {
    method: {
      kind: 'select',
      options: METHODS,
      default: 'semantic',
      label: 'Method',
      help: "'semantic' (Gram–Schmidt, one direction per prompt) or 'pca' (top N components).",
    },
    n: {
      kind: 'number',
      default: 0,
      min: 0,
      max: 512,
      step: 1,
      integer: true,
      label: 'N',
      help: 'Number of directions. 0: every prompt for semantic, min(10, prompts − 1) for PCA. Semantic with N > 0 keeps the first N prompts.',
    },
  },
  async run(ctx) {
    const models = ctx.inputs.models;
    const prompts = ctx.inputs.prompts;
    if (prompts.length === 0) throw new Error('the corpus is empty');
    const { method, n } = ctx.params;
    const used = method === 'semantic' && n > 0 ? prompts.slice(0, n) : prompts;
    ctx.progress(0, `embedding ${used.length} prompts`);
    const embeddings = await models.bundle.encodeText(used, ctx.signal);
    const result =
      method === 'semantic'
        ? semanticBasis(embeddings, used)
        : pcaBasis(embeddings, n > 0 ? n : Math.min(10, prompts.length - 1), used);
    ctx.show('subspace', { kind: 'value', text: `${method} · ${result.n} directions: ${result.labels.join(' · ')}` });
    if (result.notes.length > 0) ctx.show('notes', { kind: 'value', text: result.notes.join('; ') });
    const value: SubspaceValue = { kind: 'subspace', subspace: result, models, bundleId: models.bundle.id };
    return { subspace: value };
  },
});
