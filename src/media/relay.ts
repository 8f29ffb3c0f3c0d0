import type { RtpEndpoint, ReceivedRtp } from './endpoint.js';
import { PCMA_TO_PCMU, PCMU_TO_PCMA, type G711Codec } from './g711.js';

const PT_COMFORT_NOISE = 13;
const STATIC_CODEC: Readonly<Record<number, G711Codec>> = { 0: 'PCMU', 8: 'PCMA' };

/** Counters of one direction of a relay. */
export interface RelayDirectionStats {
  forwarded: number;
  transcoded: number;
  dropped: number;
}

/**
 * One direction of a relay: packets received on `from` go out on `to` in `to`'s own stream. Sequence
 * numbers and timestamps are shifted by per-source offsets (so losses and reordering stay visible to the far
 * end's jitter buffer) and re-based whenever the source SSRC or the sender on `to` changes.
 */
class RelayDirection {
  readonly stats: RelayDirectionStats = { forwarded: 0, transcoded: 0, dropped: 0 };
  readonly #from: RtpEndpoint;
  readonly #to: RtpEndpoint;
  #sourceSsrc = -1;
  #seqOffset = 0;
  #tsOffset = 0;

  constructor(from: RtpEndpoint, to: RtpEndpoint) {
    this.#from = from;
    this.#to = to;
  }

  readonly forward = (p: ReceivedRtp, now: number): void => {
    const to = this.#to;
    const toMedia = to.media;
    const fromMedia = this.#from.media;
    let pt: number;
    let table: Readonly<Uint8Array> | undefined;
    let samples = 0;
    const sourceCodec = fromMedia && p.pt === fromMedia.payloadType ? fromMedia.codec : STATIC_CODEC[p.pt];
    if (sourceCodec) {
      const targetCodec = toMedia?.codec ?? sourceCodec;
      pt = toMedia?.payloadType ?? p.pt;
      if (sourceCodec !== targetCodec) table = sourceCodec === 'PCMU' ? PCMU_TO_PCMA : PCMA_TO_PCMU;
      samples = p.length;
    } else if (fromMedia?.telephoneEventPt !== undefined && p.pt === fromMedia.telephoneEventPt) {
      if (toMedia?.telephoneEventPt === undefined) {
        this.stats.dropped++;
        return;
      }
      pt = toMedia.telephoneEventPt;
    } else if (p.pt === PT_COMFORT_NOISE) {
      pt = PT_COMFORT_NOISE;
    } else {
      this.stats.dropped++;
      return;
    }

    const stream = to.sendStream;
    let marker = p.marker;
    if (stream.claim(this) || p.ssrc !== this.#sourceSsrc) {
      this.#sourceSsrc = p.ssrc;
      this.#seqOffset = (stream.nextSeq - p.seq) & 0xffff;
      this.#tsOffset = (stream.timestampFor(now) - p.ts) >>> 0;
      marker = true;
    }
    const seq = (p.seq + this.#seqOffset) & 0xffff;
    const ts = (p.ts + this.#tsOffset) >>> 0;
    const packet = stream.packet(pt, marker, seq, ts, p.buf, p.offset, p.length, table);
    to.sendTranslated(packet, seq, ts, samples, now);
    this.stats.forwarded++;
    if (table) this.stats.transcoded++;
  };
}

/**
 * Bridges two call legs (the callee and the bot): RTP from each goes to the other in both directions,
 * transcoded between PCMU and PCMA when the legs negotiated different codecs, telephone-events passed
 * through. Both endpoints keep decoding what they receive, so AMD listening on the callee's leg carries on.
 */
export class RtpRelay {
  readonly #a: RtpEndpoint;
  readonly #b: RtpEndpoint;
  readonly #aToB: RelayDirection;
  readonly #bToA: RelayDirection;
  #stopped = false;

  constructor(a: RtpEndpoint, b: RtpEndpoint) {
    if (a === b) throw new Error('an RTP relay needs two different endpoints');
    if (a.packetTap || b.packetTap) throw new Error('an RTP endpoint can be in one relay only');
    this.#a = a;
    this.#b = b;
    this.#aToB = new RelayDirection(a, b);
    this.#bToA = new RelayDirection(b, a);
    a.packetTap = this.#aToB.forward;
    b.packetTap = this.#bToA.forward;
  }

  get stats(): { aToB: RelayDirectionStats; bToA: RelayDirectionStats } {
    return { aToB: { ...this.#aToB.stats }, bToA: { ...this.#bToA.stats } };
  }

  /** Stop relaying; the endpoints stay open. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#a.packetTap === this.#aToB.forward) this.#a.packetTap = null;
    if (this.#b.packetTap === this.#bToA.forward) this.#b.packetTap = null;
  }
}
