// The auto-arrange extension: rete-auto-arrange-plugin lays the graph out with elkjs (layered,
// left to right, ports where the cards draw them). Only positions are applied: the cards size
// themselves, so the stock applier's resize is left out.
import type { NodeEditor } from 'rete';
import { ArrangeAppliers, AutoArrangePlugin, Presets as ArrangePresets } from 'rete-auto-arrange-plugin';
import type { ElkNode } from 'elkjs';
import { measureNodes } from './node-sizes.js';
import { removablePipes } from './pipes.js';
import type { ClipPaeArea, ClipPaeSchemes } from './types.js';

/** Moves each laid-out node to its place, and nothing else. */
class PositionApplier extends ArrangeAppliers.StandardApplier<any, any> {
  override async apply(nodes: ElkNode[], offset = { x: 0, y: 0 }): Promise<void> {
    for (const { id, x, y, children } of nodes) {
      if (x === undefined || y === undefined) continue;
      if (children?.length) await this.apply(children, { x: offset.x + x, y: offset.y + y });
      else await this.area.translate(id, { x: offset.x + x, y: offset.y + y });
    }
  }
}

export interface Arranger {
  /** Lays out every node; resolves once they have moved. */
  arrange(): Promise<void>;
  destroy(): void;
}

export function autoArrange(editor: NodeEditor<ClipPaeSchemes>, area: ClipPaeArea): Arranger {
  const plugin = new AutoArrangePlugin<any, any>();
  const unpipe = removablePipes([editor, area], () => {
    plugin.addPreset(ArrangePresets.classic.setup({ spacing: 28, top: 48, bottom: 20 }));
    area.use(plugin);
  });
  return {
    async arrange() {
      measureNodes(editor, area);
      const applier = new PositionApplier();
      await plugin.layout({
        applier,
        options: {
          'elk.algorithm': 'layered',
          'elk.direction': 'RIGHT',
          'elk.spacing.nodeNode': '60',
          'elk.layered.spacing.nodeNodeBetweenLayers': '80',
        },
      });
    },
    destroy: unpipe,
  };
}
