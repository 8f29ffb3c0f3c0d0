// A strict carrier that requires 100rel (RFC 3262) end to end: its 183 is sent reliably and it answers only
// once our PRACK arrives inside the early dialog (test/e2e/sipp/carrier-100rel-answer-bye.xml checks Call-ID, To
// tag and RAck, and fails without one). Runs on both SIP edges (test:stack runs it against a drachtio-server).
import { describe, expect, it } from 'vitest';
import { dialoutKore } from '../support/daemon.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { bodies, callSetup, deliveredOn, notifyPath, placeDialout, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

const strictCarrier = () =>
  callSetup({ scenario: 'carrier-100rel-answer-bye', audio: 'human', ringMs: 300, byeAfterMs: 1500 }, { bot: { scenario: 'bot-answer', audio: 'bot' } });

describe('a carrier that requires 100rel', () => {
  it('AudioCodes: the reliable 183 is PRACKed in its early dialog, the call is answered and completes', async () => {
    const { carrier, daemon } = await strictCarrier();
    const { path } = await placeDialout(daemon.url, listener);
    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ status: 'answered' });
    expect(completed).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected', attempts: [{ trunk: 'carrier1', status: 200, reason: 'OK' }] });
    const invite = await carrier.waitForRequest('INVITE');
    expect(invite.header('Supported')).toMatch(/\b100rel\b/);
    const prack = await carrier.waitForRequest('PRACK');
    expect(prack.header('Call-ID')).toBe(invite.header('Call-ID'));
    expect(prack.header('RAck')).toBe(`1 ${invite.header('CSeq')!.split(' ')[0]} INVITE`);
    const result = await carrier.done;
    expect(result.exitCode, result.errors).toBe(0);
  });

  it('Kore: the call is answered and completes', async () => {
    const { carrier, daemon } = await strictCarrier();
    const path = notifyPath();
    const res = await dialoutKore(daemon.url, 'Bot1', { target: 'tel:+15551234567', caller: '+15550001111', notifyurl: listener.url(path), machineDetection: 'disabled' });
    expect(res.status).toBe(200);
    const delivered = bodies(await deliveredOn(listener, path, 2));
    expect(delivered[0]).toMatchObject({ status: 'Answered' });
    const result = await carrier.done;
    expect(result.exitCode, result.errors).toBe(0);
  });
});
