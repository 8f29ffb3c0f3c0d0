import type { SipRequest, SipResponse } from '../message/index.js';
import { isReliable, type Peer } from '../transport/index.js';
import { transactionTimeout, type TimerValues } from './timers.js';
import type { SendMessage, ServerTransactionUser } from './transaction-user.js';

export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'terminated';

/** RFC 3261 §17.2.1 INVITE server transaction; Timer G and I only matter over an unreliable transport. */
export class InviteServerTransaction {
  state: InviteServerState = 'proceeding';
  private lastResponse: SipResponse | undefined;
  private timerG: NodeJS.Timeout | undefined;
  private timerH: NodeJS.Timeout | undefined;
  private timerI: NodeJS.Timeout | undefined;
  private intervalG: number;

  constructor(
    readonly request: SipRequest,
    /** Where responses go (§18.2.2: the top Via's received/rport or sent-by). */
    readonly responseDestination: Peer,
    private readonly send: SendMessage,
    private readonly timers: TimerValues,
    private readonly user: ServerTransactionUser,
  ) {
    this.intervalG = timers.T1;
  }

  /** Sends a response the TU built; returns the bytes written. */
  respond(response: SipResponse): string {
    if (this.state !== 'proceeding') throw new Error(`INVITE transaction is ${this.state}; cannot send ${response.status}`);
    const raw = this.send(response, this.responseDestination);
    this.lastResponse = response;
    if (response.status >= 200 && response.status < 300) {
      // The UAS core retransmits 2xx itself until the ACK (§13.3.1.4).
      this.terminate();
    } else if (response.status >= 300) {
      this.state = 'completed';
      if (!isReliable(this.responseDestination)) this.timerG = setTimeout(() => this.fireTimerG(), this.intervalG);
      this.timerH = setTimeout(() => this.fireTimerH(), transactionTimeout(this.timers));
    }
    return raw;
  }

  /** A retransmitted INVITE, or the ACK for a non-2xx final response. */
  receiveRequest(request: SipRequest): void {
    if (request.method === 'INVITE') {
      if ((this.state === 'proceeding' || this.state === 'completed') && this.lastResponse) {
        this.send(this.lastResponse, this.responseDestination);
      }
    } else if (request.method === 'ACK' && this.state === 'completed') {
      this.state = 'confirmed';
      this.clearTimers();
      this.timerI = setTimeout(() => this.terminate(), isReliable(this.responseDestination) ? 0 : this.timers.T4);
    }
  }

  get finalResponseSent(): boolean {
    return this.state !== 'proceeding';
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.clearTimers();
    if (this.timerI) clearTimeout(this.timerI);
    this.user.onTerminated();
  }

  private fireTimerG(): void {
    if (this.state !== 'completed' || !this.lastResponse) return;
    this.send(this.lastResponse, this.responseDestination);
    this.intervalG = Math.min(2 * this.intervalG, this.timers.T2);
    this.timerG = setTimeout(() => this.fireTimerG(), this.intervalG);
  }

  private fireTimerH(): void {
    if (this.state !== 'completed') return;
    this.user.onAckTimeout?.();
    this.terminate();
  }

  private clearTimers(): void {
    if (this.timerG) clearTimeout(this.timerG);
    if (this.timerH) clearTimeout(this.timerH);
    this.timerG = this.timerH = undefined;
  }
}
