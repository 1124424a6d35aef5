import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '@huggingface/tokenizers';
import { readModel, tensorFromProto } from '../../src/engine/onnx/model.js';
import { PromptTokenizer } from '../../src/engine/models/tokenizer.js';
import { parseManifest } from '../../src/engine/models/manifest.js';
import { CLASS_GROUPS } from '../../tools/demo/attributes.js';
import { captionFace, captionVocabularyTexts } from '../../tools/demo/data/captions.js';
import {
  encodeTexts,
  PAD_ID,
  splitWords,
  tokenizerJson,
  UNK_ID,
  vocabularyOf,
} from '../../tools/demo/clip/tokenizer.js';
import { readClasses } from '../../tools/demo/data/faces.js';
import { Rng } from '../../src/engine/random.js';
import { repoPath } from '../paths.js';

const dir = repoPath('public', 'models', 'demo');
const shipped = JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')) as {
  model: { vocab: Record<string, number> };
};
const manifest = parseManifest(readFileSync(`${dir}/manifest.json`), 'manifest.json');

/** Prompts the paper and the app use as edit targets. */
const TARGETS = [
  'a happy face',
  'a sad face',
  'an angry face',
  'a surprised face',
  'a fearful face',
  'a disgusted face',
  'bald',
  'curly hair',
  'blonde',
  'black hair',
  'grey hair',
  'large eyes',
  'small eyes',
  'large mouth',
  'small mouth',
  'a smiling face',
  'a happy person',
  'a woman with curly red hair and glasses',
  'a bald man',
];

describe('demo tokenizer.json', () => {
  const tok = new Tokenizer(shipped, {});
  const vocab = shipped.model.vocab;

  it('loads in @huggingface/tokenizers and maps every word of the target prompts to its own id', () => {
    for (const prompt of TARGETS) {
      const enc = tok.encode(prompt);
      const words = splitWords(prompt);
      expect(enc.ids, prompt).toEqual(words.map((w) => vocab[w]));
      expect(enc.ids, prompt).not.toContain(UNK_ID);
      expect(enc.attention_mask).toEqual(words.map(() => 1));
    }
  });

  it('knows every word of every caption phrase and class prompt, and sends unknown words to [UNK]', () => {
    for (const text of captionVocabularyTexts()) expect(tok.encode(text).ids, text).not.toContain(UNK_ID);
    expect(tok.encode('a zebra face').ids).toEqual([vocab.a, UNK_ID, vocab.face]);
    expect(tok.encode('A HAPPY Face!').ids.slice(0, 3)).toEqual(tok.encode('a happy face').ids);
  });

  it('is the tokenizer the build makes, and pads the way the app does', () => {
    expect(JSON.parse(JSON.stringify(tokenizerJson(vocabularyOf(captionVocabularyTexts()))))).toEqual(shipped);
    const app = new PromptTokenizer(shipped, undefined, manifest.clip.text.contextLength, manifest.clip.padId);
    const mine = encodeTexts(tok, ['a person with grey hair'], manifest.clip.text.contextLength);
    const enc = app.encode('a person with grey hair');
    expect(enc.ids).toEqual(Array.from(mine.ids, Number));
    expect(enc.mask).toEqual(Array.from(mine.mask, Number));
    expect(manifest.clip.padId).toBe(PAD_ID);
  });

  it('has as many ids as the text tower has word embeddings', () => {
    const model = readModel(readFileSync(`${dir}/clip_text.onnx`));
    const table = model.graph!.initializer.find((t) => t.name === 'text.embed.weight')!;
    expect(tensorFromProto(table).dims[0]).toBe(Object.keys(vocab).length);
    expect(Math.max(...Object.values(vocab))).toBe(Object.keys(vocab).length - 1);
  });

  it('keeps generated captions within the context length', () => {
    const rng = new Rng(3);
    const classes = readClasses(new Float64Array(20).fill(0.9));
    for (const g of CLASS_GROUPS) expect(g.name in classes).toBe(true);
    for (let i = 0; i < 300; i++) {
      const c = captionFace(
        { ...classes, 'hair colour': 'red', 'hair texture': 'curly', expression: 'happy' },
        rng,
        1 + (i % 4),
      );
      expect(tok.encode(c.text).ids.length, c.text).toBeLessThanOrEqual(manifest.clip.text.contextLength);
    }
  });
});
