import type { Admission, AdmissionLimits } from './types.js';

// Admission rules shared by both stores (the Redis Lua script in redis-scripts.ts mirrors them):
// a GCRA rate limit — emission interval 1000/rate ms, burst ceil(rate) so a rate of 2/s admits two at
// once — and a concurrency limit over slots that expire expirationSeconds after admission.

/** Per-bot admission state: the rate limit's theoretical arrival time and the held slots' expiry times. */
export interface BotAdmissionState {
  /** GCRA theoretical arrival time, epoch ms; 0 when no request was admitted yet. */
  tat: number;
  /** conversationId → epoch ms at which the slot lapses if its call end is never seen. */
  slots: Map<string, number>;
}

export function emptyAdmissionState(): BotAdmissionState {
  return { tat: 0, slots: new Map() };
}

/** Largest number of dialouts admitted back to back at a rate. */
export function rateBurst(limitPerSecond: number): number {
  return Math.max(1, Math.ceil(limitPerSecond));
}

/** Drops the slots whose expiry time has passed. */
export function expireSlots(state: BotAdmissionState, nowMs: number): void {
  for (const [conversationId, expiresAt] of state.slots) {
    if (expiresAt <= nowMs) state.slots.delete(conversationId);
  }
}

/**
 * Decides one dialout and, when admitted, takes its slot and advances the rate limit in `state`.
 * Nothing changes on a rejection, so a rejected request costs the bot nothing.
 */
export function admitInto(
  state: BotAdmissionState,
  conversationId: string,
  limits: AdmissionLimits,
  nowMs: number,
): Admission {
  let nextTat: number | undefined;
  if (limits.limitPerSecond > 0) {
    const interval = 1000 / limits.limitPerSecond;
    const tat = Math.max(state.tat, nowMs);
    if (nowMs < tat - (rateBurst(limits.limitPerSecond) - 1) * interval) return { admitted: false, reason: 'rate' };
    nextTat = tat + interval;
  }
  expireSlots(state, nowMs);
  if (limits.maxConcurrentCalls > 0 && !state.slots.has(conversationId)) {
    if (state.slots.size >= limits.maxConcurrentCalls) return { admitted: false, reason: 'concurrency' };
  }
  if (nextTat !== undefined) state.tat = nextTat;
  state.slots.set(conversationId, nowMs + limits.expirationSeconds * 1000);
  return { admitted: true };
}
