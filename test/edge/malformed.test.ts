import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_DATAGRAM } from '../../src/edge/index.js';
import { stopAllSipp } from '../support/sipp.js';
import { callInAndOut, offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';

let env: EdgeWithSrf;
let socket: Socket;
let received: string[];
let waiters: Array<() => void>;
let invitesSeen: number;

beforeEach(async () => {
  env = await startEdgeWithSrf();
  invitesSeen = 0;
  env.srf.invite((req: any, res: any) => {
    invitesSeen++;
    env.srf.createUAS(req, res, { localSdp: offer }).catch(() => undefined);
  });
  received = [];
  waiters = [];
  socket = createSocket('udp4');
  socket.on('message', (data) => {
    received.push(data.toString('utf8'));
    waiters.shift()?.();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
});

afterEach(async () => {
  await stopAllSipp();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  await env.close();
});

function localPort(): number {
  return socket.address().port;
}

function send(data: string | Buffer): void {
  const [host, port] = env.sipTarget.split(':');
  socket.send(data, Number(port), host);
}

let seq = 0;
/** A request from our raw socket; `omit` drops headers, `body`/`contentLength` shape the body. */
function request(
  method: string,
  opts: { omit?: string[]; contentLength?: string; body?: string; extra?: string[] } = {},
): string {
  seq++;
  const headers: Array<[string, string]> = [
    ['Via', `SIP/2.0/UDP 127.0.0.1:${localPort()};branch=z9hG4bK-raw-${seq}`],
    ['From', `<sip:raw@127.0.0.1:${localPort()}>;tag=raw${seq}`],
    ['To', `<sip:bot@${env.sipTarget}>`],
    ['Call-ID', `raw-call-${seq}`],
    ['CSeq', `1 ${method}`],
    ['Max-Forwards', '70'],
    ['Contact', `<sip:raw@127.0.0.1:${localPort()}>`],
  ];
  const body = opts.body ?? '';
  const lines = headers.filter(([n]) => !opts.omit?.includes(n)).map(([n, v]) => `${n}: ${v}`);
  lines.push(...(opts.extra ?? []));
  if (body) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${opts.contentLength ?? Buffer.byteLength(body)}`);
  return `${method} sip:bot@${env.sipTarget} SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Sends `data`, then an OPTIONS; returns whatever the edge answered to `data`. Loopback UDP keeps order and
 * the edge handles datagrams one at a time, so an answer to `data` would arrive before the OPTIONS' 200.
 */
async function answersTo(data: string | Buffer): Promise<string[]> {
  const before = received.length;
  send(data);
  const probe = request('OPTIONS');
  const probeCallId = /^Call-ID: (.*)$/m.exec(probe)![1]!;
  send(probe);
  while (!received.slice(before).some((m) => m.includes(`Call-ID: ${probeCallId}`))) {
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
  return received.slice(before).filter((m) => !m.includes(`Call-ID: ${probeCallId}`));
}

const statusOf = (m: string | undefined) => /^SIP\/2\.0 (\d{3}) (.*)\r\n/.exec(m ?? '')?.slice(1, 3);

describe('malformed datagrams at the edge', () => {
  it('drops garbage, scraps, unreadable and oversized datagrams without answering', async () => {
    const cases: Array<string | Buffer> = [
      randomBytes(300),
      'this is not a SIP message at all\r\n\r\n',
      'xyz\r\n',
      // No Via: nowhere to send a response (RFC 3261 §18.2.2).
      request('INVITE', { omit: ['Via'], body: offer }),
      // A header line without a colon.
      request('INVITE', { body: offer }).replace('Max-Forwards: 70', 'Max-Forwards 70'),
      // A syntactically fine INVITE padded beyond what the edge reads.
      request('INVITE', { body: offer, extra: [`X-Padding: ${'a'.repeat(MAX_DATAGRAM)}`] }),
    ];
    for (const c of cases) expect(await answersTo(c)).toEqual([]);
    // A CRLF keep-alive is normal traffic, not a malformed message.
    expect(await answersTo('\r\n\r\n')).toEqual([]);
    expect(env.edge.malformedCount).toBe(cases.length);
    expect(invitesSeen).toBe(0);
  });

  it('answers 400 naming the problem to truncated requests and requests missing mandatory headers', async () => {
    const truncated = request('INVITE', { body: offer, contentLength: String(Buffer.byteLength(offer) + 200) });
    const [t] = await answersTo(truncated);
    expect(statusOf(t)?.[0]).toBe('400');
    expect(statusOf(t)?.[1]).toMatch(/truncated/);
    expect(t).toMatch(/^Via: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bK-raw-\d+/m);

    const badLength = await answersTo(request('INVITE', { body: offer, contentLength: 'many' }));
    expect(statusOf(badLength[0])).toEqual(['400', 'bad Content-Length "many"']);

    for (const [header, reason] of [
      ['Call-ID', 'Missing Call-ID header'],
      ['CSeq', 'Missing CSeq header'],
      ['From', 'Missing From header'],
      ['To', 'Missing To header'],
    ] as const) {
      const answers = await answersTo(request('INVITE', { omit: [header], body: offer }));
      expect(answers.map(statusOf)).toEqual([['400', reason]]);
    }
    const mismatch = await answersTo(request('INVITE', { body: offer }).replace('CSeq: 1 INVITE', 'CSeq: 1 BYE'));
    expect(statusOf(mismatch[0])).toEqual(['400', 'CSeq method does not match the request method']);
    expect(invitesSeen).toBe(0);
  });

  it('keeps running: calls in and out succeed right after the bad datagrams', async () => {
    for (const c of [randomBytes(1000), 'garbage\r\n\r\n', request('INVITE', { omit: ['Call-ID'] })]) await answersTo(c);
    expect(env.edge.malformedCount).toBe(3);

    const { inbound, outbound } = await callInAndOut(env);
    expect(inbound.exitCode, inbound.errors).toBe(0);
    expect(invitesSeen).toBe(1);
    expect(outbound.exitCode, outbound.errors).toBe(0);
  });
});
