// How a call's audio flows, as the call sees it: each leg gets an SDP offer to send and the far end's answer
// back; the callee's leg gives its audio to AMD; once the bot answers the two legs are bridged. Direct RTP
// (src/media/direct-path.ts) is one implementation; a media server anchoring the call is another.

import type { Logger } from '../log/index.js';

/** What a leg's media tells its listeners. */
export interface LegMediaEvents {
  /** 20 ms of decoded audio (160 samples at 8 kHz) from the far end, in timeline order. */
  frame: [pcm: Int16Array];
  /** A stretch of the far end's timeline without audio. */
  gap: [ms: number];
}

/** Counters of what the far end sent, for the record, the metrics and the liveness watch. */
export interface LegMediaStats {
  packetsReceived: number;
  packetsLost: number;
  /** Wall-clock time (epoch ms) of the last packet, or undefined before any. */
  lastArrivalAt: number | undefined;
}

/** One leg's media: local until `answer` (or `acceptOffer`), then flowing until `close`. */
export interface LegMedia {
  /** The SDP offer for this leg's INVITE. */
  readonly offer: string;
  /** Takes the far end's SDP answer and starts the media; throws an SdpError when it is unusable. */
  answer(sdp: string): void;
  /**
   * For a leg the far end placed (an INVITE outdial answers): takes its SDP offer, starts the media and
   * returns outdial's SDP answer (at once in direct mode; once the media server has answered otherwise);
   * throws an SdpError when the offer is unusable, another error when the media cannot take it.
   */
  acceptOffer(sdp: string): string | Promise<string>;
  on<E extends keyof LegMediaEvents>(event: E, listener: (...args: LegMediaEvents[E]) => void): unknown;
  off<E extends keyof LegMediaEvents>(event: E, listener: (...args: LegMediaEvents[E]) => void): unknown;
  readonly codec: string | undefined;
  readonly stats: LegMediaStats;
  /**
   * Why the leg's media ended on its own while the call was up (the media server anchoring it, or the leg's
   * channel on it, is gone): the call should end. Undefined while it flows; direct RTP never sets it.
   */
  readonly stopped?: string | undefined;
  /** Releases the leg's ports. Idempotent. */
  close(): void;
}

/** Audio flowing between the callee and the bot until stopped. */
export interface MediaBridge {
  stop(): void;
}

export interface MediaPath {
  /**
   * Media for one new leg; throws when none is available (ports exhausted, media server down). `bridgeTo` is
   * the leg this one will be bridged to (the callee's, for a bot leg): a media server puts both on itself.
   */
  openLeg(logger: Logger, bridgeTo?: LegMedia): Promise<LegMedia>;
  /** Connects the two legs' audio both ways. */
  bridge(callee: LegMedia, bot: LegMedia): MediaBridge;
}
