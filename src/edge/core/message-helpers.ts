import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { parseNameAddr, parseSipUri, parseVia, type SipMessage } from '../message/index.js';
import type { Peer } from '../transport/index.js';

/** A From/To value without its tag parameter. */
export function withoutTag(value: string): string {
  return value.replace(/;\s*tag=[^;>\s]*/i, '');
}

/** The URI inside a Contact or Route value. */
export function uriOf(value: string): string {
  return parseNameAddr(value).uri;
}

/** Where a request goes: its first loose Route, else the Request-URI (RFC 3261 §8.1.2, RFC 3263 without DNS SRV). */
export async function nextHop(msg: SipMessage & { uri: string }, proxy?: string): Promise<Peer> {
  const route = msg.getAll('route')[0];
  const target = proxy || (route ? uriOf(route) : msg.uri);
  const uri = parseSipUri(target);
  const host = uri.host.replace(/^\[|\]$/g, '');
  const address = isIP(host) ? host : (await lookup(host, { family: 4 })).address;
  return { address, port: uri.port ?? 5060, transport: uri.params.get('transport')?.toLowerCase() === 'tcp' ? 'tcp' : 'udp' };
}

/** §18.2.2: responses go back to where the request came from, to the Via port unless rport asks otherwise. */
export function responseDestination(msg: SipMessage, from: Peer): Peer {
  // Over TCP the response goes back on the request's connection (§18.2.2).
  if (from.transport === 'tcp') return from;
  const top = msg.getAll('via')[0];
  if (!top) return from;
  let via;
  try {
    via = parseVia(top);
  } catch {
    // A Via we cannot read names no port: answer where the request came from (RFC 4475 §3.1.2.1, §3.1.2.16).
    return from;
  }
  return { address: from.address, port: via.params.has('rport') ? from.port : (via.port ?? 5060) };
}

/** Marks the top Via with where the request really came from (§18.2.1, RFC 3581). */
export function stampVia(topVia: string, from: Peer): string {
  const via = parseVia(topVia);
  let out = topVia;
  if (via.params.has('rport') && !via.params.get('rport')) out = out.replace(/;\s*rport(?=;|$|\s)/i, `;rport=${from.port}`);
  if (via.host !== from.address && !via.params.has('received')) out += `;received=${from.address}`;
  return out;
}

/** Adds `;transport=tcp` to a Contact of ours sent over TCP, so the far end comes back the same way. */
export function contactOverTransport(value: string, transport: Peer['transport']): string {
  if (transport !== 'tcp' || /;\s*transport=/i.test(value)) return value;
  return value.includes('>') ? value.replace('>', ';transport=tcp>') : `${value};transport=tcp`;
}

/** Replaces the `localhost` drachtio-srf writes in From and Contact with our own address. */
export function replaceLocalhost(value: string, hostport: string): string {
  return value.replace(/@localhost(?=[;>]|$)/i, '@' + hostport);
}
