// The embedded edge's TLS listener holds to the same limits as TCP: connections per source and in total
// (counted before the handshake), a deadline for the handshake and the first message, the largest message.
// A request that arrives over TLS is answered on its connection.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, type TestCertificate } from '../support/tls-certs.js';
import { until } from '../support/until.js';
import { offer, startEdgeWithSrf, type EdgeWithSrf } from './harness.js';
import type { TcpLimits } from '../../src/edge/index.js';

let env: EdgeWithSrf | undefined;
const opened: Socket[] = [];
let cert: TestCertificate;
beforeAll(() => {
  cert = makeCertificate('edge.test');
});
afterEach(async () => {
  for (const s of opened.splice(0)) s.destroy();
  await env?.close();
  env = undefined;
});


async function tlsEdge(limits: Partial<TcpLimits> = {}): Promise<{ env: EdgeWithSrf; port: number }> {
  env = await startEdgeWithSrf({ sip: { host: '127.0.0.1', port: 0, tcpLimits: limits, tls: { port: 0, credentials: { cert: cert.cert, key: cert.key } } } });
  return { env, port: env.edge.tlsPort! };
}

function rawOpen(port: number, localAddress: string): Promise<Socket> {
  const socket = tcpConnect({ host: '127.0.0.1', port, localAddress });
  opened.push(socket);
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

function tlsOpen(port: number): Promise<TLSSocket> {
  const socket = tlsConnect({ host: '127.0.0.1', port, ca: cert.cert });
  opened.push(socket);
  socket.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    socket.once('secureConnect', () => resolve(socket));
    socket.once('close', () => reject(new Error('closed before the handshake')));
  });
}

describe('SIP over TLS on the embedded edge', () => {
  it('counts connections against the limits before their handshake, and closes those that never finish it', async () => {
    const { env, port } = await tlsEdge({ maxConnections: 5, maxConnectionsPerSource: 3, messageDeadlineMs: 600 });
    await Promise.all(Array.from({ length: 5 }, () => rawOpen(port, '127.0.0.2')));
    await until('5 connections seen', () => env.edge.tcpConnections.open + env.edge.tcpConnections.refused >= 5, 5000);
    expect(env.edge.tcpConnections).toEqual({ open: 3, refused: 2 });
    await Promise.all(Array.from({ length: 4 }, () => rawOpen(port, '127.0.0.3')));
    await until('9 connections seen', () => env.edge.tcpConnections.open + env.edge.tcpConnections.refused >= 9, 5000);
    expect(env.edge.tcpConnections).toEqual({ open: 5, refused: 4 });
    // None of them began a handshake: all closed at the deadline.
    await until('every connection closed at the deadline', () => env.edge.tcpConnections.open === 0, 3000);
  });

  it('closes a connection that completes its handshake but sends nothing, and one announcing a message too large', async () => {
    const { env, port } = await tlsEdge({ messageDeadlineMs: 500 });
    const silent = await tlsOpen(port);
    const started = Date.now();
    await new Promise<void>((resolve) => silent.once('close', () => resolve()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(Date.now() - started).toBeLessThan(2000);

    const big = await tlsOpen(port);
    const closed = new Promise<void>((resolve) => big.once('close', () => resolve()));
    big.write('MESSAGE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-big\r\nContent-Length: 1000000\r\n\r\n');
    big.write(Buffer.alloc(100_000, 'a'));
    await closed;
    expect(env.edge.malformedCount).toBe(1);
  });

  it('answers an INVITE that arrives over TLS on its connection, with a TLS Contact', async () => {
    const { env, port } = await tlsEdge();
    env.srf.invite((req: any, res: any) => {
      env.srf.createUAS(req, res, { localSdp: offer }).catch(() => undefined);
    });
    const socket = await tlsOpen(port);
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    const sdp = offer;
    socket.write(
      [
        `INVITE sip:bot@127.0.0.1:${port};transport=tls SIP/2.0`,
        'Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-tls1',
        'Max-Forwards: 70',
        'From: <sip:caller@127.0.0.1>;tag=a1',
        'To: <sip:bot@127.0.0.1>',
        'Call-ID: tls-inbound-1',
        'CSeq: 1 INVITE',
        'Contact: <sip:caller@127.0.0.1:5999;transport=tls>',
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(sdp)}`,
        '',
        sdp,
      ].join('\r\n'),
    );
    await until('the 200 OK on the TLS connection', () => text.includes('SIP/2.0 200 OK'), 5000);
    expect(text).toMatch(new RegExp(`^Contact: <sip:[^>]*:${port};transport=tls>`, 'm'));
  });
});
