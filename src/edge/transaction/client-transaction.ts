import type { SipRequest, SipResponse } from '../message/index.js';
import type { Peer } from '../transport/index.js';
import type { TimerValues } from './timers.js';
import { Transaction } from './transaction.js';
import type { ClientTransactionUser, SendMessage } from './transaction-user.js';

/**
 * The client side of §17.1, INVITE or not: send the request, retransmit it over UDP (Timer A / E) while no
 * response came, and report a timeout when no final response came within 64*T1 (Timer B / F).
 */
export abstract class ClientTransaction<State extends string> extends Transaction<State> {
  private interval: number;

  constructor(request: SipRequest, destination: Peer, send: SendMessage, timers: TimerValues, protected readonly user: ClientTransactionUser) {
    super(request, destination, send, timers, () => user.onTerminated());
    this.interval = timers.T1;
  }

  get destination(): Peer {
    return this.peer;
  }

  /** Sends the request; returns the bytes written. */
  start(): string {
    const raw = this.transmit(this.request);
    if (!this.reliable) this.schedule('retransmit', this.interval, () => this.retransmit());
    this.schedule('timeout', this.timeout, () => {
      if (!this.awaitingFinal) return;
      this.user.onTimeout();
      this.terminate();
    });
    return raw;
  }

  abstract receiveResponse(response: SipResponse, from: Peer, raw: string): void;

  /** True while the request is still retransmitted. */
  protected abstract get retransmitting(): boolean;
  /** True while Timer B / F may still fire. */
  protected abstract get awaitingFinal(): boolean;
  /** The retransmission interval after `interval`. */
  protected abstract nextInterval(interval: number): number;

  protected stopRetransmitting(): void {
    this.cancel('retransmit');
  }

  protected stopTimeout(): void {
    this.cancel('timeout');
  }

  /** A final response came: no more retransmissions and no timeout. */
  protected finalReceived(): void {
    this.cancel('retransmit', 'timeout');
  }

  private retransmit(): void {
    if (!this.retransmitting) return;
    this.transmit(this.request);
    this.interval = this.nextInterval(this.interval);
    this.schedule('retransmit', this.interval, () => this.retransmit());
  }
}
