// A host that knows nothing about the app in src/ui: it makes its own NodeEditor and AreaPlugin,
// hands them to setupClipPae with a smaller catalogue, and runs graphs in the engine worker. It
// uses only the package entry (src/index.ts).
import { ClassicPreset, NodeEditor } from 'rete';
import { AreaPlugin } from 'rete-area-plugin';
import {
  EngineClient,
  NodeRegistry,
  basicFamily,
  createEngineWorker,
  setupClipPae,
  type ClipPaeSchemes,
  type RunSummary,
} from '../../../src/index.js';

const container = document.getElementById('editor')!;
const editor = new NodeEditor<ClipPaeSchemes>();
const area = new AreaPlugin<ClipPaeSchemes, any>(container);
editor.use(area);

const refused: string[] = [];
const basics = new NodeRegistry([basicFamily]);
const clipPae = setupClipPae(editor, area, { registry: basics, onRefused: (reason) => refused.push(reason) });

const load = await clipPae.addNode('image/load', { x: 240, y: 40 }, { params: { source: 'images/test-pattern.png' } });
const preview = await clipPae.addNode('image/preview', { x: 600, y: 40 });
await clipPae.addNode('value/number', { x: 240, y: 420 });
await clipPae.connect(load.id, 'image', preview.id, 'image');

// A node of the host's own, in the same editor: it keeps Rete's stock look and stays out of documents.
const note = new ClassicPreset.Node('Host note');
note.addOutput('out', new ClassicPreset.Output(new ClassicPreset.Socket('note')));
await editor.addNode(note as never);
await area.translate(note.id, { x: 900, y: 420 });

const client = new EngineClient(createEngineWorker());

async function run(): Promise<RunSummary> {
  clipPae.runStarted();
  const handle = client.run(clipPae.toDocument(), { onEvent: (event) => clipPae.showEngineEvent(event) });
  const summary = await handle.done;
  clipPae.runFinished(summary);
  return summary;
}

Object.assign(window, { __host: { clipPae, run, refused } });
document.body.dataset.ready = 'true';
