import type { CallRecord } from '../domain/index.js';
import { checkLimits } from './limits.js';
import { admitInto, emptyAdmissionState, expireSlots, type BotAdmissionState } from './admission.js';
import { orderOutbox } from './outbox-order.js';
import type { ActiveCall, Admission, AdmissionLimits, OutboxEntry, Store, StoreHealth } from './types.js';

export interface MemoryStoreOptions {
  /** Call records kept; beyond this the oldest records of calls no longer active are dropped. */
  maxRecords: number;
  /** The clock for heartbeats, leases and slot expiry (epoch ms); tests pass their own. */
  now?: () => number;
}

/** The embedded store for one daemon process: the same behaviour as Redis, held in this process only. */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  // Map iteration order is insertion order; a put re-inserts, so the first entries are the least recently written.
  private readonly calls = new Map<string, string>();
  private readonly bots = new Map<string, BotAdmissionState>();
  private readonly trunks = new Map<string, BotAdmissionState>();
  private readonly outbox = new Map<string, string>();
  private readonly active = new Map<string, ActiveCall>();
  private readonly owners = new Map<string, number>();
  private readonly leases = new Map<string, { owner: string; until: number }>();

  private readonly now: () => number;

  constructor(private readonly options: MemoryStoreOptions = { maxRecords: 10000 }) {
    this.now = options.now ?? Date.now;
  }

  async putCall(record: CallRecord): Promise<void> {
    // Stored serialised so callers never share (and mutate) the stored object, as with Redis.
    this.calls.delete(record.conversationId);
    this.calls.set(record.conversationId, JSON.stringify(record));
    this.dropOldestFinished();
  }

  async getCall(conversationId: string): Promise<CallRecord | undefined> {
    const json = this.calls.get(conversationId);
    return json === undefined ? undefined : (JSON.parse(json) as CallRecord);
  }

  async admit(bot: string, conversationId: string, limits: AdmissionLimits, nowMs = this.now()): Promise<Admission> {
    return admitIn(this.bots, bot, conversationId, limits, nowMs);
  }

  async release(bot: string, conversationId: string): Promise<void> {
    this.bots.get(bot)?.slots.delete(conversationId);
  }

  async activeSlots(bot: string, nowMs = this.now()): Promise<number> {
    return slotsIn(this.bots, bot, nowMs);
  }

  async admitTrunk(trunk: string, conversationId: string, limits: AdmissionLimits, nowMs = this.now()): Promise<Admission> {
    return admitIn(this.trunks, trunk, conversationId, limits, nowMs);
  }

  async releaseTrunk(trunk: string, conversationId: string): Promise<void> {
    this.trunks.get(trunk)?.slots.delete(conversationId);
  }

  async activeTrunkSlots(trunk: string, nowMs = this.now()): Promise<number> {
    return slotsIn(this.trunks, trunk, nowMs);
  }

  async outboxAdd(entry: OutboxEntry): Promise<void> {
    this.outbox.set(entry.id, JSON.stringify(entry));
  }

  async outboxUpdate(entry: OutboxEntry): Promise<void> {
    // An entry delivered (removed) meanwhile stays removed.
    if (this.outbox.has(entry.id)) this.outbox.set(entry.id, JSON.stringify(entry));
  }

  async outboxRemove(id: string): Promise<void> {
    this.outbox.delete(id);
  }

  async outboxList(): Promise<OutboxEntry[]> {
    return orderOutbox([...this.outbox.values()].map((json) => JSON.parse(json) as OutboxEntry));
  }

  async markActive(call: ActiveCall): Promise<void> {
    this.active.set(call.conversationId, { ...call });
  }

  async markEnded(conversationId: string): Promise<void> {
    this.active.delete(conversationId);
    this.dropOldestFinished();
  }

  async listActive(): Promise<ActiveCall[]> {
    return [...this.active.values()].map((c) => ({ ...c }));
  }

  async activeCall(conversationId: string): Promise<ActiveCall | undefined> {
    const call = this.active.get(conversationId);
    return call ? { ...call } : undefined;
  }

  async heartbeat(owner: string, ttlMs: number): Promise<void> {
    this.owners.set(owner, this.now() + ttlMs);
  }

  async isAlive(owner: string): Promise<boolean> {
    const until = this.owners.get(owner);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.owners.delete(owner);
    return false;
  }

  async claimLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const held = this.leases.get(name);
    if (held && held.owner !== owner && held.until > now) return false;
    this.leases.set(name, { owner, until: now + ttlMs });
    return true;
  }

  health(): StoreHealth {
    return { ok: true, kind: 'memory' };
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  private dropOldestFinished(): void {
    if (this.calls.size <= this.options.maxRecords) return;
    for (const conversationId of this.calls.keys()) {
      if (this.calls.size <= this.options.maxRecords) return;
      // Records of calls still in progress are kept: the daemon needs them until the call ends.
      if (!this.active.has(conversationId)) this.calls.delete(conversationId);
    }
  }
}

/** One admission against the limiter `name` of `limiters` (a bot's, a trunk's), creating its state on first use. */
function admitIn(
  limiters: Map<string, BotAdmissionState>,
  name: string,
  conversationId: string,
  limits: AdmissionLimits,
  nowMs: number,
): Admission {
  checkLimits(limits);
  let state = limiters.get(name);
  if (!state) {
    state = emptyAdmissionState();
    limiters.set(name, state);
  }
  return admitInto(state, conversationId, limits, nowMs);
}

function slotsIn(limiters: Map<string, BotAdmissionState>, name: string, nowMs: number): number {
  const state = limiters.get(name);
  if (!state) return 0;
  expireSlots(state, nowMs);
  return state.slots.size;
}
