import { parseVia, type SipMessage } from '../message/index.js';
import type { Peer } from '../transport/index.js';

/** §18.2.2: responses go back to where the request came from, to the Via port unless rport asks otherwise. */
export function responseDestination(msg: SipMessage, from: Peer): Peer {
  // Over TCP and TLS the response goes back on the request's connection (§18.2.2).
  if (from.transport === 'tcp' || from.transport === 'tls') return from;
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
