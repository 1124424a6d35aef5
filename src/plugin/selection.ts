// The selection extension: click selects a node, Ctrl+click adds to the selection, a picked node
// comes to the front, and Delete (or Backspace) removes the selected nodes with their wires.
import { AreaExtensions } from 'rete-area-plugin';
import type { NodeEditor } from 'rete';
import { removablePipes } from './pipes.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

const TEXT_ENTRY = ['INPUT', 'TEXTAREA', 'SELECT'];

export function selection(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  options: { keyboard: Document | HTMLElement | false; removeNode(id: string): Promise<void> },
): () => void {
  const selector = AreaExtensions.selector();
  const accumulating = AreaExtensions.accumulateOnCtrl();
  const unpipe = removablePipes([editor, area], () => {
    AreaExtensions.selectableNodes(area, selector, { accumulating });
    AreaExtensions.simpleNodesOrder(area);
  });
  const target = options.keyboard;
  const onDelete = (event: Event) => {
    const e = event as KeyboardEvent;
    if (e.key !== 'Delete' && e.key !== 'Backspace') return;
    // The real target, through the shadow roots node controls live in: typing keeps its keys.
    const origin = e.composedPath()[0];
    if (origin instanceof HTMLElement && (origin.isContentEditable || TEXT_ENTRY.includes(origin.tagName))) return;
    const selected = editor.getNodes().filter((n) => n.selected);
    if (selected.length === 0) return;
    e.preventDefault();
    void (async () => {
      for (const node of selected) await options.removeNode(node.id);
    })();
  };
  if (target) target.addEventListener('keydown', onDelete);
  return () => {
    if (target) target.removeEventListener('keydown', onDelete);
    accumulating.destroy();
    unpipe();
  };
}
