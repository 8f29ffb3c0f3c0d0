import Srf from 'drachtio-srf';
import { EmbeddedEdge, type EmbeddedEdgeOptions } from '../../src/edge/index.js';
import { runSipp, startSipp, type SippResult } from '../support/sipp.js';

export interface EdgeWithSrf {
  edge: EmbeddedEdge;
  srf: Srf;
  /** "127.0.0.1:<port>" of the edge's SIP side. */
  sipTarget: string;
  close(): Promise<void>;
}

/** An embedded edge on a free loopback port with an unmodified drachtio-srf connected to it. */
export async function startEdgeWithSrf(options: Partial<EmbeddedEdgeOptions> = {}): Promise<EdgeWithSrf> {
  const edge = new EmbeddedEdge({ sip: { host: '127.0.0.1', port: 0 }, ...options });
  const { sip, wire } = await edge.start();
  const srf = new Srf();
  await new Promise<void>((resolve, reject) => {
    // connect() returns nothing at runtime (its typed promise never comes): the outcome is an event.
    void srf.connect({ host: wire.host, port: wire.port, secret: wire.secret });
    srf.once('connect', (err: Error | undefined) => (err ? reject(err) : resolve()));
    srf.once('error', reject);
  });
  return {
    edge,
    srf,
    sipTarget: `${sip.address}:${sip.port}`,
    close: async () => {
      srf.disconnect();
      await edge.close();
    },
  };
}

export const offer = [
  'v=0',
  'o=outdial 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

/**
 * One call in (SIPp calls bot1, which the test's app answers) and one call out (to a SIPp UAS, hung up at
 * once), one after the other: what a test runs after hostile input to show the edge still takes and places
 * calls. Returns both SIPp results (exit code 0 = the call went as its scenario says).
 */
export async function callInAndOut(env: EdgeWithSrf): Promise<{ inbound: SippResult; outbound: SippResult }> {
  const inbound = await runSipp({ scenario: 'uac-call.xml', remote: env.sipTarget, service: 'bot1' });
  const uas = await startSipp({ scenario: 'uas-answer.xml' });
  const dialog = await env.srf.createUAC(`sip:bob@${uas.address}`, { localSdp: offer });
  await dialog.destroy();
  return { inbound, outbound: await uas.done };
}
