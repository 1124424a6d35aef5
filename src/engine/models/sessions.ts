// Releasing a set of lazily started ONNX sessions (a model bundle's, the face bundle's): each is
// kept as the promise of its start, so one that failed to start is passed over.
import type { Session } from '../tensor/runtime.js';

/** Empties `sessions` and releases every session in it that did start. */
export async function releaseSessions(sessions: Map<unknown, Promise<Session>>): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  for (const s of all) {
    try {
      await (await s).release();
    } catch {
      // A session that failed to start has nothing to release.
    }
  }
}
