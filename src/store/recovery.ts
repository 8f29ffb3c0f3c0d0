import type { ActiveCall, Store } from './types.js';

/**
 * Calls in progress whose owning daemon is gone: its heartbeat lapsed, or it is `restartedOwner` — a
 * daemon restarted under the same name holds none of the calls it owned before.
 */
export async function orphanedCalls(store: Store, restartedOwner?: string): Promise<ActiveCall[]> {
  const alive = new Map<string, boolean>();
  const orphaned: ActiveCall[] = [];
  for (const call of await store.listActive()) {
    if (call.owner !== restartedOwner) {
      if (!alive.has(call.owner)) alive.set(call.owner, await store.isAlive(call.owner));
      if (alive.get(call.owner)) continue;
    }
    orphaned.push(call);
  }
  return orphaned;
}
