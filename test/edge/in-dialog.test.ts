import type Srf from 'drachtio-srf';
import { afterEach, describe, expect, it } from 'vitest';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf | undefined;
afterEach(async () => {
  await stopAllSipp();
  await env?.close();
  env = undefined;
});

const withPort = (sdp: string, port: number) => sdp.replace(/^m=audio \d+/m, `m=audio ${port}`);

describe('in-dialog INFO and re-INVITE through the edge', () => {
  it('go from the app to SIPp and from SIPp to the app, each answered', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-in-dialog.xml' });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address}`, { localSdp: offer });
    expect(dialog.remote.sdp).toContain('m=audio 6000');

    // drachtio-srf's typings want a whole SrfRequest here; at run time it reads method, headers and body.
    const info = await dialog.request({
      method: 'INFO',
      headers: { 'Content-Type': 'application/dtmf-relay' },
      body: 'Signal=5\r\nDuration=160\r\n',
    } as unknown as Srf.SrfRequest);
    expect(info.status).toBe(200);

    // Events SIPp raises next; listeners go on before our re-INVITE so nothing is missed.
    const infoFromSipp = new Promise<string>((resolve) =>
      dialog.on('info', (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
        res.send(200);
        resolve(req.body);
      }),
    );
    const modifyFromSipp = new Promise<string>((resolve) =>
      dialog.on('modify', (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
        res.send(200, { body: withPort(offer, 40004), headers: { 'Content-Type': 'application/sdp' } });
        resolve(req.body);
      }),
    );
    const ackFromSipp = new Promise<void>((resolve) => dialog.on('ack', () => resolve()));

    const answer = await dialog.modify(withPort(offer, 40002));
    expect(answer).toContain('m=audio 6000');

    expect(await infoFromSipp).toContain('Signal=7');
    expect(await modifyFromSipp).toContain('m=audio 6002');
    await ackFromSipp;
    expect(dialog.remote.sdp).toContain('m=audio 6002');

    await dialog.destroy();
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    expect(env.edge.dialogCount).toBe(0);
  });
});
