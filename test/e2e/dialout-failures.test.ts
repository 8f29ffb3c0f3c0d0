// Unanswered dialouts end to end: a SIPp carrier rejects the INVITE (486, 480, 503, 603, 404) or rings until
// the answer timeout CANCELs it; the dialer's notifyUrl gets exactly one failed notification in its dialect.
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, dialoutKore, getCall } from '../support/daemon.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { allSigned, bodies, callSetup, deliveredOn, finalRecord, notifyPath, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

const RING_MS = 400;
const TARGET = 'tel:+15551234567';

interface Case {
  /** SIP final status the carrier answers, or 'timeout' for a carrier that rings until CANCELled. */
  sip: number | 'timeout';
  audiocodes: { reasonCode: string; reason: string };
  kore: { reasonCode: string; reason: string };
}

const cases: Case[] = [
  { sip: 486, audiocodes: { reasonCode: 'busy', reason: 'SIP ;cause=486 ;text="Busy Here"' }, kore: { reasonCode: 'Busy Here', reason: '486 Busy Here' } },
  {
    sip: 480,
    audiocodes: { reasonCode: 'declined', reason: 'SIP ;cause=480 ;text="Temporarily Unavailable"' },
    kore: { reasonCode: 'Temporarily Unavailable', reason: '480 Temporarily Unavailable' },
  },
  {
    sip: 503,
    audiocodes: { reasonCode: 'error', reason: 'SIP ;cause=503 ;text="Service Unavailable"' },
    kore: { reasonCode: 'Service Unavailable', reason: '503 Service Unavailable' },
  },
  { sip: 603, audiocodes: { reasonCode: 'declined', reason: 'SIP ;cause=603 ;text="Decline"' }, kore: { reasonCode: 'Decline', reason: '603 Decline' } },
  { sip: 404, audiocodes: { reasonCode: 'error', reason: 'SIP ;cause=404 ;text="Not Found"' }, kore: { reasonCode: 'Not Found', reason: '404 Not Found' } },
  { sip: 'timeout', audiocodes: { reasonCode: 'no-answer', reason: 'answer timeout' }, kore: { reasonCode: 'no-answer', reason: '487 Request Terminated' } },
];

function carrierFor(c: Case) {
  return c.sip === 'timeout' ? { scenario: 'carrier-no-answer' as const } : { scenario: 'carrier-reject' as const, status: c.sip, ringMs: RING_MS };
}

describe('AudioCodes dialout that is not answered', () => {
  it('sends one signed "failed" notification with seed 003 reasonCode for 486, 480, 503, 603, 404 and the answer timeout', async () => {
    // One case after another: six daemons starting at once on a 2-core host delayed the handling of a 180 by
    // more than the ring duration's 50 ms tolerance.
    for (const c of cases) {
      const label = `SIP ${c.sip}`;
      const { carrier, daemon } = await callSetup(carrierFor(c));
      const path = notifyPath();
      const res = await dialoutAudiocodes(daemon.url, {
        bot: 'Bot1',
        target: TARGET,
        callerHost: 'acme.example',
        callerDisplayName: 'Acme Sales',
        notifyUrl: listener.url(path),
        answerTimeoutSec: c.sip === 'timeout' ? 1 : 20,
      });
      expect(res.status, label).toBe(200);
      const conversationId = res.json.conversationId as string;

      const delivered = await deliveredOn(listener, path, 1);
      // The one trunk's one attempt: the carrier's status, or 487 for the INVITE outdial CANCELled.
      const attempt = c.sip === 'timeout' ? { trunk: 'carrier1', status: 487, reason: 'Request Terminated' } : { trunk: 'carrier1', status: c.sip, reason: c.kore.reason.replace(/^\d+ /, '') };
      expect(bodies(delivered), label).toEqual([{ conversationId, status: 'failed', ...c.audiocodes, trunk: 'carrier1', attempts: [attempt] }]);
      expect(listener.requests(path), label).toHaveLength(1);
      expect(allSigned(delivered), label).toBe(true);

      const invite = await carrier.waitForRequest('INVITE');
      expect(invite.requestUri, label).toBe(`sip:+15551234567@127.0.0.1:${carrier.port}`);
      expect(invite.header('From'), label).toMatch(/^"Acme Sales" <sip:\+15550001111@acme\.example>;tag=\S+$/);
      if (c.sip === 'timeout') expect(carrier.received('CANCEL'), label).toBeDefined();
      else expect(carrier.received('CANCEL'), label).toBeUndefined();

      const record = await finalRecord(() => getCall(daemon.url, conversationId));
      expect(record, label).toMatchObject({ conversationId, status: 'failed', ...c.audiocodes });
      if (c.sip === 'timeout') {
        // Answer timeout 1 s, all of it ringing.
        expect(record.connectDurationMs, label).toBeGreaterThanOrEqual(950);
        expect(record.connectDurationMs, label).toBeLessThan(3000);
      } else {
        expect(record.sipStatus, label).toBe(c.sip);
        expect(record.ringDurationMs, label).toBeGreaterThanOrEqual(RING_MS - 50);
        expect(record.ringDurationMs, label).toBeLessThan(RING_MS + 1500);
      }
    }
  });
});

describe('Kore dialout that is not answered', () => {
  it('sends one signed "Failed" notification with the seed 000 reason, notifyHeaders and ring duration; Call-ID is the callId', async () => {
    await Promise.all(
      cases.map(async (c) => {
        const label = `SIP ${c.sip}`;
        const { carrier, daemon } = await callSetup(carrierFor(c));
        const path = notifyPath();
        const res = await dialoutKore(daemon.url, 'Bot1', {
          target: TARGET,
          caller: '+15550001111',
          notifyurl: listener.url(path),
          notifyHeaders: { 'x-channel-type': 'X42_IVR', 'event-type': 'x42-ivr-voice-voice-interactions' },
          timeoutInMs: c.sip === 'timeout' ? 1000 : 20000,
        });
        expect(res.status, label).toBe(200);
        const { conversationId, callId, sid } = res.json as Record<string, string>;
        expect(sid, label).toMatch(/^[0-9a-f-]{36}$/);

        const delivered = await deliveredOn(listener, path, 1);
        expect(listener.requests(path), label).toHaveLength(1);
        const [n] = bodies(delivered);
        expect(n, label).toMatchObject({ conversationId, status: 'Failed', ...c.kore });
        expect(n!.callDisconnectTime, label).toBe(n!.callConnectTime);
        expect(Date.parse(n!.callDisconnectTime as string), label).toBeGreaterThan(Date.now() - 30_000);
        expect(allSigned(delivered), label).toBe(true);
        expect(delivered[0]!.headers['x-channel-type'], label).toBe('X42_IVR');
        expect(delivered[0]!.headers['event-type'], label).toBe('x42-ivr-voice-voice-interactions');

        const invite = await carrier.waitForRequest('INVITE');
        expect(invite.header('Call-ID'), label).toBe(callId);
        expect(invite.requestUri, label).toBe(`sip:+15551234567@127.0.0.1:${carrier.port}`);
        expect(invite.header('From'), label).toMatch(/^<sip:\+15550001111@127\.0\.0\.1>;tag=\S+$/);
        if (c.sip === 'timeout') {
          expect(carrier.received('CANCEL')?.header('Call-ID'), label).toBe(callId);
          expect(n!.connectDurationInMS, label).toBeGreaterThanOrEqual(950);
          expect(n!.connectDurationInMS, label).toBeLessThan(3000);
        } else {
          expect(carrier.received('CANCEL'), label).toBeUndefined();
          expect(n!.ringDurationInMS, label).toBeGreaterThanOrEqual(RING_MS - 50);
          expect(n!.ringDurationInMS, label).toBeLessThan(RING_MS + 1500);
          expect(n!.connectDurationInMS, label).toBeGreaterThanOrEqual(n!.ringDurationInMS as number);
        }
        const record = await finalRecord(() => getCall(daemon.url, conversationId!));
        expect(record, label).toMatchObject({ conversationId, callId, sid, status: 'failed', ...c.kore });
      }),
    );
  });
});
