import { SipParseError } from './sip-parse-error.js';

/** Splits a header value holding a comma-separated list, ignoring commas inside quotes and <...>. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last) out.push(last);
  return out;
}

const tokenText = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const cseqText = /^(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~-]+)$/;

export interface NameAddr {
  display: string;
  uri: string;
  params: Map<string, string>;
}

/** Reads a name-addr or addr-spec with its header parameters (From, To, Contact, Route). */
export function parseNameAddr(value: string): NameAddr {
  let display = '';
  let uri: string;
  let paramText: string;
  const lt = angleOutsideQuotes(value);
  if (lt !== -1) {
    const gt = value.indexOf('>', lt);
    if (gt === -1) throw new SipParseError(`unclosed <> in "${value.slice(0, 80)}"`);
    display = value.slice(0, lt).trim();
    uri = value.slice(lt + 1, gt).trim();
    paramText = value.slice(gt + 1);
  } else {
    // addr-spec form: parameters after the URI belong to the header (§20.10).
    const semi = value.indexOf(';');
    uri = (semi === -1 ? value : value.slice(0, semi)).trim();
    paramText = semi === -1 ? '' : value.slice(semi);
  }
  if (!uri) throw new SipParseError(`no URI in "${value.slice(0, 80)}"`);
  return { display, uri, params: parseParams(paramText) };
}

/** Where the `<` opening the URI is, skipping a quoted display name (§25.1 quoted-string, with quoted-pairs). */
function angleOutsideQuotes(value: string): number {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') return i;
  }
  // RFC 4475 §3.1.2.6: an unterminated display name leaves no way to tell where the URI starts.
  if (quoted) throw new SipParseError(`unterminated quoted string in "${value.slice(0, 80)}"`);
  return -1;
}

export function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const parts = text.split(';');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!.trim();
    // Before the first ';' there is nothing; an empty parameter after it is kept so callers can refuse it.
    if (!p && (i === 0 || i === parts.length - 1)) continue;
    const eq = p.indexOf('=');
    if (eq === -1) params.set(p.toLowerCase(), '');
    else params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  }
  return params;
}

/** A From/To value without its tag parameter. */
export function withoutTag(value: string): string {
  return value.replace(/;\s*tag=[^;>\s]*/i, '');
}

/** The URI inside a Contact or Route value. */
export function uriOf(value: string): string {
  return parseNameAddr(value).uri;
}

/** The tag parameter of a From or To header. */
export function tagOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return parseNameAddr(value).params.get('tag') || undefined;
}

export interface Via {
  transport: string;
  host: string;
  port: number | undefined;
  params: Map<string, string>;
  branch: string | undefined;
}

export function parseVia(value: string): Via {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;\s]+)\s*(;.*)?$/.exec(value.trim());
  if (!m) throw new SipParseError(`malformed Via "${value.slice(0, 80)}"`);
  const hostport = m[2]!;
  let host = hostport;
  let port: number | undefined;
  const close = hostport.lastIndexOf(']');
  const colon = hostport.lastIndexOf(':');
  if (colon > close && colon !== -1) {
    host = hostport.slice(0, colon);
    port = Number(hostport.slice(colon + 1));
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new SipParseError(`bad Via port in "${value}"`);
  }
  const params = parseParams(m[3] ?? '');
  // RFC 4475 §3.1.2.1: empty or non-token parameter names (";;,;,,") make the Via unreadable.
  for (const name of params.keys()) if (!tokenText.test(name)) throw new SipParseError(`malformed Via parameter in "${value.slice(0, 80)}"`);
  return { transport: m[1]!.toUpperCase(), host, port, params, branch: params.get('branch') };
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string | undefined): CSeq {
  const m = cseqText.exec((value ?? '').trim());
  // §8.1.1.5: the sequence number is below 2**31 (RFC 4475 §3.1.2.4 sends a 20-digit one).
  if (!m || Number(m[1]) > 0x7fffffff) throw new SipParseError(`malformed CSeq "${(value ?? '').slice(0, 80)}"`);
  // Methods are case-sensitive (§7.1): "invite" is not INVITE.
  return { seq: Number(m[1]), method: m[2]! };
}

export interface SipUri {
  scheme: string;
  user: string | undefined;
  host: string;
  port: number | undefined;
  params: Map<string, string>;
}

export function parseSipUri(uri: string): SipUri {
  const m = /^(sips?):(?:([^@]*)@)?(\[[^\]]+\]|[^:;?>]+)(?::(\d+))?([^?]*)/i.exec(uri.trim());
  if (!m) throw new SipParseError(`not a SIP URI: "${uri.slice(0, 80)}"`);
  return {
    scheme: m[1]!.toLowerCase(),
    user: m[2] ? m[2].split(';')[0] : undefined,
    host: m[3]!,
    port: m[4] ? Number(m[4]) : undefined,
    params: parseParams(m[5] ?? ''),
  };
}
