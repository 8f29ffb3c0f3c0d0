import type { OutboxEntry } from './types.js';

/**
 * Delivery order for pending notifications: calls in the order their oldest pending entry was created,
 * and within one call strictly by seq (a call's "completed" never overtakes its "answered").
 */
export function orderOutbox(entries: readonly OutboxEntry[]): OutboxEntry[] {
  const firstCreated = new Map<string, number>();
  for (const e of entries) {
    const seen = firstCreated.get(e.conversationId);
    if (seen === undefined || e.createdAt < seen) firstCreated.set(e.conversationId, e.createdAt);
  }
  return [...entries].sort(
    (a, b) =>
      firstCreated.get(a.conversationId)! - firstCreated.get(b.conversationId)! ||
      a.conversationId.localeCompare(b.conversationId) ||
      a.seq - b.seq,
  );
}
