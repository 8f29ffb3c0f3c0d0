// SIP over TLS end to end: a carrier reached over TLS (a Node tls peer with a certificate the test makes)
// gets the INVITE, answers and hangs up on the connection we opened (RFC 5923); a carrier whose certificate
// is not trusted never sees the INVITE and the call fails naming why; a pinned certificate is taken without
// an authority.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialoutAudiocodes, getCall, startTestDaemon } from '../support/daemon.js';
import { startNotifyListener, type NotifyListener } from '../support/notify-listener.js';
import { freePort } from '../support/ports.js';
import { makeCertificate, type TestCertificate } from '../support/tls-certs.js';
import { startTlsSipPeer, type TlsSipPeer } from '../support/tls-sip-peer.js';
import { bodies, deliveredOn, farEnd, finalRecord, notifyPath, onCleanup, useCleanup } from './dialout-fixture.js';

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

async function dialout(url: string) {
  const path = notifyPath();
  const res = await dialoutAudiocodes(url, { bot: 'Bot1', target: 'tel:+15551234567', caller: '+15550001111', machineDetection: 'disabled', notifyUrl: listener.url(path) });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return { path, conversationId: res.json.conversationId as string };
}

describe('trunk over TLS', () => {
  it('the carrier gets the INVITE over TLS, answers, and its BYE on the same connection ends the call', async () => {
    const peer = await tlsCarrier(carrierCert);
    const daemon = await tlsDaemon(peer);
    const { path, conversationId } = await dialout(daemon.url);

    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ conversationId, status: 'answered' });
    expect(completed).toMatchObject({ conversationId, status: 'completed', reasonCode: 'client-disconnected', attempts: [{ trunk: 'carrier1', status: 200 }] });
    expect(await peer.byeAnswered).toBe('SIP/2.0 200 OK');
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record.requestUri).toBe(`sip:+15551234567@127.0.0.1:${peer.port};transport=tls`);

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
    const path = notifyPath();
    const target = `sips:callee@127.0.0.1:${peer.port}`;
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target, caller: '+15550001111', machineDetection: 'disabled', notifyUrl: listener.url(path) });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ status: 'answered' });
    expect(completed).toMatchObject({ status: 'completed', reasonCode: 'client-disconnected' });
    expect(peer.received.find((m) => m.startsWith('INVITE '))).toMatch(new RegExp(`^INVITE ${target} SIP/2\\.0\r\n`));
    expect(await peer.byeAnswered).toBe('SIP/2.0 200 OK');
  });
});
