// The Redis store going away: a daemon started while Redis is down says so and refuses dialouts until it
// is up; Redis lost mid-run (killed, or hung with the connection still open) refuses new dialouts while a
// call in progress finishes, and that call's notifications reach the notifyUrl once Redis is back, each
// exactly once.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, getCall, metric, notificationsSettled, spawnDaemon, testConfigObject, type SpawnedDaemon } from '../support/daemon.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp, type E2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { freePort } from '../support/ports.js';
import { outboxEntries, startRedis } from '../support/redis.js';
import { onCleanup, useCleanup } from '../support/cleanup.js';
import { until, untilValue } from '../support/until.js';

useCleanup();

async function farEnds(byeAfterMs: number): Promise<{ carrier: E2eSipp; bot: E2eSipp }> {
  const audio = await e2eAudio();
  const carrier = await startE2eSipp({ scenario: 'carrier-answer-audio-bye', audioPcap: audio.files.human.pcap, byeAfterMs, calls: 10, timeoutSeconds: 60 });
  const bot = await startE2eSipp({ scenario: 'bot-answer', audioPcap: audio.files.bot.pcap, calls: 10, timeoutSeconds: 60 });
  onCleanup(() => carrier.stop(), () => bot.stop());
  return { carrier, bot };
}

async function listen(): Promise<NotifyListener> {
  const listener = await startNotifyListener();
  onCleanup(() => listener.close());
  return listener;
}

async function daemonOn(redisUrl: string, far: { carrier: E2eSipp; bot: E2eSipp }): Promise<SpawnedDaemon> {
  const config = await testConfigObject({
    carrierPort: far.carrier.port,
    botPort: far.bot.port,
    overrides: { store: { type: 'redis', url: redisUrl }, log: { level: 'info' } },
  });
  const daemon = await spawnDaemon(config);
  onCleanup(async () => {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  });
  return daemon;
}

async function healthz(daemon: SpawnedDaemon): Promise<{ status: number; body: any }> {
  const res = await fetch(`${daemon.url}/healthz`);
  return { status: res.status, body: await res.json() };
}

async function healthBecomes(daemon: SpawnedDaemon, status: number, timeoutMs = 10_000): Promise<any> {
  return (await untilValue(`/healthz to answer ${status}`, () => healthz(daemon), (h) => h.status === status, timeoutMs, 100)).body;
}

function dialout(daemon: SpawnedDaemon, listener: NotifyListener, path: string) {
  return dialoutAudiocodes(daemon.url, {
    bot: 'Bot1',
    target: 'tel:+15553000001',
    caller: '+15550001111',
    machineDetection: 'disabled',
    notifyUrl: listener.url(path),
  });
}

const statusOf = (n: { body: unknown }) => (n.body as { status?: string } | undefined)?.status;

describe('Redis store outages', () => {
  it('Redis down at start: the log and /healthz say so, dialouts get 503; once Redis is up, health is ok and a dialout is placed', async () => {
    const far = await farEnds(800);
    const listener = await listen();
    const port = await freePort();
    const daemon = await daemonOn(`redis://127.0.0.1:${port}`, far);

    expect(daemon.output()).toContain('store unavailable at start');
    const down = await healthz(daemon);
    expect(down.status).toBe(503);
    expect(down.body.ok).toBe(false);
    expect(down.body.store).toMatchObject({ ok: false, kind: 'redis' });
    expect(down.body.store.error).toContain(`redis at redis://127.0.0.1:${port} unavailable`);
    expect(down.body.sip.connected).toBe(true);

    const refused = await dialout(daemon, listener, '/down-at-start');
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatch(/^store unavailable: redis at redis:\/\/127\.0\.0\.1:\d+ unavailable/);
    expect(far.carrier.received('INVITE')).toBeUndefined();

    const redis = await startRedis({ port });
    onCleanup(() => redis.stop());
    const up = await healthBecomes(daemon, 200);
    expect(up.store).toEqual({ ok: true, kind: 'redis' });

    const placed = await dialout(daemon, listener, '/down-at-start');
    expect(placed.status).toBe(200);
    await listener.waitFor((n) => statusOf(n) === 'completed', 15_000);
    expect(listener.delivered('/down-at-start').map(statusOf)).toEqual(['answered', 'completed']);
    // The carrier hung up; outdial hung up the bot.
    expect(far.carrier.messages().some((m) => m.direction === 'sent' && m.method === 'BYE')).toBe(true);
    await far.bot.waitForRequest('BYE');
  });

  it('Redis lost mid-run: new dialouts get 503, the call in progress ends on the carrier BYE, and its notifications arrive once Redis is back, once each', async () => {
    const far = await farEnds(4000);
    const listener = await listen();
    const redis = await startRedis();
    onCleanup(() => redis.stop());
    const daemon = await daemonOn(redis.url, far);

    const placed = await dialout(daemon, listener, '/mid-run');
    expect(placed.status).toBe(200);
    const conversationId = placed.json.conversationId as string;
    await listener.waitFor((n) => statusOf(n) === 'answered' && n.answeredStatus === 200);
    await far.bot.waitForRequest('ACK');

    await redis.kill();
    const health = await healthBecomes(daemon, 503);
    expect(health.store.ok).toBe(false);
    const refused = await dialout(daemon, listener, '/refused');
    expect(refused.status).toBe(503);
    expect(refused.json.error).toContain('store unavailable');
    expect(far.carrier.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE')).toHaveLength(1);

    // The carrier hangs up while Redis is down: outdial answers it and hangs up the bot.
    await far.bot.waitForRequest('BYE', 10_000);
    expect(far.carrier.messages().some((m) => m.direction === 'received' && m.status === 200 && /BYE/.test(m.header('CSeq') ?? ''))).toBe(true);
    // The final notification waits for the outbox, which waits for Redis: the call has ended, and for 1.5 s
    // (the scenario: Redis stays down) its final notification stays held.
    await until('the call counted ended', async () => (await metric(daemon.url, 'outdial_calls_ended_total', { status: 'completed' })) === 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(listener.requests('/mid-run').map(statusOf)).toEqual(['answered']);

    await redis.restart();
    await listener.waitFor((n) => statusOf(n) === 'completed' && n.answeredStatus === 200, 15_000);
    await healthBecomes(daemon, 200);
    // Nothing left to deliver or retry, nothing left in the outbox: no duplicate can come after this.
    await notificationsSettled(daemon.url, redis);
    const delivered = listener.delivered('/mid-run').map((n) => n.body as Record<string, any>);
    expect(delivered.map((b) => b.status)).toEqual(['answered', 'completed']);
    expect(delivered[1]).toMatchObject({ conversationId, status: 'completed', reasonCode: 'client-disconnected' });
    expect(listener.requests('/refused')).toHaveLength(0);
    // The call record was rewritten too, though Redis came back empty.
    expect(await getCall(daemon.url, conversationId)).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
  });

  it('a persistent Redis lost between a delivery and its outbox removal: once it is back, the notification is not sent again', async () => {
    const far = await farEnds(12_000);
    const listener = await listen();
    const redis = await startRedis({ persistDir: mkdtempSync(join(tmpdir(), 'outdial-redis-')) });
    onCleanup(() => redis.stop());
    const daemon = await daemonOn(redis.url, far);

    // The notifyUrl holds its answer to the first notification while Redis goes away.
    listener.plan('/persisted', [{ delayMs: 1500 }]);
    const placed = await dialout(daemon, listener, '/persisted');
    expect(placed.status).toBe(200);
    const conversationId = placed.json.conversationId as string;
    await listener.waitFor((n) => statusOf(n) === 'answered');
    await redis.kill();
    // A fixed wait on purpose: the delayed 200 (1.5 s) must reach the daemon and its outbox removal fail while
    // Redis is down; nothing outside the daemon shows that failure.
    await new Promise((r) => setTimeout(r, 3000));
    // Delivered (200) while Redis was down: its outbox entry, on Redis's disk, could not be removed.
    expect(listener.requests('/persisted').map((n) => [statusOf(n), n.answeredStatus])).toEqual([['answered', 200]]);

    await redis.restart();
    await healthBecomes(daemon, 200);
    await listener.waitFor((n) => statusOf(n) === 'completed' && n.answeredStatus === 200, 20_000);
    await notificationsSettled(daemon.url, redis);
    expect(listener.requests('/persisted').map((n) => n.body)).toEqual([
      expect.objectContaining({ conversationId, status: 'answered' }),
      expect.objectContaining({ conversationId, status: 'completed', reasonCode: 'client-disconnected' }),
    ]);
  });

  it('Redis hung mid-run (SIGSTOP, connection open): /healthz and dialouts say it is not answering; once it resumes, the call’s notifications arrive once each', async () => {
    const far = await farEnds(3000);
    const listener = await listen();
    const redis = await startRedis();
    onCleanup(() => redis.stop());
    const pid = Number(/process_id:(\d+)/.exec(execFileSync('redis-cli', ['-p', String(redis.port), 'info', 'server']).toString())?.[1]);
    expect(pid).toBeGreaterThan(0);
    const daemon = await daemonOn(redis.url, far);

    const placed = await dialout(daemon, listener, '/hung');
    expect(placed.status).toBe(200);
    const conversationId = placed.json.conversationId as string;
    await listener.waitFor((n) => statusOf(n) === 'answered' && n.answeredStatus === 200);
    await until('the delivered notification out of the outbox', async () => (await outboxEntries(redis)) === 0);

    process.kill(pid, 'SIGSTOP');
    onCleanup(async () => process.kill(pid, 'SIGCONT'));
    // The first command to time out tells the daemon; from then on it refuses at once.
    const first = await dialout(daemon, listener, '/refused');
    expect(first.status).toBe(503);
    expect(first.json.error).toContain('timed out');
    const health = await healthBecomes(daemon, 503);
    expect(health.store.error).toBe(`redis at ${redis.url} not answering: Command timed out`);
    const refused = await dialout(daemon, listener, '/refused');
    expect(refused.status).toBe(503);
    expect(refused.json.error).toBe(`store unavailable: redis at ${redis.url} not answering: Command timed out`);

    await far.bot.waitForRequest('BYE', 10_000);
    // The call has ended, and for 1.5 s (the scenario: Redis stays hung) its final notification stays held.
    await until('the call counted ended', async () => (await metric(daemon.url, 'outdial_calls_ended_total', { status: 'completed' })) === 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(listener.requests('/hung').map(statusOf)).toEqual(['answered']);

    process.kill(pid, 'SIGCONT');
    const back = await healthBecomes(daemon, 200);
    expect(back.store).toMatchObject({ ok: true, kind: 'redis' });
    expect(back.store.error).toBeUndefined();
    await listener.waitFor((n) => statusOf(n) === 'completed' && n.answeredStatus === 200, 15_000);
    // Nothing left to deliver or retry, nothing left in the outbox: no duplicate can come after this.
    await notificationsSettled(daemon.url, redis);
    const delivered = listener.delivered('/hung').map((n) => n.body as Record<string, any>);
    expect(delivered.map((b) => b.status)).toEqual(['answered', 'completed']);
    expect(delivered[1]).toMatchObject({ conversationId, reasonCode: 'client-disconnected' });
    expect(listener.requests('/refused')).toHaveLength(0);
    expect(await getCall(daemon.url, conversationId)).toMatchObject({ status: 'completed' });
  });
});
