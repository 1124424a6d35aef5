// Captions for demo faces, written from their classes with the phrases of tools/demo/attributes.ts.
// Like web alt-text, a caption mentions only some of what is visible (one to four attribute groups),
// in varied forms: "grey hair", "bald", "a smiling face", "a woman with curly red hair and glasses".
// Each caption records the claims it makes, so the trainer knows which captions are true of which
// faces.
import { CLASS_GROUPS, type ClassGroup, type ClassSpec, type Phrases } from '../attributes.js';
import type { Rng } from '../../../src/engine/random.js';
import { splitWords } from '../clip/tokenizer.js';

/** A face's class per group, or null where the group is not visible (hair colour of a bald head). */
export type FaceClasses = Record<string, string | null>;

export interface Caption {
  text: string;
  /** group → class the caption asserts. */
  claims: Record<string, string>;
}

type Slot = keyof Phrases;

/** How often a group is mentioned, relative to the others. */
const MENTION_WEIGHT: Record<string, number> = {
  expression: 4.5,
  'hair colour': 2,
  'hair length': 1.6,
  'hair texture': 1.4,
  glasses: 1.3,
  beard: 1.3,
  'eye size': 1.5,
  'mouth width': 1.5,
  'skin tone': 1.2,
  background: 1.1,
};

const PREFIXES = ['', '', '', '', 'a photo of ', 'a portrait of ', 'a picture of ', 'a drawing of '];

/** Subject nouns. The generator has no sex, but captions of bearded or long-haired faces use
 *  "man" and "woman" the way people would, which ties those words to beards and hair. */
function subject(classes: FaceClasses, rng: Rng): string {
  const r = rng.uniform();
  if (classes.beard === 'beard') return r < 0.6 ? rng.pick(['man', 'guy', 'gentleman']) : rng.pick(['face', 'person']);
  if (classes['hair length'] === 'long')
    return r < 0.5 ? rng.pick(['woman', 'lady', 'girl']) : rng.pick(['face', 'person']);
  if (classes['hair length'] === 'bald')
    return r < 0.5 ? rng.pick(['man', 'guy']) : rng.pick(['face', 'person', 'head']);
  return r < 0.2 ? rng.pick(['man', 'woman', 'boy']) : rng.pick(['face', 'person']);
}

function article(next: string): string {
  return /^[aeiou]/i.test(next) ? 'an' : 'a';
}

function withArticle(words: string): string {
  return `${article(words)} ${words}`;
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function classOf(group: ClassGroup, name: string): ClassSpec {
  const c = group.classes.find((k) => k.name === name);
  if (!c) throw new Error(`class group '${group.name}' has no class '${name}'`);
  return c;
}

function slotsOf(cls: ClassSpec): Slot[] {
  return (['adj', 'with', 'hair', 'scene'] as const).filter((s) => (cls.phrases[s]?.length ?? 0) > 0);
}

/** Strips a leading article ("a large mouth" → "large mouth"). */
function bare(phrase: string): string {
  return phrase.replace(/^(a|an) /, '');
}

/** A caption about one group only, in one of its short or sentence forms. */
function singleCaption(_group: ClassGroup, cls: ClassSpec, classes: FaceClasses, rng: Rng): string {
  const slot = rng.pick(slotsOf(cls));
  const phrase = rng.pick(cls.phrases[slot]!);
  const r = rng.uniform();
  if (r < 0.15) return cls.prompt;
  const short = r < 0.55;
  switch (slot) {
    case 'adj':
      return short ? phrase : `${withArticle(phrase)} ${subject(classes, rng)}`;
    case 'with':
      return short ? (rng.chance(0.5) ? bare(phrase) : phrase) : `${withArticle(subject(classes, rng))} with ${phrase}`;
    case 'hair':
      return short ? `${phrase} hair` : `${withArticle(subject(classes, rng))} with ${phrase} hair`;
    case 'scene':
      return short ? `a face ${phrase}` : `${withArticle(subject(classes, rng))} ${phrase}`;
  }
}

/** Order of hair words before "hair": length, texture, colour ("long curly red hair"). */
const HAIR_ORDER = ['hair length', 'hair texture', 'hair colour'];

/** A sentence about several groups: "a smiling woman with curly red hair and glasses on a blue background". */
function multiCaption(mentions: [ClassGroup, ClassSpec][], classes: FaceClasses, rng: Rng): string {
  const adjs: string[] = [];
  const withs: string[] = [];
  const hair: [number, string][] = [];
  let scene = '';
  for (const [group, cls] of mentions) {
    // Two adjectives before the subject read naturally; a third group goes after "with".
    const slots = slotsOf(cls);
    const open = adjs.length >= 2 && slots.some((s) => s !== 'adj') ? slots.filter((s) => s !== 'adj') : slots;
    const slot = rng.pick(open);
    const phrase = rng.pick(cls.phrases[slot]!);
    if (slot === 'adj') adjs.push(phrase);
    else if (slot === 'with') withs.push(phrase);
    else if (slot === 'hair') hair.push([HAIR_ORDER.indexOf(group.name), phrase]);
    else scene = phrase;
  }
  if (hair.length > 0)
    withs.unshift(
      `${hair
        .sort((a, b) => a[0] - b[0])
        .map((h) => h[1])
        .join(' ')} hair`,
    );
  const head = [...adjs.slice(0, 2), subject(classes, rng)].join(' ');
  let text = withArticle(head);
  if (adjs.length > 2) withs.push(...adjs.slice(2).map((a) => `${withArticle(a)} look`));
  if (withs.length > 0) text += ` with ${joinList(withs)}`;
  if (scene) text += ` ${scene}`;
  return text;
}

function weightedPick(groups: ClassGroup[], rng: Rng): ClassGroup {
  const total = groups.reduce((s, g) => s + (MENTION_WEIGHT[g.name] ?? 1), 0);
  let r = rng.uniform() * total;
  for (const g of groups) {
    r -= MENTION_WEIGHT[g.name] ?? 1;
    if (r < 0) return g;
  }
  return groups[groups.length - 1]!;
}

/** Tokens a caption may have: the text tower's context length. */
export const MAX_CAPTION_TOKENS = 16;

/**
 * One random caption of a face with the given classes, mentioning `count` groups (1–4 if left out).
 * A caption that would not fit the context length is written again with one group fewer, so that no
 * claim is cut off.
 */
export function captionFace(classes: FaceClasses, rng: Rng, count?: number): Caption {
  let n = count ?? rng.pick([1, 1, 1, 2, 2, 2, 3, 3, 4]);
  for (;;) {
    const c = writeCaption(classes, rng, n);
    if (splitWords(c.text).length <= MAX_CAPTION_TOKENS || n === 1) return c;
    n--;
  }
}

function writeCaption(classes: FaceClasses, rng: Rng, count: number): Caption {
  const visible = CLASS_GROUPS.filter((g) => classes[g.name] != null);
  if (visible.length === 0) throw new Error('captionFace: the face has no visible class');
  const n = Math.min(visible.length, count);
  const pool = [...visible];
  const mentions: [ClassGroup, ClassSpec][] = [];
  for (let i = 0; i < n; i++) {
    const g = weightedPick(pool, rng);
    pool.splice(pool.indexOf(g), 1);
    mentions.push([g, classOf(g, classes[g.name]!)]);
  }
  const claims = Object.fromEntries(mentions.map(([g, c]) => [g.name, c.name]));
  const text =
    n === 1 ? singleCaption(mentions[0]![0], mentions[0]![1], classes, rng) : multiCaption(mentions, classes, rng);
  return { text: n === 1 && text.length < 14 ? text : rng.pick(PREFIXES) + text, claims };
}

/** Whether every claim of a caption holds for a face. */
export function captionHolds(caption: Caption, classes: FaceClasses): boolean {
  for (const [group, cls] of Object.entries(caption.claims)) if (classes[group] !== cls) return false;
  return true;
}

/** Every text the tokenizer must know: all phrases, prompts and template words. */
export function captionVocabularyTexts(): string[] {
  const texts = [
    ...PREFIXES,
    'a an with and hair face person portrait head man guy gentleman woman lady girl boy look , .',
  ];
  for (const g of CLASS_GROUPS) {
    for (const c of g.classes) {
      texts.push(c.prompt);
      for (const list of Object.values(c.phrases)) texts.push(...(list as string[]));
    }
  }
  return texts;
}
