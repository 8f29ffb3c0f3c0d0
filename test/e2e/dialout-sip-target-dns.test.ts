// A sip: dialout target whose host is a domain, found the way trunks are (RFC 3263, a DNS server on loopback
// as sip.dns.servers): its SRV targets are tried in order and the call reaches the SIPp far end behind the
// one that answers; an address the account's destination policy refuses never gets an INVITE, and when DNS
// gives no other the dialout is refused with the host and the address named.
import { describe, expect, it } from 'vitest';
import { dialoutAudiocodes, dialoutKore, getCall, startTestDaemon } from '../support/daemon.js';
import { startDnsServer, type TestRecord } from '../support/dns-server.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { testEdgeKind } from '../support/sip-edge-server.js';
import { freePort } from '../support/ports.js';
import { bodies, deliveredOn, farEnd, finalRecord, notifyPath, onCleanup, placeDialout, silentPeer, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

/** A daemon whose account acme sends sip: targets under `allowedTargets`, DNS from `dns`; its trunk leads nowhere. */
async function daemonWith(dnsAddress: string, allowedTargets: string[] | undefined, botPort = 9) {
  const daemon = await startTestDaemon({
    carrierPort: 9,
    botPort,
    overrides: {
      // Embedded edge: T1 of 20 ms, so Timer B gives up on a silent address after 1.28 s. A drachtio-server
      // (test:stack) has its own timers and hears a closed port's ICMP error instead.
      sip: testEdgeKind() === 'drachtio' ? { dns: { servers: [dnsAddress] } } : { embedded: { t1Ms: 20 }, dns: { servers: [dnsAddress] } },
      // The trunk is never used: a sip: target with no trunk named goes to its own host.
      accounts: [{ name: 'acme', ...(allowedTargets && { allowedTargets }), trunks: [{ name: 'carrier1', host: '127.0.0.1', port: 9, default: true }] }],
    },
  });
  onCleanup(() => daemon.stop());
  return daemon;
}

async function dns(records: TestRecord[]) {
  const server = await startDnsServer(records);
  onCleanup(() => server.close());
  return server;
}

describe('a sip: target whose host is found through DNS', () => {
  it('skips the address the policy refuses and the dead SRV target, and reaches the far end behind the next one', async () => {
    const [callee, bot] = await Promise.all([farEnd({ scenario: 'carrier-answer-audio-bye', audio: 'human', byeAfterMs: 1000 }), farEnd({ scenario: 'bot-answer', audio: 'bot' })]);
    // Under a drachtio-server a closed port (its ICMP error) stands for the dead target; the embedded edge
    // waits out Timer B on a port that keeps what it gets, which shows the INVITE went there first.
    const silent = testEdgeKind() === 'drachtio' ? undefined : await silentPeer();
    const deadPort = silent?.port ?? (await freePort());
    // 0.0.0.0 is an unspecified address, refused by default; sent to, it would reach this host's own port.
    const refused = await silentPeer();
    const server = await dns([
      { type: 'NAPTR', name: 'pbx.test', data: { order: 10, preference: 10, flags: 's', services: 'SIP+D2U', regexp: '', replacement: '_sip._udp.pbx.test' } },
      { type: 'SRV', name: '_sip._udp.pbx.test', data: { priority: 5, weight: 1, port: refused.port, target: 'zero.pbx.test' } },
      { type: 'SRV', name: '_sip._udp.pbx.test', data: { priority: 10, weight: 1, port: deadPort, target: 'dead.pbx.test' } },
      { type: 'SRV', name: '_sip._udp.pbx.test', data: { priority: 20, weight: 1, port: callee.port, target: 'live.pbx.test' } },
      { type: 'A', name: 'zero.pbx.test', data: '0.0.0.0' },
      { type: 'A', name: 'dead.pbx.test', data: '127.0.0.1' },
      { type: 'A', name: 'live.pbx.test', data: '127.0.0.1' },
    ]);
    // The operator lists the domain and its hosts: loopback is theirs to reach, an unspecified address never.
    const daemon = await daemonWith(server.address, ['pbx.test', '*.pbx.test'], bot.port);
    const { path, conversationId } = await placeDialout(daemon.url, listener, { target: 'sip:alice@pbx.test' });

    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ conversationId, status: 'answered' });
    expect(completed).toMatchObject({ conversationId, status: 'completed', reasonCode: 'client-disconnected' });
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record).toMatchObject({ status: 'completed', target: 'sip:alice@pbx.test', requestUri: 'sip:alice@pbx.test' });
    // The Request-URI keeps the domain; DNS chose where it went.
    const invite = callee.messages().find((m) => m.direction === 'received' && m.method === 'INVITE');
    expect(invite?.requestUri).toBe('sip:alice@pbx.test');
    if (silent) expect(silent.received().filter((m) => m.startsWith('INVITE sip:alice@pbx.test SIP/2.0')).length).toBeGreaterThan(0);
    expect(refused.received()).toEqual([]);
    expect(server.asked).toEqual(['NAPTR pbx.test', 'SRV _sip._udp.pbx.test', 'A zero.pbx.test', 'A dead.pbx.test', 'A live.pbx.test']);
  });

  it('refuses the dialout when every address DNS gives is refused: the far end there gets no INVITE', async () => {
    // A far end that would answer, on loopback behind an SRV target the operator's list does not name.
    const callee = await farEnd({ scenario: 'carrier-answer-audio', audio: 'human' });
    const server = await dns([
      { type: 'SRV', name: '_sip._udp.pbx.test', data: { priority: 10, weight: 1, port: callee.port, target: 'sip.elsewhere.test' } },
      { type: 'A', name: 'sip.elsewhere.test', data: '127.0.0.1' },
      { type: 'A', name: 'meta.test', data: '169.254.169.254' },
    ]);
    const daemon = await daemonWith(server.address, ['pbx.test', 'meta.test', '192.0.2.0/24']);
    const path = notifyPath();
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'sip:alice@pbx.test', caller: '+15550001111', notifyUrl: listener.url(path) });
    expect(res.status, JSON.stringify(res.json)).toBe(400);
    expect(res.json.error).toBe('target is not an allowed destination: pbx.test resolves to 127.0.0.1 (SRV target sip.elsewhere.test), which is not in the allowed destinations');

    // With a port, only the A records are asked (RFC 3263 §4.2); a listed name never opens the metadata address.
    const kore = await dialoutKore(daemon.url, 'Bot1', { target: 'sip:alice@meta.test:5060', caller: '+15550001111', notifyurl: listener.url(path) });
    expect(kore.status, JSON.stringify(kore.json)).toBe(400);
    expect(JSON.stringify(kore.json)).toContain('target is not an allowed destination: meta.test resolves to 169.254.169.254, which is a link-local address');

    expect(server.asked).toEqual(['NAPTR pbx.test', 'SRV _sip._udp.pbx.test', 'A sip.elsewhere.test', 'A meta.test']);
    await new Promise((r) => setTimeout(r, 500));
    expect(callee.received('INVITE')).toBeUndefined();
    expect(listener.requests(path)).toHaveLength(0);
    // Refused before it was taken: no call is left holding the bot's slot.
    const health = await fetch(`${daemon.url}/healthz`).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(health).toMatchObject({ calls: { active: 0 } });
  });

  it('a host DNS knows nothing of: accepted, then failed with a reason naming it, and nothing is sent', async () => {
    const server = await dns([]);
    const daemon = await daemonWith(server.address, undefined);
    const path = notifyPath();
    const res = await dialoutAudiocodes(daemon.url, { bot: 'Bot1', target: 'sip:alice@nowhere.test', caller: '+15550001111', notifyUrl: listener.url(path) });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const [failed] = bodies(await deliveredOn(listener, path, 1));
    expect(failed).toMatchObject({ status: 'failed', reasonCode: 'error', reason: 'INVITE not sent: target host nowhere.test has no address (no SRV, A or AAAA record)' });
    expect(server.asked).toEqual(['NAPTR nowhere.test', 'SRV _sip._udp.nowhere.test', 'A nowhere.test', 'AAAA nowhere.test']);
  });
});
