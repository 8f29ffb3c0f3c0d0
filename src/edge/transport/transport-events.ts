import type { SipMessage, SipParseError } from '../message/index.js';
import type { Peer } from './peer.js';

/** What every SIP transport reports upward: readable messages, and bytes that were not one. */
export interface TransportEvents {
  message: [msg: SipMessage, from: Peer, raw: string];
  malformed: [error: SipParseError, from: Peer, raw: string];
  /** A connection-oriented transport could not reach `to` (RFC 3261 §8.1.3.1 transport error). */
  unreachable: [to: Peer, reason: string];
}
