// A sip: target parsed into its parts (RFC 3261 §19.1.1) and written back from them, so what reaches the
// Request-URI is only what the grammar allows: no URI headers part, no password, no maddr, escapes where
// the RFC wants them (non-ASCII included).

import { DialoutInvalid } from './errors.js';
import { hasControlChar, sipHost, sipParam, sipUser } from './sip-grammar.js';

export interface SipUri {
  /** A sips: URI (RFC 3261 §19.1): TLS on every hop. */
  secure?: boolean;
  /** The user part, RFC 3261 escaped. */
  user?: string;
  /** Host name (lower case), dotted quad, or [IPv6] in brackets. */
  host: string;
  port?: number;
  /** uri-parameters in order, names lower-cased, values escaped. */
  params: Array<[name: string, value: string | undefined]>;
}

/** Transports outdial speaks; TLS (sips:, transport=tls) only where the SIP edge has it (docs/sip-edge.md). */
const transports = new Set(['udp', 'tcp']);

export interface SipUriOptions {
  /** Whether the SIP edge speaks TLS, so sips: and transport=tls can be sent; refused otherwise. */
  tls?: boolean;
}

function invalid(field: string, what: string): never {
  throw new DialoutInvalid(field, `${field} ${what}`);
}

/** Parses a sip: URI a tenant gave; throws DialoutInvalid naming `field` with what is wrong. */
export function parseSipUri(text: string, field = 'target', options: SipUriOptions = {}): SipUri {
  if (hasControlChar(text)) invalid(field, 'must not contain control characters');
  const scheme = /^(sips?):/i.exec(text);
  if (!scheme) invalid(field, 'must be a sip: URI');
  const secure = scheme[1]!.toLowerCase() === 'sips';
  if (secure && !options.tls) invalid(field, 'is a sips: URI, which needs SIP over TLS; this outdial has none (sip.embedded.tls), use sip:');
  let rest = text.slice(scheme[0].length);
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (userinfo.includes(':')) invalid(field, 'must not carry a password (user:password@)');
    user = sipUser(userinfo);
    if (user === undefined) invalid(field, `has a user part "${userinfo}" that is not an RFC 3261 user`);
  }
  if (rest.includes('?')) invalid(field, 'must not carry URI headers (?name=value): they would become SIP headers');
  const [hostport = '', ...paramTexts] = rest.split(';');
  const hp = /^(\[[^\]]*\]|[^:]*)(?::([0-9]{1,5}))?$/.exec(hostport);
  const host = hp ? sipHost(hp[1]!) : undefined;
  if (!hp || host === undefined) invalid(field, `has a host "${hostport}" that is not a host name, IPv4 address or [IPv6] address`);
  const port = hp[2] === undefined ? undefined : Number(hp[2]);
  if (port !== undefined && (port < 1 || port > 65535)) invalid(field, `port ${port} is out of range`);
  const params: SipUri['params'] = [];
  for (const p of paramTexts) {
    const eq = p.indexOf('=');
    const rawName = eq < 0 ? p : p.slice(0, eq);
    const name = sipParam(rawName)?.toLowerCase();
    if (name === undefined) invalid(field, `has a malformed parameter ";${p}"`);
    const value = eq < 0 ? undefined : sipParam(p.slice(eq + 1));
    if (eq >= 0 && value === undefined) invalid(field, `has a malformed parameter ";${p}"`);
    if (name === 'maddr') invalid(field, 'must not carry maddr: the INVITE goes to the host the URI names');
    const tlsHere = options.tls === true && value?.toLowerCase() === 'tls';
    if (name === 'transport' && (value === undefined || (!transports.has(value.toLowerCase()) && !tlsHere))) {
      invalid(field, `transport=${value ?? ''} is not one outdial speaks here (udp, tcp${options.tls ? ', tls' : '; tls needs sip.embedded.tls'})`);
    }
    params.push([name, name === 'transport' ? value!.toLowerCase() : value]);
  }
  return { ...(secure && { secure }), ...(user !== undefined && { user }), host, ...(port !== undefined && { port }), params };
}

/** The URI written from its parts. */
export function formatSipUri(uri: SipUri): string {
  const user = uri.user === undefined ? '' : `${uri.user}@`;
  const port = uri.port === undefined ? '' : `:${uri.port}`;
  const params = uri.params.map(([n, v]) => (v === undefined ? `;${n}` : `;${n}=${v}`)).join('');
  return `${uri.secure ? 'sips' : 'sip'}:${user}${uri.host}${port}${params}`;
}
