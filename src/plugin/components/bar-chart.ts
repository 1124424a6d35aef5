// Labelled horizontal bars, e.g. a subspace's coefficients before and after an edit.
import { LitElement, css, html, svg } from 'lit';

export class BarChartElement extends LitElement {
  static override properties = {
    labels: { attribute: false },
    beforeValues: { attribute: false },
    afterValues: { attribute: false },
  };
  declare labels: readonly string[];
  declare beforeValues: readonly number[];
  declare afterValues: readonly number[] | undefined;

  constructor() {
    super();
    this.labels = [];
    this.beforeValues = [];
  }

  static override styles = css`
    :host {
      display: block;
      font-size: 10px;
      color: var(--cp-text, #e4e6eb);
    }
    svg {
      width: 100%;
      display: block;
    }
    .label {
      fill: var(--cp-muted, #9aa0ab);
    }
    .before {
      fill: #7c8494;
    }
    .after {
      fill: var(--cp-accent, #6ea8fe);
    }
    .axis {
      stroke: #555b66;
      stroke-width: 1;
    }
    .legend {
      display: flex;
      gap: 10px;
      margin-top: 2px;
      color: var(--cp-muted, #9aa0ab);
    }
    .swatch {
      display: inline-block;
      width: 8px;
      height: 8px;
      border-radius: 2px;
      margin-right: 3px;
    }
  `;

  override render() {
    const n = this.labels.length;
    const after = this.afterValues;
    const values = [...this.beforeValues, ...(after ?? [])];
    const extent = Math.max(1e-9, ...values.map((v) => Math.abs(v)));
    const hasNegative = values.some((v) => v < 0);
    const width = 220;
    const labelWidth = 78;
    const plot = width - labelWidth - 4;
    const zero = labelWidth + (hasNegative ? plot / 2 : 0);
    const scale = (hasNegative ? plot / 2 : plot) / extent;
    const row = after ? 14 : 10;
    const height = n * (row + 4);
    const bar = (value: number, y: number, h: number, cls: string) => {
      const x = value >= 0 ? zero : zero + value * scale;
      return svg`<rect class=${cls} x=${x} y=${y} width=${Math.abs(value) * scale} height=${h} rx="1"><title>${value.toFixed(4)}</title></rect>`;
    };
    return html`
      <svg viewBox="0 0 ${width} ${Math.max(height, 1)}" role="img" aria-label="bar chart" data-testid="bar-chart">
        ${this.labels.map((label, i) => {
          const y = i * (row + 4);
          const short = label.length > 14 ? `${label.slice(0, 13)}…` : label;
          return svg`
            <text class="label" x="0" y=${y + row - 3}>${short}<title>${label}</title></text>
            ${bar(this.beforeValues[i] ?? 0, y, after ? row / 2 - 1 : row, 'before')}
            ${after ? bar(after[i] ?? 0, y + row / 2, row / 2 - 1, 'after') : null}
          `;
        })}
        <line class="axis" x1=${zero} x2=${zero} y1="0" y2=${height}></line>
      </svg>
      ${
        after
          ? html`<div class="legend">
            <span><span class="swatch" style="background:#7c8494"></span>before</span>
            <span><span class="swatch" style="background:var(--cp-accent, #6ea8fe)"></span>after</span>
          </div>`
          : null
      }
    `;
  }
}

if (!customElements.get('clip-pae-bars')) customElements.define('clip-pae-bars', BarChartElement);
