// What an operator sees of a daemon that placed a few calls: GET /metrics (Prometheus text) counts dialouts
// accepted and refused by reason, calls by final reasonCode, AMD decisions and their latency, notification
// deliveries and retries, RTP packets and active calls; and every log line about a call names it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialoutAudiocodes, spawnDaemon, testConfigObject, type SpawnedDaemon } from '../support/daemon.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp, type E2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { stopAllSipp } from '../support/sipp.js';
import { untilValue } from '../support/until.js';

let human: E2eSipp;
let voicemail: E2eSipp;
let bot: E2eSipp;
let listener: NotifyListener;
let daemon: SpawnedDaemon;
let humanId: string;
let voicemailId: string;
let activeWhileUp: number | undefined;
let rtpWhileUp: number | undefined;

/** Prometheus text → value by `name{labels}` exactly as exposed (labels in the order prom-client writes them). */
async function scrape(): Promise<{ contentType: string; values: Map<string, number> }> {
  const res = await fetch(`${daemon.url}/metrics`);
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return { contentType: res.headers.get('content-type') ?? '', values };
}

const isFinal = (n: { body: unknown }) => ['completed', 'failed'].includes((n.body as any)?.status);

beforeAll(async () => {
  const audio = await e2eAudio();
  human = await startE2eSipp({ scenario: 'carrier-answer-audio-bye', audioPcap: audio.files.human.pcap, byeAfterMs: 6000, timeoutSeconds: 50 });
  voicemail = await startE2eSipp({ scenario: 'carrier-answer-audio', audioPcap: audio.files.voicemail.pcap, timeoutSeconds: 50 });
  bot = await startE2eSipp({ scenario: 'bot-answer', audioPcap: audio.files.bot.pcap, calls: 2, timeoutSeconds: 50 });
  listener = await startNotifyListener();
  daemon = await spawnDaemon(
    await testConfigObject({
      carrierPort: human.port,
      botPort: bot.port,
      bot: { dialoutMaxConcurrentCalls: 2 },
      overrides: { log: { level: 'info' }, notifications: { retries: 3 } },
    }),
  );

  // The human call's first notification attempt fails once, so a retry is counted.
  listener.plan('/human', [{ status: 500 }]);
  const dial = (target: string, path: string) =>
    dialoutAudiocodes(daemon.url, { bot: 'Bot1', target, caller: '+15550001111', machineDetection: 'disconnect', notifyUrl: listener.url(path) });
  const [h, v] = await Promise.all([dial('tel:+15557000001', '/human'), dial(`sip:callee@${voicemail.address}`, '/voicemail')]);
  if (h.status !== 200 || v.status !== 200) throw new Error(`dialouts refused: ${JSON.stringify([h, v])}`);
  humanId = h.json.conversationId;
  voicemailId = v.json.conversationId;
  // Refusals of every kind the API gives: over the bot's limit, invalid, unknown bot, no credentials.
  const refused = [
    await dial('tel:+15557000002', '/refused'),
    await dialoutAudiocodes(daemon.url, { bot: 'Bot1', caller: '+15550001111' }),
    await dialoutAudiocodes(daemon.url, { bot: 'NoSuchBot', target: 'tel:+15557000003' }),
    await fetch(`${daemon.url}/api/v1/actions/dialout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => ({ status: r.status })),
  ];
  if (refused.map((r) => r.status).join() !== '429,400,404,401') throw new Error(`unexpected refusals: ${JSON.stringify(refused)}`);

  await human.waitForRequest('ACK');
  await voicemail.waitForRequest('ACK');
  activeWhileUp = (await scrape()).values.get('outdial_active_calls');
  // RTP counts move while calls are up, not only when they end.
  const received = (v: Map<string, number>) => v.get('outdial_rtp_packets_received_total') ?? 0;
  const upNow = await untilValue('RTP counted while the calls are up', async () => (await scrape()).values, (v) => received(v) > 0, 3000, 100).catch(() => undefined);
  rtpWhileUp = upNow?.get('outdial_active_calls') === 2 ? received(upNow) : undefined;
  await listener.waitFor((_n, all) => [humanId, voicemailId].every((id) => all.some((x) => isFinal(x) && (x.body as any).conversationId === id && x.answeredStatus === 200)), 30_000);
});

afterAll(async () => {
  if (daemon) {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  }
  await stopAllSipp();
  await listener?.close();
});

describe('GET /metrics after a human call, a voicemail and some refusals', () => {
  it('counts dialouts, calls by reasonCode, AMD decisions and latency, notifications, RTP and active calls', async () => {
    expect(listener.delivered('/human').find(isFinal)?.body).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    expect(listener.delivered('/voicemail').find(isFinal)?.body).toMatchObject({ status: 'completed', reasonCode: 'machine-detected' });

    const { contentType, values } = await scrape();
    expect(contentType).toContain('text/plain');
    const v = (key: string) => values.get(key);
    expect(v('outdial_dialouts_accepted_total{bot="Bot1"}')).toBe(2);
    expect(v('outdial_dialouts_rejected_total{reason="concurrency-limit"}')).toBe(1);
    expect(v('outdial_dialouts_rejected_total{reason="invalid"}')).toBe(1);
    expect(v('outdial_dialouts_rejected_total{reason="unknown-bot"}')).toBe(1);
    expect(v('outdial_dialouts_rejected_total{reason="unauthorized"}')).toBe(1);
    expect(v('outdial_calls_ended_total{status="completed",reasonCode="client-disconnected"}')).toBe(1);
    expect(v('outdial_calls_ended_total{status="completed",reasonCode="machine-detected"}')).toBe(1);
    expect(v('outdial_amd_decisions_total{type="amd_human_detected"}')).toBe(1);
    expect(v('outdial_amd_decisions_total{type="amd_machine_detected"}')).toBe(1);
    expect(v('outdial_amd_decision_seconds_count')).toBe(2);
    expect(v('outdial_amd_decision_seconds_sum')).toBeGreaterThan(0);
    expect(v('outdial_amd_decision_seconds_bucket{le="+Inf"}')).toBe(2);
    // answered + final for each call, plus the one failed attempt on /human and its retry.
    expect(listener.requests('/human')).toHaveLength(3);
    expect(v('outdial_notification_deliveries_total{result="delivered"}')).toBe(4);
    expect(v('outdial_notification_deliveries_total{result="failed"}')).toBe(1);
    expect(v('outdial_notification_retries_total')).toBe(1);
    // Both callees played several seconds of 20 ms packets.
    expect(v('outdial_rtp_packets_received_total')).toBeGreaterThan(200);
    expect(v('outdial_rtp_packets_lost_total')).toBe(0);
    expect(activeWhileUp).toBe(2);
    expect(rtpWhileUp).toBeGreaterThan(0);
    expect(v('outdial_rtp_packets_received_total')).toBeGreaterThan(rtpWhileUp!);
    expect(v('outdial_active_calls')).toBe(0);
  });

  it('every log line about a call carries its conversationId', () => {
    const lines = daemon
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const id of [humanId, voicemailId]) {
      const about = lines.filter((l) => JSON.stringify(l).includes(id));
      expect(about.length, id).toBeGreaterThan(0);
      for (const line of about) expect(line.conversationId, JSON.stringify(line)).toBe(id);
      expect(about.some((l) => l.msg === 'call ended')).toBe(true);
    }
    const retry = lines.find((l) => l.msg === 'notification failed, will retry');
    expect(retry?.conversationId).toBe(humanId);
    // Call lines come from the call's own logger, never without the id.
    const callLines = lines.filter((l) => l.component === 'calls');
    expect(callLines.length).toBeGreaterThan(0);
    for (const line of callLines) expect(typeof line.conversationId, JSON.stringify(line)).toBe('string');
  });
});
