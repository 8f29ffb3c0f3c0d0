// RFC 3263 §4 for the trunks outdial sends to: a SIP domain with no port is resolved NAPTR → SRV → A, and
// the call tries the addresses in that order (docs/trunks.md, "DNS"). The transport is the trunk's own, so
// NAPTR only says which SRV names carry it. When DNS knows nothing of SRV for the domain, its A records on
// the transport's default port are the one target (§4.2); when DNS knows nothing at all, the name itself is
// handed on and the SIP edge looks it up as it always did. A sip: dialout target's host is resolved the same
// way (src/dialout/target-address.ts), with the host name behind each address so its policy can judge it.

import { isIP } from 'node:net';
import { DnsClient, type DnsClientOptions } from './dns-client.js';
import { srvName, srvNamesFromNaptr, type NaptrRecord, type SipTransportName } from './naptr.js';
import { orderSrv, type SrvRecord } from './srv-order.js';

/** One address to send to, in the order a call tries them. */
export interface SipHop {
  address: string;
  port: number;
  transport: SipTransportName;
}

/** A hop with the host name DNS gave its address for: the SRV target, or the domain itself (its A records). */
export interface NamedSipHop extends SipHop {
  /** Absent when DNS gave an address as such (an SRV target that is an IP address) or gave nothing (the name itself). */
  name?: string;
}

export interface SipResolverOptions extends DnsClientOptions {
  random?: () => number;
  client?: DnsClient;
}

const defaultPort = (transport: SipTransportName) => (transport === 'tls' ? 5061 : 5060);

/** The URI of a hop, as drachtio-srf's `proxy` option takes it (both edges send the request there). */
export function hopUri(hop: SipHop): string {
  const host = isIP(hop.address) === 6 ? `[${hop.address}]` : hop.address;
  return `sip:${host}:${hop.port};transport=${hop.transport}`;
}

/** How long a domain whose lookup found no DNS server answering goes straight to the fallback. */
const UNANSWERED_HOLD_MS = 30_000;

export class SipResolver {
  readonly client: DnsClient;
  private readonly random: () => number;
  private readonly now: () => number;
  /**
   * Domains no DNS server answered for, until when: calls meanwhile do not each wait out the timeouts. Keyed
   * by transport and domain for NAPTR/SRV lookups, by "A/AAAA" and domain for a domain given with a port.
   */
  private readonly unanswered = new Map<string, number>();

  constructor(options: SipResolverOptions = {}) {
    this.client = options.client ?? new DnsClient(options);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Every address of `domain` for `transport`, best first. Never rejects: DNS failures give the name itself. */
  async resolve(domain: string, transport: SipTransportName): Promise<SipHop[]> {
    return (await this.resolveNamed(domain, transport)).map(({ address, port, transport: t }) => ({ address, port, transport: t }));
  }

  /** As resolve(), each address with the host name it is a record of. */
  async resolveNamed(domain: string, transport: SipTransportName): Promise<NamedSipHop[]> {
    const key = `${transport} ${domain.toLowerCase()}`;
    if ((this.unanswered.get(key) ?? 0) > this.now()) return [{ address: domain, port: defaultPort(transport), transport }];
    this.unanswered.delete(key);
    try {
      const hops = await this.viaSrv(domain, transport);
      if (hops.length > 0) return hops;
      const port = defaultPort(transport);
      const addresses = await this.addresses(domain);
      if (addresses.length > 0) return addresses.map((address) => ({ address, port, transport, name: domain }));
    } catch {
      // No server answered: the edge's own lookup is the fallback, as before DNS SRV.
      this.unanswered.set(key, this.now() + UNANSWERED_HOLD_MS);
    }
    return [{ address: domain, port: defaultPort(transport), transport }];
  }

  /**
   * RFC 3263 §4.2 for a domain that comes with a port: its A records (AAAA when it has none) on that port,
   * no NAPTR or SRV. Never rejects: DNS failures give the name itself.
   */
  async resolveHost(domain: string, port: number, transport: SipTransportName): Promise<NamedSipHop[]> {
    // Its own key: A/AAAA do not depend on port or transport, and a NAPTR/SRV hold says nothing of them.
    const key = `A/AAAA ${domain.toLowerCase()}`;
    if ((this.unanswered.get(key) ?? 0) > this.now()) return [{ address: domain, port, transport }];
    this.unanswered.delete(key);
    try {
      const addresses = await this.addresses(domain);
      if (addresses.length > 0) return addresses.map((address) => ({ address, port, transport, name: domain }));
    } catch {
      this.unanswered.set(key, this.now() + UNANSWERED_HOLD_MS);
    }
    return [{ address: domain, port, transport }];
  }

  private async viaSrv(domain: string, transport: SipTransportName): Promise<NamedSipHop[]> {
    const naptr = await this.client.query<NaptrRecord>(domain, 'NAPTR');
    const names = naptr.records.length > 0 ? srvNamesFromNaptr(naptr.records, transport) : [srvName(domain, transport)];
    for (const name of names) {
      const srv = await this.client.query<SrvRecord>(name, 'SRV');
      // A target of "." says the service is decidedly not offered here (RFC 2782).
      const records = srv.records.filter((r) => r.target !== '' && r.target !== '.').map((r) => ({ ...r, priority: r.priority ?? 0, weight: r.weight ?? 0 }));
      if (records.length === 0) continue;
      const hops: NamedSipHop[] = [];
      for (const record of orderSrv(records, this.random)) {
        const target = record.target.replace(/\.$/, '');
        const addresses = isIP(target) ? [target] : await this.addresses(target).catch(() => []);
        for (const address of addresses) hops.push({ address, port: record.port, transport, ...(isIP(target) === 0 && { name: target }) });
      }
      if (hops.length > 0) return hops;
    }
    return [];
  }

  /** A records, or AAAA when there are none (the edge's sockets are IPv4 first). */
  private async addresses(name: string): Promise<string[]> {
    const a = await this.client.query<string>(name, 'A');
    if (a.records.length > 0) return a.records;
    return (await this.client.query<string>(name, 'AAAA')).records;
  }
}
