// The selection extension: click selects a node, Ctrl+click adds to the selection, a picked node
// comes to the front; on the keyboard, Delete (or Backspace) removes the selected nodes with their
// wires, Ctrl+A selects every node and the arrow keys nudge what is selected — nodes, frames, notes
// and reroute points (Shift: ten times as far). A node's nudge is an ordinary translation, so the
// history's classic preset records it for undo.
// The selector is shared: frames and notes join it (notes.ts), and a paste selects what it added.
import { AreaExtensions } from 'rete-area-plugin';
import type { NodeEditor } from 'rete';
import { removablePipes } from './pipes.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

const TEXT_ENTRY = ['INPUT', 'TEXTAREA', 'SELECT'];

/** How far one arrow key press moves the selection, in graph units (Shift: ten times). */
export const NUDGE_STEP = 10;

const ARROWS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

export type Selector = ReturnType<typeof AreaExtensions.selector>;

export interface Selection {
  /** What is selected (nodes, and whatever else a plugin adds: frames and notes). */
  readonly selector: Selector;
  /** Whether a click adds to the selection (Ctrl held). */
  readonly accumulating: { active(): boolean };
  /** Selects exactly these nodes; what was selected before is no longer. */
  selectNodes(ids: readonly string[]): Promise<void>;
  destroy(): void;
}

export function selection(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  options: { keyboard: Document | HTMLElement | false; removeNode(id: string): Promise<void> },
): Selection {
  const selector = AreaExtensions.selector();
  const accumulating = AreaExtensions.accumulateOnCtrl();
  let selectable: ReturnType<typeof AreaExtensions.selectableNodes> | undefined;
  const unpipe = removablePipes([editor, area], () => {
    selectable = AreaExtensions.selectableNodes(area, selector, { accumulating });
    AreaExtensions.simpleNodesOrder(area);
  });
  const target = options.keyboard;

  // Nodes, frames, notes and reroute points: whatever is in the selector (a removed node may stay there).
  const anythingSelected = () =>
    [...selector.entities.values()].some((e) => e.label !== 'node' || editor.getNode(e.id)?.selected);

  const nudge = async (dx: number, dy: number) => {
    // Everything selected moves once: with nothing picked the selector moves each entity itself,
    // where a picked one, as it moved, would move the rest again.
    selector.release();
    await selector.translate(dx, dy);
  };

  const onKey = (event: Event) => {
    const e = event as KeyboardEvent;
    // The real target, through the shadow roots node controls live in: typing keeps its keys.
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLElement && (origin.isContentEditable || TEXT_ENTRY.includes(origin.tagName))) return;
    const selected = editor.getNodes().filter((n) => n.selected);
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      void (async () => {
        for (const node of editor.getNodes()) if (!node.selected) await selectable?.select(node.id, true);
      })();
      return;
    }
    const arrow = ARROWS[e.key];
    if (arrow && !e.ctrlKey && !e.metaKey && !e.altKey) {
      if (!anythingSelected()) return;
      e.preventDefault();
      const step = e.shiftKey ? NUDGE_STEP * 10 : NUDGE_STEP;
      void nudge(arrow[0] * step, arrow[1] * step);
      return;
    }
    if (e.key !== 'Delete' && e.key !== 'Backspace') return;
    if (selected.length === 0) return;
    e.preventDefault();
    void (async () => {
      for (const node of selected) await options.removeNode(node.id);
    })();
  };
  if (target) target.addEventListener('keydown', onKey);
  return {
    selector,
    accumulating,
    async selectNodes(ids) {
      await selector.unselectAll();
      for (const id of ids) await selectable?.select(id, true);
    },
    destroy() {
      if (target) target.removeEventListener('keydown', onKey);
      accumulating.destroy();
      unpipe();
    },
  };
}
