// Each node's drawn size on the node object (`width`, `height`), which the frames, the minimap and
// auto-arrange read: the cards size themselves with CSS, so Rete does not know it otherwise.
import type { NodeEditor } from 'rete';
import { removablePipes } from './pipes.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

/** Reads a node's card size from its view (offset sizes are canvas units: the zoom is a transform). */
export function measureNode(editor: NodeEditor<ClipPaeSchemes>, area: ClipPaeArea, id: string): void {
  const node = editor.getNode(id);
  const view = area.nodeViews.get(id);
  if (!node || !view) return;
  const card = (view.element.firstElementChild as HTMLElement | null) ?? view.element;
  const width = card.offsetWidth || view.element.offsetWidth;
  const height = card.offsetHeight || view.element.offsetHeight;
  if (width > 0 && height > 0) {
    node.width = width;
    node.height = height;
  } else if (node.width === undefined || node.height === undefined) {
    // Not drawn yet (or in a hidden container): a card's usual size, until it can be measured.
    node.width = DEFAULT_SIZE.width;
    node.height = DEFAULT_SIZE.height;
  }
}

/** A card's size before it is drawn: the default card width and a short card's height. */
export const DEFAULT_SIZE = { width: 240, height: 120 };

export function measureNodes(editor: NodeEditor<ClipPaeSchemes>, area: ClipPaeArea): void {
  for (const node of editor.getNodes()) measureNode(editor, area, node.id);
}

/**
 * The node-sizes extension: measures a node before anything reads its size (a move, which frames
 * follow) and after it is drawn. Must come before the extensions that read sizes, so its pipe runs
 * first.
 */
export function nodeSizes(editor: NodeEditor<ClipPaeSchemes>, area: ClipPaeArea): () => void {
  let frame = 0;
  const later = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      measureNodes(editor, area);
    });
  };
  const unpipe = removablePipes([area], () => {
    area.addPipe((context) => {
      if (!context || typeof context !== 'object' || !('type' in context)) return context;
      if (context.type === 'nodetranslated') measureNode(editor, area, context.data.id);
      else if (context.type === 'rendered' && context.data.type === 'node') later();
      return context;
    });
  });
  return () => {
    if (frame) cancelAnimationFrame(frame);
    unpipe();
  };
}
