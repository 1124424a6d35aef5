// `--set <node>.<param>=<value>`: changing params from the command line without editing the
// graph. Values are read as the param's kind and checked like the document itself.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GraphDocument } from '../engine/graph/document.js';
import { paramFromText } from '../engine/graph/params.js';
import { validateDocument, type DocumentError } from '../engine/graph/validate.js';
import type { NodeRegistry } from '../engine/graph/registry.js';
import { UsageError } from './io.js';

export interface ParamOverride {
  node: string;
  param: string;
  value: string;
}

/** Splits `node.param=value`; the node id may itself contain dots (the last dot before '=' splits). */
export function parseOverride(text: string): ParamOverride {
  const eq = text.indexOf('=');
  const target = eq < 0 ? text : text.slice(0, eq);
  const dot = target.lastIndexOf('.');
  if (eq < 0 || dot <= 0 || dot === target.length - 1) {
    throw new UsageError(`--set expects <node>.<param>=<value>, got '${text}'`);
  }
  return { node: target.slice(0, dot), param: target.slice(dot + 1), value: text.slice(eq + 1) };
}

/**
 * A copy of `doc` with the overrides applied and validated again. An image param given as a
 * path that exists relative to `cwd` becomes absolute, since the graph's own relative paths
 * resolve against the graph's folder instead.
 */
export function applyOverrides(
  doc: GraphDocument,
  overrides: readonly ParamOverride[],
  registry: NodeRegistry,
  cwd: string,
): { ok: true; document: GraphDocument } | { ok: false; errors: DocumentError[] } {
  const next = structuredClone(doc);
  const errors: DocumentError[] = [];
  for (const o of overrides) {
    const index = next.nodes.findIndex((n) => n.id === o.node);
    const where = `--set ${o.node}.${o.param}`;
    if (index < 0) {
      errors.push({
        path: where,
        message: `the graph has no node '${o.node}' (its nodes: ${next.nodes.map((n) => n.id).join(', ')})`,
      });
      continue;
    }
    const node = next.nodes[index]!;
    const def = registry.get(node.type)!;
    const paramDef = def.params[o.param];
    if (!paramDef) {
      const known = Object.keys(def.params);
      errors.push({
        path: where,
        message: `${def.title} '${node.id}' has no param '${o.param}' (${known.length ? `its params: ${known.join(', ')}` : 'it has no params'})`,
      });
      continue;
    }
    const parsed = paramFromText(paramDef, o.value);
    if (!parsed.ok) {
      errors.push({ path: where, message: parsed.message });
      continue;
    }
    let value = parsed.value;
    if (paramDef.kind === 'image' && typeof value === 'string' && value !== '' && !/^[a-z][a-z0-9+.-]+:/i.test(value)) {
      const local = resolve(cwd, value);
      if (existsSync(local)) value = local;
    }
    node.params[o.param] = value;
  }
  if (errors.length > 0) return { ok: false, errors };
  const checked = validateDocument(next, registry);
  if (!checked.ok) {
    // Name the --set that caused a param error rather than a path inside a file the user did not edit.
    return {
      ok: false,
      errors: checked.errors.map((e) => {
        const m = /^nodes\[(\d+)\]\.params\.(\w+)$/.exec(e.path);
        const node = m && next.nodes[Number(m[1])];
        return node && overrides.some((o) => o.node === node.id && o.param === m[2])
          ? { path: `--set ${node.id}.${m[2]}`, message: e.message }
          : e;
      }),
    };
  }
  return checked;
}
