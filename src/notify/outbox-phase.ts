// The outbox entries this daemon knows of: each one's phase, and each call's queue of entries in order.

import type { OutboxEntry } from '../store/index.js';

/**
 * Where an entry is in its life here:
 * - writing: queued in its call's order, the outbox write still in flight (never sent before it is durable);
 * - waiting: durable, waits to be its call's head and for its notBefore;
 * - sending: a POST (and, after a failure, the outbox update) is in flight;
 * - removing: delivered or given up, the outbox removal in flight;
 * - unremoved: delivered or given up but the store refused the removal: removed on a later rescan, never resent;
 * - finished: delivered or given up and removed; remembered for a while because an adoption may work from
 *   an outbox listing taken before it finished.
 */
export type Phase = 'writing' | 'waiting' | 'sending' | 'removing' | 'unremoved' | 'finished';

export interface Tracked {
  entry: OutboxEntry;
  phase: Phase;
  /** When it became removing: finished entries are forgotten a while later. */
  finishedAt?: number;
}

/** How long a finished entry is remembered against stale outbox listings. */
const rememberFinishedMs = 60_000;

/** Puts an entry into its call's queue, in the call's order (seq). */
export function joinQueue(queues: Map<string, Tracked[]>, tracked: Tracked): void {
  const q = queues.get(tracked.entry.conversationId) ?? [];
  q.push(tracked);
  q.sort((a, b) => a.entry.seq - b.entry.seq);
  queues.set(tracked.entry.conversationId, q);
}

/** Takes an entry out of its call's queue (delivered, given up, or never written). */
export function leaveQueue(queues: Map<string, Tracked[]>, tracked: Tracked): void {
  const id = tracked.entry.conversationId;
  const q = queues.get(id);
  if (!q) return;
  const i = q.indexOf(tracked);
  if (i >= 0) q.splice(i, 1);
  if (q.length === 0) queues.delete(id);
}

export function finish(tracked: Tracked): void {
  tracked.phase = 'finished';
  tracked.finishedAt ??= Date.now();
}

/** Forgets finished entries remembered long enough, and the seq counters of calls with nothing left. */
export function forgetFinished(entries: Map<string, Tracked>, nextSeq: Map<string, number>, now: number): void {
  for (const [id, t] of entries) {
    if (t.phase === 'finished' && now - (t.finishedAt ?? now) > rememberFinishedMs) entries.delete(id);
  }
  const held = new Set<string>();
  for (const t of entries.values()) held.add(t.entry.conversationId);
  for (const id of nextSeq.keys()) if (!held.has(id)) nextSeq.delete(id);
}
