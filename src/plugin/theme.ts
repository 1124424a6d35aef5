// Socket colours: the engine knows no colours, so the editor keeps them here, by socket type name.
const SOCKET_COLOURS: Readonly<Record<string, string>> = {
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
};

/** The colour of a socket type; a type this theme does not know gets a stable one from its name. */
export function socketColor(type: string): string {
  if (Object.hasOwn(SOCKET_COLOURS, type)) return SOCKET_COLOURS[type]!;
  let hash = 0;
  for (const c of type) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360}, 45%, 55%)`;
}
