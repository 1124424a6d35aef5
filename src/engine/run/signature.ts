// A node's cache key, in the manner of ComfyUI: its type, its params and the keys of what feeds
// its inputs. Equal keys mean equal results, so a param change re-runs only that node and what
// depends on it. Node ids are not part of the key: two identical nodes share one result.
import { sha256Hex } from '../io/read.js';

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>).sort();
  return (
    '{' +
    keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',') +
    '}'
  );
}

export interface SignatureParts {
  type: string;
  params: Record<string, unknown>;
  /** For each connected input (and each param fed by one): the upstream node's key and the output it comes from. */
  inputs: Record<string, { key: string; output: string }>;
  /** The whole document's text, for nodes that read it. */
  document?: string;
  /** What the node reads from outside the graph, as its fingerprint() says (a file's size and mtime, …). */
  fingerprint?: string;
}

/**
 * SHA-256 of the canonical parts. Hashing keeps keys short however deep the graph is (nested
 * keys would grow with every level) and makes collisions a non-issue.
 */
export function nodeSignature(parts: SignatureParts): Promise<string> {
  return sha256Hex(canonicalJson(parts));
}
