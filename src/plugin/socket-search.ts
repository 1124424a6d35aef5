// The socket-search extension: a wire dropped on empty canvas opens the node search listing only
// the node types that can take it (an input, or a param input, for a dragged output; an output for
// a dragged input), and the picked node is added where the wire was dropped, already connected.
import { ClassicPreset, type NodeEditor } from 'rete';
import type { SocketData } from 'rete-connection-plugin';
import type { NodeDefinition } from '../engine/graph/definition.js';
import type { MenuItem } from './components/menu.js';
import type { ClipPaeNode } from './node.js';
import type { ClipPaeArea, ClipPaeConnection, ClipPaeSchemes, NodeCatalogue } from './types.js';
import './components/menu.js';

/** A port of `definition` that a wire of `type` dragged from `side` can plug into, if any. */
export function matchingPort(
  registry: NodeCatalogue,
  definition: NodeDefinition,
  type: string,
  side: 'output' | 'input',
): { key: string; label: string } | undefined {
  if (side === 'output') {
    for (const [key, input] of Object.entries(definition.inputs)) {
      if (registry.canConnect(type, input.type)) return { key, label: input.label ?? key };
    }
    for (const [key, param] of Object.entries(definition.params)) {
      const socket = registry.paramSocket(definition.type, key);
      if (socket && registry.canConnect(type, socket)) return { key, label: param.label ?? key };
    }
    return undefined;
  }
  for (const [key, output] of Object.entries(definition.outputs)) {
    if (registry.canConnect(output.type, type)) return { key, label: output.label ?? key };
  }
  return undefined;
}

export interface SocketSearch {
  /** Opens the filtered search for a wire let go of at the area's pointer. */
  dropped(socket: SocketData): void;
  close(): void;
  destroy(): void;
}

export function socketSearch(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  registry: NodeCatalogue,
  actions: { addNode(type: string, position: { x: number; y: number }): Promise<ClipPaeNode> },
): SocketSearch {
  let open: HTMLElement | undefined;
  let screen = { x: 0, y: 0 };
  const onPointerUp = (e: PointerEvent) => {
    screen = { x: e.clientX, y: e.clientY };
  };
  window.addEventListener('pointerup', onPointerUp, true);
  const onOutside = (e: Event) => {
    if (open && !e.composedPath().includes(open)) close();
  };
  const close = () => {
    open?.remove();
    open = undefined;
    document.removeEventListener('pointerdown', onOutside, true);
  };

  const dropped = (socket: SocketData) => {
    const node = editor.getNode(socket.nodeId);
    if (!node) return;
    const type = socket.side === 'output' ? node.outputType(socket.key) : node.inputType(socket.key);
    if (!type) return;
    const at = { ...area.area.pointer };
    const items: MenuItem[] = registry.categories().flatMap((category) => {
      const subitems = registry
        .list()
        .filter((d) => d.category === category)
        .flatMap((d): MenuItem[] => {
          const port = matchingPort(registry, d, type, socket.side);
          if (!port) return [];
          return [
            {
              label: `${d.title} · ${port.label}`,
              key: d.type,
              handler: async () => {
                // The new node's port faces the wire: a node fed by the wire goes right of the drop.
                const added = await actions.addNode(d.type, socket.side === 'output' ? at : { x: at.x - 240, y: at.y });
                // Through the editor, so the connection rules' guard checks it as any other wire.
                const wire =
                  socket.side === 'output'
                    ? new ClassicPreset.Connection(node, socket.key, added, port.key)
                    : new ClassicPreset.Connection(added, port.key, node, socket.key);
                await editor.addConnection(wire as ClipPaeConnection);
              },
            },
          ];
        });
      return subitems.length
        ? [{ label: category, key: `category:${category}`, handler: () => undefined, subitems }]
        : [];
    });
    close();
    const menu = document.createElement('clip-pae-menu') as HTMLElement & {
      items: MenuItem[];
      searchBar: boolean;
      onHide(): void;
    };
    menu.items = items;
    menu.searchBar = true;
    menu.onHide = close;
    menu.dataset.socketSearch = `${socket.side}:${type}`;
    const box = area.container.getBoundingClientRect();
    menu.style.cssText = `position:absolute;z-index:20;left:${screen.x - box.left}px;top:${screen.y - box.top}px;`;
    area.container.appendChild(menu);
    open = menu;
    document.addEventListener('pointerdown', onOutside, true);
  };

  return {
    dropped,
    close,
    destroy() {
      close();
      window.removeEventListener('pointerup', onPointerUp, true);
    },
  };
}
