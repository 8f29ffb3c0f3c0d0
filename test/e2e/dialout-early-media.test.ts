// Early media end to end: a SIPp carrier answers the INVITE with 183 Session Progress and SDP, streams an
// intercept's special information tones, or a recorded announcement with no SIT, and never answers; outdial
// hears them, CANCELs, and the dialer gets one failed notification naming the intercept long before
// answerTimeoutSec. A carrier that plays ringback for 10 s and then answers is answered.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rtpPcap } from '../../demo/audio-container.js';
import { encodePcmu } from '../../src/media/index.js';
import { concat, mix, silence, syllables, tone } from '../amd/signals.js';
import { onCleanup } from '../support/cleanup.js';
import { dialoutAudiocodes, dialoutKore, getCall, startTestDaemon } from '../support/daemon.js';
import { startE2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { bodies, deliveredOn, finalRecord, notifyPath, useCleanup } from './dialout-fixture.js';

useCleanup();
let listener: NotifyListener;
let sitPcap: string;
let announcementPcap: string;
let ringbackPcap: string;

/** espeak-ng's voice at 8 kHz 16-bit (sox resamples it), as the E2E far ends' other speech is made. */
function speak(text: string): Int16Array {
  const wav = spawnSync('espeak-ng', ['-v', 'en-us', '-s', '165', '--stdout', text], { maxBuffer: 1 << 26 });
  if (wav.status !== 0) throw new Error(`espeak-ng failed: ${wav.stderr.toString()}`);
  const raw = spawnSync('sox', ['-D', '-t', 'wav', '-', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed', '-t', 'raw', '-'], { input: wav.stdout, maxBuffer: 1 << 26 });
  if (raw.status !== 0) throw new Error(`sox failed: ${raw.stderr.toString()}`);
  const bytes = raw.stdout;
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~1)));
}

beforeAll(async () => {
  listener = await startNotifyListener();
  // An intercept: 1 s of line silence, SIT (913.8 / 1370.6 / 1776.7 Hz), then the announcement, twice.
  const intercept = concat(tone(913.8, 274, -14), tone(1370.6, 274, -14), tone(1776.7, 380, -14), silence(300), syllables(12), silence(1000));
  const audio = concat(silence(1000), intercept, intercept);
  const dir = mkdtempSync(join(tmpdir(), 'early-media-'));
  sitPcap = join(dir, 'sit.pcap');
  writeFileSync(sitPcap, rtpPcap(encodePcmu(audio), 0));
  // An intercept announcement with no tones before it, read twice.
  const words = speak('The number you have dialed is not in service. Please check the number and dial again.');
  announcementPcap = join(dir, 'announcement.pcap');
  writeFileSync(announcementPcap, rtpPcap(encodePcmu(concat(silence(500), words, silence(1000), words, silence(1000))), 0));
  // US ringback, 440 + 480 Hz, 2 s on, 4 s off, for 12 s.
  const ring = () => concat(mix(tone(440, 2000, -19), tone(480, 2000, -19)), silence(4000));
  ringbackPcap = join(dir, 'ringback.pcap');
  writeFileSync(ringbackPcap, rtpPcap(encodePcmu(concat(ring(), ring())), 0));
});
afterAll(async () => {
  await listener.close();
});

/** A carrier that answers 183 with SDP, plays `audioPcap` as early media and never answers. */
async function setup(audioPcap: string) {
  const carrier = await startE2eSipp({ scenario: 'carrier-early-media', audioPcap });
  onCleanup(() => carrier.stop());
  const daemon = await startTestDaemon({ carrierPort: carrier.port, botPort: 9 });
  onCleanup(() => daemon.stop());
  return { carrier, daemon };
}

describe('special information tones in early media', () => {
  it('AudioCodes: the call is CANCELled and ends failed with reasonCode error and the intercept reason in under 8 s (answerTimeoutSec 20)', async () => {
    const { carrier, daemon } = await setup(sitPcap);
    const path = notifyPath();
    const started = Date.now();
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551234567', notifyUrl: listener.url(path), answerTimeoutSec: 20 });
    expect(res.status).toBe(200);
    const conversationId = res.json.conversationId as string;
    const delivered = await deliveredOn(listener, path, 1);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(bodies(delivered)).toEqual([
      { conversationId, status: 'failed', reasonCode: 'error', reason: 'sit: special information tone in early media', trunk: 'carrier1', attempts: [{ trunk: 'carrier1', status: 487, reason: 'Request Terminated' }] },
    ]);
    expect(carrier.received('CANCEL')).toBeDefined();
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record).toMatchObject({ conversationId, status: 'failed', reasonCode: 'error', reason: 'sit: special information tone in early media' });
    // The tones start 1 s into the early media and take ~1 s: the call ends seconds in, not at 20 s.
    expect(record.connectDurationMs).toBeGreaterThan(1500);
    expect(record.connectDurationMs).toBeLessThan(8000);
  });

  it('Kore: the call ends Failed with the SIP reason phrase as reasonCode and the intercept reason', async () => {
    const { carrier, daemon } = await setup(sitPcap);
    const path = notifyPath();
    const started = Date.now();
    const res = await dialoutKore(daemon.url, 'Bot1', { target: 'tel:+15551234567', caller: '+15550001111', notifyurl: listener.url(path), timeoutInMs: 20000 });
    expect(res.status).toBe(200);
    const { conversationId } = res.json as Record<string, string>;
    const delivered = await deliveredOn(listener, path, 1);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(bodies(delivered)[0]).toMatchObject({ conversationId, status: 'Failed', reasonCode: 'Request Terminated', reason: 'sit: special information tone in early media' });
    expect(carrier.received('CANCEL')).toBeDefined();
  });
});

describe('a recorded announcement in early media (no SIT)', () => {
  it('AudioCodes: the call is CANCELled and ends failed with reasonCode error and the announcement reason in under 8 s (answerTimeoutSec 20)', async () => {
    const { carrier, daemon } = await setup(announcementPcap);
    const path = notifyPath();
    const started = Date.now();
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551234567', notifyUrl: listener.url(path), answerTimeoutSec: 20 });
    expect(res.status).toBe(200);
    const conversationId = res.json.conversationId as string;
    const delivered = await deliveredOn(listener, path, 1);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(bodies(delivered)).toEqual([
      {
        conversationId,
        status: 'failed',
        reasonCode: 'error',
        reason: 'announcement: intercept announcement in early media',
        trunk: 'carrier1',
        attempts: [{ trunk: 'carrier1', status: 487, reason: 'Request Terminated' }],
      },
    ]);
    expect(carrier.received('CANCEL')).toBeDefined();
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record).toMatchObject({ conversationId, status: 'failed', reasonCode: 'error', reason: 'announcement: intercept announcement in early media' });
    expect(record.connectDurationMs).toBeLessThan(8000);
  });

  it('Kore: the call ends Failed with the SIP reason phrase as reasonCode and the announcement reason', async () => {
    const { carrier, daemon } = await setup(announcementPcap);
    const path = notifyPath();
    const res = await dialoutKore(daemon.url, 'Bot1', { target: 'tel:+15551234567', caller: '+15550001111', notifyurl: listener.url(path), timeoutInMs: 20000 });
    expect(res.status).toBe(200);
    const delivered = await deliveredOn(listener, path, 1);
    expect(bodies(delivered)[0]).toMatchObject({ status: 'Failed', reasonCode: 'Request Terminated', reason: 'announcement: intercept announcement in early media' });
    expect(carrier.received('CANCEL')).toBeDefined();
  });
});

describe('ringback in early media', () => {
  it('keeps waiting through 10 s of ringback and the call is answered', async () => {
    const carrier = await startE2eSipp({ scenario: 'carrier-early-media-answer-bye', audioPcap: ringbackPcap, ringMs: 10_000, byeAfterMs: 1000 });
    onCleanup(() => carrier.stop());
    const bot = await startE2eSipp({ scenario: 'bot-answer', audioPcap: sitPcap });
    onCleanup(() => bot.stop());
    const daemon = await startTestDaemon({ carrierPort: carrier.port, botPort: bot.port });
    onCleanup(() => daemon.stop());
    const path = notifyPath();
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551234567', notifyUrl: listener.url(path), answerTimeoutSec: 20, machineDetection: 'disabled' });
    expect(res.status).toBe(200);
    const [answered, completed] = bodies(await deliveredOn(listener, path, 2, 25_000));
    expect(answered).toMatchObject({ status: 'answered' });
    expect(completed).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    expect(carrier.received('CANCEL')).toBeUndefined();
    const result = await carrier.done;
    expect(result.exitCode, result.errors).toBe(0);
  });
});
