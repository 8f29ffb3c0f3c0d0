// How a trunk's host, port and transport read in a SIP URI (docs/trunks.md). A trunk whose host is a domain
// and that names no port is found through DNS (RFC 3263): its URIs carry the domain alone, and src/dns
// picks the addresses; every other trunk is reached at host:port, 5060 (5061 over TLS) when no port is given.

import { isIP } from 'node:net';
import type { TrunkConfig } from '../config/index.js';

type TrunkAddress = Pick<TrunkConfig, 'host' | 'port' | 'transport'>;

/** The port of a transport when a URI names none (RFC 3261 §19.1.2). */
export function defaultSipPort(transport: TrunkConfig['transport']): number {
  return transport === 'tls' ? 5061 : 5060;
}

const bareHost = (host: string) => host.replace(/^\[|\]$/g, '');

/** True when the trunk is found through NAPTR/SRV/A records: a domain with no port (RFC 3263 §4.2). */
export function resolvesByDns(trunk: TrunkAddress): boolean {
  return trunk.port === undefined && isIP(bareHost(trunk.host)) === 0;
}

/** host:port as the trunk's URIs carry it; the domain alone when DNS picks the port. */
export function trunkHostport(trunk: TrunkAddress): string {
  if (resolvesByDns(trunk)) return trunk.host;
  return `${trunk.host}:${trunk.port ?? defaultSipPort(trunk.transport)}`;
}

/** The transport parameter of the trunk's URIs (RFC 3261 §19.1.1); none for UDP. */
export function trunkTransportParam(trunk: Pick<TrunkConfig, 'transport'>): string {
  return trunk.transport === 'udp' ? '' : `;transport=${trunk.transport}`;
}
