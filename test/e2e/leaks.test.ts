// Fifty live calls of every ending (bridged then hung up by the callee, hung up on a fax, refused busy)
// leave nothing behind: every RTP port back in the pool, no call in the launcher or the store's active
// set, no bot slot held, an empty notification outbox, and finished records bounded by maxRecords.
import { afterAll, describe, expect, it } from 'vitest';
import { dialoutAudiocodes, startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp, type E2eSipp } from '../support/e2e-sipp.js';
import { CALLER } from '../support/live-call.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { stopAllSipp } from '../support/sipp.js';
import { until } from '../support/until.js';

const HUMANS = 25;
const FAXES = 15;
const BUSY = 10;
const MAX_RECORDS = 20;

let daemon: TestDaemon | undefined;
let listener: NotifyListener | undefined;
const ends: E2eSipp[] = [];

afterAll(async () => {
  await daemon?.stop();
  await Promise.all(ends.map((e) => e.stop().catch(() => undefined)));
  await listener?.close();
  await stopAllSipp();
});

describe('50 calls leave no resources behind', () => {
  it('returns every RTP port, call slot, active entry and outbox entry, and keeps at most maxRecords records', async () => {
    const audio = await e2eAudio();
    listener = await startNotifyListener();
    const start = (o: Parameters<typeof startE2eSipp>[0]) => startE2eSipp({ timeoutSeconds: 60, ...o }).then((e) => (ends.push(e), e));
    const humans = await start({ scenario: 'carrier-answer-audio-bye', audioPcap: audio.files.human.pcap, byeAfterMs: 2500, calls: HUMANS });
    const faxes = await start({ scenario: 'carrier-answer-audio', audioPcap: audio.files.fax.pcap, calls: FAXES });
    const busy = await start({ scenario: 'carrier-reject', status: 486, calls: BUSY });
    const bot = await start({ scenario: 'bot-answer', audioPcap: audio.files.bot.pcap, calls: HUMANS });
    daemon = await startTestDaemon({
      carrierPort: humans.port,
      botPort: bot.port,
      overrides: { store: { type: 'memory', maxRecords: MAX_RECORDS } },
    });
    const targets = [
      ...Array.from({ length: HUMANS }, (_, i) => `sip:human${i}@${humans.address}`),
      ...Array.from({ length: FAXES }, (_, i) => `sip:fax${i}@${faxes.address}`),
      ...Array.from({ length: BUSY }, (_, i) => `sip:busy${i}@${busy.address}`),
    ];
    const ids: string[] = [];
    let peakPorts = 0;
    const probe = setInterval(() => (peakPorts = Math.max(peakPorts, daemon!.daemon.rtpPortsInUse)), 20);
    try {
      for (const [i, target] of targets.entries()) {
        const res = await dialoutAudiocodes(daemon.url, {
          bot: 'Bot1',
          target,
          caller: CALLER,
          machineDetection: 'disconnect',
          notifyUrl: listener.url(`/n/${i}`),
        });
        expect(res.status, JSON.stringify(res.json)).toBe(200);
        ids.push(res.json.conversationId);
      }
      await until(
        'a final notification for every call',
        () => listener!.requests().filter((n) => ['completed', 'failed'].includes((n.body as any)?.status)).length === targets.length,
        40_000,
      );
    } finally {
      clearInterval(probe);
    }
    const finals = listener.requests().filter((n) => ['completed', 'failed'].includes((n.body as any)?.status)).map((n) => n.body as any);
    const count = (reasonCode: string) => finals.filter((f) => f.reasonCode === reasonCode).length;
    expect({ client: count('client-disconnected'), machine: count('machine-detected'), busy: count('busy') }).toEqual({ client: HUMANS, machine: FAXES, busy: BUSY });
    // Bridged calls hold two ports each while up: the probe saw the pool in use, so it would see a leak.
    expect(peakPorts).toBeGreaterThanOrEqual(4);

    const d = daemon.daemon;
    await until('ports and calls released', () => d.rtpPortsInUse === 0 && d.health().calls.active === 0, 10_000);
    expect(await d.store.listActive()).toEqual([]);
    expect(await d.store.activeSlots('Bot1')).toBe(0);
    await until('outbox drained', async () => (await d.store.outboxList()).length === 0, 10_000);
    const kept = (await Promise.all(ids.map((id) => d.store.getCall(id)))).filter((r) => r !== undefined);
    expect(kept.length).toBe(MAX_RECORDS);
    expect(kept.every((r: any) => r.status === 'completed' || r.status === 'failed')).toBe(true);

    for (const e of [humans, faxes, busy, bot]) {
      const result = await e.done;
      expect(result.exitCode, result.errors).toBe(0);
    }
  }, 60_000);
});
