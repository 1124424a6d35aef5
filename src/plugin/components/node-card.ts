// How a node looks in the editor: title, typed sockets, inline param controls, and what the last
// run reported (progress, error, previews, values, bars, files to download).
import { LitElement, css, html, nothing } from 'lit';
import type { ClipPaeNode, NodeRunView, OutputView } from '../node.js';
import { categoryColor } from '../theme.js';
import { themeVars } from './styles.js';
import type { BundlePickerElement } from './bundle-picker.js';
import './param-control.js';
import './image-view.js';
import type { RegionPickDetail } from './image-view.js';
import './bar-chart.js';
import { formatBytes } from '../../engine/bytes.js';

/** Fired (bubbling, composed) when the user edits a param on a node. */
export interface ParamEditDetail {
  nodeId: string;
  name: string;
  value: unknown;
  /** One step of a continuing gesture (slider drag, typing), merged into the previous undo entry. */
  continuing: boolean;
}

export const PARAM_EDIT_EVENT = 'clip-pae-param';

/** Fired (bubbling, composed) when one gesture sets several params of a node at once (a clicked image region). */
export interface ParamsEditDetail {
  nodeId: string;
  values: Record<string, unknown>;
}

export const PARAMS_EDIT_EVENT = 'clip-pae-params';

const STATE_TEXT: Record<NodeRunView['state'], string> = {
  idle: '',
  queued: 'queued',
  running: 'running',
  done: 'done',
  cached: 'cached',
  error: 'error',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

export class NodeCardElement extends LitElement {
  static override properties = { data: { attribute: false }, emit: { attribute: false } };
  declare data: ClipPaeNode;
  declare emit: (signal: unknown) => void;

  static override styles = [
    themeVars,
    css`
      :host {
        display: block;
        width: var(--clip-pae-node-width, 240px);
        font-size: 12px;
        user-select: none;
      }
      .card {
        background: var(--cp-card);
        border: 1px solid var(--cp-card-border);
        border-radius: var(--cp-radius);
        box-shadow: 0 4px 14px rgba(0, 0, 0, 0.35);
        padding-bottom: 6px;
      }
      .card.selected {
        border-color: var(--cp-selected);
        box-shadow: 0 0 0 1px var(--cp-selected), 0 4px 14px rgba(0, 0, 0, 0.35);
      }
      .card.state-error {
        border-color: var(--cp-error);
      }
      .title {
        display: flex;
        align-items: center;
        gap: 6px;
        padding: 6px 10px;
        border-radius: var(--cp-radius) var(--cp-radius) 0 0;
        background: var(--accent);
        font-weight: 600;
        font-size: 13px;
        color: #fff;
        cursor: grab;
      }
      .title .name {
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .status {
        font-size: 10px;
        font-weight: 500;
        padding: 1px 6px;
        border-radius: 10px;
        background: rgba(0, 0, 0, 0.28);
      }
      .status.error {
        background: var(--cp-error);
      }
      .ports {
        display: grid;
        grid-template-columns: 1fr 1fr;
        padding: 6px 0 2px;
      }
      .port {
        display: flex;
        align-items: center;
        gap: 5px;
        min-height: 22px;
        font-size: 11px;
        color: var(--cp-muted);
      }
      .port.in {
        grid-column: 1;
      }
      .port.out {
        grid-column: 2;
        justify-content: flex-end;
      }
      .socket {
        display: inline-block;
      }
      .port.in .socket {
        margin-left: -8px;
      }
      .port.out .socket {
        margin-right: -8px;
      }
      .section {
        padding: 0 10px;
      }
      .params {
        cursor: default;
        user-select: text;
      }
      .param-row {
        position: relative;
      }
      /* A param's input socket sits on the card's left edge, like the other inputs. */
      .param-row > .socket {
        position: absolute;
        left: -18px;
        top: 0;
      }
      .progress {
        margin: 6px 10px 0;
        height: 6px;
        border-radius: 3px;
        background: var(--cp-field);
        overflow: hidden;
      }
      .progress > div {
        height: 100%;
        background: var(--cp-accent);
        transition: width 0.15s linear;
      }
      .progress.indeterminate > div {
        width: 30%;
        animation: slide 1.1s ease-in-out infinite;
      }
      @keyframes slide {
        from {
          transform: translateX(-100%);
        }
        to {
          transform: translateX(340%);
        }
      }
      .message {
        margin: 3px 10px 0;
        font-size: 10px;
        color: var(--cp-muted);
      }
      .error {
        margin: 6px 10px 0;
        padding: 5px 7px;
        border-radius: 5px;
        background: rgba(255, 107, 107, 0.14);
        border: 1px solid var(--cp-error);
        color: #ffd0d0;
        font-size: 11px;
        white-space: pre-wrap;
        word-break: break-word;
        user-select: text;
      }
      .skipped {
        margin: 6px 10px 0;
        font-size: 10px;
        color: var(--cp-muted);
      }
      .outputs {
        margin-top: 6px;
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      .value {
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
        font-size: 11px;
        background: var(--cp-field);
        border-radius: 4px;
        padding: 4px 6px;
        white-space: pre-wrap;
        word-break: break-word;
        max-height: 120px;
        overflow: auto;
        user-select: text;
      }
      .thumb {
        display: flex;
        align-items: flex-end;
        gap: 6px;
        font-size: 10px;
        color: var(--cp-muted);
      }
      .inline-value {
        display: flex;
        justify-content: space-between;
        gap: 6px;
        font-size: 11px;
        color: var(--cp-muted);
      }
      .inline-value code {
        color: var(--cp-text);
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .out-name {
        font-size: 10px;
        color: var(--cp-muted);
        margin-bottom: 2px;
      }
      a.download {
        display: inline-block;
        margin-top: 6px;
        color: var(--cp-accent);
        font-size: 11px;
        text-decoration: none;
      }
      a.download:hover {
        text-decoration: underline;
      }
    `,
  ];

  private socketRef(side: 'input' | 'output', key: string) {
    const node = this.data;
    const port = side === 'input' ? node.inputs[key] : node.outputs[key];
    return html`<span class="socket"
      ><rete-ref .data=${{ type: 'socket', side, key, nodeId: node.id, payload: port?.socket }} .emit=${this.emit}></rete-ref
    ></span>`;
  }

  private onParamChange(event: CustomEvent<{ name: string; value: unknown; continuing?: boolean }>): void {
    event.stopPropagation();
    const { name, value, continuing } = event.detail;
    const detail: ParamEditDetail = { nodeId: this.data.id, name, value, continuing: continuing === true };
    this.dispatchEvent(new CustomEvent(PARAM_EDIT_EVENT, { detail, bubbles: true, composed: true }));
  }

  private onRegionPick(event: CustomEvent<RegionPickDetail>): void {
    event.stopPropagation();
    const detail: ParamsEditDetail = { nodeId: this.data.id, values: event.detail.params };
    this.dispatchEvent(new CustomEvent(PARAMS_EDIT_EVENT, { detail, bubbles: true, composed: true }));
  }

  /** What the node showed itself (a Preview's picture, a value, bars): drawn large. */
  private renderDisplay(name: string, view: OutputView, showName: boolean) {
    switch (view.kind) {
      case 'image':
        return html`<clip-pae-image
          .image=${view.image}
          .regions=${view.regions}
          .caption=${showName ? name : ''}
          data-output=${name}
          @region-pick=${this.onRegionPick}
        ></clip-pae-image>`;
      case 'value':
        return html`<div data-output=${name}>
          ${showName ? html`<div class="out-name">${name}</div>` : null}
          <div class="value" data-testid="value">${view.text}</div>
        </div>`;
      case 'bars':
        return html`<div data-output=${name}>
          ${showName ? html`<div class="out-name">${name}</div>` : null}
          <clip-pae-bars .labels=${view.labels} .beforeValues=${view.before} .afterValues=${view.after}></clip-pae-bars>
        </div>`;
    }
  }

  /** A summary of what flows out of an output socket: a thumbnail or a one-line value. */
  private renderPortSummary(name: string, view: OutputView) {
    const label = this.data.outputs[name]?.label ?? name;
    switch (view.kind) {
      case 'image':
        // An image with clickable regions is drawn large enough to aim at.
        if (view.regions?.length) return this.renderDisplay(name, view, true);
        return html`<div class="thumb" data-output=${name}><clip-pae-image compact .image=${view.image}></clip-pae-image><span>${label}</span></div>`;
      case 'value':
        return html`<div class="inline-value" data-output=${name}><span>${label}</span><code data-testid="value">${view.text}</code></div>`;
      case 'bars':
        return this.renderDisplay(name, view, true);
    }
  }

  private renderRun(run: NodeRunView) {
    const running = run.state === 'running' || run.state === 'queued';
    const summaries = Object.entries(run.outputs);
    const ports = new Set(Object.keys(this.data.outputs));
    const displays = summaries.filter(([name]) => !ports.has(name));
    const portSummaries = summaries.filter(([name]) => ports.has(name));
    const showPreview = run.preview !== undefined && (running || !displays.some(([, v]) => v.kind === 'image'));
    return html`
      ${
        running
          ? html`<div class="progress ${run.fraction === undefined ? 'indeterminate' : ''}" data-testid="progress">
              <div style=${run.fraction === undefined ? '' : `width:${Math.round(run.fraction * 100)}%`}></div>
            </div>
            ${run.message ? html`<div class="message">${run.message}</div>` : null}`
          : null
      }
      ${run.state === 'error' && run.error ? html`<div class="error" role="alert" data-testid="error">⚠ ${run.error}</div>` : null}
      ${run.state === 'skipped' && run.because ? html`<div class="skipped">skipped: ${run.because}</div>` : null}
      ${
        showPreview || displays.length
          ? html`<div class="outputs section">
            ${showPreview ? html`<clip-pae-image .image=${run.preview} data-output="preview" data-testid="preview"></clip-pae-image>` : null}
            ${displays.map(([name, view]) => this.renderDisplay(name, view, displays.filter(([, v]) => v.kind === view.kind).length > 1))}
          </div>`
          : null
      }
      ${
        portSummaries.length
          ? html`<div class="outputs section port-summaries">${portSummaries.map(([name, view]) => this.renderPortSummary(name, view))}</div>`
          : null
      }
      ${
        run.files.length
          ? html`<div class="section files" @pointerdown=${(e: Event) => e.stopPropagation()}>
            ${run.files.map(
              (f) =>
                html`<a class="download" href=${f.url} download=${f.name} data-testid="download">⬇ ${f.name} (${formatBytes(f.size)})</a><br />`,
            )}
          </div>`
          : null
      }
    `;
  }

  /** The bundle control of a node with a 'bundle' param (Load Models), which takes a folder dropped anywhere on the card. */
  private bundlePicker(): BundlePickerElement | undefined {
    for (const control of this.renderRoot.querySelectorAll('clip-pae-param')) {
      const picker = control.shadowRoot?.querySelector('clip-pae-bundle-picker');
      if (picker) return picker as BundlePickerElement;
    }
    return undefined;
  }

  private readonly onDragOver = (event: DragEvent): void => {
    if (!event.dataTransfer?.types.includes('Files') || !this.bundlePicker()) return;
    event.preventDefault();
  };

  private readonly onDrop = (event: DragEvent): void => {
    this.bundlePicker()?.takeDrop(event);
  };

  override render() {
    const node = this.data;
    if (!node) return nothing;
    const def = node.definition;
    const run = node.run;
    // Inputs that feed a param are drawn next to the param's control, not with the ports.
    const inputs = Object.keys(node.inputs).filter((key) => !node.paramInputs.has(key));
    const outputs = Object.keys(node.outputs);
    const params = Object.entries(def.params);
    const status =
      STATE_TEXT[run.state] +
      (run.ms !== undefined && (run.state === 'done' || run.state === 'cached') ? ` ${formatMs(run.ms)}` : '');
    this.dataset.type = node.type;
    this.dataset.nodeId = node.id;
    this.dataset.state = run.state;
    return html`
      <div
        class="card ${node.selected ? 'selected' : ''} state-${run.state}"
        style="--accent:${categoryColor(def.category)}"
        data-testid="node"
        @dragover=${this.onDragOver}
        @drop=${this.onDrop}
      >
        <div class="title" title=${def.help}>
          <span class="name">${node.label}</span>
          ${status ? html`<span class="status ${run.state}" data-testid="status">${status}</span>` : null}
        </div>
        ${
          inputs.length || outputs.length
            ? html`<div class="ports">
              ${Array.from({ length: Math.max(inputs.length, outputs.length) }, (_, row) => {
                const input = inputs[row];
                const output = outputs[row];
                return html`
                  ${
                    input !== undefined
                      ? html`<div class="port in" style="grid-row:${row + 1}" data-input=${input} title=${node.inputs[input]?.socket.type ?? ''}>
                        ${this.socketRef('input', input)}<span>${node.inputs[input]?.label ?? input}</span>
                      </div>`
                      : null
                  }
                  ${
                    output !== undefined
                      ? html`<div class="port out" style="grid-row:${row + 1}" data-output=${output} title=${node.outputs[output]?.socket.type ?? ''}>
                        <span>${node.outputs[output]?.label ?? output}</span>${this.socketRef('output', output)}
                      </div>`
                      : null
                  }
                `;
              })}
            </div>`
            : null
        }
        ${
          params.length
            ? html`<div
              class="params section"
              @pointerdown=${(e: Event) => e.stopPropagation()}
              @dblclick=${(e: Event) => e.stopPropagation()}
              @param-change=${this.onParamChange}
            >
              ${params.map(([name, p]) => {
                const control = html`<clip-pae-param
                  .name=${name}
                  .def=${p}
                  .value=${node.params[name]}
                  .fromInput=${node.fedParams.has(name)}
                ></clip-pae-param>`;
                if (!node.paramInputs.has(name)) return control;
                return html`<div class="param-row" data-input=${name} title=${node.inputs[name]?.socket.type ?? ''}>
                  ${this.socketRef('input', name)}${control}
                </div>`;
              })}
            </div>`
            : null
        }
        ${this.renderRun(run)}
      </div>
    `;
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

if (!customElements.get('clip-pae-node')) customElements.define('clip-pae-node', NodeCardElement);
