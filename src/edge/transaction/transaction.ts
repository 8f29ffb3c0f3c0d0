import type { SipRequest, SipResponse } from '../message/index.js';
import { isReliable, type Peer } from '../transport/index.js';
import { transactionTimeout, type TimerValues } from './timers.js';
import type { SendMessage } from './transaction-user.js';

/**
 * What the four RFC 3261 §17 transactions share: the request, the peer, named timers, and the end. Timers
 * that only retransmit or absorb retransmissions are skipped over a reliable transport (§17.1.1.2, §17.2.1).
 */
export abstract class Transaction<State extends string> {
  abstract state: State;
  private readonly running = new Map<string, NodeJS.Timeout>();

  constructor(
    readonly request: SipRequest,
    /** Where requests (client) or responses (server, §18.2.2) go. */
    protected readonly peer: Peer,
    protected readonly send: SendMessage,
    protected readonly timers: TimerValues,
    private readonly onTerminated: () => void,
  ) {}

  /** Ends the transaction at once, e.g. when the edge shuts down. */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated' as State;
    for (const t of this.running.values()) clearTimeout(t);
    this.running.clear();
    this.onTerminated();
  }

  protected get reliable(): boolean {
    return isReliable(this.peer);
  }

  /** 64*T1: Timers B, F, H and J. */
  protected get timeout(): number {
    return transactionTimeout(this.timers);
  }

  /** Starts (or restarts) the timer called `name`. */
  protected schedule(name: string, ms: number, fire: () => void): void {
    this.cancel(name);
    this.running.set(
      name,
      setTimeout(() => {
        this.running.delete(name);
        fire();
      }, ms),
    );
  }

  protected cancel(...names: string[]): void {
    for (const name of names) {
      clearTimeout(this.running.get(name));
      this.running.delete(name);
    }
  }

  protected transmit(msg: SipRequest | SipResponse): string {
    return this.send(msg, this.peer);
  }
}
