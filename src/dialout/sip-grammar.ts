// RFC 3261 §25.1 grammar for the request fields that land in SIP: the user part of a URI, a host, a
// display name (quoted-string), URI parameters. Pure functions; they answer what is wrong or the text to
// put on the wire, never pass anything through unchecked.

/** C0 controls, DEL and C1 controls: never allowed in a field that reaches SIP or HTTP. */
export function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

// unreserved = alphanum / mark; mark = - _ . ! ~ * ' ( )
const unreserved = "A-Za-z0-9\\-_.!~*'()";
// user-unreserved = & = + $ , ; ? /  ('?' is escaped on output all the same, so no reader takes it for headers)
const userChars = new RegExp(`^(?:[${unreserved}&=+$,;/]|%[0-9A-Fa-f]{2})+$`);
// paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $
const paramChars = new RegExp(`^(?:[${unreserved}\\[\\]/:&+$]|%[0-9A-Fa-f]{2})+$`);

const userKeep = new RegExp(`[${unreserved}&=+$,;/]`);
const paramKeep = new RegExp(`[${unreserved}\\[\\]/:&+$]`);

/** Percent-encodes every UTF-8 byte of `text` that `keep` does not allow as it is. */
function escapeWith(text: string, keep: RegExp): string {
  let out = '';
  for (const ch of text) {
    if (ch.length === 1 && keep.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes %XX escapes (to UTF-8 text); undefined when an escape is malformed or the bytes are not UTF-8. */
function unescapeText(text: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Whether `text` is an RFC 3261 `user` exactly as it stands (escapes allowed, nothing to escape). */
export function isSipUser(text: string): boolean {
  return userChars.test(text) && !/%(?![0-9A-Fa-f]{2})/.test(text) && !/%(?:0[0-9A-Fa-f]|1[0-9A-Fa-f]|7[Ff])/.test(text);
}

/**
 * A user part as a tenant gives it (raw UTF-8 or already %-escaped), in RFC 3261 `user` form with every
 * other character escaped. Undefined when it cannot be one: empty, a control character, a broken escape.
 */
export function sipUser(text: string): string | undefined {
  if (text === '' || hasControlChar(text)) return undefined;
  const decoded = unescapeText(text);
  if (decoded === undefined || decoded === '' || hasControlChar(decoded)) return undefined;
  const escaped = escapeWith(decoded, userKeep);
  return userChars.test(escaped) ? escaped : undefined;
}

/** A URI parameter name or value in `paramchar` form (non-ASCII escaped); undefined when impossible. */
export function sipParam(text: string): string | undefined {
  if (text === '' || hasControlChar(text)) return undefined;
  const decoded = unescapeText(text);
  if (decoded === undefined || decoded === '' || hasControlChar(decoded)) return undefined;
  const escaped = escapeWith(decoded, paramKeep);
  return paramChars.test(escaped) ? escaped : undefined;
}

const ipv4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;
// hostname = *( domainlabel "." ) toplabel [ "." ]; toplabel starts with a letter (so 127.1 is no host name).
const hostname = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;
const ipv6Reference = /^\[([0-9A-Fa-f:.]+)\]$/;

/** An RFC 3261 `host`: hostname, IPv4address (dotted quad) or [IPv6reference]; lower-cased. Undefined otherwise. */
export function sipHost(text: string): string | undefined {
  if (text.length > 253) return undefined;
  if (ipv4.test(text)) return text;
  if (hostname.test(text)) return text.toLowerCase();
  const v6 = ipv6Reference.exec(text);
  if (v6) {
    try {
      // The WHATWG parser validates and compresses the address.
      return new URL(`http://[${v6[1]}]/`).hostname.toLowerCase();
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * A display name as a `quoted-string`: any text without control characters, with `"` and `\` escaped as
 * quoted-pairs. Undefined when it holds a control character.
 */
export function quotedDisplayName(text: string): string | undefined {
  if (hasControlChar(text)) return undefined;
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The From header of a dialout: `"display" <sip:user@host>`; parts must have passed the checks above. */
export function fromHeader(user: string, host: string, displayName?: string): string {
  const display = displayName === undefined || displayName === '' ? '' : `${quotedDisplayName(displayName) ?? '""'} `;
  return `${display}<sip:${user}@${host}>`;
}
