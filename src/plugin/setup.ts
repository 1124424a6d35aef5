// setupClipPae: adds the node catalogue to a host's existing NodeEditor + AreaPlugin — typed
// sockets that only connect when compatible, lit-rendered nodes with inline param controls,
// a palette, a searchable right-click menu, undo/redo that covers param edits — and returns a
// handle to load/save documents and show what the engine reports.
import { ClassicPreset, type NodeEditor } from 'rete';
import { AreaExtensions } from 'rete-area-plugin';
import { LitPlugin } from '@retejs/lit-plugin';
import { ContextMenuPlugin } from 'rete-context-menu-plugin';
import { DockPlugin } from 'rete-dock-plugin';
import { HistoryPlugin, Presets as HistoryPresets } from 'rete-history-plugin';
import type { NodeDefinition } from '../engine/graph/definition.js';
import type { GraphDocument } from '../engine/graph/document.js';
import type { EngineEvent, RunSummary } from '../engine/run/events.js';
import { paramProblem } from '../engine/graph/params.js';
import { catalogue } from '../nodes/registry.js';
import { ClipPaeNode } from './node.js';
import type { ClipPaeArea, ClipPaeConnection, ClipPaeSchemes, NodeCatalogue } from './types.js';
import { createConnectionPlugin, guardConnections } from './connections.js';
import { bindUndoKeys, recordParamChange } from './history.js';
import { createNode, freshNodeId, loadDocument, toDocument } from './document-bridge.js';
import { addRenderPresets, type ClipPaeLitPlugin } from './render.js';
import { type PaletteElement, dockPreset } from './palette.js';
import { applyEngineEvent, markCancelled, markQueued, resetRunView } from './run-view.js';
import { PARAM_EDIT_EVENT, type ParamEditDetail } from './components/node-card.js';
import type { MenuItem } from './components/menu.js';

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
  /** Click to select nodes, Ctrl+click to add to the selection (default true). */
  selection?: boolean;
  /** Called with a plain-words reason when a connection is refused. */
  onRefused?: (reason: string) => void;
  /** Called when an edit made on a node could not be applied (a value its param does not accept). */
  onEditFailed?: (message: string) => void;
}

/** What changed: the graph's meaning ('graph', 'params'), only its layout, or all of it ('load'). */
export type GraphChangeKind = 'graph' | 'params' | 'layout' | 'load';
export type GraphChangeListener = (kind: GraphChangeKind) => void;

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
  destroy(): void;
}

const PALETTE_OVERLAY_STYLE = [
  'position:absolute',
  'left:0',
  'top:0',
  'bottom:0',
  'width:200px',
  'z-index:2',
  'background:var(--clip-pae-panel, rgba(24, 26, 31, 0.92))',
  'border-right:1px solid var(--clip-pae-card-border, #3b3f49)',
].join(';');

export function setupClipPae(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  options: ClipPaeOptions = {},
): ClipPae {
  const registry: NodeCatalogue = options.registry ?? catalogue;
  const listeners = new Set<GraphChangeListener>();
  const cleanups: (() => void)[] = [];
  let loading = false;
  let meta: GraphDocument['meta'];
  const refused = options.onRefused ?? ((reason: string) => console.warn(`connection refused: ${reason}`));
  const editFailed = options.onEditFailed ?? ((message: string) => console.warn(`edit not applied: ${message}`));

  const announce = (kind: GraphChangeKind) => {
    if (loading && kind !== 'load') return;
    for (const listener of listeners) listener(kind);
  };

  /** Our nodes only: a host may keep nodes of its own in the same editor. */
  const ourNodes = (): ClipPaeNode[] => editor.getNodes().filter((n): n is ClipPaeNode => n instanceof ClipPaeNode);

  const getNode = (id: string): ClipPaeNode | undefined => {
    const node = editor.getNode(id);
    return node instanceof ClipPaeNode ? node : undefined;
  };

  const newNode = (type: string, init: { id?: string; params?: Record<string, unknown>; label?: string } = {}) =>
    createNode(registry, type, { ...init, id: init.id ?? freshNodeId(type, (id) => editor.getNode(id) !== undefined) });

  // Rendering first: every plugin below emits render signals the LitPlugin must already hear.
  const palettes: PaletteElement[] = [];
  const render = options.render ?? new LitPlugin<ClipPaeSchemes, any>();
  addRenderPresets(render, editor, () => palettes);
  if (!options.render) area.use(render);

  guardConnections(editor, refused);
  const connection = createConnectionPlugin(editor, refused);
  area.use(connection);
  dimIncompatibleSocketsWhileDragging(connection, editor, area.container);

  if (options.selection !== false) {
    AreaExtensions.selectableNodes(area, AreaExtensions.selector(), {
      accumulating: AreaExtensions.accumulateOnCtrl(),
    });
    AreaExtensions.simpleNodesOrder(area);
  }

  let history: HistoryPlugin<ClipPaeSchemes, any> | undefined;
  if (options.history !== false) {
    history = new HistoryPlugin<ClipPaeSchemes, any>();
    history.addPreset(HistoryPresets.classic.setup());
    area.use(history);
  }

  let palette: PaletteElement | undefined;
  if (options.palette !== false) {
    palette = document.createElement('clip-pae-palette') as PaletteElement;
    if (options.palette instanceof HTMLElement) {
      options.palette.append(palette);
    } else {
      palette.setAttribute('style', PALETTE_OVERLAY_STYLE);
      area.container.append(palette);
    }
    palettes.push(palette);
    let pending: NodeDefinition | undefined;
    const dock = new DockPlugin<ClipPaeSchemes>();
    dock.addPreset(dockPreset(palette, () => pending!));
    area.use(dock);
    for (const category of categoriesOf(registry)) {
      palette.beginCategory(category);
      for (const def of registry.list().filter((d) => d.category === category)) {
        pending = def;
        dock.add(() => newNode(def.type));
      }
    }
    cleanups.push(() => palette?.remove());
  }

  // Where the right-click happened, so a node picked from the menu lands there (the area's own
  // pointer follows the mouse into the menu).
  let menuAt = { x: 0, y: 0 };
  if (options.contextMenu !== false) {
    area.addPipe((context) => {
      if (context && typeof context === 'object' && 'type' in context && context.type === 'contextmenu') {
        area.area.setPointerFrom(context.data.event);
        menuAt = { ...area.area.pointer };
      }
      return context;
    });
    const menu = new ContextMenuPlugin<ClipPaeSchemes>({
      items: (context) => {
        if (context === 'root') {
          return {
            searchBar: true,
            list: categoriesOf(registry).map((category) => ({
              label: category,
              key: `category:${category}`,
              handler: () => undefined,
              subitems: registry
                .list()
                .filter((d) => d.category === category)
                .map((d) => ({
                  label: d.title,
                  key: d.type,
                  handler: async () => void (await handle.addNode(d.type, menuAt)),
                })),
            })),
          };
        }
        if ('source' in context && 'target' in context) {
          return {
            searchBar: false,
            list: [
              {
                label: 'Delete connection',
                key: 'delete',
                handler: async () => void (await editor.removeConnection(context.id)),
              },
            ],
          };
        }
        const node = context as ClipPaeNode;
        const list: MenuItem[] = [
          {
            label: 'Duplicate',
            key: 'duplicate',
            handler: async () => {
              const view = area.nodeViews.get(node.id);
              const at = view ? { x: view.position.x + 30, y: view.position.y + 30 } : menuAt;
              await handle.addNode(node.type, at, { params: structuredClone(node.params), label: node.customLabel });
            },
          },
          { label: 'Delete', key: 'delete', handler: () => handle.removeNode(node.id) },
        ];
        return { searchBar: false, list };
      },
    });
    area.use(menu);
  }

  // Changes the rest of the app cares about (autosave, auto-run).
  editor.addPipe((context) => {
    if (
      context.type === 'nodecreated' ||
      context.type === 'noderemoved' ||
      context.type === 'connectioncreated' ||
      context.type === 'connectionremoved'
    ) {
      announce('graph');
    }
    return context;
  });
  area.addPipe((context) => {
    if (context && typeof context === 'object' && 'type' in context && context.type === 'nodetranslated')
      announce('layout');
    return context;
  });

  const applyParam = async (nodeId: string, name: string, value: unknown) => {
    const node = getNode(nodeId);
    if (!node) return;
    node.params = { ...node.params, [name]: value };
    await area.update('node', nodeId);
    announce('params');
  };

  const onParamEdit = (event: Event) => {
    const { nodeId, name, value, continuing } = (event as CustomEvent<ParamEditDetail>).detail;
    void handle.setParam(nodeId, name, value, { continuing }).catch((e: Error) => editFailed(e.message));
  };
  area.container.addEventListener(PARAM_EDIT_EVENT, onParamEdit);
  cleanups.push(() => area.container.removeEventListener(PARAM_EDIT_EVENT, onParamEdit));

  if (options.keyboard !== false) {
    const target = options.keyboard ?? document;
    cleanups.push(bindUndoKeys(target, { undo: () => handle.undo(), redo: () => handle.redo() }));
    const onDelete = (event: Event) => {
      const e = event as KeyboardEvent;
      if (e.key !== 'Delete' && e.key !== 'Backspace') return;
      const origin = e.composedPath()[0];
      if (
        origin instanceof HTMLElement &&
        (origin.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(origin.tagName))
      )
        return;
      const selected = editor.getNodes().filter((n) => n.selected);
      if (selected.length === 0) return;
      e.preventDefault();
      void (async () => {
        for (const node of selected) await handle.removeNode(node.id);
      })();
    };
    target.addEventListener('keydown', onDelete);
    cleanups.push(() => target.removeEventListener('keydown', onDelete));
  }

  const handle: ClipPae = {
    registry,
    editor,
    area,
    render,
    history,
    palette,
    createNode: newNode,
    async addNode(type, position, init = {}) {
      const node = newNode(type, init);
      await editor.addNode(node);
      await area.translate(node.id, position);
      return node;
    },
    async connect(source, output, target, input) {
      const from = editor.getNode(source);
      const to = editor.getNode(target);
      if (!from || !to) {
        refused(`no node "${from ? target : source}"`);
        return false;
      }
      return editor.addConnection(new ClassicPreset.Connection(from, output, to, input) as ClipPaeConnection);
    },
    async removeNode(id) {
      for (const c of editor.getConnections().filter((c) => c.source === id || c.target === id)) {
        await editor.removeConnection(c.id);
      }
      const node = getNode(id);
      if (node) resetRunView(node);
      await editor.removeNode(id);
    },
    async setParam(nodeId, name, value, options = {}) {
      const node = getNode(nodeId);
      if (!node) throw new Error(`no node "${nodeId}"`);
      const def = node.definition.params[name];
      if (!def) throw new Error(`${node.label} has no param "${name}"`);
      const problem = paramProblem(def, value);
      if (problem) throw new Error(`${node.label}.${name}: ${problem}`);
      const before = node.params[name];
      if (sameValue(before, value)) return;
      if (history) {
        recordParamChange(
          history,
          { nodeId, name, before, after: value, continuing: options.continuing === true },
          applyParam,
        );
        // A discrete edit (a pick, a toggle, a committed number) is an undo step of its own.
        if (!options.continuing) history.separate();
      }
      await applyParam(nodeId, name, value);
    },
    toDocument: () => toDocument(editor, area, meta),
    async loadDocument(doc) {
      loading = true;
      try {
        for (const node of ourNodes()) resetRunView(node);
        await loadDocument(editor, area, registry, doc);
        meta = doc.meta === undefined ? undefined : structuredClone(doc.meta);
        history?.clear();
      } finally {
        loading = false;
      }
      announce('load');
    },
    // The history plugin undoes actions recorded close together as one step. Separating after
    // each undo/redo keeps what comes next from joining a step that was just replayed.
    async undo() {
      await history?.undo();
      history?.separate();
    },
    async redo() {
      await history?.redo();
      history?.separate();
    },
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
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    runStarted(targets) {
      for (const id of upstreamOf(
        editor,
        targets ??
          ourNodes()
            .filter((n) => n.definition.sink)
            .map((n) => n.id),
      )) {
        const node = getNode(id);
        if (!node) continue;
        markQueued(node);
        void area.update('node', id);
      }
    },
    showEngineEvent(event) {
      const id = applyEngineEvent(event, getNode);
      if (id !== undefined) void area.update('node', id);
    },
    runFinished() {
      for (const node of ourNodes()) {
        if (markCancelled(node)) void area.update('node', node.id);
      }
    },
    clearRunViews() {
      for (const node of ourNodes()) {
        resetRunView(node);
        void area.update('node', node.id);
      }
    },
    destroy() {
      for (const cleanup of cleanups.splice(0)) cleanup();
      listeners.clear();
    },
  };
  return handle;
}

function categoriesOf(registry: NodeCatalogue): string[] {
  return [...new Set(registry.list().map((d) => d.category))];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return Object.is(a, b);
}

/** The given nodes and everything they depend on. */
function upstreamOf(editor: NodeEditor<ClipPaeSchemes>, targets: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...targets];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const c of editor.getConnections()) if (c.target === id) stack.push(c.source);
  }
  return seen;
}

/** While a connection is dragged, dims the sockets of every type it cannot connect to. */
function dimIncompatibleSocketsWhileDragging(
  connection: ReturnType<typeof createConnectionPlugin>,
  editor: NodeEditor<ClipPaeSchemes>,
  container: HTMLElement,
): void {
  const dimmed: string[] = [];
  const clear = () => {
    for (const prop of dimmed.splice(0)) container.style.removeProperty(prop);
  };
  connection.addPipe((context) => {
    if (context.type === 'connectionpick') {
      const { nodeId, side, key } = context.data.socket;
      const node = editor.getNode(nodeId);
      const type = side === 'output' ? node?.outputType(key) : node?.inputType(key);
      clear();
      if (type) {
        for (const { name: other } of catalogue.socketTypes()) {
          if (other === type) continue;
          const prop = `--clip-pae-dim-${other}`;
          container.style.setProperty(prop, '0.2');
          dimmed.push(prop);
        }
      }
    } else if (context.type === 'connectiondrop') {
      clear();
    }
    return context;
  });
}
