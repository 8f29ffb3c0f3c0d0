// Trunk failover end to end, SIPp as the carriers: a carrier failure (503, no response at all) moves the
// call to the next trunk within the same answer timeout; a busy or declining callee (486, 603) ends it
// there; the record and the final notification name every attempt. Caller identity headers reach the
// carrier filled in; a dialout's bad sipHeaders never reach anyone.
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, dialoutKore, getCall, startTestDaemon } from '../support/daemon.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { startSipp } from '../support/sipp.js';
import { bodies, deliveredOn, farEnd, finalRecord, notifyPath, onCleanup, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

const TARGET = 'tel:+15551234567';
const CALLER = '+15550001111';

/** A daemon whose account has trunk `a` (priority 0) and trunk `b` (priority 1), and a bot. */
async function twoTrunks(aPort: number, bPort: number, botPort: number, extra: { a?: Record<string, unknown>; sip?: Record<string, unknown> } = {}) {
  const daemon = await startTestDaemon({
    carrierPort: aPort,
    botPort,
    overrides: {
      ...(extra.sip && { sip: { embedded: extra.sip } }),
      accounts: [
        {
          name: 'acme',
          trunks: [
            { name: 'a', host: '127.0.0.1', port: aPort, priority: 0, ...extra.a },
            { name: 'b', host: '127.0.0.1', port: bPort, priority: 1 },
          ],
        },
      ],
    },
  });
  onCleanup(() => daemon.stop());
  return daemon;
}

const invites = (sipp: { messages(): { direction: string; method: string | undefined }[] }) =>
  sipp.messages().filter((m) => m.direction === 'received' && m.method === 'INVITE').length;

describe('failover across trunks', () => {
  it('a 503 on the first trunk moves the call to the next, answered there; the record and notification name both attempts', async () => {
    const [a, b, bot] = await Promise.all([
      farEnd({ scenario: 'carrier-reject', status: 503 }),
      farEnd({ scenario: 'carrier-answer-audio-bye', audio: 'human', byeAfterMs: 1500 }),
      farEnd({ scenario: 'bot-answer', audio: 'bot' }),
    ]);
    const daemon = await twoTrunks(a.port, b.port, bot.port);
    const path = notifyPath();
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, caller: CALLER, machineDetection: 'disabled', notifyUrl: listener.url(path) });
    expect(res.status).toBe(200);
    const conversationId = res.json.conversationId as string;

    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ conversationId, status: 'answered' });
    const attempts = [
      { trunk: 'a', status: 503, reason: 'Service Unavailable' },
      { trunk: 'b', status: 200, reason: 'OK' },
    ];
    expect(completed).toMatchObject({ conversationId, status: 'completed', reasonCode: 'client-disconnected', trunk: 'b', attempts });
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record).toMatchObject({ status: 'completed', trunk: 'b', attempts, requestUri: `sip:+15551234567@127.0.0.1:${b.port}` });
    expect(invites(a)).toBe(1);
    expect(invites(b)).toBe(1);
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(metrics).toMatch(/outdial_trunk_attempts_total\{account="acme",trunk="a",status="503"\} 1/);
    expect(metrics).toMatch(/outdial_trunk_attempts_total\{account="acme",trunk="b",status="200"\} 1/);
  });

  it('486 and 603 on the first trunk end the call there, without a second INVITE', async () => {
    await Promise.all(
      [
        { status: 486, audiocodes: { reasonCode: 'busy', reason: 'SIP ;cause=486 ;text="Busy Here"' }, reason: 'Busy Here' },
        { status: 603, audiocodes: { reasonCode: 'declined', reason: 'SIP ;cause=603 ;text="Decline"' }, reason: 'Decline' },
      ].map(async (c) => {
        const label = `SIP ${c.status}`;
        const [a, b] = await Promise.all([farEnd({ scenario: 'carrier-reject', status: c.status }), farEnd({ scenario: 'carrier-reject', status: 500 })]);
        const daemon = await twoTrunks(a.port, b.port, 9);
        const path = notifyPath();
        const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, caller: CALLER, notifyUrl: listener.url(path) });
        expect(res.status, label).toBe(200);
        const [failed] = bodies(await deliveredOn(listener, path, 1));
        expect(failed, label).toEqual({
          conversationId: res.json.conversationId,
          status: 'failed',
          ...c.audiocodes,
          trunk: 'a',
          attempts: [{ trunk: 'a', status: c.status, reason: c.reason }],
        });
        expect(invites(a), label).toBe(1);
        expect(invites(b), label).toBe(0);
      }),
    );
  });

  it('a trunk that never answers (Timer B) fails over to the next, within one answer timeout', async () => {
    // T1 of 50 ms: Timer B gives up on a silent trunk after 3.2 s instead of 32 s.
    const silent = await startSipp({ scenario: 'uas-silent.xml', timeoutSeconds: 20 });
    const b = await farEnd({ scenario: 'carrier-reject', status: 486, ringMs: 200 });
    const daemon = await twoTrunks(silent.port, b.port, 9, { sip: { t1Ms: 50 } });
    const path = notifyPath();
    const started = Date.now();
    const res = await dialoutKore(daemon.url, 'Bot1', { target: TARGET, caller: CALLER, notifyUrl: listener.url(path), timeoutInMs: 10000 });
    expect(res.status).toBe(200);
    const [failed] = bodies(await deliveredOn(listener, path, 1, 15_000));
    expect(failed).toMatchObject({
      status: 'Failed',
      reason: '486 Busy Here',
      trunk: 'b',
      attempts: [
        { trunk: 'a', status: 408, reason: 'Request Timeout' },
        { trunk: 'b', status: 486, reason: 'Busy Here' },
      ],
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(elapsed).toBeLessThan(10000);
    expect(invites(b)).toBe(1);
  });

  it('an answer timeout counts for the whole call: a failover does not start it again', async () => {
    const silent = await startSipp({ scenario: 'uas-silent.xml', timeoutSeconds: 20 });
    const b = await farEnd({ scenario: 'carrier-no-answer' });
    const daemon = await twoTrunks(silent.port, b.port, 9, { sip: { t1Ms: 20 } });
    const path = notifyPath();
    const started = Date.now();
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, caller: CALLER, notifyUrl: listener.url(path), answerTimeoutSec: 3 });
    expect(res.status).toBe(200);
    const [failed] = bodies(await deliveredOn(listener, path, 1));
    // Timer B on a after 1.28 s, then b rings until the call's 3 s are up.
    expect(failed).toMatchObject({
      status: 'failed',
      reasonCode: 'no-answer',
      trunk: 'b',
      attempts: [
        { trunk: 'a', status: 408, reason: 'Request Timeout' },
        { trunk: 'b', status: 487, reason: 'Request Terminated' },
      ],
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2900);
    expect(elapsed).toBeLessThan(4500);
  });
});

describe('caller identity on the carrier', () => {
  it("the trunk's P-Asserted-Identity template arrives filled in, with Privacy, fromHost and the dialout's sipHeaders", async () => {
    const carrier = await farEnd({ scenario: 'carrier-reject', status: 486 });
    const daemon = await startTestDaemon({
      carrierPort: carrier.port,
      botPort: 9,
      overrides: {
        accounts: [
          {
            name: 'acme',
            trunks: [
              {
                name: 'pai',
                host: '127.0.0.1',
                port: carrier.port,
                default: true,
                headers: { 'P-Asserted-Identity': '<sip:{caller}@carrier.example>', 'X-Ref': '{conversationId}/{target}' },
                privacy: 'id',
                fromHost: 'carrier.example',
              },
            ],
          },
        ],
      },
    });
    onCleanup(() => daemon.stop());
    const res = await dialoutAudiocodes(daemon.url, {
      bot: 'Bot1',
      target: TARGET,
      caller: CALLER,
      sipHeaders: { 'X-Campaign': 'spring', Identity: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln;info=<https://cert.example/c.pem>' },
    });
    expect(res.status).toBe(200);
    const invite = await carrier.waitForRequest('INVITE');
    expect(invite.header('P-Asserted-Identity')).toBe('<sip:+15550001111@carrier.example>');
    expect(invite.header('X-Ref')).toBe(`${res.json.conversationId}/+15551234567`);
    expect(invite.header('Privacy')).toBe('id');
    expect(invite.header('From')).toMatch(/^<sip:\+15550001111@carrier\.example>;tag=/);
    expect(invite.header('X-Campaign')).toBe('spring');
    expect(invite.header('Identity')).toBe('eyJhbGciOiJFUzI1NiJ9.e30.c2ln;info=<https://cert.example/c.pem>');
    expect(invite.header('X-Conversation-Id')).toBe(res.json.conversationId);
  });

  it('a bad sipHeaders name is answered 400 and no INVITE leaves', async () => {
    const carrier = await farEnd({ scenario: 'carrier-reject', status: 486 });
    const daemon = await startTestDaemon({ carrierPort: carrier.port, botPort: 9 });
    onCleanup(() => daemon.stop());
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: TARGET, caller: CALLER, sipHeaders: { Route: '<sip:evil.example;lr>' } });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^sipHeaders must have header names as keys that are X-\* or P-\* names or Identity/);
    // A fixed wait on purpose: time for an INVITE to reach the carrier, had one been sent.
    await new Promise((r) => setTimeout(r, 300));
    expect(carrier.received('INVITE')).toBeUndefined();
  });
});
