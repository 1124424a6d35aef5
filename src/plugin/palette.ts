// The palette: every node type grouped by category, with a filter box. It is a preset for
// rete-dock-plugin, so dragging an item onto the canvas (or clicking it) adds that node.
import { DockPlugin } from 'rete-dock-plugin';
import type { NodeDefinition } from '../engine/graph/definition.js';
import type { ClipPaeNode } from './node.js';
import { removablePipes } from './pipes.js';
import { categoryColor } from './theme.js';
import type { ClipPaeArea, ClipPaeSchemes, NodeCatalogue } from './types.js';

const PALETTE_CSS = `
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    font-family: var(--clip-pae-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    color: var(--clip-pae-text, #e4e6eb);
    font-size: 12px;
  }
  input {
    margin: 8px;
    padding: 6px 8px;
    font: inherit;
    color: inherit;
    background: var(--clip-pae-field, #1b1d22);
    border: 1px solid var(--clip-pae-field-border, #434855);
    border-radius: 6px;
  }
  input:focus { outline: 1px solid var(--clip-pae-accent, #6ea8fe); }
  .groups { overflow-y: auto; padding: 0 8px 8px; flex: 1; }
  h4 {
    margin: 10px 2px 5px;
    font-size: 10px;
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.07em;
    color: var(--clip-pae-muted, #9aa0ab);
    display: flex;
    align-items: center;
    gap: 6px;
  }
  h4 span { width: 8px; height: 8px; border-radius: 2px; display: inline-block; }
  .slot { margin-bottom: 4px; }
  .hidden { display: none; }
  .empty { color: var(--clip-pae-muted, #9aa0ab); padding: 6px 2px; }
`;

/**
 * The palette panel (a plain custom element with a shadow root). Hosts place it anywhere; the
 * dock plugin fills it through `dockPreset()`.
 */
export class PaletteElement extends HTMLElement {
  private readonly groups: HTMLDivElement;
  private readonly filterInput: HTMLInputElement;
  private readonly emptyNote: HTMLDivElement;
  private current: HTMLElement | null = null;
  /** Slot element → the definition drawn in it, for filtering and for the renderer. */
  readonly slots = new Map<HTMLElement, NodeDefinition>();

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = PALETTE_CSS;
    this.filterInput = document.createElement('input');
    this.filterInput.type = 'search';
    this.filterInput.placeholder = 'Filter nodes…';
    this.filterInput.setAttribute('aria-label', 'filter nodes');
    this.filterInput.addEventListener('input', () => this.applyFilter());
    this.groups = document.createElement('div');
    this.groups.className = 'groups';
    this.emptyNote = document.createElement('div');
    this.emptyNote.className = 'empty hidden';
    this.emptyNote.textContent = 'No node matches.';
    root.append(style, this.filterInput, this.groups);
    this.groups.append(this.emptyNote);
    // The canvas pans on pointerdown and opens its menu on contextmenu; neither belongs here.
    this.addEventListener('pointerdown', (e) => e.stopPropagation());
    this.addEventListener('contextmenu', (e) => e.stopPropagation());
  }

  /** Starts the group that the next created items go into. */
  beginCategory(category: string): void {
    const section = document.createElement('section');
    section.dataset.category = category;
    const heading = document.createElement('h4');
    const swatch = document.createElement('span');
    swatch.style.background = categoryColor(category);
    heading.append(swatch, category);
    section.append(heading);
    this.groups.append(section);
    this.current = section;
  }

  createSlot(definition: NodeDefinition): HTMLElement {
    if (!this.current) this.beginCategory(definition.category);
    const slot = document.createElement('div');
    slot.className = 'slot';
    slot.dataset.type = definition.type;
    this.current!.append(slot);
    this.slots.set(slot, definition);
    return slot;
  }

  removeSlot(slot: HTMLElement): void {
    this.slots.delete(slot);
    slot.remove();
  }

  set filter(text: string) {
    this.filterInput.value = text;
    this.applyFilter();
  }

  get filter(): string {
    return this.filterInput.value;
  }

  private applyFilter(): void {
    const words = this.filterInput.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const [slot, def] of this.slots) {
      const text = `${def.title} ${def.type} ${def.category} ${def.help}`.toLowerCase();
      const visible = words.every((w) => text.includes(w));
      slot.classList.toggle('hidden', !visible);
      if (visible) shown++;
    }
    for (const section of this.groups.querySelectorAll('section')) {
      section.classList.toggle('hidden', !section.querySelector('.slot:not(.hidden)'));
    }
    this.emptyNote.classList.toggle('hidden', shown > 0);
  }
}

if (!customElements.get('clip-pae-palette')) customElements.define('clip-pae-palette', PaletteElement);

/**
 * A rete-dock-plugin preset that puts each item in the palette. The dock calls createItem just
 * before it renders the node an item stands for, so `next` says which definition that is.
 */
export function dockPreset(palette: PaletteElement, next: () => NodeDefinition) {
  return {
    createItem(): HTMLElement {
      return palette.createSlot(next());
    },
    removeItem(element: HTMLElement): void {
      palette.removeSlot(element);
    },
  };
}

/** Whether `element` is a palette slot (the renderer draws those as palette items, not node cards). */
export function isPaletteSlot(element: HTMLElement): boolean {
  const root = element.getRootNode();
  return root instanceof ShadowRoot && root.host instanceof PaletteElement && root.host.slots.has(element);
}

const PALETTE_OVERLAY_STYLE = [
  'position:absolute',
  'left:0',
  'top:0',
  'bottom:0',
  'width:200px',
  'z-index:2',
  'background:var(--clip-pae-panel, rgba(24, 26, 31, 0.92))',
  'border-right:1px solid var(--clip-pae-card-border, #3b3f49)',
].join(';');

/**
 * The palette extension: a `<clip-pae-palette>` in `into` (by default floating over the canvas's
 * left edge) filled through rete-dock-plugin with every node type of the registry, by category.
 * Cleanup removes the items (so the renderer unmounts them), the element and the dock's pipe.
 * The dock's own drop listener on the area's container cannot be taken off (the plugin keeps it
 * to itself); it only acts on a drag that started on one of its items, which are gone by then.
 */
export function paletteDock(
  area: ClipPaeArea,
  registry: NodeCatalogue,
  createNode: (type: string) => ClipPaeNode,
  into?: HTMLElement,
): { palette: PaletteElement; destroy(): void } {
  const palette = document.createElement('clip-pae-palette') as PaletteElement;
  if (into) {
    into.append(palette);
  } else {
    palette.setAttribute('style', PALETTE_OVERLAY_STYLE);
    area.container.append(palette);
  }
  let pending: NodeDefinition | undefined;
  const dock = new DockPlugin<ClipPaeSchemes>();
  dock.addPreset(dockPreset(palette, () => pending!));
  const unpipe = removablePipes([area], () => area.use(dock));
  const items: (() => ClipPaeNode)[] = [];
  for (const category of registry.categories()) {
    palette.beginCategory(category);
    for (const def of registry.list().filter((d) => d.category === category)) {
      pending = def;
      const item = () => createNode(def.type);
      items.push(item);
      dock.add(item);
    }
  }
  return {
    palette,
    destroy() {
      for (const slot of [...palette.slots.keys()]) void area.emit({ type: 'unmount', data: { element: slot } });
      for (const item of items) dock.remove(item);
      unpipe();
      palette.remove();
    },
  };
}
