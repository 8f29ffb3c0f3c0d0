import type { SipRequest, SipResponse } from '../message/index.js';
import { ServerTransaction } from './server-transaction.js';

export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'terminated';

/** RFC 3261 §17.2.1 INVITE server transaction; Timer G and I only matter over an unreliable transport. */
export class InviteServerTransaction extends ServerTransaction<InviteServerState> {
  state: InviteServerState = 'proceeding';
  private intervalG = this.timers.T1;

  respond(response: SipResponse): string {
    if (this.state !== 'proceeding') throw new Error(`INVITE transaction is ${this.state}; cannot send ${response.status}`);
    const raw = this.sendResponse(response);
    if (response.status >= 200 && response.status < 300) {
      // The UAS core retransmits 2xx itself until the ACK (§13.3.1.4).
      this.terminate();
    } else if (response.status >= 300) {
      this.state = 'completed';
      if (!this.reliable) this.schedule('G', this.intervalG, () => this.fireTimerG());
      this.schedule('H', this.timeout, () => {
        this.user.onAckTimeout?.();
        this.terminate();
      });
    }
    return raw;
  }

  receiveRequest(request: SipRequest): void {
    if (request.method === 'INVITE') {
      if (this.state === 'proceeding' || this.state === 'completed') this.repeatLastResponse();
    } else if (request.method === 'ACK' && this.state === 'completed') {
      this.state = 'confirmed';
      this.cancel('G', 'H');
      // Timer I absorbs retransmitted ACKs.
      this.schedule('I', this.reliable ? 0 : this.timers.T4, () => this.terminate());
    }
  }

  get finalResponseSent(): boolean {
    return this.state !== 'proceeding';
  }

  private fireTimerG(): void {
    if (this.state !== 'completed') return;
    this.repeatLastResponse();
    this.intervalG = Math.min(2 * this.intervalG, this.timers.T2);
    this.schedule('G', this.intervalG, () => this.fireTimerG());
  }
}
