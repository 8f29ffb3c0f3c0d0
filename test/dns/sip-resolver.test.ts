// RFC 3263 resolution against a DNS server on loopback: NAPTR picks the SRV name for the trunk's transport,
// SRV orders the targets by priority and weight, A gives the addresses; answers are kept for their TTL.
import { afterEach, describe, expect, it } from 'vitest';
import { DnsClient, orderSrv, SipResolver, srvNamesFromNaptr, hopUri } from '../../src/dns/index.js';
import { startDnsServer, type TestDnsServer, type TestRecord } from '../support/dns-server.js';

let dns: TestDnsServer | undefined;
afterEach(async () => {
  await dns?.close();
  dns = undefined;
});

const naptr = (services: string, replacement: string, order = 10, preference = 10): TestRecord => ({
  type: 'NAPTR',
  name: 'carrier.test',
  data: { order, preference, flags: 's', services, regexp: '', replacement },
});
const srv = (name: string, priority: number, weight: number, port: number, target: string, ttl?: number): TestRecord => ({
  type: 'SRV',
  name,
  ...(ttl !== undefined && { ttl }),
  data: { priority, weight, port, target },
});
const a = (name: string, address: string, ttl?: number): TestRecord => ({ type: 'A', name, data: address, ...(ttl !== undefined && { ttl }) });

describe('SRV order (RFC 2782)', () => {
  it('tries lower priority first and spreads first places by weight, weight 0 last', () => {
    const records = [
      { priority: 20, weight: 0, port: 1, target: 'backup' },
      { priority: 10, weight: 3, port: 2, target: 'heavy' },
      { priority: 10, weight: 1, port: 3, target: 'light' },
      { priority: 10, weight: 0, port: 4, target: 'spare' },
    ];
    let seed = 1;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const firsts = { heavy: 0, light: 0 } as Record<string, number>;
    for (let i = 0; i < 4000; i++) {
      const order = orderSrv(records, random).map((r) => r.target);
      expect(order.slice(2)).toEqual(['spare', 'backup']);
      firsts[order[0]!]! += 1;
    }
    expect(firsts.heavy! / 4000).toBeGreaterThan(0.7);
    expect(firsts.heavy! / 4000).toBeLessThan(0.8);
  });

  it('NAPTR records for other transports and other flags are skipped; order then preference decide', () => {
    const records = [
      { order: 20, preference: 10, flags: 's', services: 'SIP+D2U', replacement: '_sip._udp.late.test' },
      { order: 10, preference: 20, flags: 'S', services: 'SIP+D2U', replacement: '_sip._udp.second.test.' },
      { order: 10, preference: 10, flags: 's', services: 'SIP+D2U', replacement: '_sip._udp.first.test' },
      { order: 5, preference: 10, flags: 's', services: 'SIPS+D2T', replacement: '_sips._tcp.first.test' },
      { order: 5, preference: 10, flags: 'u', services: 'SIP+D2U', replacement: '' },
    ];
    expect(srvNamesFromNaptr(records, 'udp')).toEqual(['_sip._udp.first.test', '_sip._udp.second.test', '_sip._udp.late.test']);
    expect(srvNamesFromNaptr(records, 'tls')).toEqual(['_sips._tcp.first.test']);
    expect(srvNamesFromNaptr(records, 'tcp')).toEqual([]);
  });
});

describe('SIP resolver', () => {
  it('follows NAPTR to the SRV name of the transport, then SRV targets to their addresses, in priority order', async () => {
    dns = await startDnsServer([
      naptr('SIP+D2T', '_sip._tcp.carrier.test'),
      naptr('SIP+D2U', '_sip._udp.carrier.test', 20),
      srv('_sip._udp.carrier.test', 20, 1, 5080, 'b.carrier.test'),
      srv('_sip._udp.carrier.test', 10, 1, 5070, 'a.carrier.test'),
      srv('_sip._tcp.carrier.test', 10, 1, 5090, 'a.carrier.test'),
      a('a.carrier.test', '127.0.0.11'),
      a('b.carrier.test', '127.0.0.12'),
      a('b.carrier.test', '127.0.0.13'),
    ]);
    const resolver = new SipResolver({ servers: [dns.address] });
    expect(await resolver.resolve('carrier.test', 'udp')).toEqual([
      { address: '127.0.0.11', port: 5070, transport: 'udp' },
      { address: '127.0.0.12', port: 5080, transport: 'udp' },
      { address: '127.0.0.13', port: 5080, transport: 'udp' },
    ]);
    expect((await resolver.resolve('carrier.test', 'tcp')).map(hopUri)).toEqual(['sip:127.0.0.11:5090;transport=tcp']);
  });

  it('without NAPTR looks up _sips._tcp for TLS; without SRV takes the A records on the default port', async () => {
    dns = await startDnsServer([srv('_sips._tcp.carrier.test', 0, 0, 5161, 'edge.carrier.test'), a('edge.carrier.test', '127.0.0.21'), a('carrier.test', '127.0.0.22')]);
    const resolver = new SipResolver({ servers: [dns.address] });
    expect(await resolver.resolve('carrier.test', 'tls')).toEqual([{ address: '127.0.0.21', port: 5161, transport: 'tls' }]);
    expect(await resolver.resolve('carrier.test', 'udp')).toEqual([{ address: '127.0.0.22', port: 5060, transport: 'udp' }]);
    expect(dns.asked).toContain('SRV _sips._tcp.carrier.test');
    expect(dns.asked).toContain('SRV _sip._udp.carrier.test');
  });

  it('keeps answers for their TTL and asks again after it', async () => {
    dns = await startDnsServer([srv('_sip._udp.carrier.test', 10, 1, 5070, 'a.carrier.test', 60), a('a.carrier.test', '127.0.0.31', 120)]);
    let now = 1_000_000;
    const resolver = new SipResolver({ servers: [dns.address], now: () => now });
    await resolver.resolve('carrier.test', 'udp');
    const first = dns.asked.length;
    expect(dns.asked).toEqual(['NAPTR carrier.test', 'SRV _sip._udp.carrier.test', 'A a.carrier.test']);
    now += 25_000;
    await resolver.resolve('carrier.test', 'udp');
    expect(dns.asked.length).toBe(first);
    now += 36_000;
    dns.records.push(srv('_sip._udp.carrier.test', 5, 1, 5071, 'a.carrier.test', 60));
    expect((await resolver.resolve('carrier.test', 'udp')).map((h) => h.port)).toEqual([5071, 5070]);
    // The SRV answer (60 s) and the no-NAPTR answer (30 s at most) expired; the A record (120 s) did not.
    expect(dns.asked.slice(first)).toEqual(['NAPTR carrier.test', 'SRV _sip._udp.carrier.test']);
  });

  it('asks again over TCP when the UDP answer comes truncated, and gets every target', async () => {
    const targets = Array.from({ length: 12 }, (_v, i) => srv('_sip._udp.carrier.test', 10 + i, 1, 6000 + i, `t${i}.carrier.test`));
    dns = await startDnsServer([...targets, ...targets.map((_t, i) => a(`t${i}.carrier.test`, `127.0.1.${i + 1}`))], { udpAnswerLimit: 4 });
    const hops = await new SipResolver({ servers: [dns.address] }).resolve('carrier.test', 'udp');
    expect(hops.map((h) => h.port)).toEqual(targets.map((_t, i) => 6000 + i));
    expect(dns.asked).toContain('SRV _sip._udp.carrier.test');
    expect(dns.asked).toContain('TCP SRV _sip._udp.carrier.test');
  });

  it('hands the name on when no server answers, so the SIP edge looks it up itself; later calls do not wait again for 30 s', async () => {
    let now = 5_000_000;
    const silent = new DnsClient({ servers: ['127.0.0.1:9'], timeoutMs: 100, now: () => now });
    const resolver = new SipResolver({ client: silent, now: () => now });
    expect(await resolver.resolve('carrier.test', 'tcp')).toEqual([{ address: 'carrier.test', port: 5060, transport: 'tcp' }]);
    expect(silent.queries).toBe(1);
    now += 29_000;
    expect(await resolver.resolve('carrier.test', 'tcp')).toEqual([{ address: 'carrier.test', port: 5060, transport: 'tcp' }]);
    expect(silent.queries).toBe(1);
    now += 2_000;
    await resolver.resolve('carrier.test', 'tcp');
    expect(silent.queries).toBe(2);
  });

  it('a domain given with a port (A/AAAA only) is held the same 30 s when no server answers, apart from its NAPTR/SRV hold', async () => {
    let now = 7_000_000;
    const silent = new DnsClient({ servers: ['127.0.0.1:9'], timeoutMs: 100, now: () => now });
    const resolver = new SipResolver({ client: silent, now: () => now });
    expect(await resolver.resolveHost('pbx.test', 5070, 'tcp')).toEqual([{ address: 'pbx.test', port: 5070, transport: 'tcp' }]);
    expect(silent.queries).toBe(1);
    // Another dialout to the same host within 30 s, on another port and transport, does not wait again.
    now += 29_000;
    expect(await resolver.resolveHost('PBX.test', 5080, 'udp')).toEqual([{ address: 'PBX.test', port: 5080, transport: 'udp' }]);
    expect(silent.queries).toBe(1);
    // The A/AAAA hold says nothing of NAPTR/SRV: a domain with no port is still asked (and then held on its own).
    await resolver.resolveNamed('pbx.test', 'udp');
    expect(silent.queries).toBe(2);
    // Past 30 s the A record is asked again.
    now += 2_000;
    await resolver.resolveHost('pbx.test', 5070, 'tcp');
    expect(silent.queries).toBe(3);
  });
});
