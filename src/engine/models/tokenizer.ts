// Prompts to the fixed-length id and mask rows a CLIP-like text tower takes, using the Hugging
// Face tokenizers format (tokenizer.json, optionally tokenizer_config.json).
import { Tokenizer } from '@huggingface/tokenizers';

export interface TokenizedPrompt {
  /** contextLength ids, padded with padId. */
  ids: number[];
  /** 1 for real tokens, 0 for padding. */
  mask: number[];
  /** True when the prompt was cut to fit (its special end tokens are kept). */
  truncated: boolean;
}

export class PromptTokenizer {
  private readonly tokenizer: Tokenizer;

  constructor(
    tokenizerJson: unknown,
    tokenizerConfig: unknown,
    readonly contextLength: number,
    readonly padId: number,
    private readonly where = 'tokenizer.json',
  ) {
    if (typeof tokenizerJson !== 'object' || tokenizerJson === null || !('model' in tokenizerJson)) {
      throw new Error(`${where} is not a Hugging Face tokenizer (it has no "model")`);
    }
    try {
      this.tokenizer = new Tokenizer(tokenizerJson, (tokenizerConfig ?? {}) as object);
    } catch (e) {
      throw new Error(`${where} could not be loaded: ${(e as Error).message}`);
    }
  }

  private ids(prompt: string, specialTokens: boolean): number[] {
    const { ids } = this.tokenizer.encode(prompt, { add_special_tokens: specialTokens });
    ids.forEach((id, i) => {
      if (typeof id !== 'number' || !Number.isInteger(id)) {
        throw new Error(
          `${this.where} gave no id for token ${i} of "${prompt}" (a WordLevel model is not supported by @huggingface/tokenizers; ` +
            'a WordPiece model with a word vocabulary and [UNK] tokenizes the same way)',
        );
      }
    });
    return ids;
  }

  encode(prompt: string): TokenizedPrompt {
    if (typeof prompt !== 'string') throw new Error(`a prompt must be text, got ${typeof prompt}`);
    let ids = this.ids(prompt, true);
    let truncated = false;
    if (ids.length > this.contextLength) {
      // Keep the template's leading and trailing special tokens: CLIP pools at the end token.
      const plain = this.ids(prompt, false);
      const prefix = indexOfRun(ids, plain);
      const suffix = prefix < 0 ? 0 : ids.length - prefix - plain.length;
      const head = Math.max(prefix, 0);
      const room = this.contextLength - head - suffix;
      if (prefix < 0 || room < 1) ids = ids.slice(0, this.contextLength);
      else ids = [...ids.slice(0, head), ...plain.slice(0, room), ...ids.slice(ids.length - suffix)];
      truncated = true;
    }
    const mask = ids.map(() => 1);
    while (ids.length < this.contextLength) {
      ids.push(this.padId);
      mask.push(0);
    }
    return { ids, mask, truncated };
  }

  /** The token strings of a prompt (for display and tests). */
  tokens(prompt: string): string[] {
    return this.tokenizer.encode(prompt).tokens;
  }
}

function indexOfRun(haystack: number[], needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
