// The shapes an RtpEndpoint shows the rest of outdial: its events, options, counters and the packet a
// relay's tap sees.

import type { Logger } from '../log/index.js';
import type { MediaClock } from './media-clock.js';
import type { GapCause, ReceiveCounters, ReceiveStreamOptions } from './receive-stream.js';
import type { NegotiatedMedia } from './sdp.js';
import type { RtpAddress } from './source-rule.js';
import type { DtmfEvent } from './telephone-event.js';

/** Events of an RtpEndpoint. */
export interface RtpEndpointEvents {
  /** 20 ms of decoded audio (160 samples at 8 kHz), in timeline order. */
  frame: [pcm: Int16Array];
  /** A stretch of the timeline without audio, a multiple of 20 ms. */
  gap: [ms: number, cause: GapCause];
  /** An RFC 4733 DTMF digit, once per event. */
  dtmf: [event: DtmfEvent];
  /** The send target moved to where RTP actually comes from (symmetric RTP). */
  latched: [remote: RtpAddress];
}

export interface RtpEndpointOptions extends ReceiveStreamOptions {
  /** The clock that drives the watchdog; the process-wide one by default. */
  clock?: MediaClock;
  /** The far end's media as negotiated, if already known. */
  media?: NegotiatedMedia;
  /** After the latched source has been silent this long, another source may take over. */
  relatchAfterMs?: number;
  logger?: Logger;
}

/** Counters of one leg, for the call record, metrics and tests. */
export interface RtpEndpointStats extends ReceiveCounters {
  packetsReceived: number;
  bytesReceived: number;
  packetsMalformed: number;
  packetsRtcp: number;
  packetsStray: number;
  packetsSent: number;
  bytesSent: number;
  packetsUnsent: number;
  /** Exceptions thrown by frame/gap/dtmf listeners or the relay, caught and logged. */
  listenerErrors: number;
  /** Wall-clock time (ms since the epoch) of the last datagram, or undefined before any. */
  lastArrivalAt: number | undefined;
}

/**
 * A received RTP packet as a relay sees it. One object per endpoint, overwritten for every packet: a tap
 * must use it before returning and keep nothing.
 */
export interface ReceivedRtp {
  ssrc: number;
  seq: number;
  ts: number;
  pt: number;
  marker: boolean;
  buf: Uint8Array;
  offset: number;
  length: number;
}

export type PacketTap = (packet: ReceivedRtp, now: number) => void;

