import { afterEach, describe, expect, it } from 'vitest';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf | undefined;
afterEach(async () => {
  await stopAllSipp();
  await env?.close();
  env = undefined;
});

describe('retransmissions over UDP', () => {
  it('ACKs every copy of a repeated 200 OK (RFC 3261 §13.2.2.4)', async () => {
    env = await startEdgeWithSrf();
    // -nr: SIPp must see each identical ACK as a new message, not swallow it as a retransmission.
    const sipp = await startSipp({ scenario: 'uas-repeat-200.xml', traceMessages: true, args: ['-nr'] });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, { localSdp: offer });
    const destroyed = new Promise<void>((resolve) => dialog.on('destroy', () => resolve()));
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    await destroyed;
    const acks = result.messages.match(/^ACK sip:/gm) ?? [];
    expect(acks).toHaveLength(3);
    expect(env.edge.dialogCount).toBe(0);
  });

  it('retransmits an INVITE the far end did not answer, and the call then succeeds', async () => {
    env = await startEdgeWithSrf({ timers: { T1: 100 } });
    const sipp = await startSipp({ scenario: 'uas-ignore-first-invite.xml', traceMessages: true, args: ['-nr'] });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, { localSdp: offer });
    expect(dialog.remote.sdp).toContain('m=audio');
    await dialog.destroy();
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    // The same INVITE twice: the original SIPp ignored and the Timer A retransmission it answered.
    expect(result.messages.match(/^INVITE sip:/gm)).toHaveLength(2);
    const branches = [...result.messages.matchAll(/^INVITE sip:[\s\S]*?^Via: .*branch=([^;\s]+)/gm)].map((m) => m[1]);
    expect(new Set(branches).size).toBe(1);
  });
});
