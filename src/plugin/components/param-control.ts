// One inline control per param kind. It only reports what the user set ('param-change'); the
// node's params change when the plugin applies that edit, so undo sees every change.
import { LitElement, css, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import type { ParamDef } from '../../engine/graph/definition.js';
import { fieldStyles } from './styles.js';
import { coerceNumber, promptsToText, sameValue, textToPrompts } from '../param-values.js';
import './bundle-picker.js';
import './image-picker.js';

type NumberDef = Extract<ParamDef, { kind: 'number' }>;

export class ParamControlElement extends LitElement {
  static override properties = {
    name: { type: String, reflect: true },
    def: { attribute: false },
    value: { attribute: false },
    fromInput: { type: Boolean, reflect: true, attribute: 'from-input' },
  };
  declare name: string;
  declare def: ParamDef;
  declare value: unknown;
  /** A connection into the param's input socket feeds it: the stored value is unused, so not editable. */
  declare fromInput: boolean;
  /** The prompt text as typed: one prompt per line drops blank lines, which must not vanish mid-typing. */
  private promptDraft: string | undefined;

  static override styles = [
    fieldStyles,
    css`
      :host {
        display: block;
        margin: 4px 0 6px;
      }
      label.title {
        display: flex;
        justify-content: space-between;
        font-size: 11px;
        color: var(--cp-muted, #9aa0ab);
        margin-bottom: 2px;
      }
      .range {
        display: flex;
        gap: 6px;
        align-items: center;
      }
      .range input[type='range'] {
        flex: 1;
        min-width: 0;
      }
      .range input[type='number'] {
        width: 64px;
      }
      input[type='number'],
      input[type='text'],
      select {
        width: 100%;
      }
      .check {
        display: flex;
        align-items: center;
        gap: 6px;
        font-size: 12px;
      }
      .presets {
        margin-top: 3px;
      }
      fieldset {
        border: 0;
        margin: 0;
        padding: 0;
        min-width: 0;
      }
      fieldset:disabled {
        opacity: 0.45;
      }
      .from-input {
        font-style: italic;
        color: var(--cp-accent, #6ea8fe);
      }
    `,
  ];

  /**
   * `continuing` marks one step of a gesture (a slider drag, typing): consecutive steps become one
   * undo entry. A pick, a toggle or a committed number is an edit of its own.
   */
  private emitValue(value: unknown, continuing = false): void {
    this.dispatchEvent(
      new CustomEvent('param-change', {
        detail: { name: this.name, value, continuing },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private renderNumber(def: NumberDef) {
    const value = typeof this.value === 'number' ? this.value : def.default;
    const step = def.step ?? (def.integer ? 1 : 'any');
    const onNumber = (e: Event) => {
      const input = e.target as HTMLInputElement;
      const raw = input.valueAsNumber;
      if (!Number.isFinite(raw)) {
        input.value = String(value);
        return;
      }
      const coerced = coerceNumber(def, raw);
      input.value = String(coerced);
      this.emitValue(coerced);
    };
    const box = html`<input
      type="number"
      data-testid="number"
      aria-label=${this.labelText}
      .value=${live(String(value))}
      min=${def.min ?? nothing}
      max=${def.max ?? nothing}
      step=${step}
      @change=${onNumber}
    />`;
    if (def.min === undefined || def.max === undefined) return box;
    return html`<div class="range">
      <input
        type="range"
        data-testid="slider"
        aria-label=${this.labelText}
        min=${def.min}
        max=${def.max}
        step=${def.step ?? (def.integer ? 1 : (def.max - def.min) / 100)}
        .value=${live(String(value))}
        @input=${(e: Event) => this.emitValue(coerceNumber(def, (e.target as HTMLInputElement).valueAsNumber), true)}
      />
      ${box}
    </div>`;
  }

  private promptText(): string {
    const draft = this.promptDraft;
    if (draft !== undefined && sameValue(textToPrompts(draft), this.value)) return draft;
    this.promptDraft = undefined;
    return promptsToText(this.value);
  }

  private get labelText(): string {
    return this.def.label ?? this.name;
  }

  private renderControl() {
    const def = this.def;
    switch (def.kind) {
      case 'number':
        return this.renderNumber(def);
      case 'text':
        return def.multiline
          ? html`<textarea
              rows="3"
              aria-label=${this.labelText}
              .value=${live(String(this.value ?? ''))}
              @input=${(e: Event) => this.emitValue((e.target as HTMLTextAreaElement).value, true)}
            ></textarea>`
          : html`<input
              type="text"
              aria-label=${this.labelText}
              .value=${live(String(this.value ?? ''))}
              @input=${(e: Event) => this.emitValue((e.target as HTMLInputElement).value, true)}
            />`;
      case 'prompts': {
        const presets = Object.keys(def.presets ?? {});
        return html`<textarea
            rows=${Math.min(8, Math.max(3, Array.isArray(this.value) ? this.value.length + 1 : 3))}
            aria-label=${this.labelText}
            placeholder="one prompt per line"
            .value=${live(this.promptText())}
            @input=${(e: Event) => {
              this.promptDraft = (e.target as HTMLTextAreaElement).value;
              this.emitValue(textToPrompts(this.promptDraft), true);
            }}
          ></textarea>
          ${
            presets.length
              ? html`<select
                class="presets"
                aria-label="prompt presets"
                .value=${live('')}
                @change=${(e: Event) => {
                  const key = (e.target as HTMLSelectElement).value;
                  const list = def.presets?.[key];
                  if (list) this.emitValue([...list]);
                  (e.target as HTMLSelectElement).value = '';
                }}
              >
                <option value="">Fill from a preset…</option>
                ${presets.map((p) => html`<option value=${p}>${p}</option>`)}
              </select>`
              : null
          }`;
      }
      case 'select':
        return html`<select
          aria-label=${this.labelText}
          .value=${live(String(this.value ?? def.default))}
          @change=${(e: Event) => this.emitValue((e.target as HTMLSelectElement).value)}
        >
          ${def.options.map((o) => html`<option value=${o} ?selected=${o === this.value}>${o}</option>`)}
        </select>`;
      case 'boolean':
        return html`<label class="check"
          ><input
            type="checkbox"
            .checked=${live(Boolean(this.value))}
            @change=${(e: Event) => this.emitValue((e.target as HTMLInputElement).checked)}
          />${this.labelText}</label
        >`;
      case 'image':
        return html`<clip-pae-image-picker
          .value=${String(this.value ?? '')}
          @value-change=${(e: CustomEvent<{ value: string }>) => {
            e.stopPropagation();
            this.emitValue(e.detail.value);
          }}
        ></clip-pae-image-picker>`;
      case 'bundle':
        return html`<clip-pae-bundle-picker
          .value=${String(this.value ?? '')}
          @value-change=${(e: CustomEvent<{ value: string; continuing?: boolean }>) => {
            e.stopPropagation();
            this.emitValue(e.detail.value, e.detail.continuing === true);
          }}
        ></clip-pae-bundle-picker>`;
    }
  }

  override render() {
    if (!this.def) return nothing;
    const fed = this.fromInput === true;
    const note = fed ? html`<span class="from-input" data-testid="from-input">from input</span>` : null;
    const title =
      this.def.kind === 'boolean' && !fed
        ? null
        : html`<label class="title" title=${this.def.help}><span>${this.labelText}</span>${note}</label>`;
    return html`<div title=${this.def.help} data-param=${this.name}>
      ${title}<fieldset ?disabled=${fed}>${this.renderControl()}</fieldset>
    </div>`;
  }
}

if (!customElements.get('clip-pae-param')) customElements.define('clip-pae-param', ParamControlElement);
