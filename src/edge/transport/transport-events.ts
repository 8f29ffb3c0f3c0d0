import type { EventEmitter } from 'node:events';
import { parseMessage, SipParseError, type SipMessage } from '../message/index.js';
import type { Peer } from './peer.js';

/** What every SIP transport reports upward: readable messages, and bytes that were not one. */
export interface TransportEvents {
  message: [msg: SipMessage, from: Peer, raw: string];
  malformed: [error: SipParseError, from: Peer, raw: string];
  /** A connection-oriented transport could not reach `to` (RFC 3261 §8.1.3.1 transport error). */
  unreachable: [to: Peer, reason: string];
}

/** Parses one message's text and reports it upward; bytes from the network never escape as an exception. */
export function emitParsed(transport: EventEmitter<TransportEvents>, raw: string, from: Peer, datagram: boolean): void {
  let msg: SipMessage;
  try {
    msg = parseMessage(raw, datagram);
  } catch (err) {
    const error = err instanceof SipParseError ? err : new SipParseError(`unreadable message (${(err as Error).message})`);
    transport.emit('malformed', error, from, raw);
    return;
  }
  transport.emit('message', msg, from, raw);
}
