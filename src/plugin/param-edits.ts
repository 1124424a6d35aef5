// The param-edit extension: edits made on a node card (a PARAM_EDIT_EVENT bubbling out of it)
// and setParam() calls are checked against the param's rules, recorded for undo and applied.
import type { NodeEditor } from 'rete';
import { paramProblem } from '../engine/graph/params.js';
import {
  PARAM_EDIT_EVENT,
  PARAMS_EDIT_EVENT,
  type ParamEditDetail,
  type ParamsEditDetail,
} from './components/node-card.js';
import type { UndoHistory } from './history.js';
import { clipPaeNode } from './node.js';
import { sameValue } from './param-values.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

export interface ParamEdits {
  /** Sets a param as the user would: checked, undoable, re-rendered, announced as a change. */
  setParam(nodeId: string, name: string, value: unknown, options?: { continuing?: boolean }): Promise<void>;
  /** Sets several params of one node as one undoable edit; all are checked before any is set. */
  setParams(nodeId: string, values: Record<string, unknown>): Promise<void>;
  destroy(): void;
}

export function paramEdits(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  options: { history?: UndoHistory; onChanged(): void; onEditFailed(message: string): void },
): ParamEdits {
  const apply = async (nodeId: string, name: string, value: unknown) => {
    const node = clipPaeNode(editor, nodeId);
    if (!node) return;
    node.params = { ...node.params, [name]: value };
    await area.update('node', nodeId);
    options.onChanged();
  };

  /** The node, after checking `value` against the param's rules. */
  const checked = (nodeId: string, name: string, value: unknown) => {
    const node = clipPaeNode(editor, nodeId);
    if (!node) throw new Error(`no node "${nodeId}"`);
    const def = node.definition.params[name];
    if (!def) throw new Error(`${node.label} has no param "${name}"`);
    const problem = paramProblem(def, value);
    if (problem) throw new Error(`${node.label}.${name}: ${problem}`);
    return node;
  };

  const setParam: ParamEdits['setParam'] = async (nodeId, name, value, edit = {}) => {
    const node = checked(nodeId, name, value);
    const before = node.params[name];
    if (sameValue(before, value)) return;
    options.history?.recordParam({ nodeId, name, before, after: value, continuing: edit.continuing === true }, apply);
    await apply(nodeId, name, value);
  };

  const setParams: ParamEdits['setParams'] = async (nodeId, values) => {
    const entries = Object.entries(values);
    const node = entries.map(([name, value]) => checked(nodeId, name, value))[0];
    if (!node) return;
    const changes = entries
      .map(([name, after]) => ({ nodeId, name, before: node.params[name], after }))
      .filter((c) => !sameValue(c.before, c.after));
    if (changes.length === 0) return;
    options.history?.recordParams(changes, apply);
    node.params = { ...node.params, ...Object.fromEntries(changes.map((c) => [c.name, c.after])) };
    await area.update('node', nodeId);
    options.onChanged();
  };

  const onEdits = (event: Event) => {
    const { nodeId, values } = (event as CustomEvent<ParamsEditDetail>).detail;
    void setParams(nodeId, values).catch((e: Error) => options.onEditFailed(e.message));
  };
  area.container.addEventListener(PARAMS_EDIT_EVENT, onEdits);

  const onEdit = (event: Event) => {
    const { nodeId, name, value, continuing } = (event as CustomEvent<ParamEditDetail>).detail;
    void setParam(nodeId, name, value, { continuing }).catch((e: Error) => options.onEditFailed(e.message));
  };
  area.container.addEventListener(PARAM_EDIT_EVENT, onEdit);
  return {
    setParam,
    setParams,
    destroy: () => {
      area.container.removeEventListener(PARAM_EDIT_EVENT, onEdit);
      area.container.removeEventListener(PARAMS_EDIT_EVENT, onEdits);
    },
  };
}
