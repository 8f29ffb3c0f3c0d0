// The store's contract: one interface, two implementations (memory for one process, Redis for several
// daemons sharing one drachtio-server). Everything is async so both behave the same to their callers.

import type { CallRecord } from '../domain/index.js';

/** A bot's dialout limits (docs/dialects/audiocodes.md): 0 means no limit. */
export interface AdmissionLimits {
  /** Fractional: 0.1 admits one dialout per 10 s. */
  limitPerSecond: number;
  maxConcurrentCalls: number;
  /** A slot whose call end was never seen is freed after this long. */
  expirationSeconds: number;
}

export type Admission = { admitted: true } | { admitted: false; reason: 'rate' | 'concurrency' };

/** One notification waiting to be delivered; removed once delivered or given up. */
export interface OutboxEntry {
  id: string;
  conversationId: string;
  /** Order within the call: deliveries of one call happen strictly by seq. */
  seq: number;
  url: string;
  headers: Record<string, string>;
  body: string;
  attempts: number;
  /** Epoch ms before which the next attempt must not start (retry backoff). */
  notBefore: number;
  createdAt: number;
}

/** A call that a daemon owns while it runs; used to find calls whose owner died. */
export interface ActiveCall {
  conversationId: string;
  owner: string;
  bot: string;
  since: number;
}

export interface StoreHealth {
  ok: boolean;
  kind: 'memory' | 'redis';
  error?: string;
}

export interface Store {
  readonly kind: 'memory' | 'redis';

  /** Keeps a copy of the record (JSON), keyed by its conversationId. */
  putCall(record: CallRecord): Promise<void>;
  getCall(conversationId: string): Promise<CallRecord | undefined>;

  /** Checks the bot's rate and concurrency limits and, if admitted, takes a slot for the call atomically. */
  admit(bot: string, conversationId: string, limits: AdmissionLimits, nowMs?: number): Promise<Admission>;
  /** Frees the call's slot; freeing twice is harmless. */
  release(bot: string, conversationId: string): Promise<void>;
  activeSlots(bot: string, nowMs?: number): Promise<number>;

  /**
   * The same admission for a trunk (maxCallsPerSecond, maxConcurrentCalls), under the trunk's own key
   * (`<account>/<trunk>`): a call takes a slot on the trunk each attempt goes through.
   */
  admitTrunk(trunk: string, conversationId: string, limits: AdmissionLimits, nowMs?: number): Promise<Admission>;
  releaseTrunk(trunk: string, conversationId: string): Promise<void>;
  activeTrunkSlots(trunk: string, nowMs?: number): Promise<number>;

  outboxAdd(entry: OutboxEntry): Promise<void>;
  outboxUpdate(entry: OutboxEntry): Promise<void>;
  outboxRemove(id: string): Promise<void>;
  outboxList(): Promise<OutboxEntry[]>;

  markActive(call: ActiveCall): Promise<void>;
  markEnded(conversationId: string): Promise<void>;
  listActive(): Promise<ActiveCall[]>;
  /** One active call, or undefined once it ended or another daemon took it over. */
  activeCall(conversationId: string): Promise<ActiveCall | undefined>;
  /** Owner liveness: a daemon renews its heartbeat; an owner whose heartbeat lapsed is dead. */
  heartbeat(owner: string, ttlMs: number): Promise<void>;
  isAlive(owner: string): Promise<boolean>;
  /**
   * Takes (or renews) the named lease for `owner` for ttlMs; false while another owner holds it. Lets one
   * daemon alone recover a dead owner's calls and notifications when several restart at once.
   */
  claimLease(name: string, owner: string, ttlMs: number): Promise<boolean>;

  health(): StoreHealth;
  /** Resolves true once the store is usable, false if it is not within timeoutMs (it keeps reconnecting). */
  ready(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}
