// The keys the plugin's extensions listen to, in words, for a host's shortcuts sheet. Kept next to
// the extensions so the sheet lists what the editor really does.
export interface Shortcut {
  keys: string;
  does: string;
}

export const EDITOR_SHORTCUTS: readonly Shortcut[] = [
  { keys: 'Click', does: 'Select a node, frame or note' },
  { keys: 'Ctrl+Click', does: 'Add a node, frame or note to the selection' },
  { keys: 'Ctrl+A', does: 'Select every node' },
  { keys: 'Delete / Backspace', does: 'Remove the selected nodes and their wires' },
  { keys: '← → ↑ ↓', does: 'Nudge the selection (10 units)' },
  { keys: 'Shift+← → ↑ ↓', does: 'Nudge the selection (100 units)' },
  { keys: 'Ctrl+Z', does: 'Undo' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', does: 'Redo' },
  { keys: 'Ctrl+C / Ctrl+V', does: 'Copy and paste the selected nodes, their frames and the selected notes' },
  { keys: 'Ctrl+D', does: 'Duplicate the selection' },
  { keys: 'Double-click wire', does: 'Add a reroute point (drag it to route the wire)' },
  { keys: 'Double-click / right-click point', does: 'Take a reroute point out' },
  { keys: 'Right-click canvas', does: 'Search the node types and add one there' },
  { keys: 'Right-click node', does: 'Run to here, Duplicate, Delete' },
];
