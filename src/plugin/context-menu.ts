// The right-click menu extension: on the canvas, a searchable list of the registry's node types
// by category (the node lands where the click was); on a node, Run to here (when the host runs
// graphs), Duplicate and Delete; on a wire,
// Delete. rete-context-menu-plugin does the work; the renderer draws it as <clip-pae-menu>.
import { ContextMenuPlugin } from 'rete-context-menu-plugin';
import type { NodeEditor } from 'rete';
import type { ClipPaeNode } from './node.js';
import type { MenuItem } from './components/menu.js';
import { removablePipes } from './pipes.js';
import type { ClipPaeArea, ClipPaeSchemes, NodeCatalogue } from './types.js';

export interface MenuActions {
  addNode(
    type: string,
    position: { x: number; y: number },
    init?: { params?: Record<string, unknown>; label?: string },
  ): Promise<unknown>;
  removeNode(id: string): Promise<void>;
  /** Runs only this node and what it needs; the menu offers "Run to here" when given. */
  runTo?(id: string): void;
}

export function contextMenu(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  registry: NodeCatalogue,
  actions: MenuActions,
): () => void {
  // Where the right-click happened, so a node picked from the menu lands there (the area's own
  // pointer follows the mouse into the menu).
  let menuAt = { x: 0, y: 0 };
  // The element the plugin draws its menu into: it keeps it to itself, so it is noted as it is
  // drawn, to be taken down with the extension.
  let menuElement: HTMLElement | undefined;
  const menu = new ContextMenuPlugin<ClipPaeSchemes>({
    items: (context) => {
      if (context === 'root') {
        return {
          searchBar: true,
          list: registry.categories().map((category) => ({
            label: category,
            key: `category:${category}`,
            handler: () => undefined,
            subitems: registry
              .list()
              .filter((d) => d.category === category)
              .map((d) => ({
                label: d.title,
                key: d.type,
                handler: async () => void (await actions.addNode(d.type, menuAt)),
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
            await actions.addNode(node.type, at, { params: structuredClone(node.params), label: node.customLabel });
          },
        },
        { label: 'Delete', key: 'delete', handler: () => actions.removeNode(node.id) },
      ];
      const runTo = actions.runTo;
      if (runTo) list.unshift({ label: 'Run to here', key: 'run-to-here', handler: () => runTo(node.id) });
      return { searchBar: false, list };
    },
  });
  const unpipe = removablePipes([editor, area], () => {
    area.addPipe((context) => {
      if (!context || typeof context !== 'object' || !('type' in context)) return context;
      if (context.type === 'contextmenu') {
        area.area.setPointerFrom(context.data.event);
        menuAt = { ...area.area.pointer };
      } else if (context.type === 'render' && (context.data as { type?: string }).type === 'contextmenu') {
        menuElement = context.data.element;
      }
      return context;
    });
    area.use(menu);
  });
  return () => {
    if (menuElement) {
      void area.emit({ type: 'unmount', data: { element: menuElement } });
      menuElement.remove();
    }
    unpipe();
  };
}
