// Lit rendering for the plugin's nodes, sockets, connections, palette items and menu. These are
// presets for a LitPlugin, which may be the plugin's own or one the host already uses.
import { html } from 'lit';
import { LitPlugin, Presets } from '@retejs/lit-plugin';
import { getDOMSocketPosition } from 'rete-render-utils';
import type { NodeEditor } from 'rete';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';
import { ClipPaeNode } from './node.js';
import { TypedSocket } from './sockets.js';
import { isPaletteSlot } from './palette.js';
import { removablePipes } from './pipes.js';
import './components/node-card.js';
import './components/socket.js';
import './components/connection.js';
import './components/palette-item.js';
import './components/menu.js';
import type { MenuItem } from './components/menu.js';

export type ClipPaeLitPlugin = LitPlugin<ClipPaeSchemes, any>;

/**
 * The rendering extension. With no `render` it makes a LitPlugin and `use`s it on the area
 * (first, so every plugin after it is heard when it asks for something to be drawn); with the
 * host's own, it only adds presets. The cleanup takes out the presets (LitPlugin's list is
 * public) and the pipes they or the plugin added.
 */
export function rendering(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  render?: ClipPaeLitPlugin,
): { render: ClipPaeLitPlugin; destroy(): void } {
  const plugin = render ?? new LitPlugin<ClipPaeSchemes, any>();
  const presetsBefore = plugin.presets.length;
  const unpipe = removablePipes([editor, area], () => {
    if (!render) area.use(plugin);
    addRenderPresets(plugin, editor);
  });
  const ours = plugin.presets.slice(presetsBefore);
  return {
    render: plugin,
    destroy() {
      unpipe();
      for (const preset of ours) {
        const at = plugin.presets.indexOf(preset);
        if (at >= 0) plugin.presets.splice(at, 1);
      }
    },
  };
}

export function addRenderPresets(render: ClipPaeLitPlugin, editor: NodeEditor<ClipPaeSchemes>): void {
  render.addPreset(
    Presets.classic.setup<ClipPaeSchemes, any>({
      // The socket dots sit exactly on the card's edge, so the connection ends at their centre.
      socketPositionWatcher: getDOMSocketPosition({ offset: (position) => position }),
      customize: {
        node(context) {
          const node = context.payload;
          if (isPaletteSlot(context.element) && node instanceof ClipPaeNode) {
            return () => html`<clip-pae-palette-item .definition=${node.definition}></clip-pae-palette-item>`;
          }
          // A host's own nodes in the same editor keep the stock look.
          if (!(node instanceof ClipPaeNode))
            return ({ emit }) => html`<rete-node .data=${node} .emit=${emit}></rete-node>`;
          return ({ emit }) => html`<clip-pae-node .data=${node} .emit=${emit}></clip-pae-node>`;
        },
        socket(context) {
          const socket = context.payload;
          if (!(socket instanceof TypedSocket)) return () => html`<rete-socket .data=${socket}></rete-socket>`;
          return () => html`<clip-pae-socket .socket=${socket}></clip-pae-socket>`;
        },
        connection(context) {
          const connection = context.payload;
          const source = editor.getNode(connection.source);
          const socket = source?.outputs[connection.sourceOutput as string]?.socket;
          const color = socket instanceof TypedSocket ? socket.color : '#8a93a3';
          const type = socket instanceof TypedSocket ? socket.type : '';
          return ({ path }) =>
            html`<clip-pae-connection .path=${path} .color=${color} .socketType=${type}></clip-pae-connection>`;
        },
      },
    }),
  );
  render.addPreset({
    update(context: any) {
      if (context.data.type !== 'contextmenu') return undefined;
      return { items: context.data.items, searchBar: context.data.searchBar, onHide: context.data.onHide };
    },
    render(context: any) {
      if (context.data.type !== 'contextmenu') return undefined;
      const data = context.data as { items: MenuItem[]; searchBar?: boolean; onHide(): void };
      return html`<clip-pae-menu .items=${data.items} .searchBar=${Boolean(data.searchBar)} .onHide=${data.onHide}></clip-pae-menu>`;
    },
  } as any);
}
