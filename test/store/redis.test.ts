import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import {
  createStore,
  RedisStore,
  StoreUnavailableError,
  type AdmissionLimits,
  type Store,
} from '../../src/store/index.js';
import { callRecord } from '../support/call-record.js';
import { freePort } from '../support/ports.js';
import { until } from '../support/until.js';
import { startRedis, type RedisServer } from '../support/redis.js';

const logger = createLogger('silent');
const servers: RedisServer[] = [];
const stores: Store[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function server(port?: number): Promise<RedisServer> {
  const s = await startRedis(port === undefined ? {} : { port });
  servers.push(s);
  return s;
}

function redisStore(url: string, keyPrefix = `t${randomUUID()}:`): RedisStore {
  const store = new RedisStore({ url, keyPrefix, recordTtlSeconds: 600 }, logger);
  stores.push(store);
  return store;
}

interface WorkerResult {
  admitted: number;
  rejected: number;
  reasons: string[];
}

function runWorker(job: object): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/store/admit-worker.ts', JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as WorkerResult);
      else reject(new Error(`admit worker exited with ${code}: ${err}`));
    });
  });
}

async function twoProcesses(url: string, limits: AdmissionLimits, countEach: number, kind: 'bot' | 'trunk' = 'bot'): Promise<WorkerResult[]> {
  const job = { url, keyPrefix: `x${randomUUID()}:`, bot: kind === 'bot' ? 'Bot1' : 'acme/carrier1', kind, count: countEach, limits, startAt: Date.now() + 3000 };
  return Promise.all([runWorker(job), runWorker(job)]);
}

describe('redis store across processes', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await server();
  });

  it('admits exactly maxConcurrentCalls from two processes firing at once', async () => {
    const results = await twoProcesses(redis.url, { limitPerSecond: 0, maxConcurrentCalls: 25, expirationSeconds: 60 }, 60);
    expect(results.reduce((n, r) => n + r.admitted, 0)).toBe(25);
    expect(results.reduce((n, r) => n + r.rejected, 0)).toBe(95);
    expect(results.flatMap((r) => r.reasons)).not.toContain('rate');
  });

  it('admits exactly one dialout at 0.1/s from two processes firing at once', async () => {
    const results = await twoProcesses(redis.url, { limitPerSecond: 0.1, maxConcurrentCalls: 0, expirationSeconds: 60 }, 40);
    expect(results.reduce((n, r) => n + r.admitted, 0)).toBe(1);
    expect(results.reduce((n, r) => n + r.rejected, 0)).toBe(79);
  });

  it("admits exactly a trunk's maxConcurrentCalls and maxCallsPerSecond from two processes firing at once", async () => {
    const slots = await twoProcesses(redis.url, { limitPerSecond: 0, maxConcurrentCalls: 7, expirationSeconds: 600 }, 30, 'trunk');
    expect(slots.reduce((n, r) => n + r.admitted, 0)).toBe(7);
    expect(slots.reduce((n, r) => n + r.rejected, 0)).toBe(53);
    const rate = await twoProcesses(redis.url, { limitPerSecond: 3, maxConcurrentCalls: 0, expirationSeconds: 600 }, 30, 'trunk');
    // A burst of ceil(3) at once, no more, however the requests interleave.
    expect(rate.reduce((n, r) => n + r.admitted, 0)).toBe(3);
    expect(rate.flatMap((r) => r.reasons)).toEqual(expect.arrayContaining(['rate']));
  });

  it('keeps the outbox, records, slots and active calls for a new connection', async () => {
    const keyPrefix = `t${randomUUID()}:`;
    const first = redisStore(redis.url, keyPrefix);
    expect(await first.ready()).toBe(true);
    await first.putCall(callRecord({ conversationId: 'c1', status: 'answered' }));
    await first.admit('Bot1', 'c1', { limitPerSecond: 0, maxConcurrentCalls: 1, expirationSeconds: 60 });
    await first.markActive({ conversationId: 'c1', owner: 'daemon-1', bot: 'Bot1', since: 1 });
    for (const seq of [1, 2]) {
      await first.outboxAdd({
        id: `c1#${seq}`,
        conversationId: 'c1',
        seq,
        url: 'http://127.0.0.1:7000/n',
        headers: {},
        body: `{"seq":${seq}}`,
        attempts: 0,
        notBefore: 0,
        createdAt: seq,
      });
    }
    await first.close();

    const second = redisStore(redis.url, keyPrefix);
    expect(await second.ready()).toBe(true);
    expect((await second.outboxList()).map((e) => e.body)).toEqual(['{"seq":1}', '{"seq":2}']);
    expect(await second.getCall('c1')).toEqual(callRecord({ conversationId: 'c1', status: 'answered' }));
    expect(await second.listActive()).toEqual([{ conversationId: 'c1', owner: 'daemon-1', bot: 'Bot1', since: 1 }]);
    expect(await second.isAlive('daemon-1')).toBe(false);
    expect(await second.activeSlots('Bot1')).toBe(1);
    expect(await second.admit('Bot1', 'c2', { limitPerSecond: 0, maxConcurrentCalls: 1, expirationSeconds: 60 })).toEqual({
      admitted: false,
      reason: 'concurrency',
    });
  });
});

describe('redis store availability', () => {
  it('starts unhealthy when Redis is down, says why, and becomes healthy once Redis starts', async () => {
    const port = await freePort();
    const store = createStore(
      { type: 'redis', url: `redis://127.0.0.1:${port}`, keyPrefix: `t${randomUUID()}:`, recordTtlSeconds: 600 },
      logger,
    );
    stores.push(store);
    expect(await store.ready(500)).toBe(false);
    const health = store.health();
    expect(health.ok).toBe(false);
    expect(health.error).toContain(`127.0.0.1:${port}`);
    expect(health.error).toMatch(/ECONNREFUSED|connecting/);
    await expect(store.admit('Bot1', 'c1', { limitPerSecond: 0, maxConcurrentCalls: 1, expirationSeconds: 60 })).rejects.toThrow(
      StoreUnavailableError,
    );

    await server(port);
    expect(await store.ready(10_000)).toBe(true);
    expect(store.health()).toEqual({ ok: true, kind: 'redis' });
    expect(await store.admit('Bot1', 'c1', { limitPerSecond: 0, maxConcurrentCalls: 1, expirationSeconds: 60 })).toEqual({
      admitted: true,
    });
  });

  it('rejects operations with a clear error when Redis is killed mid-run and recovers after a restart', async () => {
    const redis = await server();
    const store = redisStore(redis.url);
    expect(await store.ready()).toBe(true);
    const limits = { limitPerSecond: 0, maxConcurrentCalls: 5, expirationSeconds: 60 };
    expect((await store.admit('Bot1', 'c1', limits)).admitted).toBe(true);

    await redis.kill();
    await until('health to report the loss', () => !store.health().ok);
    expect(store.health().error).toMatch(/unavailable/);
    const failure = await store.admit('Bot1', 'c2', limits).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).message).toMatch(/^store admit failed: redis at redis:\/\/127\.0\.0\.1:\d+\/? unavailable/);
    await expect(store.outboxList()).rejects.toThrow(/store outboxList failed/);

    await redis.restart();
    expect(await store.ready(10_000)).toBe(true);
    // The restarted server kept nothing (no persistence); the store works again on the same connection.
    expect(await store.admit('Bot1', 'c2', limits)).toEqual({ admitted: true });
    expect(await store.activeSlots('Bot1')).toBe(1);
  });

  it('fails an in-flight command within the command timeout when Redis stops answering', async () => {
    const redis = await server();
    const store = new RedisStore(
      { url: redis.url, keyPrefix: `t${randomUUID()}:`, recordTtlSeconds: 600, commandTimeoutMs: 300 },
      logger,
    );
    stores.push(store);
    expect(await store.ready()).toBe(true);
    const pid = await pidOf(redis);
    process.kill(pid, 'SIGSTOP');
    try {
      await expect(store.getCall('c1')).rejects.toThrow(/store getCall failed: .*timed out/i);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await until('store to answer again', async () => (await store.getCall('c1').catch(() => 'err')) === undefined);
  });

  it('sets the record TTL from recordTtlSeconds', async () => {
    const redis = await server();
    const store = createStore({ type: 'redis', url: redis.url, keyPrefix: 'ttl:', recordTtlSeconds: 120 }, logger);
    stores.push(store);
    expect(await store.ready()).toBe(true);
    await store.putCall(callRecord({ conversationId: 'c1' }));
    const ttl = await redisCli(redis, 'TTL', 'ttl:call:c1');
    expect(Number(ttl)).toBeGreaterThan(100);
    expect(Number(ttl)).toBeLessThanOrEqual(120);
  });
});

function redisCli(redis: RedisServer, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', ['-p', String(redis.port), ...args]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', () => resolve(out.trim()));
  });
}

async function pidOf(redis: RedisServer): Promise<number> {
  const info = await redisCli(redis, 'INFO', 'server');
  const match = /process_id:(\d+)/.exec(info);
  if (!match) throw new Error('redis INFO has no process_id');
  return Number(match[1]);
}
