// The minimap extension: rete-minimap-plugin in a corner of the canvas, drawn by the LitPlugin's
// minimap preset. It reads node sizes, which node-sizes.ts keeps on the nodes.
import { Presets } from '@retejs/lit-plugin';
import type { NodeEditor } from 'rete';
import { MinimapPlugin } from 'rete-minimap-plugin';
import type { ClipPaeLitPlugin } from './render.js';
import { removablePipes } from './pipes.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

export function minimap(
  editor: NodeEditor<ClipPaeSchemes>,
  area: ClipPaeArea,
  render: ClipPaeLitPlugin,
  options: { size?: number } = {},
): () => void {
  const plugin = new MinimapPlugin<any>({ boundViewport: true });
  const presetsBefore = render.presets.length;
  const unpipe = removablePipes([editor, area, render], () => {
    render.addPreset(Presets.minimap.setup({ size: options.size ?? 180 }) as any);
    area.use(plugin as any);
  });
  const ours = render.presets.slice(presetsBefore);
  // The minimap keeps pointer presses to itself (no focus change), so a field being edited on a
  // card would keep the keyboard: a press on the map ends the edit as a press on the canvas does.
  const endEdit = () => {
    let focused = document.activeElement;
    while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
    if (focused instanceof HTMLElement) focused.blur();
  };
  plugin.element?.addEventListener('pointerdown', endEdit, true);
  return () => {
    plugin.element?.removeEventListener('pointerdown', endEdit, true);
    if (plugin.element) {
      void area.emit({ type: 'unmount', data: { element: plugin.element } });
      plugin.element.remove();
    }
    unpipe();
    for (const preset of ours) {
      const at = render.presets.indexOf(preset);
      if (at >= 0) render.presets.splice(at, 1);
    }
  };
}
