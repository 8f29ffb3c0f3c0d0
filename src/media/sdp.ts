import { randomInt } from 'node:crypto';
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import type { G711Codec } from './g711.js';

/** SDP media direction attributes (RFC 4566 §6). */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** What one side of an SDP exchange agreed for the audio stream, seen from outdial. */
export interface NegotiatedMedia {
  /** Where the far end wants RTP sent (its c= address); 0.0.0.0 means "not yet known" (symmetric RTP latches). */
  address: string;
  port: number;
  codec: G711Codec;
  /** The payload type the far end uses for `codec` (0 and 8 unless it mapped them dynamically). */
  payloadType: number;
  /** RFC 4733 telephone-event payload type, when both sides support it. */
  telephoneEventPt?: number;
  /** The far end's direction as it wrote it. */
  direction: MediaDirection;
  /** The far end's a=ptime, when given. */
  ptime?: number;
}

/** An SDP that cannot set up an audio stream; the message names what is wrong. */
export class SdpError extends Error {
  override readonly name = 'SdpError';
}

export const TELEPHONE_EVENT_PT = 101;
const DEFAULT_CODECS: readonly G711Codec[] = ['PCMU', 'PCMA'];
const STATIC_PT: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };
const STATIC_CODEC: Readonly<Record<number, G711Codec>> = { 0: 'PCMU', 8: 'PCMA' };

export interface OfferOptions {
  /** outdial's RTP address, written in o= and c=. */
  address: string;
  /** outdial's RTP port (from the RtpPortPool). */
  port: number;
  /** o= session id; random when omitted. Keep it across re-offers of one dialog. */
  sessionId?: string | number;
  /** o= session version; bump it on a re-offer. */
  sessionVersion?: number;
  /** Codecs in preference order; PCMU then PCMA when omitted. */
  codecs?: readonly G711Codec[];
  direction?: MediaDirection;
}

function ipVersion(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

function writeSdp(options: OfferOptions, codecs: readonly { codec: G711Codec; pt: number }[], telephoneEventPt: number | undefined, direction: MediaDirection): string {
  const ipVer = ipVersion(options.address);
  const rtp: MediaDescription['rtp'] = codecs.map(({ codec, pt }) => ({ payload: pt, codec, rate: 8000 }));
  const fmtp: MediaDescription['fmtp'] = [];
  if (telephoneEventPt !== undefined) {
    rtp.push({ payload: telephoneEventPt, codec: 'telephone-event', rate: 8000 });
    fmtp.push({ payload: telephoneEventPt, config: '0-16' });
  }
  const payloads = [...codecs.map((c) => c.pt), ...(telephoneEventPt !== undefined ? [telephoneEventPt] : [])];
  const session: SessionDescription = {
    version: 0,
    origin: {
      username: '-',
      sessionId: options.sessionId ?? randomInt(1, 2 ** 47),
      sessionVersion: options.sessionVersion ?? 1,
      netType: 'IN',
      ipVer,
      address: options.address,
    },
    name: 'outdial',
    connection: { version: ipVer, ip: options.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: options.port,
        protocol: 'RTP/AVP',
        payloads: payloads.join(' '),
        rtp,
        fmtp,
        ptime: 20,
        direction,
      },
    ],
  };
  return write(session);
}

/** The SDP offer of an outgoing INVITE: G.711 (PCMU 0, PCMA 8), telephone-event 101 (0-16), ptime 20. */
export function buildOffer(options: OfferOptions): string {
  const codecs = (options.codecs ?? DEFAULT_CODECS).map((codec) => ({ codec, pt: STATIC_PT[codec] }));
  if (codecs.length === 0) throw new SdpError('an SDP offer needs at least one codec');
  return writeSdp(options, codecs, TELEPHONE_EVENT_PT, options.direction ?? 'sendrecv');
}

function g711CodecOf(m: MediaDescription, pt: number): G711Codec | undefined {
  const map = m.rtp.find((r) => r.payload === pt);
  if (!map) return STATIC_CODEC[pt];
  const name = map.codec.toUpperCase();
  if ((name === 'PCMU' || name === 'PCMA') && (map.rate === undefined || map.rate === 8000)) return name;
  return undefined;
}

function payloadList(m: MediaDescription): number[] {
  return String(m.payloads ?? '')
    .split(/\s+/)
    .filter((p) => p !== '')
    .map(Number)
    .filter((p) => Number.isInteger(p) && p >= 0 && p <= 127);
}

function describePayloads(m: MediaDescription, pts: readonly number[]): string {
  if (pts.length === 0) return 'no payload types';
  return pts
    .map((pt) => {
      const map = m.rtp.find((r) => r.payload === pt);
      return map ? `${pt} (${map.codec}/${map.rate ?? '?'})` : String(pt);
    })
    .join(', ');
}

/** Reads the audio stream of an SDP (answer or offer) and picks the first G.711 codec both sides support. */
function chooseAudio(sdp: string, what: string, codecs: readonly G711Codec[]): NegotiatedMedia {
  if (typeof sdp !== 'string' || !/^\s*v=0/.test(sdp)) {
    throw new SdpError(`SDP ${what} is not a session description (it must start with v=0)`);
  }
  const session = parse(sdp);
  const audio = session.media.filter((m) => m.type === 'audio');
  if (audio.length === 0) throw new SdpError(`SDP ${what} has no audio stream (no m=audio line)`);
  const m = audio.find((a) => a.port !== 0);
  if (!m) throw new SdpError(`SDP ${what} rejects the audio stream (m=audio port 0)`);
  if (!Number.isInteger(m.port) || m.port < 1 || m.port > 65535) {
    throw new SdpError(`SDP ${what} has an invalid audio port ${String(m.port)}`);
  }
  if (m.protocol.toUpperCase() !== 'RTP/AVP') {
    throw new SdpError(`SDP ${what} uses transport ${m.protocol} for audio; outdial supports only RTP/AVP`);
  }
  const address = m.connection?.ip ?? session.connection?.ip;
  if (!address) throw new SdpError(`SDP ${what} has no connection address (c=) at media or session level`);

  const pts = payloadList(m);
  let chosen: { codec: G711Codec; pt: number } | undefined;
  for (const pt of pts) {
    const codec = g711CodecOf(m, pt);
    if (codec && codecs.includes(codec)) {
      chosen = { codec, pt };
      break;
    }
  }
  if (!chosen) {
    throw new SdpError(
      `SDP ${what} has no codec in common with outdial: it lists ${describePayloads(m, pts)}; outdial supports ${codecs.join(', ')}`,
    );
  }
  const telephoneEvent = m.rtp.find(
    (r) => r.codec.toLowerCase() === 'telephone-event' && (r.rate ?? 8000) === 8000 && pts.includes(r.payload),
  );
  const media: NegotiatedMedia = {
    address: address.trim(),
    port: m.port,
    codec: chosen.codec,
    payloadType: chosen.pt,
    direction: m.direction ?? session.direction ?? 'sendrecv',
  };
  if (telephoneEvent) media.telephoneEventPt = telephoneEvent.payload;
  if (m.ptime !== undefined) media.ptime = m.ptime;
  return media;
}

/**
 * The far end's answer to outdial's offer: where to send RTP and with which codec. Throws SdpError naming
 * the problem for an answer that cannot carry audio (no m=audio, port 0, no common codec, no c=).
 */
export function parseAnswer(sdp: string, options: { codecs?: readonly G711Codec[] } = {}): NegotiatedMedia {
  return chooseAudio(sdp, 'answer', options.codecs ?? DEFAULT_CODECS);
}

/** The far end's offer read as outdial would answer it (for an incoming INVITE or re-INVITE). */
export function parseOffer(sdp: string, options: { codecs?: readonly G711Codec[] } = {}): NegotiatedMedia {
  return chooseAudio(sdp, 'offer', options.codecs ?? DEFAULT_CODECS);
}

const ANSWER_DIRECTION: Readonly<Record<MediaDirection, MediaDirection>> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

export interface AnswerOptions {
  address: string;
  port: number;
  sessionId?: string | number;
  sessionVersion?: number;
  codecs?: readonly G711Codec[];
}

/**
 * Answer an SDP offer (RFC 3264): one codec, the first of the offerer's list that outdial supports, with the
 * offerer's payload type numbers, telephone-event if offered, and the mirrored direction. Returns the SDP
 * and the negotiated media as seen from outdial (where to send, which codec).
 */
export function buildAnswer(offerSdp: string, options: AnswerOptions): { sdp: string; media: NegotiatedMedia } {
  const media = parseOffer(offerSdp, options.codecs ? { codecs: options.codecs } : {});
  const sdp = writeSdp(options, [{ codec: media.codec, pt: media.payloadType }], media.telephoneEventPt, ANSWER_DIRECTION[media.direction]);
  return { sdp, media };
}
