// Turning what a user typed into a param value of the right kind (pure: no DOM, no lit).
import type { ParamDef } from '../engine/graph/definition.js';

type NumberDef = Extract<ParamDef, { kind: 'number' }>;

/** A number typed by the user, snapped to the param's whole-number rule and range. */
export function coerceNumber(def: NumberDef, raw: number): number {
  let value = raw;
  if (def.integer) value = Math.round(value);
  if (def.min !== undefined) value = Math.max(def.min, value);
  if (def.max !== undefined) value = Math.min(def.max, value);
  return value;
}

export function promptsToText(value: unknown): string {
  return Array.isArray(value) ? value.join('\n') : '';
}

/** One prompt per line; blank lines are dropped and each prompt is trimmed. */
export function textToPrompts(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Whether two param values are the same (lists item by item): an edit to the same value is no edit. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => Object.is(item, b[i]));
  return Object.is(a, b);
}
