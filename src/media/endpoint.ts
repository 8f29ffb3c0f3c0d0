import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import type { RemoteInfo } from 'node:dgram';
import { RtpPacket } from 'rtp.js/packets';
import type { Logger } from '../log/index.js';
import { classifyAddress } from '../notify/destination-policy.js';
import { encodeTableOf, type G711Codec } from './g711.js';
import { MediaClock, mediaClock } from './media-clock.js';
import type { RtpPortLease, RtpPortPool } from './port-pool.js';
import { RtpReceiveStream, type GapCause, type ReceiveCounters, type ReceiveStreamOptions } from './receive-stream.js';
import { RTP_HEADER_LENGTH, RtpSendStream } from './send-stream.js';
import type { NegotiatedMedia } from './sdp.js';
import type { DtmfEvent } from './telephone-event.js';

/** A transport address. */
export interface RtpAddress {
  address: string;
  port: number;
}

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

const RTCP_HEADER_LENGTH = 8;
const G711_STATIC_PT: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };

function usable(address: string | undefined, port: number | undefined): boolean {
  return !!address && address !== '0.0.0.0' && address !== '::' && !!port && port > 0 && port < 65536;
}

/**
 * Whether packets can come from the address an SDP names, as seen from our own RTP address: a private or
 * loopback address cannot reach a public socket (the far end sits behind NAT and its packets arrive from
 * its public address).
 */
export function sdpAddressCanBeSource(sdpAddress: string, localAddress: string): boolean {
  const theirs = classifyAddress(sdpAddress);
  const ours = classifyAddress(localAddress);
  if (theirs === undefined || ours === undefined) return true;
  if (theirs === 'loopback') return ours === 'loopback' || ours === 'unspecified';
  if (theirs === 'private') return ours !== 'public';
  return true;
}

/**
 * One call leg's RTP: a socket from the pool, the receive timeline (frames, gaps, DTMF) and the outgoing
 * stream. Media is taken only from the address the SDP answer names (any port of it; the send target
 * follows the port it really comes from). Where that address cannot be the source (0.0.0.0, none, or a
 * private address seen from a public socket) the first valid source is latched once and kept. Nothing is
 * taken before the answer. Everything else is dropped and counted (`packetsStray`, and the pool's total
 * for /metrics), so a stranger spraying RTP at our ports is never heard by AMD or relayed to the bot.
 */
export class RtpEndpoint extends EventEmitter<RtpEndpointEvents> {
  readonly localAddress: string;
  readonly localPort: number;
  readonly sendStream = new RtpSendStream();
  /** Set by RtpRelay: sees every accepted RTP packet in arrival order. */
  packetTap: PacketTap | null = null;

  readonly #lease: RtpPortLease;
  readonly #clock: MediaClock;
  readonly #receive: RtpReceiveStream;
  readonly #relatchAfterMs: number;
  readonly #logger: Logger | undefined;
  readonly #received: ReceivedRtp = { ssrc: 0, seq: 0, ts: 0, pt: 0, marker: false, buf: new Uint8Array(0), offset: 0, length: 0 };
  #media: NegotiatedMedia | undefined;
  /** The SDP answer's address when packets may come from it; undefined: latch to the first source once. */
  #expectedAddress: string | undefined;
  #remote: RtpAddress | undefined;
  #source: RtpAddress | undefined;
  #lastSourceArrival = 0;
  #lastArrivalWall: number | undefined;
  #closed = false;
  readonly #counts = {
    packetsReceived: 0,
    bytesReceived: 0,
    packetsMalformed: 0,
    packetsRtcp: 0,
    packetsStray: 0,
    packetsUnsent: 0,
    listenerErrors: 0,
  };

  /** Allocate a port from the pool and open an endpoint on it. */
  static async open(pool: RtpPortPool, options: RtpEndpointOptions = {}): Promise<RtpEndpoint> {
    return new RtpEndpoint(await pool.allocate(), options);
  }

  constructor(lease: RtpPortLease, options: RtpEndpointOptions = {}) {
    super();
    this.#lease = lease;
    this.localAddress = lease.host;
    this.localPort = lease.port;
    this.#clock = options.clock ?? mediaClock;
    this.#relatchAfterMs = options.relatchAfterMs ?? 1000;
    this.#logger = options.logger;
    this.#receive = new RtpReceiveStream(
      {
        // Listener failures are caught here, per event, so the receive stream's state stays consistent.
        frame: (pcm) => {
          try {
            this.emit('frame', pcm);
          } catch (err) {
            this.#listenerFailed(err);
          }
        },
        gap: (ms, cause) => {
          try {
            this.emit('gap', ms, cause);
          } catch (err) {
            this.#listenerFailed(err);
          }
        },
        dtmf: (event) => {
          try {
            this.emit('dtmf', event);
          } catch (err) {
            this.#listenerFailed(err);
          }
        },
      },
      options,
    );
    lease.socket.on('message', this.#onMessage);
    lease.socket.on('error', this.#onSocketError);
    this.#clock.add(this.#receive);
    if (options.media) this.setRemote(options.media);
  }

  /** The negotiated media (codec, payload types, the far end's SDP address). */
  get media(): NegotiatedMedia | undefined {
    return this.#media;
  }

  /** Where RTP is sent now: the SDP address, or the latched source. */
  get remote(): RtpAddress | undefined {
    return this.#remote;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Milliseconds of audio timeline delivered so far (frames and gaps). */
  get timelineMs(): number {
    return this.#receive.timelineMs;
  }

  get stats(): RtpEndpointStats {
    return {
      ...this.#receive.counters,
      ...this.#counts,
      packetsSent: this.sendStream.packets,
      bytesSent: this.sendStream.bytes,
      lastArrivalAt: this.#lastArrivalWall === undefined ? undefined : performance.timeOrigin + this.#lastArrivalWall,
    };
  }

  /**
   * Apply an SDP negotiation (answer to our offer, our answer to an offer, or a re-INVITE): codec, payload
   * types and the far end's address. A new negotiation lets the source latch again.
   */
  setRemote(media: NegotiatedMedia): void {
    this.#media = media;
    this.#receive.configure(media.codec, media.payloadType, media.telephoneEventPt);
    this.#source = undefined;
    const sdpUsable = usable(media.address, media.port);
    this.#remote = sdpUsable ? { address: media.address, port: media.port } : undefined;
    this.#expectedAddress = sdpUsable && sdpAddressCanBeSource(media.address, this.localAddress) ? media.address : undefined;
  }

  /** Start the audio timeline now (the call was answered): the watchdog declares gaps even if no RTP ever comes. */
  start(): void {
    this.#receive.start(MediaClock.now());
  }

  /** Send 16-bit PCM as one packet in the negotiated codec (PCMU before negotiation). */
  sendPcm(pcm: Int16Array): void {
    const codec = this.#media?.codec ?? 'PCMU';
    const pt = this.#media?.payloadType ?? G711_STATIC_PT[codec];
    const now = MediaClock.now();
    const stream = this.sendStream;
    const marker = stream.claim(this);
    const seq = stream.nextSeq;
    const ts = stream.timestampFor(now);
    this.#transmit(stream.pcmPacket(pt, marker, seq, ts, pcm, encodeTableOf(codec)), seq, ts, pcm.length, now);
  }

  /**
   * Send an already encoded payload with this leg's SSRC, sequence and timestamp. `samples` advances the
   * timestamp (a G.711 byte is a sample; pass 0 for telephone-event packets of one event).
   */
  sendPayload(payload: Uint8Array, pt: number, marker = false, samples = payload.length): void {
    const now = MediaClock.now();
    const stream = this.sendStream;
    const switched = stream.claim(this);
    const seq = stream.nextSeq;
    const ts = stream.timestampFor(now);
    this.#transmit(stream.packet(pt, marker || switched, seq, ts, payload, 0, payload.length), seq, ts, samples, now);
  }

  /** Send a packet whose header fields a relay has already translated into this leg's stream. */
  sendTranslated(packet: Buffer, seq: number, ts: number, samples: number, now: number): void {
    this.#transmit(packet, seq, ts, samples, now);
  }

  /** Stop receiving and give the port back to the pool. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.packetTap = null;
    this.#clock.delete(this.#receive);
    this.#lease.socket.off('message', this.#onMessage);
    this.#lease.release();
    this.removeAllListeners();
  }

  #transmit(packet: Buffer, seq: number, ts: number, samples: number, now: number): void {
    const remote = this.#remote;
    if (this.#closed || !remote) {
      this.#counts.packetsUnsent++;
      return;
    }
    this.sendStream.sent(seq, ts, samples, packet.length, now);
    this.#lease.socket.send(packet, remote.port, remote.address);
  }

  readonly #onSocketError = (err: Error): void => {
    // A send to an unreachable far end must not take the call (or the process) down.
    this.#counts.packetsUnsent++;
    this.#logger?.warn({ err, localPort: this.localPort }, 'RTP socket error');
  };

  readonly #onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    const now = MediaClock.now();
    const counts = this.#counts;
    counts.packetsReceived++;
    counts.bytesReceived += msg.length;
    if (msg.length < RTCP_HEADER_LENGTH || (msg[0] as number) >> 6 !== 2) {
      counts.packetsMalformed++;
      return;
    }
    const secondByte = msg[1] as number;
    if (secondByte >= 192 && secondByte <= 223) {
      // RTCP multiplexed on the RTP port (RFC 5761 §4): not audio.
      counts.packetsRtcp++;
      return;
    }
    if (msg.length < RTP_HEADER_LENGTH) {
      counts.packetsMalformed++;
      return;
    }
    let packet: RtpPacket;
    try {
      packet = new RtpPacket(new DataView(msg.buffer, msg.byteOffset, msg.length));
    } catch {
      counts.packetsMalformed++;
      return;
    }
    if (!this.#acceptSource(rinfo, now)) {
      counts.packetsStray++;
      this.#lease.stray?.();
      return;
    }
    // Only the far end's own packets prove the leg alive: a stranger's spray must not hold up the watchdog.
    this.#lastArrivalWall = now;
    const payload = packet.getPayload();
    const r = this.#received;
    r.ssrc = packet.getSsrc();
    r.seq = packet.getSequenceNumber();
    r.ts = packet.getTimestamp();
    r.pt = packet.getPayloadType();
    r.marker = packet.getMarker();
    r.buf = msg;
    r.offset = payload.byteOffset - msg.byteOffset;
    r.length = payload.byteLength;
    if (this.packetTap) {
      try {
        this.packetTap(r, now);
      } catch (err) {
        this.#listenerFailed(err);
      }
    }
    this.#receive.receive(r.ssrc, r.seq, r.ts, r.pt, msg, r.offset, r.length, now);
  };

  /** A throwing listener (AMD, relay) must not take the socket's event loop turn, or the process, down. */
  #listenerFailed(err: unknown): void {
    this.#counts.listenerErrors++;
    this.#logger?.error({ err, localPort: this.localPort }, 'RTP listener failed');
  }

  /**
   * From the SDP answer's address: the first port latches, another port of that address only after a
   * silence. Where the answer's address cannot be the source: the first source, once, for good.
   */
  #acceptSource(rinfo: RemoteInfo, now: number): boolean {
    if (!this.#media) return false;
    const source = this.#source;
    if (source && source.port === rinfo.port && source.address === rinfo.address) {
      this.#lastSourceArrival = now;
      return true;
    }
    const expected = this.#expectedAddress;
    if (expected === undefined) {
      if (source) return false;
    } else {
      if (!sameAddress(expected, rinfo.address)) return false;
      if (source) {
        if (now - this.#lastSourceArrival < this.#relatchAfterMs) return false;
        this.#receive.newSource();
      }
    }
    this.#source = { address: rinfo.address, port: rinfo.port };
    this.#lastSourceArrival = now;
    const remote = this.#remote;
    if (!remote || remote.port !== rinfo.port || !sameAddress(remote.address, rinfo.address)) {
      this.#remote = { address: rinfo.address, port: rinfo.port };
      this.#logger?.debug({ localPort: this.localPort, remote: this.#remote }, 'RTP source latched');
      this.emit('latched', this.#remote);
    }
    return true;
  }
}

function sameAddress(sdpAddress: string, packetAddress: string): boolean {
  if (sdpAddress === packetAddress) return true;
  // An IPv4 peer seen on a dual-stack socket.
  return isIP(sdpAddress) === 4 && packetAddress === `::ffff:${sdpAddress}`;
}
