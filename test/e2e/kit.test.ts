// The E2E kit proves itself without outdial: generated audio, SIPp far ends with recorders, the message
// trace, and the notification listener.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodePcmu } from '../../src/media/index.js';
import { e2eAudio } from '../support/e2e-audio.js';
import { startE2eSipp, type E2eSipp, type E2eScenario } from '../support/e2e-sipp.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { startRtpRecorder, type RtpRecorder } from '../support/rtp-recorder.js';
import { stopAllSipp } from '../support/sipp.js';
import { renderFarEndAudio } from '../../demo/index.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  await stopAllSipp();
});

function track<T extends { close?: () => Promise<void>; stop?: () => Promise<unknown> }>(x: T): T {
  cleanups.push(() => (x.stop ? x.stop() : (x.close?.() ?? Promise.resolve())));
  return x;
}

function toneRtp(hz: number, packets: number): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p < packets; p++) {
    const pcm = new Int16Array(160);
    for (let i = 0; i < 160; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * (p * 160 + i)) / 8000));
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = 0;
    header.writeUInt16BE(p, 2);
    header.writeUInt32BE(p * 160, 4);
    header.writeUInt32BE(0xabcdef01, 8);
    out.push(Buffer.concat([header, encodePcmu(pcm)]));
  }
  return out;
}

describe('E2E audio', () => {
  it('renders 8 kHz µ-law files whose labels place the speech before the 1000 Hz beep', async () => {
    const audio = await e2eAudio();
    const vm = audio.labels.voicemail;
    expect(vm.speechEndMs).toBeGreaterThan(5000);
    expect(vm.beepStartMs).toBeGreaterThan(vm.speechEndMs as number);
    expect((vm.beepEndMs as number) - (vm.beepStartMs as number)).toBe(500);
    expect(audio.labels.fax.toneOnsetsMs).toEqual([200, 3700, 7200]);
    const wav = readFileSync(audio.files.voicemail.wav);
    const ulaw = readFileSync(audio.files.voicemail.ulaw);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(20)).toBe(7);
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.subarray(44).equals(ulaw)).toBe(true);
    expect(ulaw.length % 160).toBe(0);
    expect(Math.abs(ulaw.length / 8 - vm.durationMs)).toBeLessThanOrEqual(1);
  });

  it('renders byte-identical files every time', async () => {
    const cached = await e2eAudio();
    const fresh = await renderFarEndAudio(mkdtempSync(join(tmpdir(), 'e2e-audio-')));
    for (const name of ['human', 'voicemail', 'fax', 'silence', 'bot'] as const) {
      for (const kind of ['wav', 'ulaw', 'pcap'] as const) {
        expect(readFileSync(fresh.files[name][kind]).equals(readFileSync(cached.files[name][kind])), `${name}.${kind}`).toBe(true);
      }
    }
    expect(fresh.labels).toEqual(cached.labels);
  });
});

describe('SIPp carrier with recorders', () => {
  it('plays the voicemail to the caller, from the port whose recorder hears the caller, and traces the INVITE', async () => {
    const audio = await e2eAudio();
    const vm = audio.labels.voicemail;
    const carrier = track(await startE2eSipp({ scenario: 'carrier-answer-audio', audioPcap: audio.files.voicemail.pcap, ringMs: 100 }));
    const caller: RtpRecorder = track(await startRtpRecorder());
    const uac = track(
      await startE2eSipp({
        scenario: 'uac-for-kit',
        remote: carrier.address,
        service: '15551234567',
        keys: { caller: 'alice', rec_port: caller.port, hold_ms: (vm.beepEndMs as number) + 1500 },
      }),
    );

    await caller.waitForPackets(50);
    const source = caller.packets()[0]?.from;
    expect(source).toEqual({ address: '127.0.0.1', port: carrier.recorder?.port });
    for (const packet of toneRtp(440, 50)) await caller.send(packet, source?.port as number);
    await carrier.recorder?.waitForPackets(50);
    expect(carrier.recorder?.dominantFrequency()).toBe(440);

    const uacResult = await uac.done;
    expect(uacResult.exitCode, uacResult.errors).toBe(0);
    const carrierResult = await carrier.done;
    expect(carrierResult.exitCode, carrierResult.errors).toBe(0);

    expect(caller.packets().every((p) => p.payloadType === 0)).toBe(true);
    const speech = { fromMs: vm.speechStartMs as number, toMs: vm.speechEndMs as number };
    expect(caller.rms(speech)).toBeGreaterThan(1000);
    const beep = { fromMs: (vm.beepStartMs as number) + 50, toMs: (vm.beepEndMs as number) - 50 };
    expect(caller.dominantFrequency(beep)).toBe(1000);
    expect(caller.rms(beep)).toBeGreaterThan(3000);
    expect(caller.rms({ fromMs: (vm.beepEndMs as number) + 100, toMs: (vm.beepEndMs as number) + 1000 })).toBeLessThan(100);

    const invite = carrier.received('INVITE');
    expect(invite?.requestUri).toBe(`sip:15551234567@${carrier.address}`);
    expect(invite?.header('From')).toMatch(/^"Kit Caller" <sip:alice@127\.0\.0\.1:\d+>;tag=/);
    expect(invite?.header('Content-Type')).toBe('application/sdp');
    expect(invite?.body).toContain(`m=audio ${caller.port} RTP/AVP 0 8`);
    const answer = carrier.messages().find((m) => m.direction === 'sent' && m.status === 200 && m.body.includes('m=audio'));
    expect(answer?.body).toContain(`m=audio ${carrier.recorder?.port} RTP/AVP 0`);
    expect(carrier.received('BYE')).toBeDefined();
  });

  it('bot-answer answers INFO requests until the caller hangs up; bot-answer-bye hangs up itself', async () => {
    const audio = await e2eAudio();
    for (const [scenario, uacScenario] of [
      ['bot-answer', 'uac-info-for-kit'],
      ['bot-answer-bye', 'uac-info-wait-for-kit'],
    ] as const) {
      const bot = track(await startE2eSipp({ scenario, audioPcap: audio.files.bot.pcap, byeAfterMs: 1000 }));
      const callee = track(await startRtpRecorder());
      const uac = track(
        await startE2eSipp({
          scenario: uacScenario,
          remote: bot.address,
          service: 'bot',
          keys: { caller: 'outdial', rec_port: callee.port, hold_ms: 800 },
        }),
      );
      const uacResult = await uac.done;
      expect(uacResult.exitCode, `${scenario}: ${uacResult.errors}`).toBe(0);
      expect((await bot.done).exitCode, scenario).toBe(0);
      const infos = bot.messages().filter((m) => m.direction === 'received' && m.method === 'INFO');
      expect(infos.map((m) => JSON.parse(m.body) as unknown)).toEqual([
        { type: 'event', name: 'n1' },
        { type: 'event', name: 'n2' },
      ]);
      const byeSent = bot.messages().some((m) => m.direction === 'sent' && m.method === 'BYE');
      expect(byeSent, scenario).toBe(scenario === 'bot-answer-bye');
      expect(callee.dominantFrequency()).toBe(440);
    }
  });

  it('loads every far-end scenario with its keys and listens for SIP', async () => {
    const audio = await e2eAudio();
    const scenarios: E2eScenario[] = [
      'carrier-answer-audio',
      'carrier-answer-audio-bye',
      'carrier-reject',
      'carrier-no-answer',
      'bot-answer',
      'bot-answer-bye',
      'bot-reject',
    ];
    const runs: E2eSipp[] = [];
    for (const scenario of scenarios) {
      runs.push(track(await startE2eSipp({ scenario, audioPcap: audio.files.bot.pcap, byeAfterMs: 1000 })));
    }
    // The scenario: 300 ms on, every far end is still running (none exited on its own at start).
    await new Promise((r) => setTimeout(r, 300));
    for (const run of runs) {
      const exited = await Promise.race([run.done.then((r) => r), new Promise((r) => setTimeout(() => r(undefined), 10))]);
      expect(exited, `${JSON.stringify(exited)}`).toBeUndefined();
    }
  });
});

describe('notify listener', () => {
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test': 'yes' }, body: JSON.stringify(body) })
      .then((r) => r.status)
      .catch(() => 0);

  it('fails the planned requests on one path, then accepts, keeping bodies and headers in order', async () => {
    const listener: NotifyListener = track(await startNotifyListener());
    listener.plan('/calls/1', [{ status: 500 }, { status: 500 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await post(listener.url('/calls/1'), { attempt: i }));
    statuses.push(await post(listener.url('/calls/2'), { other: true }));
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(listener.requests('/calls/1').map((n) => n.body)).toEqual([{ attempt: 0 }, { attempt: 1 }, { attempt: 2 }]);
    expect(listener.delivered('/calls/1').map((n) => n.body)).toEqual([{ attempt: 2 }]);
    expect(listener.requests('/calls/2')[0]?.headers['x-test']).toBe('yes');
  });

  it('answers 404, drops connections and delays as planned; waitFor sees a later request', async () => {
    const listener = track(await startNotifyListener());
    listener.plan('/n', [{ status: 404 }, { destroy: true }, { delayMs: 300, status: 202 }]);
    expect(await post(listener.url('/n'), { a: 1 })).toBe(404);
    expect(await post(listener.url('/n'), { a: 2 })).toBe(0);
    const started = performance.now();
    expect(await post(listener.url('/n'), { a: 3 })).toBe(202);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    const later = listener.waitFor((n) => (n.body as { a?: number } | undefined)?.a === 4, 5000);
    void post(listener.url('/n'), { a: 4 });
    expect((await later).answeredStatus).toBe(200);
    await expect(listener.waitFor((n) => n.path === '/never', 100)).rejects.toThrow(/no matching notification/);
  });
});
