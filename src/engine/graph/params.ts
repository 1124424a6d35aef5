// Checking parameter values against their definitions, and reading them from text (the CLI's
// `--set node.param=value`). One place decides what a valid value of each kind is.
import type { ParamDef } from './definition.js';

/** Why `value` is not a valid value for `def`, or null when it is. */
export function paramProblem(def: ParamDef, value: unknown): string | null {
  switch (def.kind) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a number, got ${describeValue(value)}`;
      if (def.integer && !Number.isInteger(value)) return `expected a whole number, got ${value}`;
      if (def.min !== undefined && value < def.min) return `${value} is below the minimum ${def.min}`;
      if (def.max !== undefined && value > def.max) return `${value} is above the maximum ${def.max}`;
      return null;
    }
    case 'text':
    case 'image':
    case 'bundle':
      return typeof value === 'string' ? null : `expected text, got ${describeValue(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `expected true or false, got ${describeValue(value)}`;
    case 'select':
      if (typeof value !== 'string') return `expected one of ${quoteList(def.options)}, got ${describeValue(value)}`;
      return def.options.includes(value) ? null : `'${value}' is not one of ${quoteList(def.options)}`;
    case 'prompts': {
      if (!Array.isArray(value)) return `expected a list of prompts, got ${describeValue(value)}`;
      const bad = value.findIndex((p) => typeof p !== 'string');
      return bad < 0 ? null : `prompt ${bad + 1} is ${describeValue(value[bad])}, expected text`;
    }
  }
}

/** A fresh copy of the default, so editing one node's list never changes another's. */
export function defaultParam(def: ParamDef): unknown {
  return def.kind === 'prompts' ? [...def.default] : def.default;
}

/**
 * Reads a parameter value typed as text: numbers and booleans are parsed, prompts are a JSON
 * array or a list separated by `|`. The result still has to pass paramProblem (ranges, options).
 */
export function paramFromText(
  def: ParamDef,
  text: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  switch (def.kind) {
    case 'number': {
      const value = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(value)) return { ok: false, message: `'${text}' is not a number` };
      return { ok: true, value };
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1' || t === 'yes' || t === 'on') return { ok: true, value: true };
      if (t === 'false' || t === '0' || t === 'no' || t === 'off') return { ok: true, value: false };
      return { ok: false, message: `'${text}' is not true or false` };
    }
    case 'prompts': {
      if (text.trim().startsWith('[')) {
        try {
          return { ok: true, value: JSON.parse(text) };
        } catch (e) {
          return { ok: false, message: `a prompt list in [...] must be JSON: ${(e as Error).message}` };
        }
      }
      return {
        ok: true,
        value: text
          .split('|')
          .map((p) => p.trim())
          .filter((p) => p !== ''),
      };
    }
    case 'text':
    case 'image':
    case 'bundle':
    case 'select':
      return { ok: true, value: text };
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return `the number ${value}`;
  return `${typeof value} ${String(value)}`;
}

function quoteList(options: readonly string[]): string {
  return options.map((o) => `'${o}'`).join(', ');
}
