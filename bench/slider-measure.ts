// What one α or β change of the Global Direction node costs once its face is known: Δs from the
// bundle's global directions and one synthesis-from-styles forward (the node's per-change work).
// Shared by the Node row and the chromium page.
import type { ModelBundle } from '../src/engine/models/index.js';
import { applyDelta, bundleDirections, styleDelta, styleSpaceOf } from '../src/engine/stylespace/index.js';

export interface SliderRow {
  host: string;
  runtime: string;
  changes: number;
  medianMs: number;
  p90Ms: number;
  /** The first change, which creates the synthesis session. */
  firstMs: number;
}

export async function measureSlider(
  bundle: ModelBundle,
  changes: number,
): Promise<Omit<SliderRow, 'host' | 'runtime'>> {
  const space = styleSpaceOf(bundle, 'bench');
  const directions = bundleDirections(bundle, 'bench');
  const latent = await bundle.sampleLatent(1, 0.7);
  const styles = await space.styles(latent);
  const [happy, neutral] = (await bundle.encodeText(['a happy face', 'a face'])) as [Float32Array, Float32Array];
  const dt = happy.map((v, i) => v - neutral[i]!);
  const n = Math.hypot(...dt);
  const direction = dt.map((v) => v / n);
  const times: number[] = [];
  for (let i = 0; i <= changes; i++) {
    const t0 = performance.now();
    // Alternate α and β changes, as a user dragging either slider would.
    const beta = i % 2 === 0 ? 0.1 : 0.05 + (i % 7) * 0.01;
    const alpha = 1 + (i % 9) * 0.5;
    const { delta } = styleDelta(directions, direction, beta);
    await space.synthesize(applyDelta(styles, delta, alpha));
    times.push(performance.now() - t0);
  }
  const [first, ...rest] = times;
  rest.sort((a, b) => a - b);
  return {
    changes,
    medianMs: rest[Math.floor(rest.length / 2)]!,
    p90Ms: rest[Math.min(rest.length - 1, Math.floor(rest.length * 0.9))]!,
    firstMs: first!,
  };
}

export function formatSliderRows(rows: readonly SliderRow[]): string {
  const head = ['host', 'runtime', 'changes', 'median ms', 'p90 ms', 'first ms'];
  const body = rows.map((r) => [
    r.host,
    r.runtime,
    String(r.changes),
    r.medianMs.toFixed(1),
    r.p90Ms.toFixed(1),
    r.firstMs.toFixed(1),
  ]);
  const table = [head, ...body];
  const widths = head.map((_, j) => Math.max(...table.map((r) => r[j]!.length)));
  const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
