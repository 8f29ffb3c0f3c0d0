// A carrier that forks the INVITE, both forks requiring 100rel (RFC 3262), end to end: each fork's reliable 183
// must be PRACKed in that fork's own early dialog (test/e2e/sipp/carrier-100rel-forked-answer-bye.xml checks the
// To tag and RAck of each PRACK and fails without them), fork B answers, and fork A's late 200 is ACKed and
// ended with a BYE (RFC 3261 §13.2.2.4) while the call goes on with fork B and completes.
import { describe, expect, it } from 'vitest';
import { useNotifyListener } from '../support/notify-listener.js';
import { bodies, callSetup, deliveredOn, placeDialout, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

describe('a forking carrier whose forks require 100rel', () => {
  it('each fork is PRACKed in its own early dialog, the answering fork carries the call, the other is ended', async () => {
    const { carrier, daemon } = await callSetup(
      { scenario: 'carrier-100rel-forked-answer-bye', audio: 'human', ringMs: 300, byeAfterMs: 1500 },
      { bot: { scenario: 'bot-answer', audio: 'bot' } },
    );
    const { path } = await placeDialout(daemon.url, listener);
    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ status: 'answered' });
    expect(completed).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected', attempts: [{ trunk: 'carrier1', status: 200, reason: 'OK' }] });
    const result = await carrier.done;
    expect(result.exitCode, result.errors).toBe(0);
    const invite = await carrier.waitForRequest('INVITE');
    const inviteSeq = invite.header('CSeq')!.split(' ')[0];
    const pracks = carrier.messages().filter((m) => m.direction === 'received' && m.method === 'PRACK');
    expect(pracks.map((p) => /tag=\d+(F[AB])\d+/.exec(p.header('To') ?? '')?.[1])).toEqual(['FA', 'FB']);
    expect(pracks.map((p) => p.header('RAck'))).toEqual([`1 ${inviteSeq} INVITE`, `1 ${inviteSeq} INVITE`]);
    expect(pracks.every((p) => p.header('Call-ID') === invite.header('Call-ID'))).toBe(true);
    // Fork A's dialog is ended by the edge, after its PRACK's CSeq; fork B's by the carrier's own BYE.
    const byes = carrier.messages().filter((m) => m.direction === 'received' && m.method === 'BYE');
    expect(byes.map((b) => /tag=\d+(F[AB])\d+/.exec(b.header('To') ?? '')?.[1])).toEqual(['FA']);
    expect(byes[0]!.header('CSeq')).toBe(`${Number(inviteSeq) + 2} BYE`);
  });
});
