// Two outdial daemons, as separate processes, share one Redis: a bot's dialoutMaxConcurrentCalls and
// dialoutLimitPerSecond, and a trunk's maxConcurrentCalls and maxCallsPerSecond, hold exactly over both,
// whichever daemon a request reaches, and a slot is free again once its call has ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialoutAudiocodes, spawnDaemon, testConfigObject, type SpawnedDaemon } from '../support/daemon.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp, type E2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { stopAllSipp } from '../support/sipp.js';

const CARRIER_BYE_AFTER_MS = 5000;

let redis: RedisServer;
let carrier: E2eSipp;
let bot: E2eSipp;
let listener: NotifyListener;
const daemons: SpawnedDaemon[] = [];

beforeAll(async () => {
  const audio = await e2eAudio();
  redis = await startRedis();
  listener = await startNotifyListener();
  // Far ends that hold every call until the carrier hangs up, for as many calls as the test places.
  carrier = await startE2eSipp({ scenario: 'carrier-answer-audio-bye', audioPcap: audio.files.human.pcap, byeAfterMs: CARRIER_BYE_AFTER_MS, calls: 100, timeoutSeconds: 120 });
  bot = await startE2eSipp({ scenario: 'bot-answer', audioPcap: audio.files.bot.pcap, calls: 100, timeoutSeconds: 120 });
  const bots = [
    { name: 'Concurrent5', dialoutMaxConcurrentCalls: 5 },
    { name: 'HalfPerSecond', dialoutLimitPerSecond: 0.5 },
    // Bots without limits of their own, on accounts whose one trunk is limited.
    { name: 'Bot-slots', account: 'slots' },
    { name: 'Bot-rate', account: 'rate' },
  ].map((b) => ({ account: 'acme', sipUri: `sip:bot@${bot.address}`, dialoutAllowedCallers: ['+15550001111'], ...b }));
  const trunk = { host: '127.0.0.1', port: carrier.port, default: true };
  const accounts = [
    { name: 'acme', trunks: [{ name: 'carrier1', ...trunk }] },
    { name: 'slots', trunks: [{ name: 'three', ...trunk, maxConcurrentCalls: 3 }] },
    { name: 'rate', trunks: [{ name: 'half', ...trunk, maxCallsPerSecond: 0.5 }] },
  ];
  for (let i = 0; i < 2; i++) {
    const config = await testConfigObject({
      carrierPort: carrier.port,
      botPort: bot.port,
      overrides: { store: { type: 'redis', url: redis.url }, accounts, bots },
    });
    daemons.push(await spawnDaemon(config));
  }
});

afterAll(async () => {
  for (const d of daemons) {
    if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
    await d.exited;
  }
  await stopAllSipp();
  await listener?.close();
  await redis?.stop();
});

let seq = 0;
function dialout(daemon: SpawnedDaemon, botName: string): Promise<{ status: number; json: any }> {
  seq++;
  return dialoutAudiocodes(daemon.url, {
    bot: botName,
    target: `tel:+1555200${String(seq).padStart(4, '0')}`,
    caller: '+15550001111',
    machineDetection: 'disabled',
    notifyUrl: listener.url(`/limits/${botName}`),
  });
}

/** `count` dialouts at once, alternating between the two daemons. */
function burst(botName: string, count: number): Promise<{ status: number; json: any }[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => dialout(daemons[i % 2]!, botName)));
}

async function finals(conversationIds: string[]): Promise<Record<string, any>[]> {
  const isFinal = (n: { body: unknown }) => ['completed', 'failed'].includes((n.body as any)?.status);
  await listener.waitFor(
    (_n, all) => conversationIds.every((id) => all.some((x) => isFinal(x) && (x.body as any).conversationId === id && x.answeredStatus === 200)),
    CARRIER_BYE_AFTER_MS + 15_000,
  );
  return listener
    .delivered()
    .filter((n) => isFinal(n) && conversationIds.includes((n.body as any).conversationId))
    .map((n) => n.body as Record<string, any>);
}

describe('bot limits across two daemons sharing one Redis', () => {
  it('dialoutMaxConcurrentCalls 5: of 40 concurrent dialouts at both daemons exactly 5 are accepted; slots are free again once they end', async () => {
    const answers = await burst('Concurrent5', 40);
    const accepted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(accepted, JSON.stringify(answers.map((a) => a.status))).toHaveLength(5);
    expect(refused).toHaveLength(35);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.json.error).toContain('dialoutMaxConcurrentCalls');
    }
    const ids = accepted.map((a) => a.json.conversationId as string);
    expect(new Set(ids).size).toBe(5);

    // While the five calls are up, neither daemon admits a sixth.
    const whileUp = await Promise.all(daemons.map((d) => dialout(d, 'Concurrent5')));
    expect(whileUp.map((a) => a.status)).toEqual([429, 429]);

    // The carrier hangs up each call; the slots are released as the calls end.
    const ended = await finals(ids);
    expect(ended).toHaveLength(5);
    for (const f of ended) expect(f).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    expect(carrier.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE')).toHaveLength(5);

    const again = await burst('Concurrent5', 8);
    expect(again.filter((a) => a.status === 200)).toHaveLength(5);
    expect(again.filter((a) => a.status === 429)).toHaveLength(3);
    await finals(again.filter((a) => a.status === 200).map((a) => a.json.conversationId as string));
  });

  it('dialoutLimitPerSecond 0.5: of a burst of 10 at both daemons exactly one is accepted', async () => {
    const answers = await burst('HalfPerSecond', 10);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(9);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.json.error).toContain('dialoutLimitPerSecond');
    }
    const id = answers.find((a) => a.status === 200)!.json.conversationId as string;
    const [final] = await finals([id]);
    expect(final).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    // Two seconds per dialout: by now (the call lasted five) the next one is due again.
    const next = await dialout(daemons[1]!, 'HalfPerSecond');
    expect(next.status).toBe(200);
    await finals([next.json.conversationId as string]);
  });
});

describe('trunk limits across two daemons sharing one Redis', () => {
  it('maxConcurrentCalls 3: of 24 concurrent dialouts at both daemons exactly 3 are accepted; the slots come back as the calls end', async () => {
    const answers = await burst('Bot-slots', 24);
    const accepted = answers.filter((a) => a.status === 200);
    expect(accepted, JSON.stringify(answers.map((a) => a.status))).toHaveLength(3);
    for (const r of answers.filter((a) => a.status !== 200)) {
      expect(r.status).toBe(429);
      expect(r.json.error).toBe('trunk "three" has reached maxConcurrentCalls (3)');
    }
    // Each daemon counts the refusals it answered, under the trunk-limit reason.
    let refusedCount = 0;
    for (const d of daemons) {
      const text = await (await fetch(`${d.url}/metrics`)).text();
      refusedCount += Number(/outdial_dialouts_rejected_total\{reason="trunk-limit"\} (\d+)/.exec(text)?.[1] ?? 0);
    }
    expect(refusedCount).toBe(21);
    const ended = await finals(accepted.map((a) => a.json.conversationId as string));
    expect(ended).toHaveLength(3);
    for (const f of ended) expect(f).toMatchObject({ status: 'completed', trunk: 'three', attempts: [{ trunk: 'three', status: 200, reason: 'OK' }] });
    const again = await burst('Bot-slots', 6);
    expect(again.filter((a) => a.status === 200)).toHaveLength(3);
    await finals(again.filter((a) => a.status === 200).map((a) => a.json.conversationId as string));
  });

  it('maxCallsPerSecond 0.5: of a burst of 10 at both daemons exactly one is accepted', async () => {
    const answers = await burst('Bot-rate', 10);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const r of answers.filter((a) => a.status !== 200)) {
      expect(r.status).toBe(429);
      expect(r.json.error).toBe('trunk "half" exceeds maxCallsPerSecond (0.5 per second)');
    }
    await finals([answers.find((a) => a.status === 200)!.json.conversationId as string]);
    // Two seconds per call: by now (the call lasted five) the next one is due again, at either daemon.
    const next = await dialout(daemons[1]!, 'Bot-rate');
    expect(next.status).toBe(200);
    await finals([next.json.conversationId as string]);
  });
});
