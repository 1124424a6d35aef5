// The example graphs: every graphs/*.json, bundled as text and validated when opened.
const files = import.meta.glob('/graphs/*.json', { query: '?raw', import: 'default' }) as Record<
  string,
  () => Promise<string>
>;

/** Example names (file names without .json), default first. */
export function exampleNames(): string[] {
  return Object.keys(files)
    .map((path) => path.replace(/^.*\//, '').replace(/\.json$/, ''))
    .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
}

export async function exampleText(name: string): Promise<string> {
  const load = files[`/graphs/${name}.json`];
  if (!load) throw new Error(`no example named "${name}" in graphs/`);
  return load();
}
