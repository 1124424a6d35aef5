// Corpus: the prompts that span one kind of attribute. The presets are the paper's corpora
// (emotions, hairstyles, eyes, mouth), written as prompts a CLIP text tower reads.
import { defineNode } from '../../engine/graph/definition.js';

export const CORPUS_PRESETS = {
  emotion: ['a happy face', 'a sad face', 'an angry face', 'a fearful face', 'a surprised face', 'a disgusted face'],
  hairstyle: [
    'black hair',
    'brown hair',
    'blond hair',
    'red hair',
    'grey hair',
    'bald',
    'short hair',
    'long hair',
    'curly hair',
    'straight hair',
  ],
  eyes: ['large eyes', 'small eyes'],
  mouth: ['large mouth', 'small mouth'],
} as const satisfies Record<string, readonly string[]>;

export const corpus = defineNode({
  type: 'pae/corpus',
  title: 'Corpus',
  category: 'PAE',
  help:
    'A list of prompts that span one kind of attribute, one per line; the Subspace node turns it into named directions. ' +
    'Presets: the emotion corpus of the CLIP-PAE paper (happy, sad, angry, fearful, surprised, disgusted), hairstyles, eyes (large/small) and mouth (large/small). ' +
    'The prompt you edit toward should be in the corpus (or close to it): PAE only moves the image inside the corpus subspace.',
  inputs: {},
  outputs: { prompts: { type: 'Prompts', label: 'Prompts' } },
  params: {
    prompts: {
      kind: 'prompts',
      default: CORPUS_PRESETS.emotion,
      presets: CORPUS_PRESETS,
      label: 'Prompts',
      help: 'One prompt per line; order matters for the semantic basis (each direction is what its prompt adds beyond the ones above it).',
    },
  },
  async run(ctx) {
    const prompts = ctx.params.prompts.map((p) => p.trim()).filter((p) => p !== '');
    if (prompts.length === 0) throw new Error('the corpus is empty: write at least one prompt, or pick a preset');
    const seen = new Set<string>();
    for (const p of prompts) {
      if (seen.has(p)) throw new Error(`the corpus lists "${p}" twice; each prompt must appear once`);
      seen.add(p);
    }
    return { prompts };
  },
});
