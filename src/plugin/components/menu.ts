// The right-click menu: a search box over every node type (grouped by palette category until
// you type), or a node's/connection's own actions.
import { LitElement, css, html } from 'lit';
import { live } from 'lit/directives/live.js';
import { fieldStyles, themeVars } from './styles.js';

/** The context menu plugin's item shape (its package does not export the type). */
export interface MenuItem {
  label: string;
  key: string;
  handler(): void | Promise<void>;
  subitems?: MenuItem[];
}

export class MenuElement extends LitElement {
  static override properties = {
    items: { attribute: false },
    searchBar: { type: Boolean },
    onHide: { attribute: false },
    filter: { state: true },
  };
  declare items: MenuItem[];
  declare searchBar: boolean;
  declare onHide: () => void;
  declare filter: string;

  constructor() {
    super();
    this.items = [];
    this.searchBar = false;
    this.filter = '';
  }

  static override styles = [
    themeVars,
    fieldStyles,
    css`
      .menu {
        width: 220px;
        max-height: 360px;
        display: flex;
        flex-direction: column;
        background: var(--cp-card);
        border: 1px solid var(--cp-card-border);
        border-radius: 8px;
        box-shadow: 0 8px 24px rgba(0, 0, 0, 0.5);
        overflow: hidden;
        font-size: 12px;
      }
      input {
        margin: 6px;
        padding: 5px 8px;
      }
      .list {
        overflow-y: auto;
        padding-bottom: 4px;
      }
      .group {
        padding: 6px 10px 2px;
        font-size: 10px;
        text-transform: uppercase;
        letter-spacing: 0.06em;
        color: var(--cp-muted);
      }
      .entry {
        padding: 5px 12px;
        cursor: pointer;
      }
      .entry:hover,
      .entry.first {
        background: #34506e;
      }
      .entry .where {
        color: var(--cp-muted);
        font-size: 10px;
        margin-left: 6px;
      }
      .empty {
        padding: 6px 12px;
        color: var(--cp-muted);
      }
    `,
  ];

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input')?.focus();
  }

  private async pick(item: MenuItem): Promise<void> {
    this.onHide?.();
    await item.handler();
  }

  private matchingItems(): { item: MenuItem; group?: string }[] {
    const words = this.filter.toLowerCase().split(/\s+/).filter(Boolean);
    const leaves: { item: MenuItem; group?: string }[] = this.items.flatMap((item) =>
      item.subitems?.length ? item.subitems.map((sub) => ({ item: sub, group: item.label })) : [{ item }],
    );
    if (words.length === 0) return leaves;
    return leaves.filter(({ item, group }) => {
      const text = `${item.label} ${group ?? ''}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      this.onHide?.();
    } else if (event.key === 'Enter') {
      const first = this.matchingItems()[0];
      if (first) void this.pick(first.item);
    }
  }

  override render() {
    const searching = this.filter.trim() !== '';
    const found = this.matchingItems();
    let lastGroup: string | undefined;
    return html`<div
      class="menu"
      data-testid="context-menu"
      @pointerdown=${(e: Event) => e.stopPropagation()}
      @wheel=${(e: Event) => e.stopPropagation()}
      @contextmenu=${(e: Event) => {
        e.preventDefault();
        e.stopPropagation();
      }}
    >
      ${
        this.searchBar
          ? html`<input
            type="search"
            placeholder="Search nodes…"
            data-testid="context-menu-search"
            .value=${live(this.filter)}
            @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)}
            @keydown=${this.onKey}
          />`
          : null
      }
      <div class="list">
        ${found.length === 0 ? html`<div class="empty">Nothing matches “${this.filter}”</div>` : null}
        ${found.map(({ item, group }, i) => {
          const heading =
            !searching && group !== undefined && group !== lastGroup ? html`<div class="group">${group}</div>` : null;
          lastGroup = group;
          return html`${heading}<div
              class="entry ${searching && i === 0 ? 'first' : ''}"
              data-testid="context-menu-item"
              data-key=${item.key}
              @click=${() => void this.pick(item)}
            >
              ${item.label}${searching && group ? html`<span class="where">${group}</span>` : null}
            </div>`;
        })}
      </div>
    </div>`;
  }
}

if (!customElements.get('clip-pae-menu')) customElements.define('clip-pae-menu', MenuElement);
