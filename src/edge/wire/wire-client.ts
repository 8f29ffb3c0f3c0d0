import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { AppConnection, AppDelivery } from '../core/app-port.js';
import { sipToApp } from './wire-format.js';

/** One drachtio-srf connection, framed as drachtio does: `<byte length>#<msgId>|<type>|...`. */
export class WireClient implements AppConnection {
  authenticated = false;
  /** Methods (lower case) this client asked to receive with `route|<verb>`. */
  readonly routes = new Set<string>();
  private buffer: Buffer = Buffer.alloc(0);

  constructor(readonly socket: Socket) {}

  /** Feeds received bytes; returns the complete frames, or throws on a frame with no valid length. */
  receive(data: Buffer): string[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    const frames: string[] = [];
    for (;;) {
      const hash = this.buffer.indexOf(0x23);
      if (hash === -1) {
        if (this.buffer.length > 12) throw new Error('frame has no length prefix');
        break;
      }
      const lengthText = this.buffer.toString('latin1', 0, hash);
      if (!/^\d{1,9}$/.test(lengthText)) throw new Error(`bad frame length "${lengthText.slice(0, 20)}"`);
      const length = Number(lengthText);
      if (this.buffer.length < hash + 1 + length) break;
      frames.push(this.buffer.toString('utf8', hash + 1, hash + 1 + length));
      this.buffer = this.buffer.subarray(hash + 1 + length);
    }
    return frames;
  }

  /** A SIP message for the app: `sip|<meta>|<transactionId>|<dialogId>|` + CRLF + the message. */
  deliver(d: AppDelivery): void {
    this.send(sipToApp(d.source, d.raw, d.peer, d.transactionId, d.dialogId));
  }

  /** Sends one frame, prefixed with a fresh message id. */
  send(body: string): void {
    if (this.socket.destroyed) return;
    const s = randomUUID() + '|' + body;
    this.socket.write(Buffer.byteLength(s, 'utf8') + '#' + s);
  }
}
