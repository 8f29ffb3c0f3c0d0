import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import { RtpPacket } from 'rtp.js/packets';
import { encodeTableOf, type G711Codec } from './g711.js';
import { MediaClock, mediaClock } from './media-clock.js';
import type { RtpPortLease, RtpPortPool } from './port-pool.js';
import { RtpReceiveStream } from './receive-stream.js';
import { RTP_HEADER_LENGTH, RtpSendStream } from './send-stream.js';
import type { NegotiatedMedia } from './sdp.js';
import { RtpSourceRule, sameAddress, usableAddress, type RtpAddress } from './source-rule.js';
import type { PacketTap, ReceivedRtp, RtpEndpointEvents, RtpEndpointOptions, RtpEndpointStats } from './endpoint-types.js';
import type { Logger } from '../log/index.js';

export type { RtpEndpointEvents, RtpEndpointOptions, RtpEndpointStats, ReceivedRtp, PacketTap } from './endpoint-types.js';
export type { RtpAddress } from './source-rule.js';
export { sdpAddressCanBeSource } from './source-rule.js';

const RTCP_HEADER_LENGTH = 8;
const G711_STATIC_PT: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };

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
  readonly #sources: RtpSourceRule;
  readonly #logger: Logger | undefined;
  readonly #received: ReceivedRtp = { ssrc: 0, seq: 0, ts: 0, pt: 0, marker: false, buf: new Uint8Array(0), offset: 0, length: 0 };
  #media: NegotiatedMedia | undefined;
  #remote: RtpAddress | undefined;
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
    this.#sources = new RtpSourceRule(lease.host, options.relatchAfterMs ?? 1000);
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
    this.#sources.negotiated(media.address, media.port);
    this.#remote = usableAddress(media.address, media.port) ? { address: media.address, port: media.port } : undefined;
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

  /** Whether the packet's source is one this leg takes (source-rule.ts); a new source becomes the send target. */
  #acceptSource(rinfo: RemoteInfo, now: number): boolean {
    const verdict = this.#sources.judge(rinfo, now);
    if (verdict === 'drop') return false;
    if (verdict === 'current') return true;
    if (verdict === 'relatched') this.#receive.newSource();
    const remote = this.#remote;
    if (!remote || remote.port !== rinfo.port || !sameAddress(remote.address, rinfo.address)) {
      this.#remote = { address: rinfo.address, port: rinfo.port };
      this.#logger?.debug({ localPort: this.localPort, remote: this.#remote }, 'RTP source latched');
      this.emit('latched', this.#remote);
    }
    return true;
  }
}

