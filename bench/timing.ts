// Timing for the measurements that run both in Node and in the bench pages (so it imports nothing
// from Node): the median of repeated runs, which one slow run (a GC, a JIT) does not move.

/** Runs `f` `times` times, one after another; the median wall time of one run, in ms. */
export async function median(times: number, f: () => Promise<unknown>): Promise<number> {
  const all: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await f();
    all.push(performance.now() - t);
  }
  all.sort((a, b) => a - b);
  return all[Math.floor(all.length / 2)]!;
}
