// Param edits in the undo history: a gesture is one step, a discrete edit is its own.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HistoryPlugin } from 'rete-history-plugin';
import {
  type ParamChangeAction,
  PARAM_MERGE_MS,
  recordParamChange,
  recordParamChanges,
} from '../../src/plugin/history.js';
import type { ClipPaeSchemes } from '../../src/plugin/types.js';

function setup() {
  const history = new HistoryPlugin<ClipPaeSchemes, any>();
  const params: Record<string, unknown> = { alpha: 0 };
  const apply = (_node: string, name: string, value: unknown) => {
    params[name] = value;
  };
  const edit = (after: number, continuing: boolean) => {
    recordParamChange(history, { nodeId: 'n', name: 'alpha', before: params.alpha, after, continuing }, apply);
    params.alpha = after;
    if (!continuing) history.separate();
  };
  return { history, params, edit };
}

describe('param edits in the history', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('undoes and redoes one edit', async () => {
    const { history, params, edit } = setup();
    edit(3, false);
    await history.undo();
    expect(params.alpha).toBe(0);
    await history.redo();
    expect(params.alpha).toBe(3);
  });

  it('folds the steps of one slider drag into a single undo step', async () => {
    const { history, params, edit } = setup();
    for (const v of [1, 2, 3, 4]) {
      edit(v, true);
      vi.advanceTimersByTime(50);
    }
    expect(history.getHistorySnapshot()).toHaveLength(1);
    await history.undo();
    expect(params.alpha).toBe(0);
  });

  it('starts a new step after a pause longer than the merge window', async () => {
    const { history, params, edit } = setup();
    edit(1, true);
    vi.advanceTimersByTime(PARAM_MERGE_MS + 1);
    edit(2, true);
    expect(history.getHistorySnapshot()).toHaveLength(2);
    await history.undo();
    expect(params.alpha).toBe(1);
  });

  it('never folds a discrete edit into a gesture', () => {
    const { history, edit } = setup();
    edit(1, false);
    edit(2, true);
    edit(5, false);
    const actions = history.getHistorySnapshot().map((r) => r.action as ParamChangeAction);
    expect(actions.map((a) => [a.before, a.after])).toEqual([
      [0, 1],
      [1, 2],
      [2, 5],
    ]);
  });

  it('undoes and redoes the params one click set together as one step, and nothing before it', async () => {
    const { history, params, edit } = setup();
    edit(2, false);
    params.pick = 'largest';
    params.index = 0;
    const apply = (_node: string, name: string, value: unknown) => {
      params[name] = value;
    };
    recordParamChanges(
      history,
      [
        { nodeId: 'n', name: 'pick', before: 'largest', after: 'index' },
        { nodeId: 'n', name: 'index', before: 0, after: 1 },
      ],
      apply,
    );
    Object.assign(params, { pick: 'index', index: 1 });
    await history.undo();
    expect(params).toEqual({ alpha: 2, pick: 'largest', index: 0 });
    await history.redo();
    expect(params).toEqual({ alpha: 2, pick: 'index', index: 1 });
    await history.undo();
    await history.undo();
    expect(params).toEqual({ alpha: 0, pick: 'largest', index: 0 });
  });
});
