/**
 * The frames a drachtio-srf sends, typed (`<msgId>|<type>|<args...>` then, for `sip`, CRLF and a SIP message).
 * Frames the edge sends are written by `wire-format.ts`.
 */
export type AppFrame =
  | { type: 'authenticate'; msgId: string; secret: string }
  | { type: 'ping'; msgId: string }
  | { type: 'route'; msgId: string; method: string }
  | { type: 'remove_route'; msgId: string; method: string }
  | SipFrame
  | { type: 'other'; msgId: string; name: string };

/** `<msgId>|sip|<transactionId>|<dialogId>|<proxy>` + CRLF + a SIP message the app wants sent. */
export interface SipFrame {
  type: 'sip';
  msgId: string;
  transactionId: string | undefined;
  dialogId: string | undefined;
  proxy: string | undefined;
  message: string;
}

export function parseAppFrame(frame: string): AppFrame {
  const pos = frame.indexOf('\r\n');
  const tokens = (pos === -1 ? frame : frame.slice(0, pos)).split('|');
  const msgId = tokens[0] ?? '';
  const name = tokens[1] ?? '';
  const arg = (i: number) => tokens[i] || undefined;
  switch (name) {
    case 'authenticate':
      return { type: 'authenticate', msgId, secret: tokens[2] ?? '' };
    case 'ping':
      return { type: 'ping', msgId };
    case 'route':
    case 'remove_route':
      return { type: name, msgId, method: (tokens[2] ?? '').toLowerCase() };
    case 'sip':
      return { type: 'sip', msgId, transactionId: arg(2), dialogId: arg(3), proxy: arg(4), message: pos === -1 ? '' : frame.slice(pos + 2) };
    default:
      return { type: 'other', msgId, name };
  }
}
