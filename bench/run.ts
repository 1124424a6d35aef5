// `npm run bench`: every benchmark, one table each. Timings vary with what else the machine runs;
// run it twice before believing a number. `--no-browser` leaves out everything that needs chromium.
// `npm run bench -- edit --bundle <manifest> …` times one real bundle instead (bench/edit.ts);
// `npm run bench -- live --bundle <manifest>` lists what its objective keeps alive (bench/live.ts).
import { benchFirstEdit, formatFirstEditRows, formatMemoryRows, mib, type MemoryRow } from './first-edit.js';
import { benchOnnx, formatRows } from './onnx.js';
import { benchOptimize, formatOptimizeRows } from './optimize.js';
import { benchSliders, formatSliderRows } from './sliders.js';

const args = process.argv.slice(2);
if (args[0] === 'edit') {
  // One bundle's edit objective in one runtime (bench/edit.ts); the fixture tables are not run.
  const { runEditBench } = await import('./edit.js');
  process.exit(await runEditBench(args.slice(1)));
}
if (args[0] === 'live') {
  // What the edit objective keeps alive at once, by static shapes (bench/live.ts).
  const { runLiveBench } = await import('./live.js');
  process.exit(await runLiveBench(args.slice(1)));
}
const browser = !args.includes('--no-browser');

console.log('## Gradients of the PyTorch fixtures: forward vs forward+gradient\n');
console.log(formatRows(await benchOnnx()));

console.log('\n## Optimize steps on the demo bundle\n');
const optimizeRows = await benchOptimize({ browser });
console.log(formatOptimizeRows(optimizeRows));

const memory: MemoryRow[] = optimizeRows
  .filter((r) => r.peakRssBytes !== undefined)
  .map((r) => ({
    where: `${r.host}, optimize bench (${r.bundle} bundle)`,
    what: 'process peak RSS (process.resourceUsage().maxRSS)',
    bytes: r.peakRssBytes!,
    note: r.startRssBytes !== undefined ? `${mib(r.startRssBytes)} MiB before loading the bundle` : '',
  }));

console.log('\n## Global Direction sliders: one α or β change (Δs + one synthesis-from-styles forward)\n');
console.log(formatSliderRows(await benchSliders({ browser })));

if (browser) {
  console.log('\n## Page load to the first edited face (graphs/default.json, headless chromium)\n');
  const firstEdit = await benchFirstEdit();
  console.log(formatFirstEditRows(firstEdit.rows));
  memory.push(...firstEdit.memory);
}

console.log('\n## Peak memory\n');
console.log(formatMemoryRows(memory));
