// SIGTERM drains the daemon: during calls.shutdownGraceMs new dialouts get 503, a call that ends by itself
// ends as usual, a call still up when the grace is over is hung up (BYE, or CANCEL while ringing) with a final notification, and the
// process exits 0 — with the memory store and with Redis.
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, metric, spawnDaemon, testConfigObject, type SpawnedDaemon } from '../support/daemon.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp, type E2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener } from '../support/notify-listener.js';
import { startRedis } from '../support/redis.js';
import { onCleanup, useCleanup } from '../support/cleanup.js';
import { until, untilValue } from '../support/until.js';

useCleanup();

const GRACE_MS = 5000;
const received = (sipp: E2eSipp, method: string) => sipp.messages().filter((m) => m.direction === 'received' && m.method === method);

async function storeOverride(kind: 'memory' | 'redis'): Promise<Record<string, unknown>> {
  if (kind === 'memory') return { type: 'memory' };
  const redis = await startRedis();
  onCleanup(() => redis.stop());
  return { type: 'redis', url: redis.url };
}

async function healthWhileDraining(daemon: SpawnedDaemon): Promise<any> {
  const health = async () => {
    const res = await fetch(`${daemon.url}/healthz`);
    return { status: res.status, body: (await res.json()) as any };
  };
  return (await untilValue('/healthz to say draining', health, (h) => h.status === 503 && h.body.calls.accepting === false, 5000, 50)).body;
}

describe.each(['memory', 'redis'] as const)('SIGTERM drain with the %s store', (storeKind) => {
  it('refuses dialouts during the grace, lets a call end by itself, ends those still up (BYE, CANCEL) with a notification, exits 0', async () => {
    const audio = await e2eAudio();
    const store = await storeOverride(storeKind);
    // The default trunk's carrier hangs up 2 s after answering; the other callee stays until hung up.
    const ending = await startE2eSipp({ scenario: 'carrier-answer-audio-bye', audioPcap: audio.files.human.pcap, byeAfterMs: 2000, timeoutSeconds: 40 });
    const staying = await startE2eSipp({ scenario: 'carrier-answer-audio', audioPcap: audio.files.human.pcap, timeoutSeconds: 40 });
    const ringing = await startE2eSipp({ scenario: 'carrier-no-answer', timeoutSeconds: 40 });
    const bot = await startE2eSipp({ scenario: 'bot-answer', audioPcap: audio.files.bot.pcap, calls: 2, timeoutSeconds: 40 });
    onCleanup(() => ending.stop(), () => staying.stop(), () => ringing.stop(), () => bot.stop());
    const listener = await startNotifyListener();
    onCleanup(() => listener.close());

    const config = await testConfigObject({
      carrierPort: ending.port,
      botPort: bot.port,
      bot: { dialoutMaxConcurrentCalls: 3 },
      overrides: { store, calls: { shutdownGraceMs: GRACE_MS }, log: { level: 'info' } },
    });
    const daemon = await spawnDaemon(config);
    onCleanup(async () => {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    });

    const dial = (target: string, path: string) =>
      dialoutAudiocodes(daemon.url, { bot: 'Bot1', target, caller: '+15550001111', machineDetection: 'disabled', notifyUrl: listener.url(path), answerTimeoutSec: 60 });
    const [endingCall, stayingCall, ringingCall] = await Promise.all([
      dial('tel:+15556000001', '/ending'),
      dial(`sip:callee@${staying.address}`, '/staying'),
      dial(`sip:callee@${ringing.address}`, '/ringing'),
    ]);
    expect([endingCall.status, stayingCall.status, ringingCall.status]).toEqual([200, 200, 200]);
    await until('both calls bridged to the bot', () => received(bot, 'ACK').length >= 2, 10_000, 50);
    expect(received(bot, 'ACK')).toHaveLength(2);
    await ringing.waitForRequest('INVITE');

    daemon.child.kill('SIGTERM');
    const health = await healthWhileDraining(daemon);
    expect(health.calls.active).toBeGreaterThan(0);
    const refused = await dial('tel:+15556000002', '/refused');
    expect(refused.status).toBe(503);
    expect(refused.json.error).toContain('shutting down');

    const exit = await daemon.exited;
    expect(exit).toEqual({ code: 0, signal: null });

    // Ended by the callee within the grace: an ordinary end.
    expect(listener.delivered('/ending').map((n) => n.body)).toEqual([
      expect.objectContaining({ conversationId: endingCall.json.conversationId, status: 'answered' }),
      expect.objectContaining({ conversationId: endingCall.json.conversationId, status: 'completed', reasonCode: 'client-disconnected' }),
    ]);
    expect(received(ending, 'BYE')).toHaveLength(0);
    // Still up after the grace: hung up by outdial, both legs, with the final notification sent before exit.
    expect(listener.delivered('/staying').map((n) => n.body)).toEqual([
      expect.objectContaining({ conversationId: stayingCall.json.conversationId, status: 'answered' }),
      expect.objectContaining({ conversationId: stayingCall.json.conversationId, status: 'completed', reasonCode: 'error', reason: 'service shutting down' }),
    ]);
    expect(received(staying, 'BYE')).toHaveLength(1);
    expect(received(bot, 'BYE')).toHaveLength(2);
    // Still ringing after the grace: CANCELled, and failed with the same reason.
    expect(received(ringing, 'CANCEL')).toHaveLength(1);
    expect(listener.delivered('/ringing').map((n) => n.body)).toEqual([
      expect.objectContaining({ conversationId: ringingCall.json.conversationId, status: 'failed', reasonCode: 'error', reason: 'service shutting down' }),
    ]);
    expect(listener.requests('/refused')).toHaveLength(0);
    expect(daemon.output()).toContain('outdial stopped');

    if (storeKind === 'redis') {
      // The drained calls gave their slots back: a fresh daemon on the same Redis admits up to the limit.
      const rejecting = await startE2eSipp({ scenario: 'carrier-reject', calls: 3, timeoutSeconds: 30 });
      onCleanup(() => rejecting.stop());
      const next = await spawnDaemon(await testConfigObject({ carrierPort: rejecting.port, botPort: bot.port, bot: { dialoutMaxConcurrentCalls: 3 }, overrides: { store, log: { level: 'info' } } }));
      onCleanup(async () => {
        next.child.kill('SIGKILL');
        await next.exited;
      });
      const body = { bot: 'Bot1', target: 'tel:+15556000003', caller: '+15550001111' };
      const admitted = await Promise.all([1, 2, 3, 4].map(() => dialoutAudiocodes(next.url, body)));
      expect(admitted.map((a) => a.status).sort()).toEqual([200, 200, 200, 429]);
      // None of the drained calls was left for the next daemon to recover (it would end them with reasonCode error).
      expect(await metric(next.url, 'outdial_calls_ended_total', { reasonCode: 'error' })).toBe(0);
    }
  });
});
