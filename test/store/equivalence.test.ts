import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { MemoryStore, RedisStore, type AdmissionLimits, type Store } from '../../src/store/index.js';
import { startRedis, type RedisServer } from '../support/redis.js';

// The Redis Lua script and the in-process admission must decide alike: the same random sequence of
// admissions and releases, with explicit clocks, gives the same answers from both stores.

let redis: RedisServer;
let redisStore: RedisStore;

beforeAll(async () => {
  redis = await startRedis();
  redisStore = new RedisStore({ url: redis.url, keyPrefix: `eq${randomUUID()}:`, recordTtlSeconds: 600 }, createLogger('silent'));
  expect(await redisStore.ready(5000)).toBe(true);
});

afterAll(async () => {
  await redisStore?.close();
  await redis?.stop();
});

/** A small deterministic generator, so a failure replays the same sequence. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function play(store: Store, seed: number, limits: AdmissionLimits): Promise<string[]> {
  const next = random(seed);
  const bot = `Bot-${seed}`;
  const answers: string[] = [];
  const held: string[] = [];
  let now = 1_700_000_000_000;
  for (let i = 0; i < 300; i++) {
    now += Math.floor(next() * 700);
    if (held.length > 0 && next() < 0.3) {
      const [id] = held.splice(Math.floor(next() * held.length), 1);
      await store.release(bot, id!);
      answers.push(`release ${id}`);
      continue;
    }
    const id = `c${i}`;
    const admission = await store.admit(bot, id, limits, now);
    if (admission.admitted) held.push(id);
    answers.push(`${now} ${id} ${admission.admitted ? 'admitted' : admission.reason} slots=${await store.activeSlots(bot, now)}`);
  }
  return answers;
}

describe('memory and Redis admission', () => {
  const cases: [number, AdmissionLimits][] = [
    [1, { limitPerSecond: 2, maxConcurrentCalls: 5, expirationSeconds: 10 }],
    [2, { limitPerSecond: 0.5, maxConcurrentCalls: 3, expirationSeconds: 30 }],
    [3, { limitPerSecond: 3, maxConcurrentCalls: 0, expirationSeconds: 10 }],
    [4, { limitPerSecond: 0, maxConcurrentCalls: 4, expirationSeconds: 12 }],
    [5, { limitPerSecond: 7.5, maxConcurrentCalls: 20, expirationSeconds: 15 }],
  ];

  it.each(cases)('decide alike (seed %i)', async (seed, limits) => {
    const fromMemory = await play(new MemoryStore({ maxRecords: 10 }), seed, limits);
    const fromRedis = await play(redisStore, seed, limits);
    expect(fromRedis).toEqual(fromMemory);
    // The sequence exercises both limits, not only admissions.
    const outcomes = new Set(fromMemory.map((a) => a.split(' ')[2]));
    expect(outcomes.has('admitted')).toBe(true);
    expect(outcomes.has('rate') || outcomes.has('concurrency')).toBe(true);
  });
});
