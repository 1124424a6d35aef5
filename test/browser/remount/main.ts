// One NodeEditor and AreaPlugin; the plugin is set up, destroyed and set up again in them, and
// the page exposes what a test needs to see that nothing was left behind or doubled: the pipe
// counts of the editor and area at each stage, every connection created or refused and every
// change announced.
import { NodeEditor } from 'rete';
import { AreaPlugin } from 'rete-area-plugin';
import { type ClipPae, type ClipPaeSchemes, NodeRegistry, basicFamily, setupClipPae } from '../../../src/index.js';

const container = document.getElementById('editor')!;
const editor = new NodeEditor<ClipPaeSchemes>();
const area = new AreaPlugin<ClipPaeSchemes, any>(container);
editor.use(area);

const created: string[] = [];
editor.addPipe((context) => {
  if (context.type === 'connectioncreated') created.push(`${context.data.source}→${context.data.target}`);
  return context;
});

const pipes = () => ({ editor: editor.signal.pipes.length, area: area.signal.pipes.length });
const basics = new NodeRegistry([basicFamily]);
const changes: string[] = [];
const refused: string[] = [];
const stages: Record<string, { editor: number; area: number }> = { bare: pipes() };
// What the area draws (nodes, wires, reroute dots, notes): none of the first setup's stays.
const drawn = () => area.area.content.holder.children.length;
const drawnBare = drawn();

function mount(): ClipPae {
  const clipPae = setupClipPae(editor, area, { registry: basics, onRefused: (reason) => refused.push(reason) });
  clipPae.onChange((kind) => changes.push(kind));
  return clipPae;
}

let clipPae = mount();
stages.first = pipes();
await clipPae.addNode('value/number', { x: 40, y: 40 });
const load = await clipPae.addNode('image/load', { x: 40, y: 200 });
const resize = await clipPae.addNode('image/resize', { x: 400, y: 200 });
await clipPae.connect(load.id, 'image', resize.id, 'image');
clipPae.reroutes.setPoints(editor.getConnections()[0]!.id, [{ x: 300, y: 400 }]);
clipPae.addComment('note', [40, 400]);
await new Promise((resolve) => setTimeout(resolve, 50));
const drawnMounted = drawn();
await clipPae.destroy();
stages.destroyed = pipes();
const leftAfterDestroy = editor.getNodes().length;
const drawnAfterDestroy = drawn();
// The tests count the connections of the second setup only.
created.length = 0;
clipPae = mount();
stages.second = pipes();

Object.assign(window, {
  __remount: {
    clipPae: () => clipPae,
    created,
    changes,
    refused,
    stages,
    leftAfterDestroy,
    drawn: { bare: drawnBare, mounted: drawnMounted, destroyed: drawnAfterDestroy },
    pipes,
  },
});
document.body.dataset.ready = 'true';
