import type { SipRequest, SipResponse } from '../message/index.js';
import { isReliable, type Peer } from '../transport/index.js';
import { transactionTimeout, type TimerValues } from './timers.js';
import type { ClientTransactionUser, SendMessage } from './transaction-user.js';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/** RFC 3261 §17.1.2 non-INVITE client transaction; Timer E and K only matter over an unreliable transport. */
export class NonInviteClientTransaction {
  state: NonInviteClientState = 'trying';
  private timerE: NodeJS.Timeout | undefined;
  private timerF: NodeJS.Timeout | undefined;
  private timerK: NodeJS.Timeout | undefined;
  private intervalE: number;

  constructor(
    readonly request: SipRequest,
    readonly destination: Peer,
    private readonly send: SendMessage,
    private readonly timers: TimerValues,
    private readonly user: ClientTransactionUser,
  ) {
    this.intervalE = timers.T1;
  }

  start(): string {
    const raw = this.send(this.request, this.destination);
    if (!isReliable(this.destination)) this.timerE = setTimeout(() => this.fireTimerE(), this.intervalE);
    this.timerF = setTimeout(() => this.fireTimerF(), transactionTimeout(this.timers));
    return raw;
  }

  receiveResponse(response: SipResponse, from: Peer, raw: string): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    if (response.status < 200) {
      this.state = 'proceeding';
      this.user.onResponse(response, from, raw);
      return;
    }
    this.state = 'completed';
    this.clearTimers();
    this.user.onResponse(response, from, raw);
    // Timer K absorbs retransmitted final responses for T4.
    this.timerK = setTimeout(() => this.terminate(), isReliable(this.destination) ? 0 : this.timers.T4);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.clearTimers();
    if (this.timerK) clearTimeout(this.timerK);
    this.user.onTerminated();
  }

  private fireTimerE(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.send(this.request, this.destination);
    // In Proceeding the interval stays at T2 (§17.1.2.2).
    this.intervalE = this.state === 'proceeding' ? this.timers.T2 : Math.min(2 * this.intervalE, this.timers.T2);
    this.timerE = setTimeout(() => this.fireTimerE(), this.intervalE);
  }

  private fireTimerF(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.user.onTimeout();
    this.terminate();
  }

  private clearTimers(): void {
    if (this.timerE) clearTimeout(this.timerE);
    if (this.timerF) clearTimeout(this.timerF);
    this.timerE = this.timerF = undefined;
  }
}
