import { afterEach, describe, expect, it } from 'vitest';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';
import { headerValues, RawSipPeer, statusOf } from './raw-sip.js';

let env: EdgeWithSrf | undefined;
let peer: RawSipPeer | undefined;
afterEach(async () => {
  await stopAllSipp();
  await peer?.close();
  peer = undefined;
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

  it('takes an INVITE that requires 100rel (RFC 3262 §3): answered 100 then 200, an unreliable 180 refused to the app', async () => {
    env = await startEdgeWithSrf();
    peer = await RawSipPeer.open([0]);
    const target = env.sipTarget;
    const ringRefused = new Promise<string>((resolve, reject) => {
      env!.srf.invite((req: any, res: any) => {
        // drachtio-srf passes the edge's refusal text as the error.
        res.send(180, (err: unknown) => {
          resolve(typeof err === 'string' ? err : err ? 'refused without a reason' : 'sent');
          env!.srf.createUAS(req, res, { localSdp: offer }).catch(reject);
        });
      });
    });
    const invite = [
      `INVITE sip:bot1@${target} SIP/2.0`,
      `Via: SIP/2.0/UDP ${peer.address}:${peer.port};branch=z9hG4bK-rel100`,
      `From: <sip:dialer@${peer.address}>;tag=d1`,
      `To: <sip:bot1@${target}>`,
      'Call-ID: rel100-inbound',
      'CSeq: 1 INVITE',
      `Contact: <sip:dialer@${peer.address}:${peer.port}>`,
      'Max-Forwards: 70',
      'Supported: 100rel',
      'Require: 100rel',
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(offer)}`,
      '',
      offer,
    ].join('\r\n');
    peer.send(invite, target);
    expect(await ringRefused).toMatch(/requires 100rel/);
    const ok = await peer.waitFor((m) => statusOf(m)?.status === 200);
    expect(ok).toContain('m=audio');
    // Only 100 Trying came before the answer: no provisional went unreliably, and none was refused with 420.
    const answers = peer.received.filter((m) => statusOf(m) !== undefined).map((m) => statusOf(m)!.status);
    expect(answers).toEqual([100, 200]);
    // OPTIONS says 100rel is supported.
    const options = await peer.statelessAnswersTo(peer.options(target, 'rel100-options'), target, 'rel100-options');
    expect(headerValues(options[0]!, 'Supported')[0]).toMatch(/\b100rel\b/);
  });
});
