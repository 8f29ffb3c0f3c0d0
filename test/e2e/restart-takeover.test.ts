// Two daemons with their own instanceIds share one Redis. One is killed with SIGKILL mid-call while the
// notifyUrl is down; once its heartbeat lapses the other takes over: it delivers the dead daemon's pending
// notifications, ends the call with reasonCode error, and frees its slot.
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifyNotificationSignature } from '../../src/notify/index.js';
import { dialoutAudiocodes, getCall, metric, notificationsSettled, spawnDaemon, testConfigObject } from '../support/daemon.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener } from '../support/notify-listener.js';
import { freePort } from '../support/ports.js';
import { startRedis } from '../support/redis.js';
import { onCleanup, trackDaemon, useCleanup } from '../support/cleanup.js';

useCleanup();


const statusOf = (n: { body: unknown }) => (n.body as { status?: string } | undefined)?.status;

describe('a second daemon takes over a dead daemon’s calls', () => {
  it('after the heartbeat TTL: pending and final notifications delivered once, reasonCode error, slot freed', async () => {
    const audio = await e2eAudio();
    const redis = await startRedis();
    onCleanup(() => redis.stop());
    const carrier = await startE2eSipp({ scenario: 'carrier-answer-audio', audioPcap: audio.files.human.pcap, calls: 5, timeoutSeconds: 50 });
    const bot = await startE2eSipp({ scenario: 'bot-answer', audioPcap: audio.files.bot.pcap, calls: 5, timeoutSeconds: 50 });
    onCleanup(() => carrier.stop(), () => bot.stop());
    const notifyPort = await freePort();
    const notifyUrl = `http://127.0.0.1:${notifyPort}/takeover`;

    const configFor = (instanceId: string) =>
      testConfigObject({
        carrierPort: carrier.port,
        botPort: bot.port,
        bot: { dialoutMaxConcurrentCalls: 1 },
        overrides: { instanceId, store: { type: 'redis', url: redis.url }, notifications: { retries: 10 }, log: { level: 'info' } },
      });
    const [a, b] = await Promise.all([configFor('node-a').then(spawnDaemon), configFor('node-b').then(spawnDaemon)]);
    trackDaemon(a);
    trackDaemon(b);

    const body = { bot: 'Bot1', target: 'tel:+15555000001', caller: '+15550001111', machineDetection: 'disabled', notifyUrl };
    const placed = await dialoutAudiocodes(a.url, body);
    expect(placed.status).toBe(200);
    const conversationId = placed.json.conversationId as string;
    await bot.waitForRequest('ACK');
    const onB = await dialoutAudiocodes(b.url, body);
    expect(onB.status).toBe(429);

    a.child.kill('SIGKILL');
    await a.exited;
    // Until node-a's heartbeat lapses, node-b treats the call as node-a's and its slot as taken.
    expect((await dialoutAudiocodes(b.url, body)).status).toBe(429);

    const listener = await startNotifyListener({ port: notifyPort });
    onCleanup(() => listener.close());
    await listener.waitFor((n) => statusOf(n) === 'completed' && n.answeredStatus === 200, 25_000);
    // Nothing left to deliver or retry, nothing left in the outbox: no duplicate can come after this.
    await notificationsSettled(b.url, redis);
    const delivered = listener.delivered('/takeover').map((n) => n.body as Record<string, any>);
    expect(delivered.map((d) => [d.conversationId, d.status])).toEqual([
      [conversationId, 'answered'],
      [conversationId, 'completed'],
    ]);
    expect(delivered[1]).toMatchObject({ reasonCode: 'error', reason: 'call lost: its daemon stopped' });
    expect(await getCall(b.url, conversationId)).toMatchObject({ status: 'completed', reasonCode: 'error' });
    // node-b is the one that ended it.
    expect(await metric(b.url, 'outdial_calls_ended_total', { status: 'completed', reasonCode: 'error' })).toBe(1);
    // Signed with the same secret as every notification of the dead daemon would have been.
    for (const n of listener.delivered('/takeover')) expect(verifyNotificationSignature('test-secret', String(n.headers[signatureHeader.toLowerCase()] ?? ''), n.rawBody)).toBe(true);

    const after = await dialoutAudiocodes(b.url, body);
    expect(after.status).toBe(200);
    await listener.waitFor((n) => (n.body as any)?.conversationId === after.json.conversationId && statusOf(n) === 'answered');
  });
});
