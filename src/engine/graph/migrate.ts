// Upgrading documents written by older versions, before they are validated. migrations[n]
// turns a version-n document into a version-(n+1) one; a new version adds one entry here and
// bumps DOCUMENT_VERSION, and every older file keeps opening.
import type { DocConnection } from './document.js';
import { DOCUMENT_VERSION } from './document.js';
import type { NodeRegistry } from './registry.js';

export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

export const migrations: Record<number, Migration> = {
  // Version 2 adds the view's comments, frames and reroute points, all optional: a version-1 graph
  // has none, and its nodes and wires mean what they meant. A version-1 file that already carries
  // one of those fields was not written by this project, so it is refused rather than guessed at.
  1: (doc) => {
    for (const field of ['comments', 'frames', 'reroutes']) {
      if (field in doc) throw new Error(`'${field}' is a version 2 field; a version 1 document cannot have it`);
    }
    return doc;
  },
};

export type MigrationResult = { ok: true; document: Record<string, unknown> } | { ok: false; message: string };

/**
 * Brings a parsed document up to `current`. Each step sees a copy, so a failed migration leaves
 * the caller's object as it was.
 */
export function migrateDocument(
  raw: Record<string, unknown>,
  options: { migrations?: Record<number, Migration>; current?: number } = {},
): MigrationResult {
  const steps = options.migrations ?? migrations;
  const current = options.current ?? DOCUMENT_VERSION;
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return {
      ok: false,
      message: `expected a version number from 1 to ${current}, got ${JSON.stringify(version) ?? 'nothing'}`,
    };
  }
  if (version > current) {
    return {
      ok: false,
      message: `version ${version} was written by a newer rete-clip-pae; this one reads versions up to ${current}`,
    };
  }
  let doc: Record<string, unknown> = structuredClone(raw);
  for (let v = version; v < current; v++) {
    const step = steps[v];
    if (!step) return { ok: false, message: `there is no upgrade from version ${v} to ${v + 1}` };
    try {
      doc = step(doc);
    } catch (e) {
      return { ok: false, message: `upgrading from version ${v} to ${v + 1} failed: ${(e as Error).message}` };
    }
    doc.version = v + 1;
  }
  return { ok: true, document: doc };
}

/**
 * Rewrites connections into input names a node definition has renamed (its `renamedInputs`), in
 * place: e.g. CLIP Text's old optional Prompt input `text` now feeds its `prompt` param. Renames
 * live with the definitions, not in a version step, because they belong to a node family and the
 * engine knows none by name.
 */
export function renameInputs(
  connections: DocConnection[],
  nodes: readonly { id: string; type: string }[],
  registry: Pick<NodeRegistry, 'get'>,
): void {
  const typeOf = new Map(nodes.map((n) => [n.id, n.type]));
  for (const c of connections) {
    const renamed = registry.get(typeOf.get(c.to.node) ?? '')?.renamedInputs;
    if (renamed && Object.hasOwn(renamed, c.to.input)) c.to.input = renamed[c.to.input]!;
  }
}
