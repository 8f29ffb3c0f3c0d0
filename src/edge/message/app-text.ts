import type { SipMessage } from './sip-message.js';

/** A line break that is not CRLF, in the header section. */
const strayLineBreak = /(^|[^\r])\n|\r(?!\n)/;
/** A header line (CRLF not followed by white space) with no colon. */
const lineWithoutColon = /\r\n(?![ \t])[^:\r\n]*(\r\n|$)/;

/**
 * The text handed to the app for a message read from the network: the bytes as they came when drachtio-srf's
 * parser (which splits on CRLF only and wants a blank line after the headers) can read them, else the message
 * written out again from what the edge parsed. Without this a request the edge accepted but drachtio-srf could
 * not read would be dropped by the app, and an INVITE would stay unanswered.
 */
export function appText(msg: SipMessage, raw: string): string {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd !== -1) {
    const head = raw.slice(0, headEnd);
    if (!strayLineBreak.test(head) && !lineWithoutColon.test(head)) return raw;
  }
  return msg.toString();
}
