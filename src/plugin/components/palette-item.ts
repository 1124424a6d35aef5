// A node type as it appears in the palette: a compact card to drag onto the canvas or click.
import { LitElement, css, html } from 'lit';
import type { NodeDefinition } from '../../engine/graph/definition.js';
import { categoryColor, socketColor } from '../theme.js';
import { themeVars } from './styles.js';

export class PaletteItemElement extends LitElement {
  static override properties = { definition: { attribute: false } };
  declare definition: NodeDefinition;

  static override styles = [
    themeVars,
    css`
      :host {
        display: block;
      }
      .item {
        display: flex;
        align-items: center;
        gap: 7px;
        padding: 5px 8px;
        border-radius: 6px;
        background: var(--cp-card);
        border: 1px solid var(--cp-card-border);
        border-left: 4px solid var(--accent);
        cursor: grab;
        font-size: 12px;
      }
      .item:hover {
        border-color: var(--cp-accent);
        border-left-color: var(--accent);
      }
      .title {
        flex: 1;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .dots {
        display: flex;
        gap: 2px;
      }
      .dot {
        width: 7px;
        height: 7px;
        border-radius: 50%;
      }
      .arrow {
        color: var(--cp-muted);
        font-size: 9px;
      }
    `,
  ];

  override render() {
    const def = this.definition;
    if (!def) return html``;
    const dots = (ports: NodeDefinition['inputs']) =>
      Object.values(ports).map(
        (p) => html`<span class="dot" title=${p.type} style="background:${socketColor(p.type)}"></span>`,
      );
    const hasInputs = Object.keys(def.inputs).length > 0;
    const hasOutputs = Object.keys(def.outputs).length > 0;
    return html`<div class="item" style="--accent:${categoryColor(def.category)}" title=${def.help} data-testid="palette-item" data-type=${def.type}>
      <span class="title">${def.title}</span>
      ${
        hasInputs || hasOutputs
          ? html`<span class="dots">${dots(def.inputs)}</span>${hasOutputs ? html`<span class="arrow">▸</span>` : null}<span class="dots">${dots(def.outputs)}</span>`
          : null
      }
    </div>`;
  }
}

if (!customElements.get('clip-pae-palette-item')) customElements.define('clip-pae-palette-item', PaletteItemElement);
