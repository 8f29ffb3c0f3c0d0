import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { admissionLimits, MemoryStore, orphanedCalls, RedisStore, type OutboxEntry, type Store } from '../../src/store/index.js';
import { callRecord } from '../support/call-record.js';
import { startRedis, type RedisServer } from '../support/redis.js';

// One behaviour, two implementations: every test here runs against the memory store and against a real
// redis-server.

const logger = createLogger('silent');
let redis: RedisServer | undefined;
const opened: Store[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await redis?.stop();
});

/** The memory store's clock; Redis keeps its own time for TTLs. */
let memoryNow = Date.now();

/** Lets `ms` pass for a store's TTLs: the memory store's clock moves at once, Redis's by waiting. */
async function lapse(kind: 'memory' | 'redis', ms: number): Promise<void> {
  if (kind === 'memory') memoryNow += ms;
  else await new Promise((r) => setTimeout(r, ms));
}

async function open(kind: 'memory' | 'redis', maxRecords = 10000): Promise<Store> {
  memoryNow = Date.now();
  const store: Store =
    kind === 'memory'
      ? new MemoryStore({ maxRecords, now: () => memoryNow })
      : new RedisStore({ url: redis!.url, keyPrefix: `t${randomUUID()}:`, recordTtlSeconds: 600 }, logger);
  opened.push(store);
  expect(await store.ready(5000)).toBe(true);
  return store;
}

function entry(conversationId: string, seq: number, createdAt: number): OutboxEntry {
  return {
    id: `${conversationId}#${seq}`,
    conversationId,
    seq,
    url: 'http://127.0.0.1:7000/notify',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId, seq }),
    attempts: 0,
    notBefore: 0,
    createdAt,
  };
}

const noLimits = { limitPerSecond: 0, maxConcurrentCalls: 0, expirationSeconds: 1200 };
const T0 = 1_700_000_000_000;

describe.each(['memory', 'redis'] as const)('%s store', (kind) => {
  it('reports itself healthy and of its kind', async () => {
    const store = await open(kind);
    expect(store.kind).toBe(kind);
    expect(store.health()).toEqual({ ok: true, kind });
  });

  it('keeps call records by conversationId and returns copies', async () => {
    const store = await open(kind);
    const record = callRecord({ conversationId: 'c1', status: 'answered', amdEvents: [{ type: 'amd_human_detected', reason: 'short greeting', atMs: 900 }] });
    const asPut = structuredClone(record);
    await store.putCall(record);
    record.status = 'completed';
    record.amdEvents.push({ type: 'amd_stopped', atMs: 1000 });
    expect(await store.getCall('c1')).toEqual(asPut);
    await store.putCall(callRecord({ conversationId: 'c1', status: 'completed', reasonCode: 'client-disconnected' }));
    expect(await store.getCall('c1')).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    expect(await store.getCall('unknown')).toBeUndefined();
  });

  it('admits a fractional rate of 0.5/s once, then nothing until 2 s later', async () => {
    const store = await open(kind);
    const limits = { limitPerSecond: 0.5, maxConcurrentCalls: 0, expirationSeconds: 1200 };
    expect(await store.admit('Bot1', 'a', limits, T0)).toEqual({ admitted: true });
    expect(await store.admit('Bot1', 'b', limits, T0)).toEqual({ admitted: false, reason: 'rate' });
    expect(await store.admit('Bot1', 'c', limits, T0 + 1999)).toEqual({ admitted: false, reason: 'rate' });
    expect(await store.admit('Bot1', 'd', limits, T0 + 2000)).toEqual({ admitted: true });
    expect(await store.admit('Bot1', 'e', limits, T0 + 2500)).toEqual({ admitted: false, reason: 'rate' });
    // Another bot has its own limit.
    expect(await store.admit('Bot2', 'f', limits, T0 + 2500)).toEqual({ admitted: true });
  });

  it('admits one per 10 s at 0.1/s', async () => {
    const store = await open(kind);
    const limits = { limitPerSecond: 0.1, maxConcurrentCalls: 0, expirationSeconds: 1200 };
    expect((await store.admit('Bot1', 'a', limits, T0)).admitted).toBe(true);
    expect((await store.admit('Bot1', 'b', limits, T0 + 9000)).admitted).toBe(false);
    expect((await store.admit('Bot1', 'c', limits, T0 + 10000)).admitted).toBe(true);
  });

  it('admits a burst of ceil(rate) at 2/s, then one per 500 ms', async () => {
    const store = await open(kind);
    const limits = { limitPerSecond: 2, maxConcurrentCalls: 0, expirationSeconds: 1200 };
    const burst = [];
    for (let i = 0; i < 4; i++) burst.push((await store.admit('Bot1', `b${i}`, limits, T0)).admitted);
    expect(burst).toEqual([true, true, false, false]);
    expect((await store.admit('Bot1', 'x', limits, T0 + 499)).admitted).toBe(false);
    expect((await store.admit('Bot1', 'y', limits, T0 + 500)).admitted).toBe(true);
  });

  it('has no limits at 0', async () => {
    const store = await open(kind);
    for (let i = 0; i < 50; i++) expect((await store.admit('Bot1', `c${i}`, noLimits, T0)).admitted).toBe(true);
    expect(await store.activeSlots('Bot1', T0)).toBe(50);
  });

  it('holds the concurrency limit and frees a slot on release', async () => {
    const store = await open(kind);
    const limits = { limitPerSecond: 0, maxConcurrentCalls: 2, expirationSeconds: 60 };
    expect(await store.admit('Bot1', 'a', limits, T0)).toEqual({ admitted: true });
    expect(await store.admit('Bot1', 'b', limits, T0)).toEqual({ admitted: true });
    expect(await store.admit('Bot1', 'c', limits, T0)).toEqual({ admitted: false, reason: 'concurrency' });
    expect(await store.activeSlots('Bot1', T0)).toBe(2);
    await store.release('Bot1', 'a');
    await store.release('Bot1', 'a');
    expect(await store.activeSlots('Bot1', T0)).toBe(1);
    expect(await store.admit('Bot1', 'c', limits, T0)).toEqual({ admitted: true });
    expect(await store.admit('Bot1', 'd', limits, T0)).toEqual({ admitted: false, reason: 'concurrency' });
  });

  it('does not spend the rate on a dialout rejected for concurrency', async () => {
    const store = await open(kind);
    const limits = { limitPerSecond: 1, maxConcurrentCalls: 1, expirationSeconds: 60 };
    expect((await store.admit('Bot1', 'a', limits, T0)).admitted).toBe(true);
    expect(await store.admit('Bot1', 'b', limits, T0 + 1000)).toEqual({ admitted: false, reason: 'concurrency' });
    await store.release('Bot1', 'a');
    expect(await store.admit('Bot1', 'b', limits, T0 + 1000)).toEqual({ admitted: true });
  });

  it("holds a trunk's rate and concurrency by the same rules, apart from any bot's", async () => {
    const store = await open(kind);
    const rate = { limitPerSecond: 2, maxConcurrentCalls: 0, expirationSeconds: 600 };
    const burst = [];
    for (let i = 0; i < 3; i++) burst.push((await store.admitTrunk('acme/carrier1', `r${i}`, rate, T0)).admitted);
    expect(burst).toEqual([true, true, false]);
    expect(await store.admitTrunk('acme/carrier1', 'r3', rate, T0 + 499)).toEqual({ admitted: false, reason: 'rate' });
    expect(await store.admitTrunk('acme/carrier1', 'r4', rate, T0 + 500)).toEqual({ admitted: true });
    // Another trunk, and a bot of the very same name, have limits of their own.
    expect(await store.admitTrunk('acme/carrier2', 'r5', rate, T0)).toEqual({ admitted: true });
    expect(await store.admit('acme/carrier1', 'r6', rate, T0)).toEqual({ admitted: true });

    const slots = { limitPerSecond: 0, maxConcurrentCalls: 2, expirationSeconds: 600 };
    expect(await store.admitTrunk('acme/c3', 'a', slots, T0)).toEqual({ admitted: true });
    expect(await store.admitTrunk('acme/c3', 'b', slots, T0)).toEqual({ admitted: true });
    expect(await store.admitTrunk('acme/c3', 'c', slots, T0)).toEqual({ admitted: false, reason: 'concurrency' });
    expect(await store.activeTrunkSlots('acme/c3', T0)).toBe(2);
    expect(await store.activeSlots('acme/c3', T0)).toBe(0);
    await store.releaseTrunk('acme/c3', 'a');
    await store.releaseTrunk('acme/c3', 'a');
    expect(await store.activeTrunkSlots('acme/c3', T0)).toBe(1);
    expect(await store.admitTrunk('acme/c3', 'c', slots, T0)).toEqual({ admitted: true });
    expect(await store.activeTrunkSlots('acme/c3', T0 + 600_000)).toBe(0);
  });

  it('frees a slot whose call end was never seen after expirationSeconds', async () => {
    const store = await open(kind);
    const limits = { limitPerSecond: 0, maxConcurrentCalls: 1, expirationSeconds: 10 };
    expect((await store.admit('Bot1', 'a', limits, T0)).admitted).toBe(true);
    expect(await store.admit('Bot1', 'b', limits, T0 + 9999)).toEqual({ admitted: false, reason: 'concurrency' });
    expect(await store.activeSlots('Bot1', T0 + 9999)).toBe(1);
    expect(await store.activeSlots('Bot1', T0 + 10000)).toBe(0);
    expect(await store.admit('Bot1', 'b', limits, T0 + 10000)).toEqual({ admitted: true });
  });

  it('lists pending notifications per call in seq order and forgets delivered ones', async () => {
    const store = await open(kind);
    await store.outboxAdd(entry('call-b', 2, 300));
    await store.outboxAdd(entry('call-a', 1, 100));
    await store.outboxAdd(entry('call-b', 1, 200));
    await store.outboxAdd(entry('call-a', 3, 150));
    await store.outboxAdd(entry('call-a', 2, 120));
    expect((await store.outboxList()).map((e) => e.id)).toEqual([
      'call-a#1',
      'call-a#2',
      'call-a#3',
      'call-b#1',
      'call-b#2',
    ]);

    await store.outboxUpdate({ ...entry('call-a', 1, 100), attempts: 2, notBefore: 5000 });
    await store.outboxRemove('call-a#2');
    // Updating an entry already delivered does not bring it back.
    await store.outboxUpdate({ ...entry('call-a', 2, 120), attempts: 1 });
    const pending = await store.outboxList();
    expect(pending.map((e) => e.id)).toEqual(['call-a#1', 'call-a#3', 'call-b#1', 'call-b#2']);
    expect(pending[0]).toMatchObject({ attempts: 2, notBefore: 5000, body: '{"conversationId":"call-a","seq":1}' });
  });

  it('tracks active calls and their owners’ liveness', async () => {
    const store = await open(kind);
    await store.markActive({ conversationId: 'c1', owner: 'daemon-1', bot: 'Bot1', since: T0 });
    await store.markActive({ conversationId: 'c2', owner: 'daemon-2', bot: 'Bot1', since: T0 + 1 });
    expect(await store.activeCall('c1')).toEqual({ conversationId: 'c1', owner: 'daemon-1', bot: 'Bot1', since: T0 });
    await store.markEnded('c1');
    expect(await store.listActive()).toEqual([{ conversationId: 'c2', owner: 'daemon-2', bot: 'Bot1', since: T0 + 1 }]);
    expect(await store.activeCall('c1')).toBeUndefined();

    expect(await store.isAlive('daemon-2')).toBe(false);
    await store.heartbeat('daemon-2', 60_000);
    await store.heartbeat('daemon-3', 600);
    expect(await store.isAlive('daemon-2')).toBe(true);
    expect(await store.isAlive('daemon-3')).toBe(true);
    // A daemon that stops renewing its heartbeat is dead once the ttl lapses.
    await lapse(kind, 1000);
    expect(await store.isAlive('daemon-3')).toBe(false);
    expect(await store.isAlive('daemon-2')).toBe(true);
  });

  it('finds the calls of dead owners, and of an owner restarted under the same name', async () => {
    const store = await open(kind);
    await store.heartbeat('alive', 60_000);
    await store.heartbeat('restarted', 60_000);
    await store.markActive({ conversationId: 'c1', owner: 'alive', bot: 'Bot1', since: T0 });
    await store.markActive({ conversationId: 'c2', owner: 'killed', bot: 'Bot1', since: T0 });
    await store.markActive({ conversationId: 'c3', owner: 'restarted', bot: 'Bot2', since: T0 });
    const ids = (calls: { conversationId: string }[]) => calls.map((c) => c.conversationId).sort();
    expect(ids(await orphanedCalls(store))).toEqual(['c2']);
    expect(ids(await orphanedCalls(store, 'restarted'))).toEqual(['c2', 'c3']);
  });

  it('lets one owner at a time hold a lease until it lapses', async () => {
    const store = await open(kind);
    expect(await store.claimLease('recover:killed', 'daemon-1', 600)).toBe(true);
    expect(await store.claimLease('recover:killed', 'daemon-2', 60_000)).toBe(false);
    expect(await store.claimLease('recover:killed', 'daemon-1', 600)).toBe(true);
    expect(await store.claimLease('recover:other', 'daemon-2', 60_000)).toBe(true);
    await lapse(kind, 1000);
    expect(await store.claimLease('recover:killed', 'daemon-2', 60_000)).toBe(true);
    expect(await store.claimLease('recover:killed', 'daemon-1', 60_000)).toBe(false);
  });

  it('rejects limits no config could produce, naming the field', async () => {
    const store = await open(kind);
    await expect(store.admit('Bot1', 'a', { ...noLimits, limitPerSecond: Number.NaN })).rejects.toThrow(/limitPerSecond/);
    await expect(store.admit('Bot1', 'a', { ...noLimits, maxConcurrentCalls: -1 })).rejects.toThrow(/maxConcurrentCalls/);
    expect(await store.activeSlots('Bot1')).toBe(0);
  });
});

describe('admissionLimits', () => {
  it('takes a bot’s seed-003 limits', () => {
    expect(
      admissionLimits({
        dialoutLimitPerSecond: 0.1,
        dialoutMaxConcurrentCalls: 300,
        dialoutConcurrentCallsExpirationSeconds: 1200,
      }),
    ).toEqual({ limitPerSecond: 0.1, maxConcurrentCalls: 300, expirationSeconds: 1200 });
  });
});

describe('memory store bounds', () => {
  it('drops the oldest finished records beyond maxRecords and keeps active calls', async () => {
    const store = await open('memory', 3);
    await store.markActive({ conversationId: 'c0', owner: 'd', bot: 'Bot1', since: T0 });
    for (let i = 0; i < 6; i++) await store.putCall(callRecord({ conversationId: `c${i}` }));
    const kept = [];
    for (let i = 0; i < 6; i++) if (await store.getCall(`c${i}`)) kept.push(`c${i}`);
    expect(kept).toEqual(['c0', 'c4', 'c5']);

    // Once the call ends its record becomes the oldest finished one.
    await store.markEnded('c0');
    await store.putCall(callRecord({ conversationId: 'c6' }));
    expect(await store.getCall('c0')).toBeUndefined();
    expect(await store.getCall('c6')).toBeDefined();
  });
});
