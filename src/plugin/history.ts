// The undo extension: rete-history-plugin's classic preset (nodes, wires, moves) plus what it
// does not see, parameter edits, and the keys that undo and redo.
import type { NodeEditor } from 'rete';
import { type HistoryAction, HistoryPlugin, Presets as HistoryPresets } from 'rete-history-plugin';
import { removablePipes } from './pipes.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

type ApplyParam = (nodeId: string, name: string, value: unknown) => void | Promise<void>;

export class ParamChangeAction implements HistoryAction {
  constructor(
    readonly nodeId: string,
    readonly name: string,
    readonly before: unknown,
    public after: unknown,
    private readonly apply: ApplyParam,
    /** Whether later steps of the same gesture may still fold into this entry. */
    public open = false,
  ) {}

  async undo(): Promise<void> {
    await this.apply(this.nodeId, this.name, this.before);
  }

  async redo(): Promise<void> {
    await this.apply(this.nodeId, this.name, this.after);
  }
}

/**
 * How long a pause may be inside one gesture on a param (a slider drag, typing a prompt) for it
 * to stay one undo step. Longer than the history plugin's grouping window on purpose.
 */
export const PARAM_MERGE_MS = 1000;

/** Records an edit, folding it into the previous one when both are steps of the same gesture. */
export function recordParamChange(
  history: HistoryPlugin<ClipPaeSchemes, any>,
  change: { nodeId: string; name: string; before: unknown; after: unknown; continuing: boolean },
  apply: ApplyParam,
): void {
  const snapshot = history.getHistorySnapshot();
  const last = snapshot[snapshot.length - 1];
  if (
    change.continuing &&
    last &&
    !last.separated &&
    Date.now() - last.time < PARAM_MERGE_MS &&
    last.action instanceof ParamChangeAction &&
    last.action.open &&
    last.action.nodeId === change.nodeId &&
    last.action.name === change.name
  ) {
    last.action.after = change.after;
    last.time = Date.now();
    return;
  }
  // A new edit never joins whatever was recorded just before it (a wire dropped a moment ago).
  history.separate();
  history.add(new ParamChangeAction(change.nodeId, change.name, change.before, change.after, apply, change.continuing));
}

/**
 * Records edits of several params made by one gesture (a clicked image region): added together and
 * unseparated, the history plugin undoes and redoes them as one step.
 */
export function recordParamChanges(
  history: HistoryPlugin<ClipPaeSchemes, any>,
  changes: readonly { nodeId: string; name: string; before: unknown; after: unknown }[],
  apply: ApplyParam,
): void {
  history.separate();
  for (const c of changes) history.add(new ParamChangeAction(c.nodeId, c.name, c.before, c.after, apply));
  history.separate();
}

function isEditable(target: EventTarget | undefined): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'file', 'image', 'hidden', 'range'].includes(
      target.type,
    );
  }
  return false;
}

/**
 * Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (Cmd on macOS). Text fields keep their own undo:
 * the real target is looked up through shadow roots, where node controls live.
 */
export function bindUndoKeys(
  target: Document | HTMLElement,
  actions: { undo(): void | Promise<void>; redo(): void | Promise<void> },
): () => void {
  const onKey = (event: Event) => {
    const e = event as KeyboardEvent;
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    if (isEditable(e.composedPath()[0])) return;
    const key = e.key.toLowerCase();
    if (key === 'z' && !e.shiftKey) {
      e.preventDefault();
      void actions.undo();
    } else if ((key === 'z' && e.shiftKey) || key === 'y') {
      e.preventDefault();
      void actions.redo();
    }
  };
  target.addEventListener('keydown', onKey);
  return () => target.removeEventListener('keydown', onKey);
}

export interface UndoHistory {
  readonly history: HistoryPlugin<ClipPaeSchemes, any>;
  undo(): Promise<void>;
  redo(): Promise<void>;
  /** Records a param edit (a gesture's steps fold into one entry; anything else is a step of its own). */
  recordParam(
    change: { nodeId: string; name: string; before: unknown; after: unknown; continuing: boolean },
    apply: ApplyParam,
  ): void;
  /** Records edits of several params made by one gesture (a clicked image region) as one undo step. */
  recordParams(changes: { nodeId: string; name: string; before: unknown; after: unknown }[], apply: ApplyParam): void;
  /** Records a note or frame added (undo takes it away, redo puts it back): one step. */
  recordNote(change: { remove(): void; add(): void }): void;
  destroy(): void;
}

/**
 * Undo/redo for the editor, param edits included. Keys are heard on `keyboard` (false: nowhere).
 * Cleanup takes out the plugin's forwarding pipe and the pipes its preset added to the editor and
 * area, the key listener, and forgets the recorded steps.
 */
export function undoHistory(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  keyboard: Document | HTMLElement | false,
): UndoHistory {
  const history = new HistoryPlugin<ClipPaeSchemes, any>();
  const unpipe = removablePipes([editor, area], () => {
    history.addPreset(HistoryPresets.classic.setup());
    area.use(history);
  });
  // The history plugin undoes actions recorded close together as one step. Separating after
  // each undo/redo keeps what comes next from joining a step that was just replayed.
  const undo = async () => {
    await history.undo();
    history.separate();
  };
  const redo = async () => {
    await history.redo();
    history.separate();
  };
  const unbind = keyboard === false ? () => undefined : bindUndoKeys(keyboard, { undo, redo });
  return {
    history,
    undo,
    redo,
    recordParam(change, apply) {
      recordParamChange(history, change, apply);
      // A discrete edit (a pick, a toggle, a committed number) is an undo step of its own.
      if (!change.continuing) history.separate();
    },
    recordParams(changes, apply) {
      recordParamChanges(history, changes, apply);
    },
    recordNote(change) {
      history.separate();
      history.add({ undo: async () => change.remove(), redo: async () => change.add() });
      history.separate();
    },
    destroy() {
      unbind();
      unpipe();
      history.clear();
    },
  };
}
