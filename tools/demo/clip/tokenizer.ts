// The demo CLIP's word-level tokenizer, written in the Hugging Face tokenizers format so that the
// app loads it with the same library as a real CLIP tokenizer. The library has no WordLevel model,
// so this is a WordPiece model whose vocabulary holds whole words only: every known word maps to one
// id and anything else to [UNK], which is exactly word-level behaviour.
import { Tokenizer } from '@huggingface/tokenizers';

export const PAD_TOKEN = '[PAD]';
export const UNK_TOKEN = '[UNK]';
export const PAD_ID = 0;
export const UNK_ID = 1;

/** Words as the tokenizer's normalizer and pre-tokenizer see them: lowercase, split on spaces and punctuation. */
export function splitWords(text: string): string[] {
  return text.toLowerCase().match(/\w+|[^\w\s]+/gu) ?? [];
}

/** The vocabulary of a set of texts: [PAD], [UNK], then every word in sorted order (stable across runs). */
export function vocabularyOf(texts: Iterable<string>): string[] {
  const words = new Set<string>();
  for (const t of texts) for (const w of splitWords(t)) words.add(w);
  return [PAD_TOKEN, UNK_TOKEN, ...[...words].sort()];
}

export function tokenizerJson(vocabulary: readonly string[]): object {
  if (vocabulary[PAD_ID] !== PAD_TOKEN || vocabulary[UNK_ID] !== UNK_TOKEN) {
    throw new Error(`tokenizer vocabulary must start with ${PAD_TOKEN}, ${UNK_TOKEN}`);
  }
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(PAD_ID, PAD_TOKEN), special(UNK_ID, UNK_TOKEN)],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: UNK_TOKEN,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((w, i) => [w, i])),
    },
  };
}

export function loadTokenizer(json: object): Tokenizer {
  return new Tokenizer(json, { model_max_length: 1 << 16 });
}

/** Token ids and attention mask for a batch of texts, padded with PAD_ID / cut to contextLength. */
export function encodeTexts(
  tokenizer: Tokenizer,
  texts: readonly string[],
  contextLength: number,
): { ids: BigInt64Array; mask: BigInt64Array } {
  const ids = new BigInt64Array(texts.length * contextLength);
  const mask = new BigInt64Array(texts.length * contextLength);
  texts.forEach((text, b) => {
    const enc = tokenizer.encode(text, { add_special_tokens: false });
    const n = Math.min(enc.ids.length, contextLength);
    for (let i = 0; i < n; i++) {
      const id = enc.ids[i];
      if (typeof id !== 'number') throw new Error(`tokenizer gave no id for token ${i} of "${text}"`);
      ids[b * contextLength + i] = BigInt(id);
      mask[b * contextLength + i] = 1n;
    }
  });
  return { ids, mask };
}
