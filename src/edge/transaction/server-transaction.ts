import type { SipRequest, SipResponse } from '../message/index.js';
import type { Peer } from '../transport/index.js';
import type { TimerValues } from './timers.js';
import { Transaction } from './transaction.js';
import type { SendMessage, ServerTransactionUser } from './transaction-user.js';

/** The server side of §17.2, INVITE or not: responses the TU writes, and the last one repeated on demand. */
export abstract class ServerTransaction<State extends string> extends Transaction<State> {
  protected lastResponse: SipResponse | undefined;

  constructor(request: SipRequest, responseDestination: Peer, send: SendMessage, timers: TimerValues, protected readonly user: ServerTransactionUser) {
    super(request, responseDestination, send, timers, () => user.onTerminated());
  }

  /** Where responses go (§18.2.2: the top Via's received/rport or sent-by). */
  get responseDestination(): Peer {
    return this.peer;
  }

  /** Sends a response the TU built; returns the bytes written. */
  abstract respond(response: SipResponse): string;

  /** A retransmission of the request (or, for INVITE, the ACK for a non-2xx final response). */
  abstract receiveRequest(request: SipRequest): void;

  abstract get finalResponseSent(): boolean;

  protected sendResponse(response: SipResponse): string {
    this.lastResponse = response;
    return this.transmit(response);
  }

  protected repeatLastResponse(): void {
    if (this.lastResponse) this.transmit(this.lastResponse);
  }
}
