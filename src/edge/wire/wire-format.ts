import type { Peer } from '../transport/index.js';

const CRLF = '\r\n';

/** Meta fields drachtio puts before each SIP message: source|bytes|protocol|address|port|time. */
export function metaFields(source: 'network' | 'application', raw: string, peer: Peer): string {
  return `${source}|${Buffer.byteLength(raw, 'utf8')}|${peer.transport ?? 'udp'}|${peer.address}|${peer.port}|${stackTime()}`;
}

/** drachtio-server writes the time a message passed the stack as HH:MM:SS.micro. */
function stackTime(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

/** `response|<msgId>|OK|...` or `response|<msgId>|NO|<reason>`: the answer to an app's api request. */
export function apiResponse(clientMsgId: string, ok: boolean, data?: string): string {
  return `response|${clientMsgId}|${ok ? 'OK' : 'NO'}${data !== undefined ? '|' + data : ''}`;
}

/** The echo of a request the app asked us to send (drachtio's "Msg sent:" answer). */
export function sentRequestEcho(clientMsgId: string, raw: string, to: Peer, transactionId: string): string {
  return apiResponse(clientMsgId, true, `${metaFields('application', raw, to)}|${transactionId}|Msg sent:|${CRLF}${raw}`);
}

/** The echo of a response the app asked us to send; it carries the dialog id a 2xx created. */
export function sentResponseEcho(
  clientMsgId: string,
  raw: string,
  to: Peer,
  transactionId: string,
  dialogId: string,
): string {
  return apiResponse(
    clientMsgId,
    true,
    `${metaFields('application', raw, to)}|${transactionId}|${dialogId}||Msg sent:|${CRLF}${raw}`,
  );
}

/** A SIP message delivered to the app: `sip|<meta>|<transactionId>|<dialogId>|`. */
export function sipToApp(
  source: 'network' | 'application',
  raw: string,
  peer: Peer,
  transactionId: string,
  dialogId: string,
): string {
  return `sip|${metaFields(source, raw, peer)}|${transactionId}|${dialogId}|${CRLF}${raw}`;
}
