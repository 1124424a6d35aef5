// Shared look of the plugin's elements. Everything is a CSS custom property with a dark default,
// so a host restyles the nodes from its own stylesheet (custom properties cross shadow roots).
import { css } from 'lit';

export const themeVars = css`
  :host {
    --cp-font: var(--clip-pae-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --cp-text: var(--clip-pae-text, #e4e6eb);
    --cp-muted: var(--clip-pae-muted, #9aa0ab);
    --cp-card: var(--clip-pae-card, #262930);
    --cp-card-border: var(--clip-pae-card-border, #3b3f49);
    --cp-field: var(--clip-pae-field, #1b1d22);
    --cp-field-border: var(--clip-pae-field-border, #434855);
    --cp-accent: var(--clip-pae-accent, #6ea8fe);
    --cp-error: var(--clip-pae-error, #ff6b6b);
    --cp-ok: var(--clip-pae-ok, #5cc98b);
    --cp-selected: var(--clip-pae-selected, #ffd166);
    --cp-radius: 8px;
    font-family: var(--cp-font);
    color: var(--cp-text);
  }
`;

export const fieldStyles = css`
  input,
  textarea,
  select,
  button {
    font: inherit;
    font-size: 12px;
    color: var(--cp-text);
    background: var(--cp-field);
    border: 1px solid var(--cp-field-border);
    border-radius: 5px;
    box-sizing: border-box;
  }
  input:focus,
  textarea:focus,
  select:focus {
    outline: 1px solid var(--cp-accent);
    border-color: var(--cp-accent);
  }
  input[type='number'],
  input[type='text'],
  input[type='url'] {
    padding: 3px 6px;
  }
  textarea {
    width: 100%;
    padding: 4px 6px;
    resize: vertical;
    line-height: 1.35;
  }
  select {
    padding: 3px 4px;
  }
  button {
    cursor: pointer;
    padding: 3px 8px;
  }
  button:hover {
    border-color: var(--cp-accent);
  }
  input[type='range'] {
    accent-color: var(--cp-accent);
    background: transparent;
    border: none;
    padding: 0;
  }
  input[type='checkbox'] {
    accent-color: var(--cp-accent);
  }
`;
