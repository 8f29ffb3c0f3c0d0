// Dialout admission throughput and latency: the Redis store from two processes sharing one redis-server
// (limits checked, slot taken, slot released later) next to the memory store in one process.
// Usage: npm run bench:store [-- --steps 250,500,1000,2000 --seconds 3]; REDIS_URL=redis://… uses that
// server instead of starting one.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/log/index.js';
import { MemoryStore, RedisStore, type AdmissionLimits, type Store } from '../src/store/index.js';
import { startRedis } from '../test/support/redis.js';

const BOTS = 10;
const limits: AdmissionLimits = { limitPerSecond: 1000, maxConcurrentCalls: 300, expirationSeconds: 1200 };
// A call holds its slot this long before its end releases it.
const CALL_MS = 100;

interface Job {
  url: string;
  keyPrefix: string;
  worker: number;
  ratePerSecond: number;
  seconds: number;
  startAt: number;
}

interface RunResult {
  latenciesMs: number[];
  admitted: number;
  rejected: number;
  errors: number;
  firstSend: number;
  lastDone: number;
}

/** Fires admissions on a fixed schedule (open loop: a slow reply never delays the next request). */
async function paced(store: Store, job: Omit<Job, 'url'>): Promise<RunResult> {
  const total = Math.round(job.ratePerSecond * job.seconds);
  const intervalMs = 1000 / job.ratePerSecond;
  const result: RunResult = { latenciesMs: [], admitted: 0, rejected: 0, errors: 0, firstSend: Infinity, lastDone: 0 };
  const pending: Promise<void>[] = [];
  const releases: Promise<void>[] = [];
  await new Promise((r) => setTimeout(r, Math.max(0, job.startAt - Date.now())));
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((performance.now() - t0) / intervalMs) + 1);
    for (; sent < due; sent++) {
      const bot = `Bot${sent % BOTS}`;
      const conversationId = `${job.worker}-${sent}`;
      const start = performance.now();
      result.firstSend = Math.min(result.firstSend, Date.now());
      pending.push(
        store.admit(bot, conversationId, limits).then(
          (admission) => {
            result.latenciesMs.push(performance.now() - start);
            result.lastDone = Date.now();
            if (!admission.admitted) {
              result.rejected++;
              return;
            }
            result.admitted++;
            releases.push(
              new Promise<void>((r) => setTimeout(r, CALL_MS)).then(() => store.release(bot, conversationId).catch(() => {})),
            );
          },
          () => {
            result.errors++;
          },
        ),
      );
    }
    await new Promise((r) => setTimeout(r, Math.max(0, (sent * intervalMs - (performance.now() - t0)) / 2)));
  }
  await Promise.all(pending);
  await Promise.all(releases);
  return result;
}

async function worker(job: Job): Promise<void> {
  const store = new RedisStore({ url: job.url, keyPrefix: job.keyPrefix, recordTtlSeconds: 600 }, createLogger('silent'));
  if (!(await store.ready(5000))) throw new Error(store.health().error);
  // Warm up: script loaded on the server, code paths compiled.
  for (let i = 0; i < 200; i++) await store.admit('warmup', `${job.worker}-w${i}`, { ...limits, maxConcurrentCalls: 0 });
  const result = await paced(store, job);
  await store.close();
  process.stdout.write(JSON.stringify(result));
}

function runWorker(job: Job): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'worker', JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as RunResult) : reject(new Error(`worker exited ${code}`))));
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summarize(label: string, target: number, results: RunResult[]): string {
  const latencies = results.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const first = Math.min(...results.map((r) => r.firstSend));
  const last = Math.max(...results.map((r) => r.lastDone));
  const done = latencies.length;
  const rate = done / ((last - first) / 1000);
  const sum = (f: (r: RunResult) => number) => results.reduce((n, r) => n + f(r), 0);
  return [
    label.padEnd(22),
    String(target).padStart(7),
    rate.toFixed(0).padStart(9),
    percentile(latencies, 50).toFixed(2).padStart(8),
    percentile(latencies, 99).toFixed(2).padStart(8),
    latencies[latencies.length - 1]!.toFixed(2).padStart(8),
    String(sum((r) => r.admitted)).padStart(9),
    String(sum((r) => r.rejected)).padStart(9),
    String(sum((r) => r.errors)).padStart(7),
  ].join(' ');
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const steps = option('steps', '250,500,1000,2000').split(',').map(Number);
  const seconds = Number(option('seconds', '3'));
  const server = process.env.REDIS_URL ? undefined : await startRedis();
  const url = process.env.REDIS_URL ?? server!.url;
  console.log(`store admission bench: ${BOTS} bots, limits ${JSON.stringify(limits)}, calls release after ${CALL_MS} ms, ${seconds} s per step`);
  console.log(`redis ${url} (2 worker processes, rate split evenly); memory store in 1 process`);
  console.log(
    'store'.padEnd(22) +
      ' target/s achieved/s  p50 ms   p99 ms   max ms  admitted  rejected errors',
  );
  try {
    for (const target of steps) {
      const keyPrefix = `bench${randomUUID()}:`;
      const startAt = Date.now() + 2500;
      const jobs = [0, 1].map((w) => ({ url, keyPrefix, worker: w, ratePerSecond: target / 2, seconds, startAt }));
      console.log(summarize('redis, 2 processes', target, await Promise.all(jobs.map(runWorker))));
    }
    for (const target of steps) {
      const store = new MemoryStore({ maxRecords: 10000 });
      const result = await paced(store, { keyPrefix: '', worker: 0, ratePerSecond: target, seconds, startAt: Date.now() });
      console.log(summarize('memory, 1 process', target, [result]));
    }
  } finally {
    await server?.stop();
  }
}

if (process.argv[2] === 'worker') {
  await worker(JSON.parse(process.argv[3]!) as Job);
} else {
  await main();
}
