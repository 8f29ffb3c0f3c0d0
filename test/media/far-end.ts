// A far end for RTP tests: a real UDP socket that builds and parses packets with rtp.js.
import { createSocket, type Socket } from 'node:dgram';
import { RtpPacket, isRtp } from 'rtp.js/packets';
import { decodeG711, encodeG711, type G711Codec } from '../../src/media/index.js';
import { freePort } from '../support/ports.js';

export interface Received {
  packet: RtpPacket;
  payload: Buffer;
  from: number;
}

export interface SendFields {
  pt: number;
  payload: Uint8Array;
  seq: number;
  ts: number;
  ssrc?: number;
  marker?: boolean;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function rtpBytes(f: SendFields, ssrc: number): Buffer {
  const p = new RtpPacket();
  p.setPayloadType(f.pt);
  p.setSequenceNumber(f.seq & 0xffff);
  p.setTimestamp(f.ts >>> 0);
  p.setSsrc(f.ssrc ?? ssrc);
  p.setMarker(f.marker ?? false);
  p.setPayload(new DataView(f.payload.buffer, f.payload.byteOffset, f.payload.byteLength));
  p.serialize();
  const view = p.getView();
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

export class FarEnd {
  readonly received: Received[] = [];
  ssrc = 0x1234abcd;

  private constructor(
    readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', (msg, rinfo) => {
      const copy = Buffer.from(msg);
      const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
      if (!isRtp(view)) return;
      const packet = new RtpPacket(view);
      const payload = packet.getPayload();
      this.received.push({ packet, payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), from: rinfo.port });
    });
  }

  static async open(): Promise<FarEnd> {
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const socket = createSocket('udp4');
      const ok = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) return new FarEnd(socket, port);
      socket.close();
      if (attempt > 5) throw new Error('could not bind a far-end socket');
    }
  }

  media(codec: G711Codec, extra: { telephoneEventPt?: number; payloadType?: number } = {}) {
    return {
      address: '127.0.0.1',
      port: this.port,
      codec,
      payloadType: extra.payloadType ?? (codec === 'PCMU' ? 0 : 8),
      direction: 'sendrecv' as const,
      ...(extra.telephoneEventPt !== undefined ? { telephoneEventPt: extra.telephoneEventPt } : {}),
    };
  }

  send(to: number, fields: SendFields): void {
    this.socket.send(rtpBytes(fields, this.ssrc), to, '127.0.0.1');
  }

  sendRaw(to: number, bytes: Uint8Array): void {
    this.socket.send(bytes, to, '127.0.0.1');
  }

  /**
   * Send `pcm` as 20 ms packets of `codec`, numbering from `first` (seq and ts derived from the packet index
   * unless `ts` maps it); `order` picks which packet indexes go out and in which order.
   */
  sendAudio(to: number, pcm: Int16Array, codec: G711Codec, opts: { order?: number[]; seq0?: number; ts0?: number; pt?: number; ts?: (i: number) => number } = {}): void {
    const count = Math.floor(pcm.length / 160);
    const order = opts.order ?? Array.from({ length: count }, (_, i) => i);
    for (const i of order) {
      this.send(to, {
        pt: opts.pt ?? (codec === 'PCMU' ? 0 : 8),
        payload: encodeG711(codec, pcm.subarray(i * 160, (i + 1) * 160)),
        seq: (opts.seq0 ?? 1000) + i,
        ts: opts.ts ? opts.ts(i) : (opts.ts0 ?? 50_000) + i * 160,
      });
    }
  }

  /** Paced like a real sender: one packet per `intervalMs`. */
  async streamAudio(to: number, pcm: Int16Array, codec: G711Codec, intervalMs = 20, seq0 = 1000, ts0 = 50_000): Promise<void> {
    const count = Math.floor(pcm.length / 160);
    for (let i = 0; i < count; i++) {
      this.sendAudio(to, pcm, codec, { order: [i], seq0, ts0 });
      await sleep(intervalMs);
    }
  }

  decodedAudio(codec: G711Codec, pt?: number): Int16Array {
    const wanted = pt ?? (codec === 'PCMU' ? 0 : 8);
    const parts = this.received.filter((r) => r.packet.getPayloadType() === wanted).map((r) => decodeG711(codec, r.payload));
    const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  close(): void {
    this.socket.close();
  }
}
