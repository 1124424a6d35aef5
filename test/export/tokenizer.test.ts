// The tokenizer.json the CLIP exporter writes, loaded by the app's tokenizer
// (@huggingface/tokenizers), gives the ids of CLIP's own BPE (clip-bpe.ts) on a synthetic
// vocabulary: from an OpenAI-style bpe_simple_vocab file and from a Hugging Face vocab.json +
// merges.txt.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PromptTokenizer } from '../../src/engine/models/tokenizer.js';
import { ClipBpe, learnMerges } from './clip-bpe.js';
import { runPython, tempDir } from './helpers.js';

const CORPUS = `a happy face, a sad face, an angry face! she's smiling; they're 25 years old.
Grey-haired man with glasses — café au lait skin, naïve look, a face 😀 and another face 😀😀.
the person's hair is curly and blond, it's 100% real: 3 people, 12 faces`;

const PROMPTS = [
  'a happy face',
  'A  Smiling   WOMAN!!',
  "she's 25 years old, isn't she?",
  'café au lait — naïve',
  'grey-haired man, 80',
  'emoji 😀 face',
  'unknownwordxyz qqq',
  '  leading and trailing  ',
  'it\'ll be 100% "real"',
  Array.from({ length: 40 }, (_, i) => `face${i}`).join(' '),
];

describe('CLIP tokenizer export', () => {
  const merges = learnMerges(CORPUS, 150);
  const reference = new ClipBpe(merges);
  const work = tempDir('tok');

  it('gives OpenAI BPE ids from a bpe_simple_vocab file', async () => {
    const bpe = join(work, 'bpe_simple_vocab_test.txt.gz');
    writeFileSync(bpe, gzipSync(`"bpe_simple_vocab test"\n${merges.map((m) => m.join(' ')).join('\n')}\n`));
    const out = join(work, 'openai');
    const r = await runPython('export.py', ['tokenizer', out, '--bpe', bpe]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${512 + merges.length + 2} tokens, ${merges.length} merges`);
    const tok = new PromptTokenizer(JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')), undefined, 77, 0);
    for (const p of PROMPTS) expect(tok.encode(p).ids, p).toEqual(reference.encode(p));
    // Words the merges cover become single tokens, so the test is not only about bytes.
    expect(reference.encode('a happy face').filter((id) => id !== 0)).toHaveLength(5);
    // The long prompt is cut with the end token kept, as OpenAI's truncate=True does.
    // Hugging Face's own CLIP tokenizer.json (what a --clip-hf folder brings) ends with a
    // RobertaProcessing post-processor and pads with <|endoftext|>: the same ids up to the padding.
    const json = JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8'));
    const eot = reference.vocab.get('<|endoftext|>')!;
    json.post_processor = {
      type: 'RobertaProcessing',
      sep: ['<|endoftext|>', eot],
      cls: ['<|startoftext|>', reference.vocab.get('<|startoftext|>')],
      trim_offsets: false,
      add_prefix_space: false,
    };
    const hfStyle = new PromptTokenizer(json, { model_max_length: 77, pad_token: '<|endoftext|>' }, 77, eot);
    for (const p of PROMPTS.slice(0, -1)) {
      const want = reference.encode(p);
      const real = want.indexOf(0);
      expect(hfStyle.encode(p).ids, p).toEqual([...want.slice(0, real), ...want.slice(real).map(() => eot)]);
    }
    const long = tok.encode(PROMPTS[PROMPTS.length - 1]!);
    expect(long.truncated).toBe(true);
    expect(long.ids[76]).toBe(reference.vocab.get('<|endoftext|>'));
  }, 300_000);

  it('gives the same ids from a Hugging Face vocab.json + merges.txt', async () => {
    const hf = join(work, 'hf');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(hf, { recursive: true });
    writeFileSync(join(hf, 'vocab.json'), JSON.stringify(Object.fromEntries(reference.vocab)));
    writeFileSync(join(hf, 'merges.txt'), `#version: 0.2\n${merges.map((m) => m.join(' ')).join('\n')}\n`);
    const out = join(work, 'from-hf');
    const r = await runPython('export.py', ['tokenizer', out, '--hf', hf]);
    expect(r.code, r.stderr).toBe(0);
    const tok = new PromptTokenizer(JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')), undefined, 77, 0);
    for (const p of PROMPTS) expect(tok.encode(p).ids, p).toEqual(reference.encode(p));
  }, 300_000);
});
