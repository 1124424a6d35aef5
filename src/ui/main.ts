// Entry of the editor app (index.html).
import { App } from './app.js';
import type { NoticesElement } from './notices.js';
import type { RunsPanelElement } from './runs-panel.js';
import type { ToolbarElement } from './toolbar.js';
import './app.css';

function element<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`index.html lacks ${selector}`);
  return found;
}

const app = new App({
  toolbar: element<ToolbarElement>('clip-pae-toolbar'),
  palette: element('#palette'),
  canvas: element('#canvas'),
  notices: element<NoticesElement>('clip-pae-notices'),
  fileInput: element<HTMLInputElement>('#open-file'),
  runs: element<RunsPanelElement>('clip-pae-runs'),
});

// Tests read the open document through this; dev builds only.
if (import.meta.env.DEV) (window as unknown as { __app: App }).__app = app;

app.start().then(
  () => document.body.setAttribute('data-ready', 'true'),
  (e: Error) => {
    console.error(e);
    document.body.setAttribute('data-ready', 'error');
  },
);
