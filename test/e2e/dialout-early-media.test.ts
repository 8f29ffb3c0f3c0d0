// Early media end to end: a SIPp carrier answers the INVITE with 183 Session Progress and SDP, streams an
// intercept's special information tones and never answers; outdial hears them, CANCELs, and the dialer gets
// one failed notification naming the intercept long before answerTimeoutSec.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rtpPcap } from '../../demo/audio-container.js';
import { encodePcmu } from '../../src/media/index.js';
import { concat, silence, syllables, tone } from '../amd/signals.js';
import { onCleanup } from '../support/cleanup.js';
import { dialoutAudiocodes, dialoutKore, getCall, startTestDaemon } from '../support/daemon.js';
import { startE2eSipp } from '../support/e2e-sipp.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { bodies, deliveredOn, finalRecord, notifyPath, useCleanup } from './dialout-fixture.js';

useCleanup();
let listener: NotifyListener;
let sitPcap: string;
beforeAll(async () => {
  listener = await startNotifyListener();
  // An intercept: 1 s of line silence, SIT (913.8 / 1370.6 / 1776.7 Hz), then the announcement, twice.
  const intercept = concat(tone(913.8, 274, -14), tone(1370.6, 274, -14), tone(1776.7, 380, -14), silence(300), syllables(12), silence(1000));
  const audio = concat(silence(1000), intercept, intercept);
  const dir = mkdtempSync(join(tmpdir(), 'early-media-'));
  sitPcap = join(dir, 'sit.pcap');
  writeFileSync(sitPcap, rtpPcap(encodePcmu(audio), 0));
});
afterAll(async () => {
  await listener.close();
});

async function setup() {
  const carrier = await startE2eSipp({ scenario: 'carrier-early-media', audioPcap: sitPcap });
  onCleanup(() => carrier.stop());
  const daemon = await startTestDaemon({ carrierPort: carrier.port, botPort: 9 });
  onCleanup(() => daemon.stop());
  return { carrier, daemon };
}

describe('special information tones in early media', () => {
  it('AudioCodes: the call is CANCELled and ends failed with reasonCode error and the intercept reason in under 8 s (answerTimeoutSec 20)', async () => {
    const { carrier, daemon } = await setup();
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
    const { carrier, daemon } = await setup();
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
