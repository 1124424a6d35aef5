// How sizes are written for people: the node cards, the models panel, downloads and copies.

/** A size in B, KB or MB, whichever reads best. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A size always in MB, so a progress line's two numbers read alike ("12.0 MB of 350.2 MB"). */
export function formatMb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
