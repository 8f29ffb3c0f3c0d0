import { parseVia } from '../message/index.js';
import type { Peer } from '../transport/index.js';

/** Marks the top Via with where the request really came from (§18.2.1, RFC 3581). */
export function stampVia(topVia: string, from: Peer): string {
  const via = parseVia(topVia);
  let out = topVia;
  if (via.params.has('rport') && !via.params.get('rport')) out = out.replace(/;\s*rport(?=;|$|\s)/i, `;rport=${from.port}`);
  if (via.host !== from.address && !via.params.has('received')) out += `;received=${from.address}`;
  return out;
}

/**
 * Adds `;transport=tcp` (or tls) to a Contact of ours sent over TCP (or TLS), so the far end comes back the
 * same way; over TLS our TLS port replaces the UDP one (`local` to `tlsLocal`, both host:port).
 */
export function contactOverTransport(value: string, transport: Peer['transport'], local?: string, tlsLocal?: string): string {
  if ((transport !== 'tcp' && transport !== 'tls') || /;\s*transport=/i.test(value)) return value;
  let out = value;
  if (transport === 'tls' && local && tlsLocal && local !== tlsLocal) out = out.replace('@' + local, '@' + tlsLocal);
  return out.includes('>') ? out.replace('>', `;transport=${transport}>`) : `${out};transport=${transport}`;
}

/** Replaces the `localhost` drachtio-srf writes in From and Contact with our own address. */
export function replaceLocalhost(value: string, hostport: string): string {
  return value.replace(/@localhost(?=[;>]|$)/i, '@' + hostport);
}
