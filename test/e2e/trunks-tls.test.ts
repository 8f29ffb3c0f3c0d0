// SIP over TLS end to end, with a carrier reached over TLS (a Node tls peer with a certificate the test makes)
// that answers and hangs up on the connection we opened (RFC 5923).
// On the embedded edge (its own TLS, sip.embedded.tls): a carrier whose certificate is not trusted never sees
// the INVITE and the call fails naming why; a pinned certificate is taken without an authority.
// Behind a drachtio-server (under test:stack; the TLS is drachtio-server's own <tls> config, written by
// test/support/sip-edge-server.ts): the same call through its sips: contact; what it checks, and what not
// (docs/edge-connection.md, "SIP over TLS").
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCall, spawnDaemon, startTestDaemon, testConfigObject } from '../support/daemon.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { freePort } from '../support/ports.js';
import { startSipEdgeServer, testEdgeKind, type SipEdgeServer } from '../support/sip-edge-server.js';
import { makeCertificate, type TestCertificate } from '../support/tls-certs.js';
import { startTlsSipPeer, type TlsSipPeer } from '../support/tls-sip-peer.js';
import { until } from '../support/until.js';
import { trackDaemon } from '../support/cleanup.js';
import { bodies, deliveredOn, farEnd, finalRecord, onCleanup, placeDialout, useCleanup } from './dialout-fixture.js';

useCleanup();
let listener: NotifyListener;
let ours: TestCertificate;
let carrierCert: TestCertificate;
let strangerCert: TestCertificate;
beforeAll(async () => {
  listener = await startNotifyListener();
  ours = makeCertificate('outdial.test');
  carrierCert = makeCertificate('carrier.test');
  strangerCert = makeCertificate('carrier.test');
});
afterAll(async () => {
  await listener.close();
});

async function tlsCarrier(cert: TestCertificate): Promise<TlsSipPeer> {
  const peer = await startTlsSipPeer({ cert: cert.cert, key: cert.key, byeAfterMs: 1500 });
  onCleanup(() => peer.close());
  return peer;
}

/** A daemon listening for TLS with its own certificate, trusting `carrierCert`, its trunk over TLS to `peer`. */
async function tlsDaemon(peer: TlsSipPeer, trunkTls?: Record<string, unknown>) {
  const bot = await farEnd({ scenario: 'bot-answer', audio: 'bot' });
  const daemon = await startTestDaemon({
    carrierPort: peer.port,
    botPort: bot.port,
    overrides: {
      sip: { embedded: { tls: { port: await freePort(), cert: ours.certFile, key: ours.keyFile, ca: carrierCert.certFile } } },
      accounts: [{ name: 'acme', trunks: [{ name: 'carrier1', host: '127.0.0.1', port: peer.port, transport: 'tls', default: true, ...(trunkTls && { tls: trunkTls }) }] }],
    },
  });
  onCleanup(() => daemon.stop());
  return daemon;
}

const dialout = (url: string, fields: Record<string, unknown> = {}) => placeDialout(url, listener, fields);

/** The carrier answered over TLS and its BYE, answered 200 on that connection, ended the call. */
async function expectCompletedByCarrierBye(url: string, peer: TlsSipPeer, path: string, conversationId: string): Promise<void> {
  const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
  expect(answered).toMatchObject({ conversationId, status: 'answered' });
  expect(completed).toMatchObject({ conversationId, status: 'completed', reasonCode: 'client-disconnected', attempts: [{ trunk: 'carrier1', status: 200 }] });
  expect(await peer.byeAnswered).toBe('SIP/2.0 200 OK');
  const record = await finalRecord(() => getCall(url, conversationId));
  expect(record.requestUri).toBe(`sip:+15551234567@127.0.0.1:${peer.port};transport=tls`);
}

/** A sips: target reached over TLS: the INVITE goes to it, and the carrier's BYE ends the completed call. */
async function expectSipsTargetCompletes(url: string, peer: TlsSipPeer): Promise<void> {
  const target = `sips:callee@127.0.0.1:${peer.port}`;
  const { path } = await dialout(url, { target });
  const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
  expect(answered).toMatchObject({ status: 'answered' });
  expect(completed).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
  expect(peer.received.find((m) => m.startsWith('INVITE '))).toMatch(new RegExp(`^INVITE ${target} SIP/2\\.0\r\n`));
  expect(await peer.byeAnswered).toBe('SIP/2.0 200 OK');
}

const behindDrachtio = testEdgeKind() === 'drachtio';

if (!behindDrachtio) describe('trunk over TLS, on the embedded edge (its own TLS: sip.embedded.tls, the trunk\'s tls keys)', () => {
  it('the carrier gets the INVITE over TLS, answers, and its BYE on the same connection ends the call', async () => {
    const peer = await tlsCarrier(carrierCert);
    const daemon = await tlsDaemon(peer);
    const { path, conversationId } = await dialout(daemon.url);

    await expectCompletedByCarrierBye(daemon.url, peer, path, conversationId);

    const invite = peer.received.find((m) => m.startsWith('INVITE '))!;
    expect(invite).toMatch(/^Via: SIP\/2\.0\/TLS 127\.0\.0\.1:\d+;rport;alias;branch=/m);
    const tlsPort = daemon.config.sip.embedded.tls!.port;
    expect(invite).toMatch(new RegExp(`^Contact: <sip:[^>]*127\\.0\\.0\\.1:${tlsPort};transport=tls>`, 'm'));
    expect(peer.received.some((m) => m.startsWith('ACK '))).toBe(true);
    // INVITE, ACK and the BYE's answer all went over the one connection outdial opened.
    expect(peer.connections).toBe(1);
  });

  it('a carrier whose certificate no trusted authority signed never gets the INVITE; the call fails saying so', async () => {
    const peer = await tlsCarrier(strangerCert);
    const daemon = await tlsDaemon(peer);
    const { path, conversationId } = await dialout(daemon.url);

    const [failed] = bodies(await deliveredOn(listener, path, 1));
    expect(failed).toMatchObject({ conversationId, status: 'failed' });
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]).toMatchObject({ trunk: 'carrier1', status: 503 });
    expect(record.attempts[0].reason).toMatch(/^Service Unavailable \(TLS: .*self[- ]signed certificate/);
    expect(peer.received).toEqual([]);
  });

  it('a trunk that pins the certificate by fingerprint takes it without an authority, and refuses any other', async () => {
    const pinned = await tlsCarrier(strangerCert);
    const daemon = await tlsDaemon(pinned, { fingerprint: strangerCert.fingerprint });
    const first = await dialout(daemon.url);
    const [answered] = bodies(await deliveredOn(listener, first.path, 1));
    expect(answered).toMatchObject({ conversationId: first.conversationId, status: 'answered' });

    const other = await tlsCarrier(carrierCert);
    const daemon2 = await tlsDaemon(other, { fingerprint: strangerCert.fingerprint });
    const second = await dialout(daemon2.url);
    const record = await finalRecord(() => getCall(daemon2.url, second.conversationId));
    expect(record.attempts[0].reason).toMatch(/TLS: certificate of 127\.0\.0\.1 has SHA-256 fingerprint [0-9A-F]+, not the pinned one/);
    expect(other.received).toEqual([]);
  });

  it('a sips: target goes to its own host over TLS, verified, and the call completes', async () => {
    const peer = await tlsCarrier(carrierCert);
    const daemon = await tlsDaemon(peer);
    await expectSipsTargetCompletes(daemon.url, peer);
  });
});


/** A drachtio-server with a sips: contact on loopback, our certificate, trusting `chain` (its chain-file; default `carrierCert`). */
async function tlsDrachtio(verifyPeer: boolean, chain = carrierCert.certFile): Promise<SipEdgeServer & { tlsPort: number }> {
  const server = await startSipEdgeServer('drachtio', { tls: { cert: ours.certFile, key: ours.keyFile, chain, verifyPeer } });
  onCleanup(() => server.stop());
  return server as SipEdgeServer & { tlsPort: number };
}

/** The config of a daemon behind `server`, its default trunk over TLS to `peer` (or these trunks). */
async function behindConfig(server: SipEdgeServer, peer: TlsSipPeer, trunks?: Record<string, unknown>[]) {
  const bot = await farEnd({ scenario: 'bot-answer', audio: 'bot' });
  return testConfigObject({
    carrierPort: peer.port,
    botPort: bot.port,
    overrides: {
      sip: { edge: 'drachtio', drachtio: server.control },
      log: { level: 'warn' },
      accounts: [{ name: 'acme', trunks: trunks ?? [{ name: 'carrier1', host: '127.0.0.1', port: peer.port, transport: 'tls', default: true }] }],
    },
  });
}

async function daemonBehind(server: SipEdgeServer, peer: TlsSipPeer, trunks?: Record<string, unknown>[]) {
  const config = { ...(await behindConfig(server, peer, trunks)), log: { level: process.env.OUTDIAL_TEST_LOG ?? 'silent' } };
  const daemon = await startTestDaemon({ carrierPort: peer.port, botPort: 1, overrides: config });
  onCleanup(() => daemon.stop());
  await until('the daemon to connect to its drachtio-server', () => daemon.daemon.health().sip.connected);
  return daemon;
}

if (behindDrachtio) describe('trunk over TLS, behind a drachtio-server (its own TLS: <tls> files, DRACHTIO_TLS_VERIFY_CLIENT_CERT)', () => {
  it('the carrier gets the INVITE from its sips: contact, answers, and its BYE on that connection ends the call; outdial says at start who checks the certificate', async () => {
    const server = await tlsDrachtio(true);
    const peer = await tlsCarrier(carrierCert);
    const daemon = trackDaemon(await spawnDaemon(await behindConfig(server, peer)));
    await until('the daemon to connect to its drachtio-server', async () => ((await (await fetch(`${daemon.url}/healthz`)).json()) as { sip: { connected: boolean } }).sip.connected);
    expect(daemon.output()).toContain(
      'accounts[acme].trunks[carrier1].transport: tls through a drachtio-server: the carrier\'s certificate is checked only if drachtio-server runs with DRACHTIO_TLS_VERIFY_CLIENT_CERT=1 (against its <tls><chain-file>), and its host name never',
    );
    const { path, conversationId } = await dialout(daemon.url);

    await expectCompletedByCarrierBye(daemon.url, peer, path, conversationId);

    const invite = peer.received.find((m) => m.startsWith('INVITE '))!;
    expect(invite).toMatch(new RegExp(`^INVITE sip:\\+15551234567@127\\.0\\.0\\.1:${peer.port};transport=tls SIP/2\\.0\r\n`));
    expect(invite).toMatch(new RegExp(`^Via: SIP/2\\.0/TLS 127\\.0\\.0\\.1:${server.tlsPort};branch=`, 'm'));
    expect(invite).toMatch(new RegExp(`^Contact: <sips:127\\.0\\.0\\.1:${server.tlsPort};transport=tls>`, 'm'));
    expect(peer.received.some((m) => m.startsWith('ACK '))).toBe(true);
    expect(peer.connections).toBe(1);
  });

  it('with DRACHTIO_TLS_VERIFY_CLIENT_CERT=1 a carrier whose certificate its chain-file does not vouch for never gets the INVITE; no transport error comes back', async () => {
    const server = await tlsDrachtio(true);
    const peer = await tlsCarrier(strangerCert);
    const daemon = await daemonBehind(server, peer);
    const { path, conversationId } = await dialout(daemon.url, { answerTimeoutSec: 3 });

    const [failed] = bodies(await deliveredOn(listener, path, 1));
    // drachtio-server closes the connection after the handshake and tells the transaction nothing: no 503;
    // it would end in a 408 at Timer B (32 s), and here outdial's 3 s answer timeout CANCELs it first.
    expect(failed).toMatchObject({ conversationId, status: 'failed', reasonCode: 'no-answer', attempts: [{ trunk: 'carrier1', status: 487 }] });
    expect(peer.received).toEqual([]);
    expect(server.log()).toMatch(/tls_verify_cb\(\).*err 18:self-signed certificate/);
  });

  it('a carrier it refuses at the handshake ends in a 408 at Timer B (32 s), and the call fails over to the next trunk', async () => {
    const server = await tlsDrachtio(true);
    const refused = await tlsCarrier(strangerCert);
    const next = await tlsCarrier(carrierCert);
    const daemon = await daemonBehind(server, refused, [
      { name: 'carrier1', host: '127.0.0.1', port: refused.port, transport: 'tls', priority: 0 },
      { name: 'carrier2', host: '127.0.0.1', port: next.port, transport: 'tls', priority: 1 },
    ]);
    const started = Date.now();
    const { path, conversationId } = await dialout(daemon.url, { answerTimeoutSec: 60 });

    const [answered, completed] = bodies(await deliveredOn(listener, path, 2, 60_000));
    expect(answered).toMatchObject({ conversationId, status: 'answered' });
    expect(Date.now() - started).toBeGreaterThan(30_000);
    expect(completed).toMatchObject({ status: 'completed', attempts: [{ trunk: 'carrier1', status: 408 }, { trunk: 'carrier2', status: 200 }] });
    expect(refused.received).toEqual([]);
    expect(next.received.some((m) => m.startsWith('INVITE '))).toBe(true);
  });

  it('without DRACHTIO_TLS_VERIFY_CLIENT_CERT drachtio-server checks no certificate: a carrier its chain-file does not vouch for gets the INVITE', async () => {
    const server = await tlsDrachtio(false);
    const peer = await tlsCarrier(strangerCert);
    const daemon = await daemonBehind(server, peer);
    const { path, conversationId } = await dialout(daemon.url);

    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ conversationId, status: 'answered' });
    expect(completed).toMatchObject({ conversationId, status: 'completed', attempts: [{ trunk: 'carrier1', status: 200 }] });
    expect(peer.received.find((m) => m.startsWith('INVITE '))).toMatch(/^INVITE sip:\+15551234567@/);
  });

  it('with DRACHTIO_TLS_VERIFY_CLIENT_CERT=1 a certificate its chain-file vouches for is taken whatever host it names', async () => {
    // The embedded edge refuses this one (RFC 5922: it must name the host connected to); drachtio-server
    // never sets sofia-sip's subject check.
    const elsewhere = makeCertificate('elsewhere.test', { forLoopback: false });
    const chain = join(mkdtempSync(join(tmpdir(), 'outdial-chain-')), 'chain.pem');
    writeFileSync(chain, carrierCert.cert + elsewhere.cert);
    const server = await tlsDrachtio(true, chain);
    const peer = await tlsCarrier(elsewhere);
    const daemon = await daemonBehind(server, peer);
    const { path, conversationId } = await dialout(daemon.url);

    const [answered] = bodies(await deliveredOn(listener, path, 1));
    expect(answered).toMatchObject({ conversationId, status: 'answered' });
    expect(peer.received.find((m) => m.startsWith('INVITE '))).toMatch(new RegExp(`^INVITE sip:\\+15551234567@127\\.0\\.0\\.1:${peer.port};transport=tls `));
  });

  it('with DRACHTIO_TLS_VERIFY_CLIENT_CERT=1 a carrier connecting to its TLS port must present a certificate its chain-file vouches for', async () => {
    const server = await tlsDrachtio(true);
    const options = (cert?: TestCertificate) => sipOptionsOverTls(server.tlsPort, cert);
    expect(await options()).toBe('closed without an answer');
    expect(await options(strangerCert)).toBe('closed without an answer');
    expect(await options(carrierCert)).toMatch(/^SIP\/2\.0 \d{3} /);
  });

  it('a sips: target goes to its own host over drachtio-server\'s TLS, verified, and the call completes', async () => {
    const server = await tlsDrachtio(true);
    const peer = await tlsCarrier(carrierCert);
    const daemon = await daemonBehind(server, peer);
    await expectSipsTargetCompletes(daemon.url, peer);
  });
});

/** Opens a TLS connection to 127.0.0.1:`port` (with `cert` as our client certificate, if any) and sends an OPTIONS: the status line of the answer, or that the connection closed first. */
async function sipOptionsOverTls(port: number, cert?: TestCertificate): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(cert && { cert: cert.cert, key: cert.key }) });
    let data = '';
    const done = (result: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('no answer within 5 s'), 5000);
    socket.on('secureConnect', () => {
      const branch = `z9hG4bK${Math.random().toString(36).slice(2)}`;
      socket.write(
        [
          `OPTIONS sip:127.0.0.1:${port};transport=tls SIP/2.0`,
          `Via: SIP/2.0/TLS 127.0.0.1:5061;branch=${branch}`,
          'Max-Forwards: 70',
          'From: <sip:carrier@carrier.test>;tag=1',
          `To: <sip:127.0.0.1:${port}>`,
          `Call-ID: ${branch}`,
          'CSeq: 1 OPTIONS',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
    });
    socket.on('data', (d: Buffer) => {
      data += d.toString();
      const line = data.indexOf('\r\n');
      if (line >= 0) done(data.slice(0, line));
    });
    socket.on('error', () => done('closed without an answer'));
    socket.on('close', () => done('closed without an answer'));
  });
}
