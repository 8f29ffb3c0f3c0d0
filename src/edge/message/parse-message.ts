import { headerKey } from './header-names.js';
import { splitList } from './header-values.js';
import { SipRequest, SipResponse, type SipMessage } from './sip-message.js';
import { SipParseError } from './sip-parse-error.js';

export { SipParseError };

/** RFC 3261 §25.1 token: what a method or a header name is made of. */
const token = "[A-Za-z0-9.!%*_+`'~-]+";
/** §7.1: Method SP Request-URI SP SIP-Version, single spaces, nothing around. */
const requestLine = new RegExp(`^(${token}) (\\S+) SIP/(\\d+\\.\\d+)$`);
/** A request line with the right parts but the wrong spacing (RFC 4475 §3.1.2.8-3.1.2.10): answered 400. */
const looseRequestLine = new RegExp(`^(${token})[ \\t]+(.*?)[ \\t]*SIP/(\\d+\\.\\d+)[ \\t]*$`);
const statusLine = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/;
const headerName = new RegExp(`^${token}$`);
/** §19.1.1 / §25.1 absoluteURI: a scheme, a colon, and no white space or angle brackets. */
const absoluteUri = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*$/;
/** Headers that may hold several comma-separated values on one line (§7.3.1); each value is kept apart. */
const listHeaders = new Set(['via', 'route', 'record-route']);

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
  const { msg, problem } = readStartLine(lines[0] ?? '');
  let pending: string | undefined;
  const flush = () => {
    if (pending === undefined) return;
    const colon = pending.indexOf(':');
    if (colon <= 0) throw new SipParseError(`malformed header line: "${pending.slice(0, 80)}"`);
    const name = pending.slice(0, colon).trim();
    if (!headerName.test(name)) throw new SipParseError(`malformed header name: "${name.slice(0, 80)}"`);
    const value = pending.slice(colon + 1).trim();
    if (listHeaders.has(headerKey(name))) for (const v of splitList(value)) msg.append(name, v);
    else msg.append(name, value);
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
  // The headers were readable, so a request with a bad start line can still be answered (§8.2, RFC 4475).
  if (problem) throw new SipParseError(problem.reason, problem.status, msg);
  const rest = text.slice(headEnd + sepLen);
  const lengths = msg.getAll('content-length');
  if (lengths.length > 1) throw new SipParseError('more than one Content-Length', 400, msg);
  const lengthHeader = lengths[0];
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

interface StartLine {
  msg: SipMessage;
  /** Why a request must be refused although it is a request: answered once its headers are read. */
  problem?: { status: number; reason: string };
}

/** §7.1 / §7.2: the start line; methods keep their case, as they are case-sensitive (§7.1). */
function readStartLine(first: string): StartLine {
  const status = statusLine.exec(first);
  if (status) return { msg: new SipResponse(Number(status[1]), status[2] ?? '') };
  const strict = requestLine.exec(first);
  if (strict) {
    const msg = new SipRequest(strict[1]!, strict[2]!);
    // §8.2 / RFC 4475 §3.1.2.16: another SIP version is answered 505, not guessed at.
    if (strict[3] !== '2.0') return { msg, problem: { status: 505, reason: `SIP/${strict[3]} Not Supported` } };
    if (!absoluteUri.test(strict[2]!)) return { msg, problem: { status: 400, reason: 'malformed Request-URI' } };
    return { msg };
  }
  const loose = looseRequestLine.exec(first);
  if (loose) return { msg: new SipRequest(loose[1]!, loose[2]!), problem: { status: 400, reason: 'malformed Request-Line' } };
  throw new SipParseError(`not a SIP start line: "${first.slice(0, 80)}"`);
}
