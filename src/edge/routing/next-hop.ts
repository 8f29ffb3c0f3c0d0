import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { parseSipUri, uriOf, type SipMessage } from '../message/index.js';
import type { Peer } from '../transport/index.js';

/** Where a request goes: its first loose Route, else the Request-URI (RFC 3261 §8.1.2, RFC 3263 without DNS SRV). */
export async function nextHop(msg: SipMessage & { uri: string }, proxy?: string): Promise<Peer> {
  const route = msg.getAll('route')[0];
  const target = proxy || (route ? uriOf(route) : msg.uri);
  const uri = parseSipUri(target);
  const host = uri.host.replace(/^\[|\]$/g, '');
  const address = isIP(host) ? host : (await lookup(host, { family: 4 })).address;
  return { address, port: uri.port ?? 5060, transport: uri.params.get('transport')?.toLowerCase() === 'tcp' ? 'tcp' : 'udp' };
}
