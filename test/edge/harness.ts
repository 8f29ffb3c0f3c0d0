import Srf from 'drachtio-srf';
import { EmbeddedEdge, type EmbeddedEdgeOptions } from '../../src/edge/index.js';

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
