// The frame the eval commands run in: load the bundle the command line names (default the app's demo
// bundle) through the node services and the model cache, hand it over, release it afterwards, and
// turn a Ctrl-C during the run into exit code 130 instead of an error.
import { defaultCache, loadBundle, type ModelBundle } from '../engine/models/index.js';
import { createNodeServices } from '../engine/run/services-node.js';
import { createRuntime, type Runtime } from '../engine/tensor/runtime.js';
import type { CliIo } from './io.js';

export async function runWithBundle(
  io: CliIo,
  command: string,
  where: string | undefined,
  use: (bundle: ModelBundle, runtime: Runtime) => Promise<number>,
): Promise<number> {
  const services = createNodeServices({ baseDir: io.cwd });
  const runtime = await createRuntime();
  const bundle = await loadBundle(where ?? 'models/demo', {
    loadBytes: services.loadBytes,
    runtime,
    cache: await defaultCache(),
    signal: io.signal,
  });
  try {
    return await use(bundle, runtime);
  } catch (e) {
    if (io.signal?.aborted) {
      io.stderr.write(`${command} cancelled\n`);
      return 130;
    }
    throw e;
  } finally {
    await bundle.release();
  }
}
