// A daemon killed with SIGKILL while its calls are up and its notifyUrl is down, then restarted with the same
// config (so the same instanceId): it delivers every notification the dead run left in the outbox, ends
// the calls it can no longer own with a final notification (reasonCode error), and frees their slots.
//
// What the restart cannot do: hang up the far ends. The dead run's SIP dialogs and RTP sockets died with
// it, so the carrier and the bot never get a BYE for those calls; they hang on until their own timers end
// them (here SIPp's -timeout). A carrier's session timer or RTP timeout does that in production.
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifyNotificationSignature } from '../../src/notify/index.js';
import { dialoutAudiocodes, getCall, metric, notificationsSettled, spawnDaemon, testConfigObject } from '../support/daemon.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp, type E2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener } from '../support/notify-listener.js';
import { freePort } from '../support/ports.js';
import { startRedis } from '../support/redis.js';
import { onCleanup, trackDaemon, useCleanup } from '../support/cleanup.js';
import { until } from '../support/until.js';

useCleanup();


const statusOf = (n: { body: unknown }) => (n.body as { status?: string } | undefined)?.status;
const received = (sipp: E2eSipp, method: string) => sipp.messages().filter((m) => m.direction === 'received' && m.method === method);

describe('SIGKILL and restart with the same instanceId', () => {
  it('the restarted daemon delivers the pending notifications, ends the lost calls with reasonCode error and frees their slots', async () => {
    const audio = await e2eAudio();
    const redis = await startRedis();
    onCleanup(() => redis.stop());
    // SIPp's own -timeout is what finally ends the far ends' halves of the lost calls.
    const carrier = await startE2eSipp({ scenario: 'carrier-answer-audio', audioPcap: audio.files.human.pcap, calls: 10, timeoutSeconds: 35 });
    const bot = await startE2eSipp({ scenario: 'bot-answer', audioPcap: audio.files.bot.pcap, calls: 10, timeoutSeconds: 35 });
    onCleanup(() => carrier.stop(), () => bot.stop());
    const notifyPort = await freePort();
    const notifyUrl = `http://127.0.0.1:${notifyPort}/sigkill`;

    const config = await testConfigObject({
      carrierPort: carrier.port,
      botPort: bot.port,
      bot: { dialoutMaxConcurrentCalls: 2 },
      overrides: { instanceId: 'outdial-a', store: { type: 'redis', url: redis.url }, notifications: { retries: 10 }, log: { level: 'info' } },
    });
    const first = trackDaemon(await spawnDaemon(config));
    const body = { bot: 'Bot1', target: 'tel:+15554000001', caller: '+15550001111', machineDetection: 'disabled', notifyUrl };
    const placed = await Promise.all([dialoutAudiocodes(first.url, body), dialoutAudiocodes(first.url, body)]);
    expect(placed.map((p) => p.status)).toEqual([200, 200]);
    const lost = placed.map((p) => p.json.conversationId as string);
    // Both calls answered and bridged to the bot.
    await until('both calls bridged to the bot', () => received(bot, 'ACK').length >= 2, 10_000, 50);
    expect(received(bot, 'ACK')).toHaveLength(2);
    for (const id of lost) expect((await getCall(first.url, id))?.answeredAt).toBeDefined();
    expect((await dialoutAudiocodes(first.url, body)).status).toBe(429);

    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const second = trackDaemon(await spawnDaemon(config, first.configFile));
    const listener = await startNotifyListener({ port: notifyPort });
    onCleanup(() => listener.close());

    await listener.waitFor((_n, all) => lost.every((id) => all.some((n) => statusOf(n) === 'completed' && (n.body as any).conversationId === id)), 20_000);
    // Nothing left to deliver or retry, nothing left in the outbox: no duplicate can come after this.
    await notificationsSettled(second.url, redis);
    for (const id of lost) {
      const delivered = listener.delivered('/sigkill').filter((n) => (n.body as any).conversationId === id).map((n) => n.body as Record<string, any>);
      expect(delivered.map((b) => b.status), id).toEqual(['answered', 'completed']);
      expect(delivered[1]).toMatchObject({ reasonCode: 'error', reason: 'call lost: its daemon stopped' });
      expect(await getCall(second.url, id)).toMatchObject({ status: 'completed', reasonCode: 'error' });
    }
    // The restarted daemon is the one that ended them.
    expect(await metric(second.url, 'outdial_calls_ended_total', { status: 'completed', reasonCode: 'error' })).toBe(lost.length);
    // Signed with the same secret as every notification of the dead daemon would have been.
    for (const n of listener.delivered('/sigkill')) expect(verifyNotificationSignature('test-secret', String(n.headers[signatureHeader.toLowerCase()] ?? ''), n.rawBody)).toBe(true);

    // The lost calls' slots are free: two new calls are admitted, a third is over the limit.
    const again = await Promise.all([dialoutAudiocodes(second.url, body), dialoutAudiocodes(second.url, body), dialoutAudiocodes(second.url, body)]);
    expect(again.map((a) => a.status).sort()).toEqual([200, 200, 429]);
    await until('the two new calls bridged to the bot', () => received(bot, 'ACK').length >= 4, 10_000, 50);
    expect(received(bot, 'ACK')).toHaveLength(4);
    expect(received(carrier, 'INVITE')).toHaveLength(4);

    // SIGTERM: the restarted daemon hangs up the calls it owns, only those.
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    const lostCallIds = new Set(carrier.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE').slice(0, 2).map((m) => m.header('Call-ID')));
    const byes = received(carrier, 'BYE');
    expect(byes).toHaveLength(2);
    for (const bye of byes) expect(lostCallIds.has(bye.header('Call-ID'))).toBe(false);
    expect(received(bot, 'BYE')).toHaveLength(2);

    // The far ends' halves of the lost calls only end when SIPp gives up on them.
    const [carrierEnd, botEnd] = await Promise.all([carrier.done, bot.done]);
    expect(carrierEnd.exitCode).not.toBe(0);
    expect(botEnd.exitCode).not.toBe(0);
    expect(received(carrier, 'BYE')).toHaveLength(2);
  });
});
