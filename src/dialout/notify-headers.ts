// Kore notifyHeaders: sent with every notification, so anything that could never be sent is refused when
// the dialout is posted, not discovered when every delivery of its final notification fails.

import { DialoutInvalid } from './errors.js';

export const notifyHeaderLimits = { maxCount: 20, maxNameLength: 64, maxValueLength: 1024, maxTotalBytes: 4096 } as const;

// RFC 9110 §5.1 token.
const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 9110 §5.5 field-value, visible ASCII only: VCHAR, with spaces and tabs inside but not at the ends. */
function visibleAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const inside = i > 0 && i < value.length - 1;
    if (!((c >= 0x21 && c <= 0x7e) || (inside && (c === 0x20 || c === 0x09)))) return false;
  }
  return true;
}

/**
 * Headers that frame the message or belong to one connection (RFC 9110 §7.6.1, RFC 9112): outdial sets
 * them itself or they would break the request. content-type and user-agent are let through and replaced.
 */
const refused = new Set([
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'host',
  'expect',
  'http2-settings',
]);

/** Throws DialoutInvalid naming notifyHeaders and the header that could not be sent. */
export function checkNotifyHeaders(headers: Record<string, string> | undefined): void {
  if (headers === undefined) return;
  const entries = Object.entries(headers);
  if (entries.length > notifyHeaderLimits.maxCount) {
    throw new DialoutInvalid('notifyHeaders', `notifyHeaders must hold at most ${notifyHeaderLimits.maxCount} headers`);
  }
  let total = 0;
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    if (!token.test(name) || name.length > notifyHeaderLimits.maxNameLength) {
      throw new DialoutInvalid('notifyHeaders', `notifyHeaders must have HTTP header names (tokens of at most ${notifyHeaderLimits.maxNameLength} characters) as keys`);
    }
    const lower = name.toLowerCase();
    if (refused.has(lower)) throw new DialoutInvalid('notifyHeaders', `notifyHeaders.${name} is a header outdial cannot send for you (framing or connection header)`);
    if (seen.has(lower)) throw new DialoutInvalid('notifyHeaders', `notifyHeaders.${name} is given twice`);
    seen.add(lower);
    if (typeof value !== 'string' || !visibleAscii(value) || value.length > notifyHeaderLimits.maxValueLength) {
      throw new DialoutInvalid(
        'notifyHeaders',
        `notifyHeaders.${name} must be visible ASCII (no control characters or non-ASCII), at most ${notifyHeaderLimits.maxValueLength} characters`,
      );
    }
    total += name.length + value.length + 4;
  }
  if (total > notifyHeaderLimits.maxTotalBytes) {
    throw new DialoutInvalid('notifyHeaders', `notifyHeaders must total at most ${notifyHeaderLimits.maxTotalBytes} bytes`);
  }
}
