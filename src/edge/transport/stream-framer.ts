import { SipParseError } from '../message/index.js';

/** Longest header section accepted on a stream before the connection is judged broken. */
const MAX_HEAD = 32_768;
/** Largest message (headers and body) a stream may carry: a SIP message with SDP is a few kilobytes. */
export const MAX_STREAM_MESSAGE = 65_536;

const contentLength = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im;

/** What one read of the stream gave: the complete messages, and why the rest cannot be framed, if so. */
export interface FramedMessages {
  messages: string[];
  error?: SipParseError;
}

/**
 * Cuts a SIP byte stream into messages (RFC 3261 §18.3): the header section ends at the first empty line and
 * Content-Length says how many body bytes follow. CRLFs between messages are keep-alives (RFC 5626 §3.5.1).
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessage = MAX_STREAM_MESSAGE) {}

  /** Bytes of a message begun but not complete. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Feeds received bytes; returns the complete messages, or throws when the stream cannot be framed. */
  push(data: Buffer): string[] {
    const { messages, error } = this.read(data);
    if (error) throw error;
    return messages;
  }

  /** Feeds received bytes; messages complete before an unframeable one are still returned (RFC 4475 §3.1.1.8). */
  read(data: Buffer): FramedMessages {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    const messages: string[] = [];
    try {
      for (;;) {
        const message = this.next();
        if (message === undefined) break;
        messages.push(message);
      }
    } catch (err) {
      this.buffer = Buffer.alloc(0);
      return { messages, error: err as SipParseError };
    }
    return { messages };
  }

  private next(): string | undefined {
    let start = 0;
    while (start < this.buffer.length && (this.buffer[start] === 0x0d || this.buffer[start] === 0x0a)) start++;
    if (start) this.buffer = this.buffer.subarray(start);
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    const maxHead = Math.min(MAX_HEAD, this.maxMessage);
    if (headEnd === -1) {
      if (this.buffer.length > maxHead) throw new SipParseError(`header section longer than ${maxHead} bytes`, 513);
      return undefined;
    }
    const head = this.buffer.toString('utf8', 0, headEnd);
    const m = contentLength.exec(head);
    // §18.3: on a stream Content-Length is mandatory; without it nothing after the headers can be trusted.
    if (!m) throw new SipParseError('Content-Length missing on a stream transport');
    const length = Number(m[1]);
    const total = headEnd + 4 + length;
    if (total > this.maxMessage) throw new SipParseError(`message of ${total} bytes exceeds ${this.maxMessage}`, 513);
    if (this.buffer.length < total) return undefined;
    const message = this.buffer.toString('utf8', 0, total);
    this.buffer = this.buffer.subarray(total);
    return message;
  }
}
