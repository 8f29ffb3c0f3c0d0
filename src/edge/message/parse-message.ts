import { SipRequest, SipResponse, type SipMessage } from './sip-message.js';

/**
 * Why a message could not be read; `status` is what a UAS answers with when it can answer at all.
 * `partial` holds the start line and headers when only the body was wrong, so a request can still get its 400.
 */
export class SipParseError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly partial?: SipMessage,
  ) {
    super(message);
  }
}

const requestLine = /^([A-Za-z][A-Za-z0-9.!%*_+`'~-]*) (\S+) SIP\/2\.0$/;
const statusLine = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/;

/**
 * Reads one SIP message (RFC 3261 §7). With `datagram` set the message came alone in a UDP packet, so a
 * Content-Length beyond the bytes received means it was truncated (§18.3) and extra bytes are dropped.
 */
export function parseMessage(text: string, datagram = true): SipMessage {
  let headEnd = text.indexOf('\r\n\r\n');
  let sepLen = 4;
  if (headEnd === -1) {
    headEnd = text.indexOf('\n\n');
    sepLen = 2;
  }
  if (headEnd === -1) {
    if (!datagram) throw new SipParseError('message has no blank line after its headers');
    headEnd = text.length;
    sepLen = 0;
  }
  const head = text.slice(0, headEnd);
  const lines = head.split(/\r?\n/);
  const first = lines[0] ?? '';
  let msg: SipMessage;
  let m = requestLine.exec(first);
  if (m) {
    msg = new SipRequest(m[1]!.toUpperCase(), m[2]!);
  } else if ((m = statusLine.exec(first))) {
    msg = new SipResponse(Number(m[1]), m[2] ?? '');
  } else {
    throw new SipParseError(`not a SIP start line: "${first.slice(0, 80)}"`);
  }
  let pending: string | undefined;
  const flush = () => {
    if (pending === undefined) return;
    const colon = pending.indexOf(':');
    if (colon <= 0) throw new SipParseError(`malformed header line: "${pending.slice(0, 80)}"`);
    const name = pending.slice(0, colon).trim();
    if (!/^[A-Za-z0-9.!%*_+`'~-]+$/.test(name)) throw new SipParseError(`malformed header name: "${name.slice(0, 80)}"`);
    msg.append(name, pending.slice(colon + 1).trim());
    pending = undefined;
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    // §7.3.1: a line starting with white space continues the previous header.
    if ((line[0] === ' ' || line[0] === '\t') && pending !== undefined) pending += ' ' + line.trim();
    else {
      flush();
      pending = line;
    }
  }
  flush();
  const rest = text.slice(headEnd + sepLen);
  const lengthHeader = msg.get('content-length');
  if (!datagram) {
    // An app's message is delimited by its wire frame; drachtio-srf counts Content-Length in UTF-16 units,
    // which undercounts a non-ASCII body, so the frame's own end is the body's end (the length is rewritten on send).
    msg.body = rest;
  } else if (lengthHeader !== undefined) {
    if (!/^\d+$/.test(lengthHeader)) throw new SipParseError(`bad Content-Length "${lengthHeader.slice(0, 20)}"`, 400, msg);
    const length = Number(lengthHeader);
    const available = Buffer.byteLength(rest, 'utf8');
    if (length > available) throw new SipParseError(`body shorter than Content-Length ${length} (truncated)`, 400, msg);
    msg.body = length === available ? rest : Buffer.from(rest, 'utf8').subarray(0, length).toString('utf8');
  } else {
    msg.body = rest;
  }
  msg.delete('content-length');
  return msg;
}
