// A sip: dialout target over TCP or TLS, found through DNS (a DNS server on loopback as sip.dns.servers):
// `;transport=tcp` follows the domain's SIP+D2T / _sip._tcp records and the INVITE reaches a SIPp far end
// over TCP; `sips:` follows _sips._tcp to a TLS peer (a Node tls server), whose certificate must name the
// target's domain (RFC 5922), not the address DNS gave.
import { beforeAll, describe, expect, it } from 'vitest';
import { getCall, startTestDaemon } from '../support/daemon.js';
import { startDnsServer, type TestRecord } from '../support/dns-server.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { freePort } from '../support/ports.js';
import { makeCertificate, type TestCertificate } from '../support/tls-certs.js';
import { startTlsSipPeer, type TlsSipPeer } from '../support/tls-sip-peer.js';
import { bodies, deliveredOn, farEnd, finalRecord, onCleanup, placeDialout, silentPeer, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

let ours: TestCertificate;
let pbxCert: TestCertificate;
let otherCert: TestCertificate;
beforeAll(() => {
  ours = makeCertificate('outdial.test');
  pbxCert = makeCertificate('pbx.test');
  // Valid for 127.0.0.1 too (tls-certs.ts): it would pass a check against the address DNS gave.
  otherCert = makeCertificate('other.test');
});

async function dns(records: TestRecord[]) {
  const server = await startDnsServer(records);
  onCleanup(() => server.close());
  return server;
}

/**
 * A daemon whose account acme may reach pbx.test and its hosts, DNS from `dnsAddress`; with `trust`, the
 * embedded edge speaks TLS and trusts that certificate alone. Its trunk leads nowhere: a sip: target with no
 * trunk named goes to its own host.
 */
async function daemonWith(dnsAddress: string, botPort: number, trust?: TestCertificate) {
  const tls = trust && { port: await freePort(), cert: ours.certFile, key: ours.keyFile, ca: trust.certFile };
  const daemon = await startTestDaemon({
    carrierPort: 9,
    botPort,
    overrides: {
      sip: { embedded: { t1Ms: 20, ...(tls && { tls }) }, dns: { servers: [dnsAddress] } },
      accounts: [{ name: 'acme', allowedTargets: ['pbx.test', '*.pbx.test'], trunks: [{ name: 'carrier1', host: '127.0.0.1', port: 9, default: true }] }],
    },
  });
  onCleanup(() => daemon.stop());
  return daemon;
}

async function tlsPeer(cert: TestCertificate): Promise<TlsSipPeer> {
  const peer = await startTlsSipPeer({ cert: cert.cert, key: cert.key, byeAfterMs: 1000 });
  onCleanup(() => peer.close());
  return peer;
}

/** The domain's only TLS target: _sips._tcp.pbx.test → tls.pbx.test (127.0.0.1) on the peer's port. */
const sipsRecords = (port: number): TestRecord[] => [
  { type: 'SRV', name: '_sips._tcp.pbx.test', data: { priority: 10, weight: 1, port, target: 'tls.pbx.test' } },
  { type: 'A', name: 'tls.pbx.test', data: '127.0.0.1' },
];

const dialout = (url: string, target: string) => placeDialout(url, listener, { target });

describe('a sip: target over TCP or TLS, found through DNS', () => {
  it(';transport=tcp follows the SIP+D2T records: the INVITE reaches the far end over TCP and the call completes', async () => {
    const [callee, bot] = await Promise.all([
      farEnd({ scenario: 'carrier-answer-audio-bye', audio: 'human', byeAfterMs: 1000, transport: 'tcp' }),
      farEnd({ scenario: 'bot-answer', audio: 'bot' }),
    ]);
    // The domain prefers UDP (NAPTR order 10); a UDP INVITE would land on this port and go unanswered.
    const udp = await silentPeer();
    const server = await dns([
      { type: 'NAPTR', name: 'pbx.test', data: { order: 10, preference: 10, flags: 's', services: 'SIP+D2U', regexp: '', replacement: '_sip._udp.pbx.test' } },
      { type: 'NAPTR', name: 'pbx.test', data: { order: 20, preference: 10, flags: 's', services: 'SIP+D2T', regexp: '', replacement: '_sip._tcp.pbx.test' } },
      { type: 'SRV', name: '_sip._udp.pbx.test', data: { priority: 10, weight: 1, port: udp.port, target: 'udp.pbx.test' } },
      { type: 'SRV', name: '_sip._tcp.pbx.test', data: { priority: 10, weight: 1, port: callee.port, target: 'tcp.pbx.test' } },
      { type: 'A', name: 'udp.pbx.test', data: '127.0.0.1' },
      { type: 'A', name: 'tcp.pbx.test', data: '127.0.0.1' },
    ]);
    const daemon = await daemonWith(server.address, bot.port);
    const target = 'sip:alice@pbx.test;transport=tcp';
    const { path, conversationId } = await dialout(daemon.url, target);

    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ conversationId, status: 'answered' });
    expect(completed).toMatchObject({ conversationId, status: 'completed', reasonCode: 'client-disconnected' });
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record).toMatchObject({ status: 'completed', target, requestUri: target });

    const invite = callee.messages().find((m) => m.direction === 'received' && m.method === 'INVITE');
    expect(invite?.transport).toBe('TCP');
    expect(invite?.requestUri).toBe(target);
    expect(invite?.header('Via')).toMatch(/^SIP\/2\.0\/TCP /);
    expect(invite?.header('Contact')).toMatch(/;transport=tcp>/);
    // The far end's BYE came over TCP too, and was answered there.
    expect(callee.messages().filter((m) => m.method === 'BYE' || m.method === 'ACK').map((m) => m.transport)).toEqual(['TCP', 'TCP']);
    expect(udp.received()).toEqual([]);
    expect(server.asked).toEqual(['NAPTR pbx.test', 'SRV _sip._tcp.pbx.test', 'A tcp.pbx.test']);
  });

  it('sips: follows _sips._tcp to a TLS peer whose certificate names the domain, and the call completes', async () => {
    const [peer, bot] = await Promise.all([tlsPeer(pbxCert), farEnd({ scenario: 'bot-answer', audio: 'bot' })]);
    const server = await dns(sipsRecords(peer.port));
    const daemon = await daemonWith(server.address, bot.port, pbxCert);
    const target = 'sips:alice@pbx.test';
    const { path, conversationId } = await dialout(daemon.url, target);

    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ conversationId, status: 'answered' });
    expect(completed).toMatchObject({ conversationId, status: 'completed', reasonCode: 'client-disconnected' });
    expect(await peer.byeAnswered).toBe('SIP/2.0 200 OK');
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record).toMatchObject({ status: 'completed', target, requestUri: target });

    const invite = peer.received.find((m) => m.startsWith('INVITE '))!;
    expect(invite).toMatch(/^INVITE sips:alice@pbx\.test SIP\/2\.0\r\n/);
    expect(invite).toMatch(/^Via: SIP\/2\.0\/TLS /m);
    expect(peer.received.some((m) => m.startsWith('ACK '))).toBe(true);
    expect(peer.connections).toBe(1);
    expect(server.asked).toEqual(['NAPTR pbx.test', 'SRV _sips._tcp.pbx.test', 'A tls.pbx.test']);
  });

  it('sips: to a peer whose certificate names another domain (though valid for its address): no INVITE, and the call fails with the TLS reason', async () => {
    const [peer, bot] = await Promise.all([tlsPeer(otherCert), farEnd({ scenario: 'bot-answer', audio: 'bot' })]);
    const server = await dns(sipsRecords(peer.port));
    // The certificate is trusted: only its name is wrong.
    const daemon = await daemonWith(server.address, bot.port, otherCert);
    const { path, conversationId } = await dialout(daemon.url, 'sips:alice@pbx.test');

    const [failed] = bodies(await deliveredOn(listener, path, 1));
    expect(failed).toMatchObject({ conversationId, status: 'failed', reasonCode: 'error' });
    expect(failed?.reason).toMatch(/^INVITE to pbx\.test failed: Service Unavailable \(TLS: .*pbx\.test/);
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record).toMatchObject({ status: 'failed', reason: failed?.reason });
    expect(peer.received).toEqual([]);
    expect(bot.received('INVITE')).toBeUndefined();
  });
});
