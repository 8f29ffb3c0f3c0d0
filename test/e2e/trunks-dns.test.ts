// A trunk published in DNS (RFC 3263) end to end: its host is a domain with no port, a DNS server on loopback
// (sip.dns.servers) gives NAPTR → SRV → A, the first SRV target is dead, and the call reaches the SIPp
// carrier behind the second within its answer timeout; the Request-URI keeps the domain.
import { describe, expect, it } from 'vitest';
import { getCall, startTestDaemon } from '../support/daemon.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { useNotifyListener } from '../support/notify-listener.js';
import { testEdgeKind } from '../support/sip-edge-server.js';
import { freePort } from '../support/ports.js';
import { bodies, deliveredOn, farEnd, finalRecord, onCleanup, placeDialout, useCleanup } from './dialout-fixture.js';

useCleanup();
const listener = useNotifyListener();

describe('trunk found through DNS SRV', () => {
  it('an SRV record set whose first target is dead reaches the carrier behind the second', async () => {
    const [carrier, bot] = await Promise.all([farEnd({ scenario: 'carrier-answer-audio-bye', audio: 'human', byeAfterMs: 1000 }), farEnd({ scenario: 'bot-answer', audio: 'bot' })]);
    const deadPort = await freePort();
    const dns: TestDnsServer = await startDnsServer([
      { type: 'NAPTR', name: 'carrier.test', data: { order: 10, preference: 10, flags: 's', services: 'SIP+D2U', regexp: '', replacement: '_sip._udp.carrier.test' } },
      { type: 'SRV', name: '_sip._udp.carrier.test', data: { priority: 10, weight: 1, port: deadPort, target: 'dead.carrier.test' } },
      { type: 'SRV', name: '_sip._udp.carrier.test', data: { priority: 20, weight: 1, port: carrier.port, target: 'live.carrier.test' } },
      { type: 'A', name: 'dead.carrier.test', data: '127.0.0.1' },
      { type: 'A', name: 'live.carrier.test', data: '127.0.0.1' },
    ]);
    onCleanup(() => dns.close());
    const daemon = await startTestDaemon({
      carrierPort: carrier.port,
      botPort: bot.port,
      overrides: {
        // Embedded edge: T1 of 20 ms, so Timer B gives up on the dead target after 1.28 s. A drachtio-server
        // (test:stack) has its own timers and hears the dead port's ICMP error.
        sip: testEdgeKind() === 'drachtio' ? { dns: { servers: [dns.address] } } : { embedded: { t1Ms: 20 }, dns: { servers: [dns.address] } },
        accounts: [{ name: 'acme', trunks: [{ name: 'carrier1', host: 'carrier.test', default: true }] }],
      },
    });
    onCleanup(() => daemon.stop());
    const { path, conversationId } = await placeDialout(daemon.url, listener);

    const [answered, completed] = bodies(await deliveredOn(listener, path, 2));
    expect(answered).toMatchObject({ conversationId, status: 'answered' });
    // The embedded edge gives up on the dead address at Timer B; a drachtio-server hears its ICMP port
    // unreachable and reports a transport error at once. Either moves the call to the next address.
    const deadAttempt = testEdgeKind() === 'drachtio' ? { status: 503, reason: 'Service Unavailable' } : { status: 408, reason: 'Request Timeout' };
    const attempts = [
      { trunk: 'carrier1', ...deadAttempt },
      { trunk: 'carrier1', status: 200, reason: 'OK' },
    ];
    expect(completed).toMatchObject({ conversationId, status: 'completed', reasonCode: 'client-disconnected', trunk: 'carrier1', attempts });
    const record = await finalRecord(() => getCall(daemon.url, conversationId));
    expect(record).toMatchObject({ status: 'completed', attempts, requestUri: 'sip:+15551234567@carrier.test' });
    const invite = carrier.messages().find((m) => m.direction === 'received' && m.method === 'INVITE');
    expect(invite?.requestUri).toBe('sip:+15551234567@carrier.test');
    expect(dns.asked).toEqual(['NAPTR carrier.test', 'SRV _sip._udp.carrier.test', 'A dead.carrier.test', 'A live.carrier.test']);
  });
});
