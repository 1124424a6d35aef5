// `npm run bench`: every benchmark, one table each. Timings vary with what else the machine runs;
// run it twice before believing a number.
import { benchOnnx, formatRows } from './onnx.js';
import { benchOptimize, formatOptimizeRows } from './optimize.js';

const args = process.argv.slice(2);
const browser = !args.includes('--no-browser');

console.log('## Gradients of the PyTorch fixtures: forward vs forward+gradient\n');
console.log(formatRows(await benchOnnx()));
console.log('\n## Optimize steps on the demo bundle\n');
console.log(formatOptimizeRows(await benchOptimize({ browser })));
