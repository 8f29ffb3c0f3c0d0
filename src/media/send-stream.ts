import { randomInt } from 'node:crypto';
import { SAMPLE_RATE } from './receive-stream.js';

export const RTP_HEADER_LENGTH = 12;

/**
 * The outgoing RTP stream of one leg: its own SSRC, sequence numbers and timestamps (RFC 3550 §5.1), shared
 * by everything that sends on the leg (local audio or a relay), so the far end always sees one continuous
 * stream. Random initial values as RFC 3550 asks.
 */
export class RtpSendStream {
  readonly ssrc: number = randomInt(1, 0xffffffff);
  #nextSeq = randomInt(0, 0x10000);
  #nextTs = randomInt(0, 0x100000000);
  #lastWall = -1;
  #writer: unknown = undefined;
  packets = 0;
  bytes = 0;

  get nextSeq(): number {
    return this.#nextSeq;
  }

  /**
   * The timestamp for media that starts now: right after the previous packet, or further on by the wall
   * time of a pause longer than a few packets (so the far end's jitter buffer sees the silence).
   */
  timestampFor(now: number): number {
    if (this.#lastWall < 0) return this.#nextTs;
    const byWall = (this.#nextTs + Math.round(((now - this.#lastWall) * SAMPLE_RATE) / 1000) - 160) >>> 0;
    const lead = (byWall - this.#nextTs) | 0;
    return lead > 3 * 160 ? byWall : this.#nextTs;
  }

  /**
   * Note who sends next; true when that changed since the last packet, so a relay recomputes its offsets
   * and marks the talkspurt.
   */
  claim(writer: unknown): boolean {
    if (this.#writer === writer) return false;
    this.#writer = writer;
    return true;
  }

  /** A packet with this stream's SSRC and the given header fields, payload copied or mapped through `table`. */
  packet(pt: number, marker: boolean, seq: number, ts: number, payload: Uint8Array, offset: number, length: number, table?: Readonly<Uint8Array>): Buffer {
    const out = Buffer.allocUnsafe(RTP_HEADER_LENGTH + length);
    this.#header(out, pt, marker, seq, ts);
    if (table) {
      for (let i = 0; i < length; i++) out[RTP_HEADER_LENGTH + i] = table[payload[offset + i] as number] as number;
    } else {
      out.set(payload.subarray(offset, offset + length), RTP_HEADER_LENGTH);
    }
    return out;
  }

  /** A packet of 16-bit PCM companded through a G.711 encode table (indexed by sample & 0xffff). */
  pcmPacket(pt: number, marker: boolean, seq: number, ts: number, pcm: Int16Array, encode: Readonly<Uint8Array>): Buffer {
    const out = Buffer.allocUnsafe(RTP_HEADER_LENGTH + pcm.length);
    this.#header(out, pt, marker, seq, ts);
    for (let i = 0; i < pcm.length; i++) out[RTP_HEADER_LENGTH + i] = encode[(pcm[i] as number) & 0xffff] as number;
    return out;
  }

  #header(out: Buffer, pt: number, marker: boolean, seq: number, ts: number): void {
    out[0] = 0x80;
    out[1] = (marker ? 0x80 : 0) | (pt & 0x7f);
    out.writeUInt16BE(seq & 0xffff, 2);
    out.writeUInt32BE(ts >>> 0, 4);
    out.writeUInt32BE(this.ssrc, 8);
  }

  /** Record a packet sent with (seq, ts) covering `samples`; later packets continue after the newest. */
  sent(seq: number, ts: number, samples: number, bytes: number, now: number): void {
    this.packets++;
    this.bytes += bytes;
    if (((seq - this.#nextSeq) << 16) >> 16 >= 0) this.#nextSeq = (seq + 1) & 0xffff;
    const end = (ts + samples) >>> 0;
    if (((end - this.#nextTs) | 0) >= 0) {
      this.#nextTs = end;
      this.#lastWall = now;
    }
  }
}
