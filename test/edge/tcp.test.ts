import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { startSipp, stopAllSipp } from '../support/sipp.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf | undefined;
afterEach(async () => {
  await stopAllSipp();
  await env?.close();
  env = undefined;
});

/** Messages SIPp sent or received, as the -trace_msg log shows them, with the transport it names. */
function tracedMessages(log: string): Array<{ transport: string; text: string }> {
  const out: Array<{ transport: string; text: string }> = [];
  const parts = log.split(/^-{5,} .*\n(UDP|TCP) message (?:sent|received).*$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) out.push({ transport: parts[i]!, text: parts[i + 1]!.trim() });
  return out;
}

describe('SIP over TCP', () => {
  it('places a call to a SIPp UAS over TCP, hung up by us', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-answer.xml', transport: 'tcp', traceMessages: true });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address};transport=tcp`, { localSdp: offer });
    expect(dialog.remote.sdp).toContain('m=audio');
    await dialog.destroy();
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    const messages = tracedMessages(result.messages);
    expect(messages.map((m) => m.text.split('\r\n')[0]!.split(' ')[0])).toEqual(['INVITE', 'SIP/2.0', 'SIP/2.0', 'ACK', 'BYE', 'SIP/2.0']);
    expect(new Set(messages.map((m) => m.transport))).toEqual(new Set(['TCP']));
    const invite = messages[0]!.text;
    expect(invite).toMatch(/^Via: SIP\/2\.0\/TCP /m);
    expect(invite).toMatch(/^Contact: <sip:[^>]*;transport=tcp>/m);
    expect(env.edge.dialogCount).toBe(0);
  });

  it('takes the far end BYE over the same TCP connection', async () => {
    env = await startEdgeWithSrf();
    const sipp = await startSipp({ scenario: 'uas-answer-then-bye.xml', transport: 'tcp' });
    const dialog = await env.srf.createUAC(`sip:bob@${sipp.address};transport=tcp`, { localSdp: offer });
    const ended = new Promise<void>((resolve) => dialog.on('destroy', () => resolve()));
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    await ended;
    expect(env.edge.dialogCount).toBe(0);
  });

  it('answers an inbound INVITE from a SIPp UAC over TCP', async () => {
    env = await startEdgeWithSrf();
    const srf = env.srf;
    const ended = new Promise<string>((resolve, reject) => {
      srf.invite((req: any, res: any) => {
        srf
          .createUAS(req, res, { localSdp: offer })
          .then((dialog: any) => dialog.on('destroy', () => resolve(req.protocol)))
          .catch(reject);
      });
    });
    const sipp = await startSipp({
      scenario: 'uac-call.xml',
      remote: env.sipTarget,
      service: 'bot1',
      transport: 'tcp',
      traceMessages: true,
    });
    expect(await ended).toBe('tcp');
    const result = await sipp.done;
    expect(result.exitCode, result.errors).toBe(0);
    const answer = tracedMessages(result.messages).find((m) => m.text.startsWith('SIP/2.0 200') && /CSeq: 1 INVITE/.test(m.text));
    expect(answer?.transport).toBe('TCP');
    expect(answer?.text).toMatch(/^Contact: <sip:[^>]*;transport=tcp>/m);
  });

  it('reports a TCP peer that refuses the connection to the app as 503 at once, not after Timer B', async () => {
    env = await startEdgeWithSrf();
    const nobody = await freePort();
    const err = await env.srf
      .createUAC(`sip:bob@127.0.0.1:${nobody};transport=tcp`, { localSdp: offer })
      .then(() => undefined, (e: { status: number }) => e);
    expect(err).toMatchObject({ status: 503 });
    expect(env.edge.pendingTransactions).toBe(0);
  });
});
