import type { SipRequest, SipResponse } from '../message/index.js';
import type { Peer } from '../transport/index.js';

/** What a client transaction tells the layer above it (the TU, RFC 3261 §17). */
export interface ClientTransactionUser {
  onResponse(response: SipResponse, from: Peer, raw: string): void;
  /** Timer B or F fired: no final response came. */
  onTimeout(): void;
  onTerminated(): void;
}

export interface ServerTransactionUser {
  onTerminated(): void;
  /** Timer H fired: the far end never ACKed a non-2xx final response. */
  onAckTimeout?(): void;
}

/** Sends a message as written and returns what went on the wire. */
export type SendMessage = (msg: SipRequest | SipResponse, to: Peer) => string;
