// Opens a node's image full size when it is clicked: asks the worker for the full-size result
// (the nodes only hold ≤ 256 px summaries), and for a node with Image inputs named before and
// after (Compare), the two pictures for the slider. When the worker no longer holds a result
// (evicted, or a run restored from history), the copy on the node is shown and the viewer says so.
import type { ImageValue } from '../engine/graph/definition.js';
import type { EngineClient } from '../engine/run/worker-client.js';
import { type ClipPae, clipPaeNode, IMAGE_OPEN_EVENT, type ImageOpenDetail } from '../plugin/index.js';
import type { ImageViewerElement, ViewerContent } from './image-viewer.js';
import './image-viewer.js';

/** The node card an event came through (its element carries data-node-id). */
function nodeIdOf(event: Event): string | undefined {
  for (const target of event.composedPath())
    if (target instanceof HTMLElement && target.tagName === 'CLIP-PAE-NODE' && target.dataset.nodeId)
      return target.dataset.nodeId;
  return undefined;
}

export interface ImageViewing {
  /** Opens the viewer on what a node shows under `output` (a shown key or an output name). */
  open(nodeId: string, output: string | undefined, shown: ImageValue): Promise<ImageViewerElement>;
  destroy(): void;
}

export function imageViewing(clipPae: ClipPae, client: EngineClient, host: HTMLElement = document.body): ImageViewing {
  let viewer: ImageViewerElement | undefined;

  const full = async (nodeId: string, name: string): Promise<ImageValue | undefined> => {
    const key = clipPaeNode(clipPae.editor, nodeId)?.run.key;
    return key ? client.fullImage(key, name) : undefined;
  };

  /** The full-size image arriving on one of a node's inputs, else the upstream node's summary. */
  const inputImage = async (nodeId: string, input: string): Promise<{ image?: ImageValue; full: boolean }> => {
    const wire = clipPae.editor.getConnections().find((c) => c.target === nodeId && c.targetInput === input);
    if (!wire) return { full: false };
    const image = await full(wire.source, wire.sourceOutput);
    if (image) return { image, full: true };
    const summary = clipPaeNode(clipPae.editor, wire.source)?.run.outputs[wire.sourceOutput];
    return { image: summary?.kind === 'image' ? summary.image : undefined, full: false };
  };

  const open: ImageViewing['open'] = async (nodeId, output, shown) => {
    const node = clipPaeNode(clipPae.editor, nodeId);
    const big = output && output !== 'preview' ? await full(nodeId, output) : undefined;
    const content: ViewerContent = {
      image: big ?? shown,
      title: `${node?.label ?? nodeId}${output && output !== 'preview' ? ` · ${output}` : ''}`,
      fileName: `${nodeId}${output ? `-${output}` : ''}`,
      note: big || output === 'preview' ? undefined : 'Full size no longer held: showing the copy on the node',
    };
    const inputs = node?.definition.inputs;
    if (inputs?.before?.type === 'Image' && inputs.after?.type === 'Image') {
      const [before, after] = await Promise.all([inputImage(nodeId, 'before'), inputImage(nodeId, 'after')]);
      if (before.image && after.image) {
        content.before = before.image;
        content.after = after.image;
        if (!before.full || !after.full) content.note = 'Full size no longer held: showing the copies on the nodes';
      }
    }
    viewer?.remove();
    const element = document.createElement('clip-pae-viewer') as ImageViewerElement;
    element.content = content;
    element.addEventListener('viewer-close', () => {
      element.remove();
      if (viewer === element) viewer = undefined;
    });
    host.appendChild(element);
    viewer = element;
    return element;
  };

  const onOpen = (event: Event) => {
    const nodeId = nodeIdOf(event);
    if (!nodeId) return;
    const detail = (event as CustomEvent<ImageOpenDetail>).detail;
    void open(nodeId, detail.output, detail.image);
  };
  document.addEventListener(IMAGE_OPEN_EVENT, onOpen);
  return {
    open,
    destroy() {
      document.removeEventListener(IMAGE_OPEN_EVENT, onOpen);
      viewer?.remove();
    },
  };
}
