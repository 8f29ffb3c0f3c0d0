// RFC 4028 session timers on the calls outdial places, end to end: the callee INVITE asks for them
// (sip.sessionExpiresSec), a carrier answering `Session-Expires: 90;refresher=uac` gets a refresh before the 90 s
// are over, and a carrier that never answers that refresh has its call ended with the session-timer reason.
// (A 422: session-timer-422.test.ts.)
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes } from '../support/daemon.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { bodies, callSetup, deliveredOn, notifyPath, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

describe('session timers as the caller', () => {
  it('refreshes a 90 s session before it expires; a carrier that never answers the refresh ends the call session-expired', async () => {
    // T1 50 ms: the unanswered refresh gives up after Timer B (3.2 s) instead of 32 s.
    const { carrier, daemon } = await callSetup(
      { scenario: 'carrier-session-refresh-unanswered', audio: 'human', timeoutSeconds: 100 },
      { bot: { scenario: 'bot-answer', audio: 'bot', timeoutSeconds: 100 }, overrides: { sip: { embedded: { t1Ms: 50 } } } },
    );
    const path = notifyPath();
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'tel:+15551234567', notifyUrl: listener.url(path), machineDetection: 'disabled' });
    expect(res.status).toBe(200);
    const [answered, completed] = bodies(await deliveredOn(listener, path, 2, 75_000));
    expect(answered).toMatchObject({ status: 'answered' });
    expect(completed).toMatchObject({ status: 'completed', reasonCode: 'session-expired', reason: 'SIP session timer expired' });
    // The refresh went half way through the 90 s interval (45 s) and was given up after Timer B (3.2 s): the
    // session ended well before the 90 s were over.
    expect(completed!.callDuration).toBeGreaterThanOrEqual(45);
    expect(completed!.callDuration).toBeLessThan(55);
    // SIPp checked the refresh (Session-Expires 90, our SDP) and the BYE's Reason; its trace is whole once it ended.
    const result = await carrier.done;
    expect(result.exitCode, result.errors).toBe(0);
    const invites = carrier.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE');
    expect(invites[0]!.header('Session-Expires')).toBe('1800');
    expect(invites[0]!.header('Supported')).toMatch(/\btimer\b/);
    expect(invites[1]!.header('Session-Expires')).toMatch(/^90\b/);
    expect(invites[1]!.header('CSeq')).toMatch(/ INVITE$/);
  }, 110_000);
});
