// The keys the plugin's extensions listen to, in words, for a host's shortcuts sheet. Kept next to
// the extensions so the sheet lists what the editor really does.
export interface Shortcut {
  keys: string;
  does: string;
}

export const EDITOR_SHORTCUTS: readonly Shortcut[] = [
  { keys: 'Click', does: 'Select a node' },
  { keys: 'Ctrl+Click', does: 'Add a node to the selection' },
  { keys: 'Ctrl+A', does: 'Select every node' },
  { keys: 'Delete / Backspace', does: 'Remove the selected nodes and their wires' },
  { keys: '← → ↑ ↓', does: 'Nudge the selected nodes (10 units)' },
  { keys: 'Shift+← → ↑ ↓', does: 'Nudge the selected nodes (100 units)' },
  { keys: 'Ctrl+Z', does: 'Undo' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', does: 'Redo' },
  { keys: 'Right-click canvas', does: 'Search the node types and add one there' },
  { keys: 'Right-click node', does: 'Run to here, Duplicate, Delete' },
];
