// Two daemons share one Redis; one of them is cut off from Redis (through a TCP proxy the test controls)
// for longer than its heartbeat lasts, while its call goes on. The other daemon takes the call for lost and
// finishes it; when the cut-off daemon comes back and its call ends, it must not send a second final.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, getCall, metric, spawnDaemon, testConfigObject } from '../support/daemon.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener } from '../support/notify-listener.js';
import { freePort } from '../support/ports.js';
import { outboxEntries, startRedis } from '../support/redis.js';
import { until } from '../support/until.js';
import { onCleanup, trackDaemon, useCleanup } from '../support/cleanup.js';

useCleanup();

/** A TCP forwarder to Redis that can be cut (every connection dropped, new ones refused) and restored. */
async function redisProxy(redisPort: number): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = createConnection(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('a daemon cut off from Redis longer than its heartbeat', () => {
  it('does not send a second final notification for a call another daemon already finished', async () => {
    const audio = await e2eAudio();
    const redis = await startRedis();
    onCleanup(() => redis.stop());
    const proxy = await redisProxy(redis.port);
    onCleanup(() => proxy.close());
    const carrier = await startE2eSipp({ scenario: 'carrier-answer-audio-bye', audioPcap: audio.files.human.pcap, byeAfterMs: 22_000, timeoutSeconds: 60 });
    const bot = await startE2eSipp({ scenario: 'bot-answer', audioPcap: audio.files.bot.pcap, timeoutSeconds: 60 });
    onCleanup(() => carrier.stop(), () => bot.stop());
    const listener = await startNotifyListener();
    onCleanup(() => listener.close());

    const configFor = (instanceId: string, url: string) =>
      testConfigObject({
        carrierPort: carrier.port,
        botPort: bot.port,
        overrides: { instanceId, store: { type: 'redis', url }, log: { level: 'info' } },
      });
    const a = trackDaemon(await spawnDaemon(await configFor('node-a', proxy.url)));
    const b = trackDaemon(await spawnDaemon(await configFor('node-b', redis.url)));

    const placed = await dialoutAudiocodes(a.url, {
      bot: 'Bot1',
      target: 'tel:+15555000002',
      caller: '+15550001111',
      machineDetection: 'disabled',
      notifyUrl: listener.url('/split'),
    });
    expect(placed.status).toBe(200);
    await listener.waitFor((n) => (n.body as any)?.status === 'answered', 15_000);
    // Let node-a clear the delivered entry from its outbox first: delivery is at-least-once, and an entry
    // delivered but not yet removed when a daemon is lost is delivered again by the one that takes over.
    await until('node-a to clear the delivered entry from its outbox', async () => (await outboxEntries(redis)) === 0);

    proxy.cut();
    // node-b finishes the call once node-a's heartbeat (10 s) has lapsed.
    await listener.waitFor((n) => (n.body as any)?.status === 'completed', 25_000);
    proxy.restore();
    await until('node-b to have taken the call over', async () => (await getCall(b.url, placed.json.conversationId as string))?.takenOverBy === 'node-b');

    // The callee hangs up on node-a, which is back on Redis: its own end of the call must stay silent.
    // node-a relays the callee's BYE to the bot: it has seen the end of the call.
    await bot.waitForRequest('BYE', 30_000);
    await until('node-a to count the call ended', async () => (await metric(a.url, 'outdial_calls_ended_total')) === 1);
    // The scenario: node-a stays silent. Its final notification, had it gone out, would be here by now.
    await new Promise((r) => setTimeout(r, 5000));
    const finals = listener.delivered('/split').filter((n) => ['completed', 'failed'].includes((n.body as any)?.status));
    expect(finals).toHaveLength(1);
    expect(finals[0]!.body).toMatchObject({ conversationId: placed.json.conversationId, reasonCode: 'error' });
    expect(listener.delivered('/split').filter((n) => (n.body as any)?.status === 'answered')).toHaveLength(1);
    // node-a ended the call itself (it counted it), yet sent nothing: it saw that node-b had finished it.
    expect(await metric(a.url, 'outdial_calls_ended_total')).toBe(1);
  });
});
