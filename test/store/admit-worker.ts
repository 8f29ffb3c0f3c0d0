// A separate OS process firing concurrent admissions at a shared Redis, for the cross-process limit test.
// Usage: node --import tsx test/store/admit-worker.ts '<json {url, keyPrefix, bot, count, startAt, limits}>'
import { createLogger } from '../../src/log/index.js';
import { RedisStore, type AdmissionLimits } from '../../src/store/index.js';

interface WorkerJob {
  url: string;
  keyPrefix: string;
  bot: string;
  /** Whose limiter to hit: a bot's (default) or a trunk's. */
  kind?: 'bot' | 'trunk';
  count: number;
  /** Epoch ms at which every worker fires, so their admissions overlap. */
  startAt: number;
  limits: AdmissionLimits;
}

const job = JSON.parse(process.argv[2] ?? '{}') as WorkerJob;
const store = new RedisStore({ url: job.url, keyPrefix: job.keyPrefix, recordTtlSeconds: 600 }, createLogger('silent'));
if (!(await store.ready(5000))) throw new Error(`worker ${process.pid}: ${store.health().error}`);
await new Promise((r) => setTimeout(r, Math.max(0, job.startAt - Date.now())));
const results = await Promise.all(
  Array.from({ length: job.count }, (_, i) =>
    job.kind === 'trunk' ? store.admitTrunk(job.bot, `${process.pid}-${i}`, job.limits) : store.admit(job.bot, `${process.pid}-${i}`, job.limits),
  ),
);
await store.close();
const admitted = results.filter((r) => r.admitted).length;
const reasons = results.flatMap((r) => (r.admitted ? [] : [r.reason]));
process.stdout.write(JSON.stringify({ admitted, rejected: reasons.length, reasons: [...new Set(reasons)] }) + '\n');
