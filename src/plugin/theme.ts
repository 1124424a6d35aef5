// The colour each named thing gets in the editor: socket types (a wire and its dots) and palette
// groups (a node's title bar). Colours are the plugin's business, not the engine's: the engine
// only knows what a socket type means. A name the theme does not know (a family a host
// registered) still gets a colour of its own, derived from the name, so it looks the same on
// every load and differs from its neighbours.

/** Socket type → colour, for the types this package's node families register. */
export const SOCKET_COLORS: Readonly<Record<string, string>> = {
  Image: '#4caf50',
  Latent: '#ab47bc',
  Embedding: '#ff9800',
  Subspace: '#e91e63',
  Coefficients: '#795548',
  Target: '#f44336',
  Text: '#2196f3',
  Prompts: '#03a9f4',
  Number: '#9e9e9e',
  Models: '#607d8b',
  Faces: '#26a69a',
  Face: '#ffc107',
  Descriptor: '#8d6e63',
  FaceTransform: '#009688',
  StyleDirection: '#cddc39',
};

/** Palette group → title-bar colour (muted, white text sits on it). */
export const CATEGORY_COLORS: Readonly<Record<string, string>> = {
  Image: '#3f8f5b',
  Values: '#5a6270',
  Models: '#4f6b8a',
  PAE: '#a8436d',
  Optimize: '#8a5ab8',
  Text: '#2f79b5',
  Latent: '#7d4fa0',
  Faces: '#b8860b',
  StyleSpace: '#6d7a2e',
};

/** A hue from a name's characters (31-multiplier string hash): the same name, the same hue. */
export function hueOf(name: string): number {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % 360;
}

/** The colour of a socket type's dots and wires. */
export function socketColor(type: string): string {
  return Object.hasOwn(SOCKET_COLORS, type) ? SOCKET_COLORS[type]! : `hsl(${hueOf(type)} 60% 55%)`;
}

/** The colour of a palette group (a node's title bar). */
export function categoryColor(category: string): string {
  return Object.hasOwn(CATEGORY_COLORS, category) ? CATEGORY_COLORS[category]! : `hsl(${hueOf(category)} 38% 42%)`;
}

/**
 * The custom property that dims a socket type's dots while a wire that cannot reach them is
 * dragged (any characters a CSS name cannot hold become '-').
 */
export function dimProperty(type: string): string {
  return `--clip-pae-dim-${type.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}
