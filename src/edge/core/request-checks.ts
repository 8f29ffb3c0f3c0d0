import { parseCSeq, parseVia, SipParseError, splitList, tagOf, type SipRequest } from '../message/index.js';

/** Methods the edge understands (RFC 3261 and its extensions); any other is answered 501 (§8.2.1). */
export const knownMethods: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'INFO',
  'UPDATE',
  'PRACK',
  'REFER',
  'NOTIFY',
  'MESSAGE',
  'SUBSCRIBE',
  'PUBLISH',
]);

/**
 * Option tags a far end may put in Require (§8.2.2.3). Session timers are answered by the app's dialog.
 * `100rel` (RFC 3262 §3) obliges a UAS to send every provisional other than 100 reliably, and allows it to send
 * none: outdial answers the calls it takes with 100 Trying and then a final response, never a 180 or 183, so
 * an INVITE requiring 100rel is honoured without a reliable provisional (docs/inbound.md), and the UAS core
 * refuses any other provisional an app writes to such an INVITE rather than send it unreliably.
 */
export const supportedOptions: readonly string[] = ['timer', '100rel'];

/** RFC 3262 §3: the request requires provisional responses to be sent reliably. */
export function requires100rel(req: SipRequest): boolean {
  return req.getAll('require').flatMap(splitList).some((tag) => tag.toLowerCase() === '100rel');
}

/** Body types an INVITE may carry: SDP, alone or inside a multipart body (carriers add ISUP that way). */
const acceptedBodies = /^\s*(application\/sdp|multipart\/[a-z0-9.+-]+)\s*(;|$)/i;

/** Headers a request carries exactly once (§7.3.1 / §20); RFC 4475 §3.3.8 repeats them to confuse. */
const singleValued: ReadonlyArray<[key: string, name: string]> = [
  ['call-id', 'Call-ID'],
  ['from', 'From'],
  ['to', 'To'],
  ['cseq', 'CSeq'],
  ['max-forwards', 'Max-Forwards'],
  ['content-type', 'Content-Type'],
];

/** A final response the UAS core gives instead of passing a request on. */
export interface Refusal {
  status: number;
  reason: string;
  headers?: Array<[name: string, value: string]>;
}

/** What makes a request unreadable (400), if anything: §8.1.1 mandatory headers and their syntax. */
export function malformation(req: SipRequest): string | undefined {
  for (const h of ['via', 'from', 'to', 'call-id', 'cseq']) {
    if (!req.get(h)) return `Missing ${h === 'call-id' ? 'Call-ID' : h === 'cseq' ? 'CSeq' : h[0]!.toUpperCase() + h.slice(1)} header`;
  }
  for (const [key, name] of singleValued) if (req.getAll(key).length > 1) return `more than one ${name} header`;
  const maxForwards = req.get('max-forwards');
  // §20.22: 0-255; RFC 4475 §3.1.2.4 sends 300.
  if (maxForwards !== undefined && !(/^\d{1,10}$/.test(maxForwards) && Number(maxForwards) <= 255)) return 'bad Max-Forwards';
  try {
    parseVia(req.getAll('via')[0]!);
    const cseq = parseCSeq(req.get('cseq'));
    if (cseq.method !== req.method) return 'CSeq method does not match the request method';
    tagOf(req.get('from'));
    tagOf(req.get('to'));
  } catch (err) {
    if (err instanceof SipParseError) return err.message.slice(0, 100);
    throw err;
  }
  return undefined;
}

/**
 * §8.2.1-§8.2.3 in the RFC's order: method (501), Request-URI (416, 400 for a headers part), Require (420),
 * then for an INVITE its body type (415) and what it accepts back (406). ACK and CANCEL skip Require (§8.2.2.3).
 */
export function refusal(req: SipRequest): Refusal | undefined {
  if (!knownMethods.has(req.method)) return { status: 501, reason: 'Not Implemented' };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(req.uri)?.[1]?.toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
    return { status: 416, reason: 'Unsupported URI Scheme' };
  }
  // §19.1.1: a Request-URI never has a headers part (RFC 4475 §3.1.2.11 tries to smuggle a Route in one).
  if (scheme !== 'tel' && req.uri.slice(req.uri.lastIndexOf('@') + 1).includes('?')) {
    return { status: 400, reason: 'Request-URI carries headers' };
  }
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const unsupported = req.getAll('require').flatMap(splitList).filter((tag) => !supportedOptions.includes(tag.toLowerCase()));
    if (unsupported.length) return { status: 420, reason: 'Bad Extension', headers: [['Unsupported', unsupported.join(', ')]] };
  }
  if (req.method === 'INVITE') {
    const type = req.get('content-type');
    if (req.body && type && !acceptedBodies.test(type)) {
      return { status: 415, reason: 'Unsupported Media Type', headers: [['Accept', 'application/sdp']] };
    }
    const accept = req.getAll('accept').flatMap(splitList);
    if (accept.length && !accept.some((a) => /^\s*(application\/sdp|application\/\*|\*\/\*)\s*(;|$)/i.test(a))) {
      return { status: 406, reason: 'Not Acceptable', headers: [['Accept', 'application/sdp']] };
    }
  }
  return undefined;
}

/** The Allow value (§20.5): what the stack itself answers, plus the methods an app routes. */
export function allowedMethods(routed: Iterable<string>): string {
  const methods = new Set(['ACK', 'BYE', 'CANCEL', 'OPTIONS']);
  for (const r of routed) if (knownMethods.has(r.toUpperCase())) methods.add(r.toUpperCase());
  return [...methods].join(', ');
}
