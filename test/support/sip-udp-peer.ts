// A bare SIP peer on a UDP socket, for tests of the SIP edge itself: it answers every request it receives
// with 200 OK (Via, From, To, Call-ID and CSeq copied, RFC 3261 §8.2.6) and can send a request and wait
// for the response. The messages are real datagrams on loopback.
import { createSocket, type Socket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { untilValue } from './until.js';

export interface SipUdpPeer {
  port: number;
  /** Every request received so far, raw. */
  requests(): string[];
  waitForRequest(method: string, timeoutMs?: number): Promise<string>;
  /** Sends a request to host:port and resolves with the first final response's raw text. */
  request(method: string, to: { host: string; port: number }, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

function header(raw: string, name: string): string | undefined {
  const m = new RegExp(`^${name}\\s*:\\s*(.*)$`, 'im').exec(raw);
  return m?.[1]?.trim();
}

export async function startSipUdpPeer(): Promise<SipUdpPeer> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const port = socket.address().port;
  const received: string[] = [];
  const waiting = new Map<string, (raw: string) => void>();
  socket.on('message', (buf, rinfo) => {
    const raw = buf.toString('utf8');
    if (raw.startsWith('SIP/2.0 ')) {
      const status = Number(raw.slice(8, 11));
      const callId = header(raw, 'call-id') ?? header(raw, 'i');
      if (status >= 200 && callId) waiting.get(callId)?.(raw);
      return;
    }
    received.push(raw);
    if (raw.startsWith('ACK ')) return;
    const vias = raw.split(/\r?\n/).filter((l) => /^(via|v)\s*:/i.test(l));
    const to = header(raw, 'to') ?? header(raw, 't') ?? '';
    const response = [
      'SIP/2.0 200 OK',
      ...vias,
      `From: ${header(raw, 'from') ?? header(raw, 'f') ?? ''}`,
      `To: ${/;tag=/.test(to) ? to : `${to};tag=${randomUUID().slice(0, 8)}`}`,
      `Call-ID: ${header(raw, 'call-id') ?? header(raw, 'i') ?? ''}`,
      `CSeq: ${header(raw, 'cseq') ?? ''}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    socket.send(response, rinfo.port, rinfo.address);
  });
  return {
    port,
    requests: () => [...received],
    async waitForRequest(method, timeoutMs = 10_000) {
      const find = () => received.find((r) => r.startsWith(`${method.toUpperCase()} `));
      return (await untilValue(`a ${method} at the SIP peer`, find, (found) => found !== undefined, timeoutMs))!;
    },
    request(method, to, timeoutMs = 5000) {
      const callId = randomUUID();
      const msg = [
        `${method} sip:outdial@${to.host}:${to.port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${randomUUID().slice(0, 12)};rport`,
        'Max-Forwards: 70',
        `From: <sip:carrier@127.0.0.1:${port}>;tag=${randomUUID().slice(0, 8)}`,
        `To: <sip:outdial@${to.host}:${to.port}>`,
        `Call-ID: ${callId}`,
        `CSeq: 1 ${method}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(callId);
          reject(new Error(`no final response to ${method} from ${to.host}:${to.port} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(callId, (raw) => {
          clearTimeout(timer);
          waiting.delete(callId);
          resolve(raw);
        });
        socket.send(msg, to.port, to.host);
      });
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
