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

/** Adds `;transport=tcp` to a Contact of ours sent over TCP, so the far end comes back the same way. */
export function contactOverTransport(value: string, transport: Peer['transport']): string {
  if (transport !== 'tcp' || /;\s*transport=/i.test(value)) return value;
  return value.includes('>') ? value.replace('>', ';transport=tcp>') : `${value};transport=tcp`;
}

/** Replaces the `localhost` drachtio-srf writes in From and Contact with our own address. */
export function replaceLocalhost(value: string, hostport: string): string {
  return value.replace(/@localhost(?=[;>]|$)/i, '@' + hostport);
}
