import { SipRequest, type SipResponse } from '../message/index.js';
import { isReliable, type Peer } from '../transport/index.js';
import { transactionTimeout, type TimerValues } from './timers.js';
import type { ClientTransactionUser, SendMessage } from './transaction-user.js';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'terminated';

/** RFC 3261 §17.1.1 INVITE client transaction; Timer A and D only matter over an unreliable transport. */
export class InviteClientTransaction {
  state: InviteClientState = 'calling';
  private timerA: NodeJS.Timeout | undefined;
  private timerB: NodeJS.Timeout | undefined;
  private timerD: NodeJS.Timeout | undefined;
  private intervalA: number;
  private ack: SipRequest | undefined;
  /** Set once a provisional response has come in; a CANCEL may only go after that (§9.1). */
  provisionalReceived = false;

  constructor(
    readonly request: SipRequest,
    readonly destination: Peer,
    private readonly send: SendMessage,
    private readonly timers: TimerValues,
    private readonly user: ClientTransactionUser,
  ) {
    this.intervalA = timers.T1;
  }

  /** Sends the INVITE; returns the bytes written. */
  start(): string {
    const raw = this.send(this.request, this.destination);
    if (!isReliable(this.destination)) this.timerA = setTimeout(() => this.fireTimerA(), this.intervalA);
    this.timerB = setTimeout(() => this.fireTimerB(), transactionTimeout(this.timers));
    return raw;
  }

  receiveResponse(response: SipResponse, from: Peer, raw: string): void {
    const status = response.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          this.state = 'proceeding';
          this.provisionalReceived = true;
          this.stopRetransmitting();
          // §17.1.1.2: Timer B bounds the Calling state only; a ringing call lasts until its answer timeout.
          if (this.timerB) clearTimeout(this.timerB);
          this.timerB = undefined;
          this.user.onResponse(response, from, raw);
        } else if (status < 300) {
          // 2xx ends the transaction; the TU ACKs it and absorbs its retransmissions (§13.2.2.4).
          this.user.onResponse(response, from, raw);
          this.terminate();
        } else {
          this.state = 'completed';
          this.clearTimers();
          this.ack = this.ackFor(response);
          this.send(this.ack, this.destination);
          this.user.onResponse(response, from, raw);
          const timerD = isReliable(this.destination) ? 0 : Math.max(32_000, 64 * this.timers.T1);
          this.timerD = setTimeout(() => this.terminate(), timerD);
        }
        break;
      case 'completed':
        if (status >= 300 && this.ack) this.send(this.ack, this.destination);
        break;
      case 'terminated':
        break;
    }
  }

  /** Ends the transaction without a final response, e.g. when the edge shuts down. */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.clearTimers();
    this.user.onTerminated();
  }

  private fireTimerA(): void {
    if (this.state !== 'calling') return;
    this.send(this.request, this.destination);
    this.intervalA *= 2;
    this.timerA = setTimeout(() => this.fireTimerA(), this.intervalA);
  }

  private fireTimerB(): void {
    if (this.state !== 'calling') return;
    this.user.onTimeout();
    this.terminate();
  }

  /** §17.1.1.3: the ACK for a non-2xx final response shares the INVITE's branch. */
  private ackFor(response: SipResponse): SipRequest {
    const ack = new SipRequest('ACK', this.request.uri);
    ack.set('Via', this.request.getAll('via')[0] ?? '');
    for (const route of this.request.getAll('route')) ack.append('Route', route);
    ack.set('Max-Forwards', '70');
    ack.set('From', this.request.get('from') ?? '');
    ack.set('To', response.get('to') ?? this.request.get('to') ?? '');
    ack.set('Call-ID', this.request.get('call-id') ?? '');
    ack.set('CSeq', `${(this.request.get('cseq') ?? '1').split(/\s+/)[0]} ACK`);
    return ack;
  }

  private stopRetransmitting(): void {
    if (this.timerA) clearTimeout(this.timerA);
    this.timerA = undefined;
  }

  private clearTimers(): void {
    this.stopRetransmitting();
    if (this.timerB) clearTimeout(this.timerB);
    if (this.timerD) clearTimeout(this.timerD);
    this.timerB = this.timerD = undefined;
  }
}
