// Taking back what an extension added to Rete's scopes. Rete v2 has `addPipe` and `use` but no
// way to undo either: a pipe stays in its scope's signal for the scope's lifetime, and `use`
// adds a pipe that forwards every signal to the child plugin. The signal's pipe list is public
// (`Scope.signal.pipes`), so an extension records which pipes appeared while it set itself up —
// its own, the forwarding pipe of each plugin it `use`d, and the pipes such plugins add to the
// editor or area from `setParent` (the history preset, the socket position watcher, the
// connection plugin) — and its cleanup splices exactly those out.
import type { Scope } from 'rete';

/** Undoes what an extension did; the document bridge's may wait for the editor to drop its nodes. */
export type Cleanup = () => void | Promise<void>;

type AnyScope = Scope<any, any[]>;

/**
 * Runs `setup` (synchronously) and returns a cleanup that removes every pipe it added to `scopes`.
 * A pipe added later, outside `setup`, is not covered.
 */
export function removablePipes(scopes: readonly AnyScope[], setup: () => void): () => void {
  const before = scopes.map((scope) => new Set(scope.signal.pipes));
  setup();
  const added = scopes.map((scope, i) => scope.signal.pipes.filter((pipe) => !before[i]!.has(pipe)));
  return () => {
    scopes.forEach((scope, i) => {
      for (const pipe of added[i]!) {
        const at = scope.signal.pipes.indexOf(pipe);
        if (at >= 0) scope.signal.pipes.splice(at, 1);
      }
    });
  };
}

/** Runs the cleanups last-first (what was added last may depend on what came before). */
export async function runCleanups(cleanups: Cleanup[]): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanups of rete-clip-pae failed`);
}
