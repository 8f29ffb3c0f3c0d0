// Which RTP sources a call leg takes (README "Security"): only the address the SDP answer names, any port
// of it (another port only after a silence); where that address cannot be the source, the first source
// once and for good; nothing before the answer. A stranger spraying RTP at our ports is never heard.

import { isIP } from 'node:net';
import { classifyAddress } from '../notify/destination-policy.js';

/** A transport address. */
export interface RtpAddress {
  address: string;
  port: number;
}

/** Whether an SDP's connection address and port can be sent to at all. */
export function usableAddress(address: string | undefined, port: number | undefined): boolean {
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

export function sameAddress(sdpAddress: string, packetAddress: string): boolean {
  if (sdpAddress === packetAddress) return true;
  // An IPv4 peer seen on a dual-stack socket.
  return isIP(sdpAddress) === 4 && packetAddress === `::ffff:${sdpAddress}`;
}

/** What to do with a packet: the source it came from is the current one, a new one latched now, or none. */
export type SourceVerdict = 'current' | 'first' | 'relatched' | 'drop';

export class RtpSourceRule {
  #negotiated = false;
  /** The answer's address when packets may come from it; undefined: the first source, once. */
  #expected: string | undefined;
  #source: RtpAddress | undefined;
  #lastArrival = 0;

  constructor(
    private readonly localAddress: string,
    private readonly relatchAfterMs: number,
  ) {}

  /** A new SDP negotiation: whom to expect; the source may latch again. */
  negotiated(address: string, port: number): void {
    this.#negotiated = true;
    this.#source = undefined;
    this.#expected = usableAddress(address, port) && sdpAddressCanBeSource(address, this.localAddress) ? address : undefined;
  }

  judge(from: RtpAddress, now: number): SourceVerdict {
    if (!this.#negotiated) return 'drop';
    const source = this.#source;
    if (source && source.port === from.port && source.address === from.address) {
      this.#lastArrival = now;
      return 'current';
    }
    const expected = this.#expected;
    if (expected === undefined ? source !== undefined : !sameAddress(expected, from.address)) return 'drop';
    if (source && now - this.#lastArrival < this.relatchAfterMs) return 'drop';
    this.#source = { address: from.address, port: from.port };
    this.#lastArrival = now;
    return source ? 'relatched' : 'first';
  }
}
