// setupClipPae: adds the node catalogue to a host's existing NodeEditor + AreaPlugin by composing
// the plugin's extensions — rendering, sockets and the connection rule, selection, undo, the
// palette, the right-click menu, param edits, the document bridge and the run view — and returns
// a handle to load/save documents and show what the engine reports. Each extension returns its
// cleanup; destroy() runs them last-first, so the editor is left as the host handed it over.
import { ClassicPreset, type NodeEditor } from 'rete';
import { AreaExtensions } from 'rete-area-plugin';
import type { HistoryPlugin } from 'rete-history-plugin';
import type { GraphDocument } from '../engine/graph/document.js';
import type { EngineEvent, RunSummary } from '../engine/run/events.js';
import { catalogue } from '../nodes/registry.js';
import { type ClipPaeNode, clipPaeNode } from './node.js';
import type { ClipPaeArea, ClipPaeConnection, ClipPaeSchemes, NodeCatalogue } from './types.js';
import { connectionRules } from './connections.js';
import { type UndoHistory, undoHistory } from './history.js';
import { documentBridge, type GraphChangeKind, type GraphChangeListener } from './document-bridge.js';
import { type ClipPaeLitPlugin, rendering } from './render.js';
import { type PaletteElement, paletteDock } from './palette.js';
import { resetRunView, runView } from './run-view.js';
import { contextMenu } from './context-menu.js';
import { selection } from './selection.js';
import { paramEdits } from './param-edits.js';
import { type Cleanup, runCleanups } from './pipes.js';
import { nodeSizes } from './node-sizes.js';
import { type Notes, notes as notesExtension } from './notes.js';
import { minimap } from './minimap.js';
import { type Arranger, autoArrange } from './arrange.js';
import { type Reroutes, reroutes as reroutesExtension } from './reroute.js';
import { type Clipboard, clipboard as clipboardExtension } from './clipboard.js';
import { type SocketSearch, socketSearch } from './socket-search.js';

export type { GraphChangeKind, GraphChangeListener };

export interface ClipPaeOptions {
  /** The node types to offer (default: the package's whole catalogue). */
  registry?: NodeCatalogue;
  /** A LitPlugin the host already renders with; by default the plugin creates and attaches one. */
  render?: ClipPaeLitPlugin;
  /**
   * Where the palette goes: an element to append it to, `false` for none. By default it floats
   * over the left edge of the canvas.
   */
  palette?: HTMLElement | false;
  /** Right-click menu with node search (default true). */
  contextMenu?: boolean;
  /** Undo/redo through rete-history-plugin, param edits included (default true). */
  history?: boolean;
  /** Where Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y and Delete are heard (default: the document; false: nowhere). */
  keyboard?: Document | HTMLElement | false;
  /** Click to select nodes, frames and notes, Ctrl+click to add to the selection (default true). */
  selection?: boolean;
  /** Called with a plain-words reason when a connection is refused. */
  onRefused?: (reason: string) => void;
  /** Called when an edit made on a node could not be applied (a value its param does not accept). */
  onEditFailed?: (message: string) => void;
  /** A minimap in the canvas's corner (default true). */
  minimap?: boolean;
  /**
   * Ctrl+C / Ctrl+V / Ctrl+D of the selected nodes, their frames and the selected notes through the
   * system clipboard (default true).
   */
  clipboard?: boolean;
  /** Told when a paste finds no graph on the clipboard, or one it cannot use. */
  onClipboardProblem?: (message: string) => void;
  /** Runs one node and what it needs; when given, a node's right-click menu offers "Run to here". */
  onRunTo?: (nodeId: string) => void;
}

export interface ClipPae {
  readonly registry: NodeCatalogue;
  readonly editor: NodeEditor<ClipPaeSchemes>;
  readonly area: ClipPaeArea;
  readonly render: ClipPaeLitPlugin;
  readonly history: HistoryPlugin<ClipPaeSchemes, any> | undefined;
  readonly palette: PaletteElement | undefined;
  /** A node of `type` with a fresh readable id (not yet in the editor). */
  createNode(type: string, init?: { id?: string; params?: Record<string, unknown>; label?: string }): ClipPaeNode;
  addNode(
    type: string,
    position: { x: number; y: number },
    init?: { params?: Record<string, unknown>; label?: string },
  ): Promise<ClipPaeNode>;
  /** Connects output → input; false (and onRefused) when the rules refuse it. */
  connect(source: string, output: string, target: string, input: string): Promise<boolean>;
  /** Removes a node and its connections. */
  removeNode(id: string): Promise<void>;
  /** Sets a param as the user would: checked, undoable, re-rendered, announced as a change. */
  setParam(nodeId: string, name: string, value: unknown, options?: { continuing?: boolean }): Promise<void>;
  /** Sets several params of one node as one undoable edit (what a click on an image region does). */
  setParams(nodeId: string, values: Record<string, unknown>): Promise<void>;
  toDocument(): GraphDocument;
  /** Replaces the graph with a document already validated against the registry; clears undo. */
  loadDocument(doc: GraphDocument): Promise<void>;
  undo(): Promise<void>;
  redo(): Promise<void>;
  zoomToFit(): Promise<void>;
  onChange(listener: GraphChangeListener): () => void;
  /** Marks the nodes a run will evaluate (the sinks, or `targets`, and everything upstream). */
  runStarted(targets?: readonly string[]): void;
  showEngineEvent(event: EngineEvent): void;
  runFinished(summary?: RunSummary): void;
  /** Forgets every node's last run (previews, errors, download links). */
  clearRunViews(): void;
  /**
   * Takes the plugin out of the editor: its nodes and their wires, the plugins it used, its pipes,
   * DOM and listeners. The host's own nodes, editor and area stay; setupClipPae may run again.
   */
  destroy(): Promise<void>;
  /** Frames and comments (saved in the document's `frames` and `comments`). */
  readonly notes: Notes;
  /** Reroute points on wires (saved in the document's `reroutes`). */
  readonly reroutes: Reroutes;
  readonly clipboard: Clipboard | undefined;
  /** A frame around the selected nodes; its id, or undefined when none is selected. */
  frameSelected(text?: string): string | undefined;
  /** A comment at the middle of the view (canvas units) unless placed. */
  addComment(text: string, position?: [number, number]): string;
  /** Lays every node out with elkjs (left to right), then fits the view. */
  arrange(): Promise<void>;
}

export function setupClipPae(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  options: ClipPaeOptions = {},
): ClipPae {
  const registry: NodeCatalogue = options.registry ?? catalogue;
  const refused = options.onRefused ?? ((reason: string) => console.warn(`connection refused: ${reason}`));
  const editFailed = options.onEditFailed ?? ((message: string) => console.warn(`edit not applied: ${message}`));
  const keyboard = options.keyboard ?? document;
  const cleanups: Cleanup[] = [];
  const add = <T extends { destroy(): void | Promise<void> }>(extension: T): T => {
    cleanups.push(() => extension.destroy());
    return extension;
  };

  // Rendering first: every extension below emits render signals the LitPlugin must already hear.
  const { render } = add(rendering(editor, area, options.render));
  // The bridge's cleanup removes the plugin's nodes, so it runs while the renderer still unmounts them.
  const bridge = add(documentBridge(editor, area, registry));
  const runs = add(runView(editor, area));
  cleanups.push(nodeSizes(editor, area));
  const notes = add(notesExtension(editor, area, { onChange: () => bridge.announce('layout') }));
  const reroutes = add(reroutesExtension(editor, area, render, () => bridge.announce('layout')));
  const arranger: Arranger = add(autoArrange(editor, area));
  if (options.minimap !== false) cleanups.push(minimap(editor, area, render));
  let search: SocketSearch | undefined;
  cleanups.push(connectionRules(editor, area, registry, refused, (from) => search?.dropped(from)));

  const removeNode = async (id: string) => {
    for (const c of editor.getConnections().filter((c) => c.source === id || c.target === id)) {
      await editor.removeConnection(c.id);
    }
    const node = clipPaeNode(editor, id);
    if (node) resetRunView(node);
    await editor.removeNode(id);
  };
  const addNode: ClipPae['addNode'] = async (type, position, init = {}) => {
    const node = bridge.createNode(type, init);
    await editor.addNode(node);
    await area.translate(node.id, position);
    return node;
  };

  const selected = options.selection !== false ? add(selection(editor, area, { keyboard, removeNode })) : undefined;
  if (selected) {
    notes.selectable(selected);
    reroutes.selectable(selected);
  }
  const toDocument = (): GraphDocument => ({ ...bridge.toDocument(), ...notes.toDocument(), ...reroutes.toDocument() });
  const undo: UndoHistory | undefined =
    options.history !== false ? add(undoHistory(editor, area, keyboard)) : undefined;
  const palette =
    options.palette !== false
      ? add(paletteDock(area, registry, (type) => bridge.createNode(type), options.palette)).palette
      : undefined;
  if (options.contextMenu !== false)
    cleanups.push(contextMenu(editor, area, registry, { addNode, removeNode, runTo: options.onRunTo }));
  search = add(socketSearch(editor, area, registry, { addNode: (type, at) => addNode(type, at) }));
  const clipboard =
    options.clipboard !== false
      ? add(
          clipboardExtension(editor, area, registry, {
            keyboard,
            toDocument,
            createNode: (type, init) => bridge.createNode(type, init),
            history: undo?.history,
            notes,
            reroutes,
            select: async (nodes, pastedNotes) => {
              await selected?.selectNodes(nodes);
              await notes.select(pastedNotes);
            },
            onProblem: options.onClipboardProblem ?? ((message) => console.warn(message)),
          }),
        )
      : undefined;
  const params = add(
    paramEdits(editor, area, { history: undo, onChanged: () => bridge.announce('params'), onEditFailed: editFailed }),
  );

  let destroyed = false;
  return {
    registry,
    editor,
    area,
    render,
    history: undo?.history,
    palette,
    createNode: bridge.createNode,
    addNode,
    async connect(source, output, target, input) {
      const from = editor.getNode(source);
      const to = editor.getNode(target);
      if (!from || !to) {
        refused(`no node "${from ? target : source}"`);
        return false;
      }
      return editor.addConnection(new ClassicPreset.Connection(from, output, to, input) as ClipPaeConnection);
    },
    removeNode,
    setParam: params.setParam,
    setParams: params.setParams,
    toDocument,
    async loadDocument(doc) {
      runs.clearRunViews(false);
      await bridge.loadDocument(doc);
      reroutes.load(doc);
      await notes.load(doc);
      undo?.history.clear();
    },
    undo: async () => undo?.undo(),
    redo: async () => undo?.redo(),
    async zoomToFit() {
      const nodes = editor.getNodes();
      if (nodes.length === 0) {
        area.area.transform.x = 0;
        area.area.transform.y = 0;
        await area.area.zoom(1, 0, 0);
        return;
      }
      await AreaExtensions.zoomAt(area, nodes, { scale: 0.85 });
    },
    onChange: bridge.onChange,
    runStarted: runs.runStarted,
    showEngineEvent: runs.showEngineEvent,
    runFinished: () => runs.runFinished(),
    clearRunViews: () => runs.clearRunViews(),
    notes,
    reroutes,
    clipboard,
    frameSelected(text = 'Frame') {
      const ids = editor
        .getNodes()
        .filter((n) => n.selected)
        .map((n) => n.id);
      if (!ids.length) return undefined;
      const id = notes.addFrame(text, ids);
      undo?.recordNote({ remove: () => notes.remove(id), add: () => void notes.addFrame(text, ids, id) });
      return id;
    },
    addComment(text, position) {
      const { x, y, k } = area.area.transform;
      const box = area.container.getBoundingClientRect();
      const at = position ?? [(box.width / 2 - x) / k, (box.height / 3 - y) / k];
      const id = notes.addComment(text, at);
      undo?.recordNote({ remove: () => notes.remove(id), add: () => void notes.addComment(text, at, id) });
      return id;
    },
    async arrange() {
      await arranger.arrange();
      const nodes = editor.getNodes();
      if (nodes.length > 0) await AreaExtensions.zoomAt(area, nodes, { scale: 0.85 });
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await runCleanups(cleanups);
    },
  };
}
