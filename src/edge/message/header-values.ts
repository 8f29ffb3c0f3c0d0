import { SipParseError } from './parse-message.js';

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
  const lt = value.indexOf('<');
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

export function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq === -1) params.set(p.toLowerCase(), '');
    else params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  }
  return params;
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
  return { transport: m[1]!.toUpperCase(), host, port, params, branch: params.get('branch') };
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string | undefined): CSeq {
  const m = /^(\d{1,10})\s+([A-Za-z]+)$/.exec((value ?? '').trim());
  if (!m) throw new SipParseError(`malformed CSeq "${(value ?? '').slice(0, 80)}"`);
  return { seq: Number(m[1]), method: m[2]!.toUpperCase() };
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
