import { afterEach, describe, expect, it } from 'vitest';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf | undefined;
afterEach(async () => {
  await stopAllSipp();
  await env?.close();
  env = undefined;
});

describe('srf.createUAC through the embedded edge to a SIPp UAS', () => {
  it('is answered with SDP and hung up by us', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-answer.xml' });
    const provisional: number[] = [];
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, { localSdp: offer }, {
      cbProvisional: (res: { status: number }) => provisional.push(res.status),
    });
    expect(dialog.remote.sdp).toContain('m=audio');
    expect(provisional).toContain(180);
    await dialog.destroy();
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    expect(env.edge.dialogCount).toBe(0);
  });

  it('is answered and hung up by the callee', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-answer-then-bye.xml' });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, { localSdp: offer });
    expect(dialog.remote.sdp).toContain('a=rtpmap:0 PCMU/8000');
    await new Promise<void>((resolve) => dialog.on('destroy', () => resolve()));
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    expect(env.edge.dialogCount).toBe(0);
  });
});
