import type { SipMessage } from '../message/index.js';
import { parseCSeq, parseVia } from '../message/index.js';

/** §17.1.3: a response matches the client transaction with the same top-Via branch and CSeq method. */
export function clientTransactionKey(msg: SipMessage): string | undefined {
  const via = msg.getAll('via')[0];
  if (!via) return undefined;
  const branch = parseVia(via).branch;
  if (!branch) return undefined;
  return branch + '|' + parseCSeq(msg.get('cseq')).method;
}

/**
 * §17.2.3: a request matches the server transaction with the same branch, sent-by and method; an ACK
 * matches its INVITE. CANCEL gets its own transaction, so `asMethod` lets the caller look up the INVITE.
 */
export function serverTransactionKey(msg: SipMessage & { method: string }, asMethod?: string): string | undefined {
  const via = msg.getAll('via')[0];
  if (!via) return undefined;
  const v = parseVia(via);
  if (!v.branch || !v.branch.startsWith('z9hG4bK')) return undefined;
  const method = asMethod ?? (msg.method === 'ACK' ? 'INVITE' : msg.method);
  return `${v.branch}|${v.host}:${v.port ?? 5060}|${method}`;
}
