import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedEdge, defaultTimers, transactionTimeout } from '../../src/edge/index.js';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf | undefined;
afterEach(async () => {
  await stopAllSipp();
  await env?.close();
  env = undefined;
});

describe('an INVITE nobody answers', () => {
  it('is CANCELed by the app and ends with 487', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-ring-until-cancel.xml' });
    let request: { cancel(): void } | undefined;
    const err = await env.srf
      .createUAC(`sip:bob@${sipp.address}`, { localSdp: offer }, {
        // drachtio-srf calls cbRequest(err, req) although its typings declare cbRequest(req).
        cbRequest: ((_e: unknown, req: { cancel(): void }) => (request = req)) as any,
        cbProvisional: () => request?.cancel(),
      })
      .then(() => undefined, (e: { status: number }) => e);
    expect(err).toMatchObject({ status: 487 });
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
  });

  it('times out with Timer B and the app gets 408, after the INVITE was retransmitted', async () => {
    env = await startEdgeWithSrf({ timers: { T1: 50 } });
    const sipp = await startSipp({ scenario: 'uas-silent.xml', traceMessages: true });
    const err = await env.srf
      .createUAC(`sip:bob@${sipp.address}`, { localSdp: offer })
      .then(() => undefined, (e: { status: number }) => e);
    expect(err).toMatchObject({ status: 408 });
    const result = await sipp.stop();
    // Timer A doubles from 50 ms within Timer B's 3.2 s: the first INVITE and 5 retransmissions reach SIPp.
    const invites = result.messages.match(/^INVITE sip:/gm) ?? [];
    expect(invites.length).toBeGreaterThanOrEqual(6);
  });

  it('uses RFC 3261 defaults: T1 500 ms and Timer B 64*T1', () => {
    const edge = new EmbeddedEdge({ sip: { host: '127.0.0.1', port: 0 } });
    expect(edge.timers).toEqual(defaultTimers);
    expect(edge.timers.T1).toBe(500);
    expect(transactionTimeout(edge.timers)).toBe(64 * 500);
  });
});
