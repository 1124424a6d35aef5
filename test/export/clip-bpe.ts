// CLIP's tokenizer as OpenAI's simple_tokenizer.py defines it, re-implemented here from its
// description as the reference the exported tokenizer.json is tested against: byte-level
// characters, '</w>' on each word's last symbol, lowest-rank pair merged first, <|startoftext|> …
// <|endoftext|> padded with 0. (ftfy and HTML unescaping are left out: the test prompts need
// neither.)
const SPLIT = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

export function byteAlphabet(): string[] {
  const keep = new Set<number>();
  for (let b = 33; b <= 126; b++) keep.add(b);
  for (let b = 161; b <= 172; b++) keep.add(b);
  for (let b = 174; b <= 255; b++) keep.add(b);
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(keep.has(b) ? b : 256 + extra++));
  return out;
}

export class ClipBpe {
  private readonly ranks = new Map<string, number>();
  readonly vocab = new Map<string, number>();
  private readonly bytes = byteAlphabet();

  constructor(merges: [string, string][]) {
    for (const [i, [a, b]] of merges.entries()) this.ranks.set(`${a} ${b}`, i);
    const tokens = [...this.bytes, ...this.bytes.map((c) => `${c}</w>`), ...merges.map(([a, b]) => a + b)];
    tokens.push('<|startoftext|>', '<|endoftext|>');
    for (const [i, t] of tokens.entries()) this.vocab.set(t, i);
  }

  private bpe(token: string): string[] {
    const chars = [...token];
    let word = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
    while (word.length > 1) {
      let best: [string, string] | undefined;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = [word[i]!, word[i + 1]!];
        }
      }
      if (!best) break;
      const next: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (i + 1 < word.length && word[i] === best[0] && word[i + 1] === best[1]) {
          next.push(best[0] + best[1]);
          i += 2;
        } else next.push(word[i++]!);
      }
      word = next;
    }
    return word;
  }

  encode(text: string, contextLength = 77): number[] {
    const clean = text.replace(/\s+/g, ' ').trim().toLowerCase();
    const ids = [this.vocab.get('<|startoftext|>')!];
    for (const m of clean.matchAll(SPLIT)) {
      const mapped = [...new TextEncoder().encode(m[0])].map((b) => this.bytes[b]).join('');
      for (const piece of this.bpe(mapped)) ids.push(this.vocab.get(piece)!);
    }
    ids.push(this.vocab.get('<|endoftext|>')!);
    if (ids.length > contextLength) {
      ids.length = contextLength;
      ids[contextLength - 1] = this.vocab.get('<|endoftext|>')!;
    }
    while (ids.length < contextLength) ids.push(0);
    return ids;
  }
}

/** A tiny BPE trainer (most frequent adjacent pair, ties by the pair's text) for a test vocabulary. */
export function learnMerges(corpus: string, count: number): [string, string][] {
  const alphabet = byteAlphabet();
  const words = new Map<string, number>();
  for (const m of corpus.toLowerCase().matchAll(SPLIT)) {
    const w = [...new TextEncoder().encode(m[0])].map((b) => alphabet[b]).join('');
    words.set(w, (words.get(w) ?? 0) + 1);
  }
  const seqs = new Map(
    [...words.keys()].map((w) => {
      const c = [...w];
      return [w, [...c.slice(0, -1), `${c[c.length - 1]}</w>`]];
    }),
  );
  const merges: [string, string][] = [];
  while (merges.length < count) {
    const pairs = new Map<string, number>();
    for (const [w, s] of seqs)
      for (let i = 0; i + 1 < s.length; i++) {
        const k = `${s[i]} ${s[i + 1]}`;
        pairs.set(k, (pairs.get(k) ?? 0) + words.get(w)!);
      }
    if (!pairs.size) break;
    const [best] = [...pairs].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
    const [x, y] = best.split(' ') as [string, string];
    merges.push([x, y]);
    for (const [w, s] of seqs) {
      const out: string[] = [];
      for (let i = 0; i < s.length; ) {
        if (i + 1 < s.length && s[i] === x && s[i + 1] === y) {
          out.push(x + y);
          i += 2;
        } else out.push(s[i++]!);
      }
      seqs.set(w, out);
    }
  }
  return merges;
}
