// A carrier reached over SIP/TLS, built on Node's tls server (Debian's SIPp has no TLS): it answers every
// INVITE with 100 and a 200 with SDP, takes the ACK, and after `byeAfterMs` hangs up with a BYE sent on the
// connection the INVITE came in on (RFC 5923 connection reuse). It keeps every message it received.
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { StreamFramer } from '../../src/edge/transport/index.js';

export interface TlsSipPeer {
  port: number;
  /** Start lines and headers of what arrived, in order. */
  received: string[];
  /** TCP connections that completed a TLS handshake. */
  connections: number;
  /** The final response to our BYE, once it came. */
  byeAnswered: Promise<string>;
  close(): Promise<void>;
}

const header = (msg: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(msg)?.[1]?.trim() ?? '';

export async function startTlsSipPeer(options: { cert: string; key: string; byeAfterMs: number }): Promise<TlsSipPeer> {
  const received: string[] = [];
  const sockets = new Set<TLSSocket>();
  let answerBye: (status: string) => void = () => undefined;
  const byeAnswered = new Promise<string>((resolve) => (answerBye = resolve));
  const peer = { port: 0, received, connections: 0, byeAnswered } as TlsSipPeer;
  const server: Server = createServer({ cert: options.cert, key: options.key }, (socket) => {
    peer.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const framer = new StreamFramer();
    socket.on('data', (data: Buffer) => {
      for (const msg of framer.push(data)) {
        received.push(msg);
        onMessage(socket, msg);
      }
    });
  });
  const toTag = randomBytes(4).toString('hex');
  const send = (socket: TLSSocket, lines: string[], body = '') => socket.write([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
  const onMessage = (socket: TLSSocket, msg: string) => {
    const start = msg.slice(0, msg.indexOf('\r\n'));
    if (start.startsWith('SIP/2.0')) {
      if (header(msg, 'CSeq').endsWith('BYE')) answerBye(start);
      return;
    }
    const method = start.split(' ')[0]!;
    const common = [`Via: ${header(msg, 'Via')}`, `From: ${header(msg, 'From')}`, `Call-ID: ${header(msg, 'Call-ID')}`, `CSeq: ${header(msg, 'CSeq')}`];
    if (method === 'INVITE') {
      const to = `To: ${header(msg, 'To')};tag=${toTag}`;
      send(socket, ['SIP/2.0 100 Trying', ...common, `To: ${header(msg, 'To')}`]);
      const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
      send(socket, ['SIP/2.0 200 OK', ...common, to, `Contact: <sip:carrier@127.0.0.1:${peer.port};transport=tls>`, 'Content-Type: application/sdp'], sdp);
      const contact = /<([^>]+)>/.exec(header(msg, 'Contact'))?.[1] ?? '';
      setTimeout(() => {
        if (socket.destroyed) return;
        send(socket, [
          `BYE ${contact} SIP/2.0`,
          `Via: SIP/2.0/TLS 127.0.0.1:${peer.port};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
          'Max-Forwards: 70',
          `From: ${header(msg, 'To')};tag=${toTag}`,
          `To: ${header(msg, 'From')}`,
          `Call-ID: ${header(msg, 'Call-ID')}`,
          'CSeq: 1 BYE',
        ]);
      }, options.byeAfterMs);
    } else if (method !== 'ACK') {
      send(socket, ['SIP/2.0 200 OK', ...common, `To: ${header(msg, 'To')}`]);
    }
  };
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.port = (server.address() as { port: number }).port;
  peer.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return peer;
}
