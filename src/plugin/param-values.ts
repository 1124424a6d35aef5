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

export function sameList(a: readonly string[], b: unknown): boolean {
  return Array.isArray(b) && a.length === b.length && a.every((item, i) => item === b[i]);
}
