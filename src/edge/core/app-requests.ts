import { SipRequest, type SipMessage } from '../message/index.js';
import { replaceLocalhost } from './message-helpers.js';

/** Headers the edge owns on requests it sends; values the app gave for them are ignored. */
const stackHeaders = new Set(['via', 'max-forwards', 'content-length', 'call-id', 'cseq', 'from', 'to', 'route']);

/** Copies the headers an app wrote onto a request the stack builds, its `localhost` Contacts made ours. */
export function copyAppHeaders(app: SipMessage, req: SipMessage, local: string): void {
  for (const key of app.headerKeys()) {
    if (stackHeaders.has(key)) continue;
    const values = app.getAll(key);
    req.set(key, key === 'contact' ? values.map((v) => replaceLocalhost(v, local)) : values);
  }
}

/** drachtio-srf sends SDP bodies without Content-Type and relies on the edge to add it, as drachtio-server does. */
export function defaultSdpContentType(req: SipRequest): void {
  if (req.body && !req.has('content-type') && req.body.startsWith('v=0')) req.set('Content-Type', 'application/sdp');
}

/** §9.1: a CANCEL carries the INVITE's Request-URI, Call-ID, From, To, CSeq number, top Via and Route. */
export function cancelFor(invite: SipRequest, reason: string | undefined): SipRequest {
  const cancel = new SipRequest('CANCEL', invite.uri);
  cancel.set('Via', invite.getAll('via')[0] ?? '');
  for (const r of invite.getAll('route')) cancel.append('Route', r);
  cancel.set('Max-Forwards', '70');
  cancel.set('From', invite.get('from') ?? '');
  cancel.set('To', invite.get('to') ?? '');
  cancel.set('Call-ID', invite.get('call-id') ?? '');
  cancel.set('CSeq', `${(invite.get('cseq') ?? '1').split(/\s+/)[0]} CANCEL`);
  if (reason) cancel.set('Reason', reason);
  return cancel;
}
