// A call must not stay up forever: a callee whose RTP stops (its BYE lost on the way) and a call that
// outlives calls.maxCallDurationSec are ended by outdial with a BYE to both legs and a final notification.
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, getCall } from '../support/daemon.js';
import { testMediaMode } from '../support/freeswitch-server.js';
import { startNotifyListener } from '../support/notify-listener.js';
import { callSetup, finalRecord, onCleanup, useCleanup } from './dialout-fixture.js';

useCleanup();

async function listener() {
  const l = await startNotifyListener();
  onCleanup(() => l.close());
  return l;
}

describe('calls that would otherwise never end', () => {
  it('ends a call whose callee stops sending RTP after calls.rtpTimeoutSec', async () => {
    const notify = await listener();
    // The human recording lasts 7.2 s; SIPp then keeps the call up without sending a packet.
    const { carrier, bot, daemon } = await callSetup(
      { scenario: 'carrier-answer-audio', audio: 'human' },
      { bot: { scenario: 'bot-answer', audio: 'bot' }, overrides: { calls: { rtpTimeoutSec: 2 } } },
    );
    const placed = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230007', machineDetection: 'disabled', notifyUrl: notify.url('/rtp') });
    expect(placed.status).toBe(200);
    const final = await notify.waitFor((n) => (n.body as any)?.status === 'completed', 20_000);
    expect(final.body).toMatchObject({ reasonCode: 'error', reason: 'no RTP from the callee for 2 s' });
    // The RTP stopped at about 7.2 s of audio; the call lasted that plus the timeout, not less.
    expect((final.body as any).callDuration).toBeGreaterThanOrEqual(8);
    await carrier.waitForRequest('BYE', 5000);
    await bot!.waitForRequest('BYE', 5000);
    const record = await finalRecord(() => getCall(daemon.url, placed.json.conversationId as string));
    expect(record.media.packetsLost).toBe(0);
    if (testMediaMode() === 'freeswitch') {
      // FreeSWITCH goes on sending its listener silence: nothing is missing on the way to outdial
      expect(record.media.gapMs).toBeLessThan(400);
    } else {
      // the silent socket is declared gap (what AMD would have heard as silence): the 2 s timeout, checked once
      // a second, and the teardown after it
      expect(record.media.gapMs).toBeGreaterThanOrEqual(1500);
      expect(record.media.gapMs).toBeLessThanOrEqual(3500);
    }
  });

  it('ends a call that outlives calls.maxCallDurationSec', async () => {
    const notify = await listener();
    const { carrier, bot, daemon } = await callSetup(
      { scenario: 'carrier-answer-audio', audio: 'voicemail' },
      { bot: { scenario: 'bot-answer', audio: 'bot' }, overrides: { calls: { maxCallDurationSec: 3 } } },
    );
    const placed = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230008', machineDetection: 'disabled', notifyUrl: notify.url('/max') });
    expect(placed.status).toBe(200);
    const final = await notify.waitFor((n) => (n.body as any)?.status === 'completed', 15_000);
    expect(final.body).toMatchObject({ reasonCode: 'error', reason: 'call exceeded maxCallDurationSec (3 s)', callDuration: 3 });
    await carrier.waitForRequest('BYE', 5000);
    await bot!.waitForRequest('BYE', 5000);
  });

  it('ends a bridged call whose bot stops sending RTP after calls.rtpTimeoutSec', async () => {
    const notify = await listener();
    // The bot plays the 7.2 s human recording and then goes quiet; the callee's voicemail goes on to 11.2 s.
    const { carrier, bot, daemon } = await callSetup(
      { scenario: 'carrier-answer-audio', audio: 'voicemail' },
      { bot: { scenario: 'bot-answer', audio: 'human' }, overrides: { calls: { rtpTimeoutSec: 2 } } },
    );
    const placed = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551230009', machineDetection: 'disabled', notifyUrl: notify.url('/bot-rtp') });
    expect(placed.status).toBe(200);
    const final = await notify.waitFor((n) => (n.body as any)?.status === 'completed', 20_000);
    expect(final.body).toMatchObject({ reasonCode: 'error', reason: 'no RTP from the bot for 2 s' });
    await carrier.waitForRequest('BYE', 5000);
    await bot!.waitForRequest('BYE', 5000);
  });
});
