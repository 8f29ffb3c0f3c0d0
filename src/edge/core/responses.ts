import { SipResponse, tagOf, type SipRequest } from '../message/index.js';
import type { Peer } from '../transport/index.js';
import { stampVia } from './message-helpers.js';

/**
 * §8.2.6.2: a response copies Via, From, To, Call-ID and CSeq from its request. `toTag` is added to a To that
 * has none; `receivedFrom` stamps the top Via with where the request came from (§18.2.1), for responses that
 * go to the network, not for those the stack makes up for the app.
 */
export function responseTo(
  req: SipRequest,
  status: number,
  reason: string,
  opts: { toTag?: string | undefined; receivedFrom?: Peer } = {},
): SipResponse {
  const res = new SipResponse(status, reason);
  const vias = [...req.getAll('via')];
  if (opts.receivedFrom && vias[0]) {
    try {
      vias[0] = stampVia(vias[0], opts.receivedFrom);
    } catch {
      // A Via we cannot read is echoed as it came.
    }
  }
  res.set('Via', vias);
  res.set('From', req.get('from') ?? '');
  const to = req.get('to') ?? '';
  res.set('To', opts.toTag && !safeTag(to) ? `${to};tag=${opts.toTag}` : to);
  res.set('Call-ID', req.get('call-id') ?? '');
  res.set('CSeq', req.get('cseq') ?? '');
  return res;
}

/** A problem description made safe for a status line: printable, one line, short. */
export function reasonPhrase(problem: string): string {
  return problem.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}

function safeTag(value: string): string | undefined {
  try {
    return tagOf(value);
  } catch {
    return undefined;
  }
}
