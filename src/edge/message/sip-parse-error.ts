import type { SipMessage } from './sip-message.js';

/**
 * Why a message could not be read; `status` is what a UAS answers with when it can answer at all.
 * `partial` holds the start line and headers when the rest was readable, so a request can still be answered.
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
