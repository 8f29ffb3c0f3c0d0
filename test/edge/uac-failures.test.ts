import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf;
beforeAll(async () => {
  env = await startEdgeWithSrf();
});
afterEach(() => stopAllSipp());
afterAll(() => env.close());

const finals: Array<[number, string]> = [
  [486, 'Busy Here'],
  [480, 'Temporarily Unavailable'],
  [503, 'Service Unavailable'],
  [603, 'Decline'],
  [404, 'Not Found'],
];

describe('final failure responses reach the app', () => {
  it.each(finals)('%i %s arrives with its status and reason after 180 and 183', async (status, reason) => {
    const sipp = await startSipp({ scenario: 'uas-reject.xml', keys: { statusline: `SIP/2.0 ${status} ${reason}` } });
    const provisional: number[] = [];
    const err = await env.srf
      .createUAC(`sip:bob@${sipp.address}`, { localSdp: offer }, {
        cbProvisional: (res: { status: number }) => provisional.push(res.status),
      })
      .then(() => undefined, (e: { status: number; reason: string }) => e);
    expect(err).toMatchObject({ status, reason });
    expect(provisional).toEqual([180, 183]);
    // SIPp's scenario only ends well once the edge ACKed the failure.
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
  });
});
