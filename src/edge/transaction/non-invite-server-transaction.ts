import type { SipRequest, SipResponse } from '../message/index.js';
import { isReliable, type Peer } from '../transport/index.js';
import { transactionTimeout, type TimerValues } from './timers.js';
import type { SendMessage, ServerTransactionUser } from './transaction-user.js';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/** RFC 3261 §17.2.2 non-INVITE server transaction; Timer J only matters over an unreliable transport. */
export class NonInviteServerTransaction {
  state: NonInviteServerState = 'trying';
  private lastResponse: SipResponse | undefined;
  private timerJ: NodeJS.Timeout | undefined;

  constructor(
    readonly request: SipRequest,
    readonly responseDestination: Peer,
    private readonly send: SendMessage,
    private readonly timers: TimerValues,
    private readonly user: ServerTransactionUser,
  ) {}

  respond(response: SipResponse): string {
    if (this.state === 'completed' || this.state === 'terminated') {
      throw new Error(`${this.request.method} transaction is ${this.state}; cannot send ${response.status}`);
    }
    const raw = this.send(response, this.responseDestination);
    this.lastResponse = response;
    if (response.status < 200) {
      this.state = 'proceeding';
    } else {
      this.state = 'completed';
      // Timer J keeps the final response around to answer retransmitted requests.
      this.timerJ = setTimeout(() => this.terminate(), isReliable(this.responseDestination) ? 0 : transactionTimeout(this.timers));
    }
    return raw;
  }

  /** A retransmission of the request: answer it with the last response, if any (§17.2.2). */
  receiveRequest(_request: SipRequest): void {
    if ((this.state === 'proceeding' || this.state === 'completed') && this.lastResponse) {
      this.send(this.lastResponse, this.responseDestination);
    }
  }

  get finalResponseSent(): boolean {
    return this.state === 'completed' || this.state === 'terminated';
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    if (this.timerJ) clearTimeout(this.timerJ);
    this.user.onTerminated();
  }
}
