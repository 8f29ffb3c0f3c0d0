import { afterEach, describe, expect, it } from 'vitest';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf | undefined;
afterEach(async () => {
  await stopAllSipp();
  await env?.close();
  env = undefined;
});

describe('an inbound INVITE from a SIPp UAC', () => {
  it('reaches srf.invite(), is answered, and is torn down by the caller', async () => {
    env = await startEdgeWithSrf();
    const srf = env.srf;
    const ended = new Promise<{ calledNumber: string; sdp: string }>((resolve, reject) => {
      srf.invite((req: any, res: any) => {
        srf
          .createUAS(req, res, { localSdp: offer })
          .then((dialog: any) => dialog.on('destroy', () => resolve({ calledNumber: req.calledNumber, sdp: req.body })))
          .catch(reject);
      });
    });
    const sipp = await startSipp({ scenario: 'uac-call.xml', remote: env.sipTarget, service: 'bot1' });
    const call = await ended;
    expect(call.calledNumber).toBe('bot1');
    expect(call.sdp).toContain('m=audio');
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    expect(env.edge.dialogCount).toBe(0);
  });

  it('reports a CANCEL of the ringing INVITE to the app', async () => {
    env = await startEdgeWithSrf();
    const cancelled = new Promise<string>((resolve) => {
      env!.srf.invite((req: any, res: any) => {
        req.on('cancel', (msg: { method: string }) => resolve(msg.method));
        res.send(180);
      });
    });
    const sipp = await startSipp({ scenario: 'uac-cancel.xml', remote: env.sipTarget, service: 'bot1' });
    expect(await cancelled).toBe('CANCEL');
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
  });
});
