// What the final notifications of both dialects say about trunks (docs/trunks.md).

import type { CallRecord, TrunkAttempt } from '../domain/index.js';

/** The trunk and the attempts of a call that went out through a trunk; nothing for one that did not. */
export function trunkFacts(record: CallRecord): { trunk?: string; attempts?: TrunkAttempt[] } {
  if (!record.attempts || record.attempts.length === 0) return {};
  return { ...(record.trunk !== undefined && { trunk: record.trunk }), attempts: record.attempts.map((a) => ({ ...a })) };
}
