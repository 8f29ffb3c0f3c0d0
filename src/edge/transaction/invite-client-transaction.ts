import { parseCSeq, SipRequest, type SipResponse } from '../message/index.js';
import type { Peer } from '../transport/index.js';
import { ClientTransaction } from './client-transaction.js';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'terminated';

/** RFC 3261 §17.1.1 INVITE client transaction; Timer A and D only matter over an unreliable transport. */
export class InviteClientTransaction extends ClientTransaction<InviteClientState> {
  state: InviteClientState = 'calling';
  private ack: SipRequest | undefined;
  /** Set once a provisional response has come in; a CANCEL may only go after that (§9.1). */
  provisionalReceived = false;

  receiveResponse(response: SipResponse, from: Peer, raw: string): void {
    const status = response.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          this.state = 'proceeding';
          this.provisionalReceived = true;
          // §17.1.1.2: Timer B bounds the Calling state only; a ringing call lasts until its answer timeout.
          this.stopRetransmitting();
          this.stopTimeout();
          this.user.onResponse(response, from, raw);
        } else if (status < 300) {
          // 2xx ends the transaction; the TU ACKs it and absorbs its retransmissions (§13.2.2.4).
          this.user.onResponse(response, from, raw);
          this.terminate();
        } else {
          this.state = 'completed';
          this.finalReceived();
          this.ack = this.ackFor(response);
          this.transmit(this.ack);
          this.user.onResponse(response, from, raw);
          // Timer D absorbs retransmitted final responses.
          this.schedule('D', this.reliable ? 0 : Math.max(32_000, this.timeout), () => this.terminate());
        }
        break;
      case 'completed':
        if (status >= 300 && this.ack) this.transmit(this.ack);
        break;
      case 'terminated':
        break;
    }
  }

  protected get retransmitting(): boolean {
    return this.state === 'calling';
  }

  protected get awaitingFinal(): boolean {
    return this.state === 'calling';
  }

  /** Timer A doubles without a cap (§17.1.1.2). */
  protected nextInterval(interval: number): number {
    return 2 * interval;
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
    ack.set('CSeq', `${parseCSeq(this.request.get('cseq')).seq} ACK`);
    return ack;
  }
}
