import { SipParseError } from '../message/index.js';

/** Longest header section accepted on a stream before the connection is judged broken. */
const MAX_HEAD = 32_768;
const MAX_BODY = 1_048_576;

const contentLength = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im;

/**
 * Cuts a SIP byte stream into messages (RFC 3261 §18.3): the header section ends at the first empty line and
 * Content-Length says how many body bytes follow. CRLFs between messages are keep-alives (RFC 5626 §3.5.1).
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);

  /** Feeds received bytes; returns the complete messages, or throws when the stream cannot be framed. */
  push(data: Buffer): string[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    const out: string[] = [];
    for (;;) {
      let start = 0;
      while (start < this.buffer.length && (this.buffer[start] === 0x0d || this.buffer[start] === 0x0a)) start++;
      if (start) this.buffer = this.buffer.subarray(start);
      const headEnd = this.buffer.indexOf('\r\n\r\n');
      if (headEnd === -1) {
        if (this.buffer.length > MAX_HEAD) throw new SipParseError(`header section longer than ${MAX_HEAD} bytes`);
        break;
      }
      const head = this.buffer.toString('utf8', 0, headEnd);
      const m = contentLength.exec(head);
      // §18.3: on a stream Content-Length is mandatory; without it nothing after the headers can be trusted.
      if (!m) throw new SipParseError('Content-Length missing on a stream transport');
      const length = Number(m[1]);
      if (length > MAX_BODY) throw new SipParseError(`Content-Length ${length} too large`);
      const total = headEnd + 4 + length;
      if (this.buffer.length < total) break;
      out.push(this.buffer.toString('utf8', 0, total));
      this.buffer = this.buffer.subarray(total);
    }
    return out;
  }
}
