// SIGTERM while Redis is unreachable: the process still exits within the grace plus a bounded time, and
// the final notification the outbox could not take is delivered directly — or, when the notifyUrl is
// down too, logged at error level with its whole body — never dropped silently.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { stopBoundMs } from '../../src/daemon/index.js';
import { dialoutAudiocodes, spawnDaemon, testConfigObject } from '../support/daemon.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener } from '../support/notify-listener.js';
import { startRedis } from '../support/redis.js';
import { onCleanup, useCleanup } from '../support/cleanup.js';

useCleanup();

const GRACE_MS = 1000;
const statusOf = (n: { body: unknown }) => (n.body as { status?: string } | undefined)?.status;

async function answeredCallWithRedisGone(listenerUp: boolean) {
  const audio = await e2eAudio();
  const carrier = await startE2eSipp({ scenario: 'carrier-answer-audio', audioPcap: audio.files.human.pcap, timeoutSeconds: 60 });
  const bot = await startE2eSipp({ scenario: 'bot-answer', audioPcap: audio.files.bot.pcap, timeoutSeconds: 60 });
  onCleanup(() => carrier.stop(), () => bot.stop());
  const listener = await startNotifyListener();
  onCleanup(() => listener.close());
  const redis = await startRedis();
  onCleanup(() => redis.stop());
  const configObject = await testConfigObject({
    carrierPort: carrier.port,
    botPort: bot.port,
    overrides: { store: { type: 'redis', url: redis.url }, calls: { shutdownGraceMs: GRACE_MS }, notifications: { timeoutMs: 2000, retries: 1 }, log: { level: 'info' } },
  });
  const daemon = await spawnDaemon(configObject);
  onCleanup(async () => {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  });
  const placed = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15553000001', caller: '+15550001111', notifyUrl: listener.url('/n') });
  expect(placed.status).toBe(200);
  await listener.waitFor((n) => statusOf(n) === 'answered', 15_000);
  await bot.waitForRequest('ACK');
  await redis.kill();
  if (!listenerUp) await listener.close();
  const boundMs = GRACE_MS + stopBoundMs(parseConfig(configObject));
  const sent = Date.now();
  daemon.child.kill('SIGTERM');
  const exit = await Promise.race([daemon.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), boundMs + 5000))]);
  return { exit, tookMs: Date.now() - sent, boundMs, daemon, listener, conversationId: placed.json.conversationId as string };
}

describe('SIGTERM with the store unreachable', () => {
  it('exits within the grace plus a bounded time, and the final notification goes out directly', async () => {
    const run = await answeredCallWithRedisGone(true);
    expect(run.exit, run.daemon.output().slice(-3000)).not.toBe('hung');
    expect(run.tookMs).toBeLessThan(run.boundMs);
    const final = await run.listener.waitFor((n) => statusOf(n) === 'completed', 5000);
    expect(final.body).toMatchObject({ conversationId: run.conversationId, status: 'completed' });
    expect(run.daemon.output()).toContain('notification the store could not take was delivered directly');
  }, 120_000);

  it('with the notifyUrl down too, logs the final notification whole at error level', async () => {
    const run = await answeredCallWithRedisGone(false);
    expect(run.exit, run.daemon.output().slice(-3000)).not.toBe('hung');
    expect(run.tookMs).toBeLessThan(run.boundMs);
    const lost = run.daemon
      .output()
      .split('\n')
      .filter((l) => l.includes('notification lost'))
      .map((l) => JSON.parse(l) as { level: number; notification: string; conversationId: string });
    expect(lost).toHaveLength(1);
    expect(lost[0]!.level).toBe(50);
    expect(lost[0]!.conversationId).toBe(run.conversationId);
    expect(JSON.parse(lost[0]!.notification)).toMatchObject({ conversationId: run.conversationId, status: 'completed' });
  }, 120_000);
});
